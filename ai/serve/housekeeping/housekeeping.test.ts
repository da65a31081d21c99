// SPDX-License-Identifier: MIT
/**
 * The housekeeper against anvil with every contract deployed and seeded (grace runs the Node operator, model 1):
 * real session channels, real signed vouchers and receipts in a test-fixture journal, the real content store.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parseEther, type Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { paymentChannelsAbi } from "../../../sdk/abi/index.ts";
import { writeContract } from "../../../sdk/client/index.ts";
import { FsContentStore } from "../../../sdk/content/index.ts";
import { signUsageReceipt, signVoucher, usageReceiptDigest } from "../../../sdk/payout/index.ts";
import { openSessionChannel, priceOf, requestHash, type ServedReceipt } from "../../../sdk/serving/index.ts";
import { ANVIL_KEYS } from "../../../scripts/devnet/anvil.ts";
import { seed } from "../../../scripts/devnet/seed.ts";
import { bootChain, type Chain } from "../../../test/e2e/harness.ts";
import { createHousekeeper, HousekeepingState, publishEpoch, type HousekeeperOptions } from "./index.ts";
import { MemoryReceiptLog } from "./testing/memory-journal.ts";

vi.setConfig({ testTimeout: 300_000, hookTimeout: 600_000 });

let chain: Chain;
let channels: Address;
let store: FsContentStore;
const nodeKey = privateKeyToAccount(ANVIL_KEYS[7]!); // grace
const PRICE = parseEther("0.01");

beforeAll(async () => {
  chain = await bootChain();
  await seed({ rpcUrl: chain.anvil.rpcUrl, deployment: chain.deployment });
  channels = chain.deployment.contracts.PaymentChannels as Address;
  store = new FsContentStore(join(chain.dir, "data"));
});
afterAll(async () => {
  await chain?.cleanup();
});

const chainNow = async () => Number((await chain.publicClient.getBlock()).timestamp);
const channelOf = (id: bigint) => chain.publicClient.readContract({ address: channels, abi: paymentChannelsAbi, functionName: "channel", args: [id] });

/** A session channel with `n` served requests: receipts in the journal (at `time` ms), the latest voucher accepted. */
async function served(log: MemoryReceiptLog, n: number, timeMs: number, deposit = parseEther("1")) {
  const erin = chain.users[5]!;
  const ch = await openSessionChannel(erin, { node: nodeKey.address, modelId: 1n, deposit });
  const target = { chainId: 31337, verifyingContract: channels };
  let cumulative = 0n;
  const receipts: ServedReceipt[] = [];
  for (let i = 1; i <= n; i++) {
    // Pay after: request i carries the voucher for everything metered before it.
    if (cumulative > 0n) log.acceptVoucher(await signVoucher(ch.sessionKey, { channelId: ch.channelId, cumulativeAmount: cumulative }, target));
    const request = { model: "1", messages: [{ role: "user", content: `question ${i}` }] };
    cumulative += priceOf(10 * i, 20, PRICE);
    const s = await signUsageReceipt(
      nodeKey,
      { channelId: ch.channelId, seq: BigInt(i), modelId: 1n, adapterDigest: `0x${"ad".repeat(32)}`, tokensIn: 10 * i, tokensOut: 20, cumulativeAmount: cumulative, requestHash: requestHash(request, `answer ${i}`) },
      target,
    );
    const r: ServedReceipt = { ...s, digest: usageReceiptDigest(s, target), node: nodeKey.address };
    receipts.push(r);
    log.append(r, timeMs + i, { request, response: `answer ${i}` });
  }
  // The client's next request (or its close) brings the voucher for the last receipt too.
  log.acceptVoucher(await signVoucher(ch.sessionKey, { channelId: ch.channelId, cumulativeAmount: cumulative }, target));
  return { ...ch, cumulative, receipts };
}

function options(log: MemoryReceiptLog, statePath: string, nowMs: number, extra: Partial<HousekeeperOptions["config"]> = {}): HousekeeperOptions {
  return {
    ctx: chain.users[7]!,
    log,
    store,
    statePath,
    now: () => nowMs,
    config: { epoch: { genesis: 0, length: 86_400, grace: 3_600 }, ...extra },
  };
}

