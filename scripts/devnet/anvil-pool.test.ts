// SPDX-License-Identifier: MIT
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANVIL_KEYS, startAnvil, type Anvil } from "./anvil.ts";
import { poolStatus, settlePool } from "./anvil-pool.ts";
import { createWalletClient, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";

/** anvil with auto-mining off: a sent transaction stays pending, as in the stalled deployments. */
describe("anvil pool (anvil --no-mining)", () => {
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

  it("settles a pending pool before a retry", async () => {
    await sendPending(3);
    const before = (await poolStatus(anvil.rpcUrl))!;
    expect(before).toMatchObject({ pending: 3, queued: 0 });
    const after = await settlePool(anvil.rpcUrl, 10_000);
    expect(after).toMatchObject({ pending: 0, queued: 0 });
    expect(after!.block).toBeGreaterThan(before.block);
  });

  it("does nothing on a node that does not answer", async () => {
    expect(await poolStatus("http://127.0.0.1:9/")).toBeUndefined();
    expect(await settlePool("http://127.0.0.1:9/", 1_000)).toBeUndefined();
  });
});
