// SPDX-License-Identifier: MIT
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANVIL_KEYS, startAnvil, type Anvil } from "./anvil.ts";
import { poolStatus, settlePool, watchLocalMining } from "./mining-watch.ts";
import { createWalletClient, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";

/** anvil with auto-mining off: a sent transaction stays pending, as in the stalled deployments. */
describe("mining watch (anvil --no-mining)", () => {
  let anvil: Anvil;
  beforeAll(async () => {
    anvil = await startAnvil({ args: ["--no-mining"] });
  });
  afterAll(async () => {
    await anvil?.stop();
  });

  const sendPending = async (n: number) => {
    const wallet = createWalletClient({ account: privateKeyToAccount(ANVIL_KEYS[1]!), chain: foundry, transport: http(anvil.rpcUrl) });
    for (let i = 0; i < n; i++) await wallet.sendTransaction({ to: "0x000000000000000000000000000000000000dEaD", value: 1n });
  };

  it("mines a pool that stays pending with no new block, and reports it", async () => {
    await sendPending(2);
    const before = await poolStatus(anvil.rpcUrl);
    expect(before?.pending).toBe(2);
    const seen: number[] = [];
    const watch = watchLocalMining(anvil.rpcUrl, (st) => seen.push(st.pending), { intervalMs: 100, stuckMs: 500 });
    for (let i = 0; i < 50 && (await poolStatus(anvil.rpcUrl))!.pending > 0; i++) await new Promise((r) => setTimeout(r, 100));
    await watch.stop();
    const after = await poolStatus(anvil.rpcUrl);
    expect(after).toMatchObject({ pending: 0, block: before!.block + 1 });
    expect(watch.nudges()).toBe(1);
    expect(seen).toEqual([2]);
  });

  it("leaves a pool alone while it is empty", async () => {
    const watch = watchLocalMining(anvil.rpcUrl, undefined, { intervalMs: 50, stuckMs: 100 });
    const block = (await poolStatus(anvil.rpcUrl))!.block;
    await new Promise((r) => setTimeout(r, 600));
    await watch.stop();
    expect(watch.nudges()).toBe(0);
    expect((await poolStatus(anvil.rpcUrl))!.block).toBe(block);
  });

  it("settles a pending pool before a retry", async () => {
    await sendPending(3);
    expect((await poolStatus(anvil.rpcUrl))!.pending).toBe(3);
    expect(await settlePool(anvil.rpcUrl, 10_000)).toMatchObject({ pending: 0 });
  });

  it("does nothing on a node that does not answer", async () => {
    expect(await poolStatus("http://127.0.0.1:9/")).toBeUndefined();
    expect(await settlePool("http://127.0.0.1:9/", 1_000)).toBeUndefined();
  });
});
