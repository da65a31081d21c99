// SPDX-License-Identifier: MIT
/**
 * End to end, paid inference: anvil with every contract deployed and the demo seeded, the real server (`ai/serve`,
 * llama.cpp on the project's tiny model with a LoRA adapter minted as a model NFT), the SDK's paying client
 * (`paidOpenAI`, the official `openai` client with the SDK's fetch) on a session-key channel, and the node's
 * housekeeper redeeming from the server's own journal. The redeemed total equals the metered total to the wei, and the
 * money routes show on-chain: treasury, node (operator and delegators), model owner, data contributors' pool.
 * A node that over-meters (the real server behind its own operator's key, re-signing inflated receipts) is caught.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { pino } from "pino";
import { parseEther, parseEventLogs, stringToBytes, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { BASE_CONFIG, BASE_PATH } from "../../ai/base/index.ts";
import { createHousekeeper } from "../../ai/serve/housekeeping/index.ts";
import { startServe, type ServeHandle } from "../../ai/serve/index.ts";
import { writeSeededAdapter } from "../../ai/serve/testing.ts";
import { paymentChannelsAbi, rewardsDistributorAbi, stakingRegistryAbi } from "../../sdk/abi/index.ts";
import { FsContentStore } from "../../sdk/content/index.ts";
import { signUsageReceipt, usageReceiptDigest } from "../../sdk/payout/index.ts";
import {
  MeteringViolationError,
  modelName,
  NodeStoppedError,
  openSessionChannel,
  paidOpenAI,
  priceOf,
  RECEIPT_FIELD,
  receiptFromWire,
  receiptToWire,
  type PaidOpenAI,
} from "../../sdk/serving/index.ts";
import { ANVIL_KEYS } from "../../scripts/devnet/anvil.ts";
import { seed } from "../../scripts/devnet/seed.ts";
import { bootChain, type Chain } from "./harness.ts";

vi.setConfig({ testTimeout: 300_000, hookTimeout: 600_000 });

const PRICE = parseEther("0.01");
const sha = (b: Uint8Array) => `0x${createHash("sha256").update(b).digest("hex")}` as Hex;
const nodeKey = privateKeyToAccount(ANVIL_KEYS[7]!); // grace: the seeded Node operator (ivan delegates to it)
const ivan = privateKeyToAccount(ANVIL_KEYS[9]!);

let chain: Chain;
let server: ServeHandle;
let store: FsContentStore;
let modelId: bigint;
let channels: Address;
let proxy: Server | undefined;

beforeAll(async () => {
  chain = await bootChain();
  store = new FsContentStore(join(chain.dir, "data"));
  await seed({ rpcUrl: chain.anvil.rpcUrl, deployment: chain.deployment, store });
  channels = chain.deployment.contracts.PaymentChannels as Address;
  const adapter = await writeSeededAdapter(BASE_CONFIG, 31, chain.dir);
  await store.put(adapter.bytes);
  modelId = (
    await chain.users[8]!.mintModel({
      baseModelDigest: sha(readFileSync(BASE_PATH)),
      adapterDigest: sha(adapter.bytes),
      manifestDigest: sha(stringToBytes("e2e adapter manifest")),
      datasets: [{ datanetId: 1n, versionId: 1n }],
      pricePer1kTokens: PRICE,
      ownerBps: 3_000,
      metadataDigest: `0x${"00".repeat(32)}`,
    })
  ).modelId;
  server = await startServe({
    basePath: BASE_PATH,
    dataDir: join(chain.dir, "node"),
    sequences: 2,
    chain: { rpcUrl: chain.anvil.rpcUrl, deployment: chain.deployment, nodeKey: ANVIL_KEYS[7]!, store, pollingIntervalMs: 200 },
    log: pino({ level: "silent" }),
  });
});
afterAll(async () => {
  await new Promise<void>((r) => (proxy ? proxy.close(() => r()) : r()));
  await server?.close();
  await chain?.cleanup();
});

async function sessionClient(baseURL: string, deposit = parseEther("1")): Promise<{ openai: PaidOpenAI; channelId: bigint; violations: MeteringViolationError[] }> {
  const opened = await openSessionChannel(chain.users[5]!, { node: nodeKey.address, modelId, deposit });
  const violations: MeteringViolationError[] = [];
  const openai = paidOpenAI({
    baseURL,
    channelId: opened.channelId,
    sessionKey: opened.sessionKey,
    maxPricePer1k: PRICE,
    publicClient: chain.publicClient,
    paymentChannels: channels,
    onViolation: (v) => violations.push(v),
    maxRetries: 0,
  });
  return { openai, channelId: opened.channelId, violations };
}

describe("paid inference end to end", () => {
  it("pays streamed and non-streamed chats; housekeeping redeems exactly what was metered; the money routes show on-chain", async () => {
    const { openai, channelId } = await sessionClient(`${server.url}/v1`);
    const model = modelName(modelId);
    // Free routes go through the same client without a voucher.
    expect((await openai.models.list()).data.map((m) => m.id)).toContain(model);
    const a = await openai.chat.completions.create({ model, messages: [{ role: "user", content: "What is the law?" }], max_tokens: 8, temperature: 0 });
    expect(a.choices[0]!.message.content!.length).toBeGreaterThan(0);
    const stream = await openai.chat.completions.create({ model, messages: [{ role: "user", content: "Who pays taxes?" }], max_tokens: 8, temperature: 0, stream: true });
    let text = "";
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? "";
    expect(text.length).toBeGreaterThan(0);
    await openai.chat.completions.create({ model, messages: [{ role: "user", content: "And the president?" }], max_tokens: 6, temperature: 0 });
    const receipts = openai.lineage.receipts();
    expect(receipts.map((r) => r.seq)).toEqual([1n, 2n, 3n]);
    // Each receipt is the contract's own digest, and the client's meter is the node's journal, to the wei.
    for (const r of receipts) {
      expect(await chain.publicClient.readContract({ address: channels, abi: paymentChannelsAbi, functionName: "receiptDigest", args: [r] })).toBe(r.digest);
    }
    const metered = server.journal!.lastReceipt(channelId)!.cumulativeAmount;
    expect(openai.lineage.state().acked).toBe(metered);
    expect(receipts.reduce((s, r) => s + priceOf(r.tokensIn, r.tokensOut, PRICE), 0n)).toBe(metered);

    // The node's housekeeper redeems from the server's journal: pay after, it holds the voucher for receipts 1..2.
    const hk = await createHousekeeper({
      ctx: chain.users[7]!,
      log: server.journal!,
      store,
      statePath: join(chain.dir, "hk.json"),
      config: { epoch: { genesis: 0, length: 86_400, grace: 3_600 }, redeemThreshold: 0n },
    });
    const pendingBefore = await chain.publicClient.readContract({ address: (chain.deployment.contracts.StakingRegistry as Address), abi: stakingRegistryAbi, functionName: "pendingRewards", args: [ivan.address, nodeKey.address] });
    // What the node earned before (the seed's own redemptions) is flushed too.
    const nodePendingBefore = await chain.publicClient.readContract({ address: channels, abi: paymentChannelsAbi, functionName: "pendingNodeReward", args: [nodeKey.address] });
    const tick = await hk.tick();
    expect(tick.errors).toEqual([]);
    expect(tick.redeemed).toBe(receipts[1]!.cumulativeAmount);
    // The payer closes out with the voucher for the last receipt: the channel has then paid exactly the metered total.
    const final = await openai.lineage.voucher();
    expect(final.cumulativeAmount).toBe(metered);
    const closing = await chain.users[5]!.redeemVoucher(final);
    const c = await chain.publicClient.readContract({ address: channels, abi: paymentChannelsAbi, functionName: "channel", args: [channelId] });
    expect(c.redeemed).toBe(metered);
    expect(tick.redeemed + closing.amount).toBe(metered);

    // Money routes: every redemption split into four parts summing to the amount; the node's part flushed to the
    // staking registry reaches its delegator; the pool part flushed reaches the RewardsDistributor.
    const logs = await chain.publicClient.getContractEvents({ address: channels, abi: paymentChannelsAbi, eventName: "VoucherRedeemed", fromBlock: 0n, args: { channelId } });
    expect(logs.reduce((s, l) => s + l.args.amount!, 0n)).toBe(metered);
    for (const l of logs) {
      const sp = l.args.split!;
      expect(sp.treasuryPart + sp.nodePart + sp.ownerPart + sp.poolPart).toBe(l.args.amount);
      expect(sp.nodePart).toBeGreaterThan(0n);
      expect(sp.ownerPart).toBeGreaterThan(0n);
      expect(sp.poolPart).toBeGreaterThan(0n);
    }
    const again = await hk.tick(); // flushes the node part of the payer's own redemption too
    expect(again.errors).toEqual([]);
    expect(tick.flushed + again.flushed).toBe(nodePendingBefore + logs.reduce((s, l) => s + l.args.split!.nodePart, 0n));
    expect(await chain.publicClient.readContract({ address: channels, abi: paymentChannelsAbi, functionName: "pendingNodeReward", args: [nodeKey.address] })).toBe(0n);
    const pendingAfter = await chain.publicClient.readContract({ address: (chain.deployment.contracts.StakingRegistry as Address), abi: stakingRegistryAbi, functionName: "pendingRewards", args: [ivan.address, nodeKey.address] });
    expect(pendingAfter).toBeGreaterThan(pendingBefore);
    const pool = logs.reduce((s, l) => s + l.args.split!.poolPart, 0n);
    const distributor = chain.deployment.contracts.RewardsDistributor as Address;
    const fundedBefore = (await chain.publicClient.readContract({ address: distributor, abi: rewardsDistributorAbi, functionName: "totals" }))[0];
    const flushed = await chain.users[3]!.flushPool({ modelId });
    const [ev] = parseEventLogs({ abi: paymentChannelsAbi, eventName: "PoolFlushed", logs: flushed.receipt.logs });
    expect(ev!.args.amount).toBe(pool);
    const fundedAfter = (await chain.publicClient.readContract({ address: distributor, abi: rewardsDistributorAbi, functionName: "totals" }))[0];
    expect(fundedAfter - fundedBefore).toBe(pool);
  });

  it("catches a node that over-meters (its operator re-signs the real server's receipts one wei higher) and stops paying it", async () => {
    // The cheating node: the real server behind a proxy holding the same node key, inflating each receipt by 1 wei.
    const target = { chainId: 31337, verifyingContract: channels };
    proxy = createServer((req, res) => {
      void (async () => {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !["host", "content-length", "connection"].includes(k))) as Record<string, string>;
        const up = await fetch(`${server.url}${req.url}`, { method: req.method, headers, ...(chunks.length ? { body: Buffer.concat(chunks) } : {}) });
        const text = await up.text();
        let body = text;
        if (up.ok && (up.headers.get("content-type") ?? "").includes("application/json")) {
          const json = JSON.parse(text) as Record<string, unknown>;
          if (json[RECEIPT_FIELD]) {
            const r = receiptFromWire(json[RECEIPT_FIELD]);
            const s = await signUsageReceipt(nodeKey, { ...r, cumulativeAmount: r.cumulativeAmount + 1n }, target);
            json[RECEIPT_FIELD] = receiptToWire({ ...s, digest: usageReceiptDigest(s, target), node: nodeKey.address });
            body = JSON.stringify(json);
          }
        }
        res.writeHead(up.status, { "content-type": up.headers.get("content-type") ?? "application/json" });
        res.end(body);
      })().catch((e: unknown) => {
        res.writeHead(502);
        res.end(String(e));
      });
    });
    await new Promise<void>((r) => proxy!.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/v1`;
    const { openai, violations } = await sessionClient(url);
    const err = await openai.chat.completions
      .create({ model: modelName(modelId), messages: [{ role: "user", content: "What is the law?" }], max_tokens: 8, temperature: 0 })
      .catch((e: unknown) => e);
    expect(err).toBeDefined();
    expect(violations).toHaveLength(1);
    expect(violations[0]!.kind).toBe("over-metered");
    expect(violations[0]!.receipt!.node).toBe(nodeKey.address);
    expect(openai.lineage.state()).toEqual({ lastSeq: 0n, acked: 0n });
    const head = server.journal!.head();
    const next = await openai.chat.completions.create({ model: modelName(modelId), messages: [{ role: "user", content: "again" }], max_tokens: 4 }).catch((e: unknown) => e);
    expect((next as { cause?: unknown }).cause ?? next).toBeInstanceOf(NodeStoppedError);
    expect(server.journal!.head()).toBe(head); // never reached the node
  });

  it("announces an ended epoch's receipts from the server's journal; the published receipts are the journal's", async () => {
    const nowMs = Date.now();
    const length = 500;
    const genesis = Math.floor(nowMs / 1000) - 2 * length; // the receipts above fall in epoch 3 (the running one)
    const hk = await createHousekeeper({
      ctx: chain.users[7]!,
      log: server.journal!,
      store,
      statePath: join(chain.dir, "hk-epochs.json"),
      now: () => nowMs + (length + 60) * 1000, // once epoch 3 has ended, within its grace
      config: { epoch: { genesis, length, grace: 600 }, redeemThreshold: parseEther("1000"), firstEpoch: 3 },
    });
    const r = await hk.tick();
    expect(r.errors).toEqual([]);
    const journaled = await server.journal!.between((genesis + 2 * length) * 1000, (genesis + 3 * length) * 1000);
    expect(journaled.length).toBeGreaterThan(0);
    expect(r.announced.map((a) => [a.epoch, a.count])).toEqual([[3, journaled.length]]);
    const digest = r.announced[0]!.digest;
    expect(await chain.publicClient.readContract({ address: channels, abi: paymentChannelsAbi, functionName: "announcement", args: [nodeKey.address, 3n] })).toBe(digest);
    const index = JSON.parse(new TextDecoder().decode(await store.get(digest))) as { receipts: string; transcripts: string };
    const lines = new TextDecoder().decode(await store.get(index.receipts)).trim().split("\n").map((l) => JSON.parse(l) as { receipt: { digest: string } });
    expect(lines.map((l) => l.receipt.digest)).toEqual(journaled.map((e) => e.receipt.digest));
    const transcripts = new TextDecoder().decode(await store.get(index.transcripts)).trim().split("\n").map((l) => JSON.parse(l) as { transcript: unknown });
    expect(transcripts.every((t) => t.transcript !== null)).toBe(true);
  });
});