describe("housekeeping: redemption", () => {
  it("defers under the threshold, then redeems a closing channel before its notice ends, batched in one transaction", async () => {
    const log = new MemoryReceiptLog();
    const now = (await chainNow()) * 1000;
    const a = await served(log, 3, now);
    const b = await served(log, 2, now);
    const hk = await createHousekeeper(options(log, join(chain.dir, "hk-redeem.json"), now, { redeemThreshold: parseEther("1000"), closeMarginSeconds: 7_200 }));
    const first = await hk.tick();
    expect(first.errors).toEqual([]);
    expect(first.redeemed).toBe(0n);
    expect(first.deferred).toBe(a.cumulative + b.cumulative);
    expect((await channelOf(a.channelId)).redeemed).toBe(0n);
    // The payer asks to close a: its notice (1 h, the deployment's) ends within the 2 h margin: redeem now, b with it.
    await writeContract(chain.users[5]!, "requestClose", { address: channels, abi: paymentChannelsAbi, functionName: "requestClose", args: [a.channelId] });
    const blockBefore = await chain.publicClient.getBlockNumber();
    const second = await hk.tick();
    expect(second.errors).toEqual([]);
    expect(second.urgent).toEqual([a.channelId]);
    expect(second.redeemed).toBe(a.cumulative + b.cumulative);
    expect((await channelOf(a.channelId)).redeemed).toBe(a.cumulative);
    expect((await channelOf(b.channelId)).redeemed).toBe(b.cumulative);
    const logs = await chain.publicClient.getContractEvents({ address: channels, abi: paymentChannelsAbi, eventName: "VoucherRedeemed", fromBlock: blockBefore + 1n });
    expect(new Set(logs.map((l) => l.transactionHash)).size).toBe(1);
    // Flushed to the staking registry in the same tick: nothing pending for the node.
    expect(second.flushed).toBeGreaterThan(0n);
    expect(await chain.publicClient.readContract({ address: channels, abi: paymentChannelsAbi, functionName: "pendingNodeReward", args: [nodeKey.address] })).toBe(0n);
    // Nothing left: the next tick sends nothing.
    const third = await hk.tick();
    expect([third.redeemed, third.deferred, third.flushed]).toEqual([0n, 0n, 0n]);
  });

  it("redeems as soon as the unredeemed total reaches the threshold", async () => {
    const log = new MemoryReceiptLog();
    const now = (await chainNow()) * 1000;
    const a = await served(log, 2, now);
    const hk = await createHousekeeper(options(log, join(chain.dir, "hk-threshold.json"), now, { redeemThreshold: a.cumulative }));
    const r = await hk.tick();
    expect(r.errors).toEqual([]);
    expect(r.redeemed).toBe(a.cumulative);
    expect((await channelOf(a.channelId)).redeemed).toBe(a.cumulative);
  });
});

describe("housekeeping: epoch announcements", () => {
  it("publishes an ended epoch's receipts and transcripts and announces the index once; empty epochs cost nothing", async () => {
    const log = new MemoryReceiptLog();
    const nowS = await chainNow();
    const length = 600;
    const genesis = nowS - 3 * length; // epochs 1..3 ended, epoch 4 is running
    const inEpoch2 = (genesis + length + 10) * 1000;
    const a = await served(log, 3, inEpoch2);
    const statePath = join(chain.dir, "hk-announce.json");
    const cfg = { epoch: { genesis, length, grace: 4 * length }, redeemThreshold: parseEther("1000") };
    const hk = await createHousekeeper(options(log, statePath, nowS * 1000, cfg));
    const r = await hk.tick();
    expect(r.errors).toEqual([]);
    expect(r.announced.map((x) => [x.epoch, x.count])).toEqual([[2, 3]]);
    const digest = r.announced[0]!.digest;
    expect(await chain.publicClient.readContract({ address: channels, abi: paymentChannelsAbi, functionName: "announcement", args: [nodeKey.address, 2n] })).toBe(digest);
    expect(hk.state.all().map((x) => [x.epoch, x.phase])).toEqual([[1, "empty"], [2, "announced"], [3, "empty"]]);
    // The index names the receipts and transcripts the store serves, and they are the journal's.
    const index = JSON.parse(new TextDecoder().decode(await store.get(digest))) as { receipts: string; transcripts: string; epoch: number; node: string };
    expect([index.epoch, index.node]).toEqual([2, nodeKey.address]);
    const lines = new TextDecoder().decode(await store.get(index.receipts)).trim().split("\n").map((l) => JSON.parse(l) as { receipt: { digest: string } });
    expect(lines.map((l) => l.receipt.digest)).toEqual(a.receipts.map((x) => x.digest));
    const texts = new TextDecoder().decode(await store.get(index.transcripts)).trim().split("\n").map((l) => JSON.parse(l) as { transcript: { response: string } });
    expect(texts.map((t) => t.transcript.response)).toEqual(["answer 1", "answer 2", "answer 3"]);
    // Again: nothing new is sent.
    const again = await hk.tick();
    expect(again.announced).toEqual([]);
    const events = await chain.publicClient.getContractEvents({ address: channels, abi: paymentChannelsAbi, eventName: "ReceiptsAnnounced", fromBlock: 0n, args: { node: nodeKey.address } });
    expect(events.filter((e) => e.args.epoch === 2n)).toHaveLength(1);
  });

  it("a crash after sending, before journaling, resumes without a second announcement; a crash after publishing announces once", async () => {
    const log = new MemoryReceiptLog();
    const nowS = await chainNow();
    const length = 600;
    // Epochs 11 and 12 (announcements are per node and epoch: each test uses its own epochs).
    const genesis = nowS - 20 * length;
    const nowMs = nowS * 1000;
    await served(log, 2, (genesis + 10 * length + 5) * 1000);
    const statePath = join(chain.dir, "hk-crash.json");
    const cfg = { epoch: { genesis, length, grace: 30 * length }, redeemThreshold: parseEther("1000"), firstEpoch: 11 };
    const hk = await createHousekeeper(options(log, statePath, nowMs, cfg));
    const r = await hk.tick();
    expect(r.announced.map((x) => x.epoch)).toEqual([11]);
    // Crash 1: the journal lost the last step (the announcement was mined, the file still says "published").
    const file = JSON.parse(await readFile(statePath, "utf8")) as { epochs: Record<string, Record<string, unknown>> };
    file.epochs["11"] = { phase: "published", epoch: 11, digest: r.announced[0]!.digest, count: 2 };
    await writeFile(statePath, JSON.stringify(file));
    const blockBefore = await chain.publicClient.getBlockNumber();
    const resumed = await createHousekeeper(options(log, statePath, nowMs, cfg));
    const r2 = await resumed.tick();
    expect(r2.errors).toEqual([]);
    expect(r2.announced.map((x) => x.epoch)).toEqual([11]);
    expect(await chain.publicClient.getBlockNumber()).toBe(blockBefore); // no transaction sent
    expect(resumed.state.get(11)?.phase).toBe("announced");

    // Crash 2: an epoch published but never sent: the next start announces it, once, with the same digest.
    const log2 = new MemoryReceiptLog();
    await served(log2, 1, (genesis + 11 * length + 5) * 1000);
    const statePath2 = join(chain.dir, "hk-crash2.json");
    const cfg2 = { ...cfg, firstEpoch: 12 };
    // The crash: the epoch's index was published and journaled, and the process died before sending.
    const st = await HousekeepingState.load(statePath2);
    const pub = await publishEpoch(log2, store, await log2.between((genesis + 11 * length) * 1000, (genesis + 12 * length) * 1000), {
      chainId: 31337,
      paymentChannels: channels,
      node: nodeKey.address,
      epoch: 12,
      start: genesis + 11 * length,
      end: genesis + 12 * length,
    });
    await st.set({ phase: "published", epoch: 12, digest: pub.digest, count: 1 });
    const published = { digest: pub.digest };
    const restarted = await createHousekeeper(options(log2, statePath2, nowMs, cfg2));
    const r3 = await restarted.tick();
    expect(r3.errors).toEqual([]);
    expect(r3.announced).toEqual([{ epoch: 12, digest: published.digest, count: 1 }]);
  });

  it("an epoch past its grace period is not announced; one left half-done by a crash is recorded as skipped", async () => {
    const log = new MemoryReceiptLog();
    const nowS = await chainNow();
    const length = 600;
    const genesis = nowS - 60 * length;
    await served(log, 1, (genesis + 6 * length + 5) * 1000); // epoch 7
    await served(log, 1, (genesis + 7 * length + 5) * 1000); // epoch 8
    const statePath = join(chain.dir, "hk-late.json");
    const st = await HousekeepingState.load(statePath);
    const pub = await publishEpoch(log, store, await log.between((genesis + 7 * length) * 1000, (genesis + 8 * length) * 1000), {
      chainId: 31337,
      paymentChannels: channels,
      node: nodeKey.address,
      epoch: 8,
      start: genesis + 7 * length,
      end: genesis + 8 * length,
    });
    await st.set({ phase: "published", epoch: 8, digest: pub.digest, count: 1 });
    const hk = await createHousekeeper(
      options(log, statePath, nowS * 1000, { epoch: { genesis, length, grace: 60 }, redeemThreshold: parseEther("1000") }),
    );
    const r = await hk.tick();
    expect(r.errors).toEqual([]);
    expect(r.announced).toEqual([]);
    expect(r.skipped).toEqual([{ epoch: 8, reason: "grace period over before the announcement" }]);
    for (const epoch of [7n, 8n]) {
      expect(await chain.publicClient.readContract({ address: channels, abi: paymentChannelsAbi, functionName: "announcement", args: [nodeKey.address, epoch] })).toBe(
        `0x${"0".repeat(64)}`,
      );
    }
  });
});
