// SPDX-License-Identifier: MIT
/**
 * Paid serving on a real chain (anvil, every contract deployed and the demo seeded): the payment gate's 402s, one
 * signed receipt per response checked against PaymentChannels' own `receiptDigest`, the feed and transcripts, and
 * the redeemed total equal to the metered total.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import OpenAI from "openai";
import { pino } from "pino";
import { keccak256, parseEther, stringToBytes, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paymentChannelsAbi } from "../../sdk/abi/index.ts";
import { FsContentStore } from "../../sdk/content/index.ts";
import { signVoucher, verifyUsageReceipt } from "../../sdk/payout/index.ts";
import { encodeVoucherHeader, feedLineSchema, MAX_PRICE_HEADER, modelName, paymentRequiredSchema, priceOf, receiptFromWire, VOUCHER_HEADER, type ServedReceipt } from "../../sdk/serving/index.ts";
import { ANVIL_KEYS } from "../../scripts/devnet/anvil.ts";
import { seed } from "../../scripts/devnet/seed.ts";
import { bootChain, type Chain } from "../../test/e2e/harness.ts";
import { BASE_CONFIG, BASE_PATH } from "../base/index.ts";
import { startServe, type ServeHandle } from "./server.ts";
import { writeSeededAdapter } from "./testing.ts";

const sha = (b: Uint8Array) => `0x${createHash("sha256").update(b).digest("hex")}` as Hex;
const PRICE = parseEther("0.01");

describe("paid serving against PaymentChannels on anvil", () => {
  let chain: Chain;
  let s: ServeHandle;
  let other: ServeHandle;
  let modelA: bigint;
  let modelB: bigint;
  let channelId: bigint;
  const erin = privateKeyToAccount(ANVIL_KEYS[5]!);
  const frank = privateKeyToAccount(ANVIL_KEYS[6]!);
  let target: { chainId: number; verifyingContract: Hex };
  const silent = pino({ level: "silent" });

  beforeAll(async () => {
    chain = await bootChain();
    const store = new FsContentStore(chain.dir);
    await seed({ rpcUrl: chain.anvil.rpcUrl, deployment: chain.deployment, store });
    const heidi = chain.users[8]!;
    const a = await writeSeededAdapter(BASE_CONFIG, 21, chain.dir);
    const b = await writeSeededAdapter(BASE_CONFIG, 22, chain.dir);
    await store.put(a.bytes);
    await store.put(b.bytes);
    const mint = async (adapterDigest: Hex) =>
      (await heidi.mintModel({ baseModelDigest: sha(readFileSync(BASE_PATH)), adapterDigest, manifestDigest: sha(stringToBytes(adapterDigest)), datasets: [{ datanetId: 1n, versionId: 1n }], pricePer1kTokens: PRICE, ownerBps: 3_000, metadataDigest: `0x${"00".repeat(32)}` })).modelId;
    modelA = await mint(sha(a.bytes));
    modelB = await mint(sha(b.bytes));
    const grace = chain.users[7]!;
    const erinClient = chain.users[5]!;
    channelId = (await erinClient.openChannel({ node: grace.address, modelId: modelA, deposit: parseEther("1") })).channelId;
    target = { chainId: 31337, verifyingContract: chain.deployment.contracts.PaymentChannels! };
    const chainOpts = { rpcUrl: chain.anvil.rpcUrl, deployment: chain.deployment, store, pollingIntervalMs: 200 };
    s = await startServe({ basePath: BASE_PATH, dataDir: chain.dir, sequences: 4, chain: { ...chainOpts, nodeKey: ANVIL_KEYS[7]!, maxInFlightPerChannel: 4 }, log: silent });
    other = await startServe({ basePath: BASE_PATH, dataDir: `${chain.dir}/other`, sequences: 1, chain: { ...chainOpts, nodeKey: ANVIL_KEYS[2]! }, log: silent });
  }, 240_000);
  afterAll(async () => {
    await s?.close();
    await other?.close();
    await chain?.cleanup();
  });

  const client = (h: ServeHandle) => new OpenAI({ baseURL: `${h.url}/v1`, apiKey: "placeholder", maxRetries: 0 });
  const headers = async (amount: bigint, signer = erin, id = channelId, maxPrice = PRICE) => ({
    [VOUCHER_HEADER]: encodeVoucherHeader(await signVoucher(signer, { channelId: id, cumulativeAmount: amount }, target)),
    [MAX_PRICE_HEADER]: maxPrice.toString(),
  });
  const ask = async (h: ServeHandle, model: bigint, hdrs: Record<string, string>, content = "What is the law?") =>
    client(h).chat.completions.create({ model: modelName(model), messages: [{ role: "user", content }], max_tokens: 8, temperature: 0 }, { headers: hdrs });
  const receiptOf = (r: unknown): ServedReceipt => receiptFromWire((r as { lineage_receipt: unknown }).lineage_receipt);
  const refusal = async (p: Promise<unknown>) => {
    const e = await p.then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(OpenAI.APIError);
    expect((e as InstanceType<typeof OpenAI.APIError>).status).toBe(402);
    return paymentRequiredSchema.parse({ error: (e as InstanceType<typeof OpenAI.APIError>).error });
  };

  it("reports the node's staking status at start-up", () => {
    expect(s.staking!.ok).toBe(true);
    expect(other.staking!.ok).toBe(false);
    expect(other.staking!.message).toMatch(/registered as Validator, not as a Node operator/);
  });

  it("lists the model NFTs on its base, with their prices", async () => {
    const ids: string[] = [];
    for await (const m of client(s).models.list()) ids.push(m.id);
    expect(ids).toEqual(expect.arrayContaining([modelName(modelA), modelName(modelB)]));
    expect(ids).not.toContain(modelName(1n)); // the seed's model 1 is on another (fake) base
  });

  it("refuses unpaid, wrong-signer, wrong-node, wrong-model and over-price requests with 402, writing nothing", async () => {
    const unpaid = await refusal(ask(s, modelA, {}));
    expect(unpaid.error.code).toBe("payment_required");
    expect(unpaid.error.metered).toBe("0");
    await refusal(ask(s, modelA, await headers(0n, frank)));
    await refusal(ask(other, modelA, await headers(0n)));
    await refusal(ask(s, modelB, await headers(0n)));
    const cheap = await refusal(ask(s, modelA, await headers(0n, erin, channelId, PRICE - 1n)));
    expect(cheap.error.message).toMatch(/above X-Lineage-Max-Price/);
    await refusal(ask(s, modelA, { [VOUCHER_HEADER]: "garbage!", [MAX_PRICE_HEADER]: "1" }));
    expect(s.journal!.head()).toBe(0);
  });

  it("serves on one request of credit, receipts verify on-chain, and the redeemed total equals the metered total", async () => {
    const r1 = await ask(s, modelA, await headers(0n));
    const rc1 = receiptOf(r1);
    expect(rc1.seq).toBe(1n);
    expect(rc1.cumulativeAmount).toBe(priceOf(r1.usage!.prompt_tokens, r1.usage!.completion_tokens, PRICE));
    expect(rc1.tokensIn).toBe(r1.usage!.prompt_tokens);
    const onChain = await chain.publicClient.readContract({ address: target.verifyingContract, abi: paymentChannelsAbi, functionName: "receiptDigest", args: [rc1] });
    expect(onChain).toBe(rc1.digest);
    expect(await verifyUsageReceipt(rc1, chain.users[7]!.address, target)).toBe(true);
    // the same voucher no longer covers what was metered: 402 with the unacknowledged receipt, nothing new written
    const stale = await refusal(ask(s, modelA, await headers(0n)));
    expect(stale.error.metered).toBe(rc1.cumulativeAmount.toString());
    expect(stale.error.receipts.map((r) => r.seq)).toEqual(["1"]);
    expect(s.journal!.head()).toBe(1);
    // streaming: the receipt rides on the final chunk with usage
    const stream = await client(s).chat.completions.create({ model: modelName(modelA), messages: [{ role: "user", content: "Who pays taxes?" }], max_tokens: 8, temperature: 0, stream: true }, { headers: await headers(rc1.cumulativeAmount) });
    let last: unknown;
    let text = "";
    for await (const c of stream) {
      text += c.choices[0]?.delta?.content ?? "";
      if (c.usage) last = c;
    }
    const rc2 = receiptOf(last);
    expect(rc2.seq).toBe(2n);
    const usage = (last as { usage: OpenAI.CompletionUsage }).usage;
    expect(rc2.cumulativeAmount).toBe(rc1.cumulativeAmount + priceOf(usage.prompt_tokens, usage.completion_tokens, PRICE));
    // the transcript is the exchange the receipt hashes
    const t = await (await fetch(`${s.url}/v1/transcripts/${rc2.digest}`)).text();
    expect(keccak256(stringToBytes(t))).toBe(rc2.requestHash);
    expect(JSON.parse(t).response).toBe(text);
    // concurrent requests on one channel: seq and amount both increase in journal order
    const covered = await headers(rc2.cumulativeAmount);
    const many = await Promise.all(["a", "b", "c", "d"].map((q) => ask(s, modelA, covered, `Question ${q}?`)));
    const rs = many.map(receiptOf).sort((x, y) => Number(x.seq - y.seq));
    expect(rs.map((r) => r.seq)).toEqual([3n, 4n, 5n, 6n]);
    for (let i = 1; i < rs.length; i++) expect(rs[i]!.cumulativeAmount).toBeGreaterThan(rs[i - 1]!.cumulativeAmount);
    // the feed serves the journal in order
    const feed = (await (await fetch(`${s.url}/v1/receipts?after=0&limit=100`)).text()).trim().split("\n").map((l) => feedLineSchema.parse(JSON.parse(l)));
    expect(feed.map((l) => l.cursor)).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await (await fetch(`${s.url}/v1/receipts?after=4&limit=1`)).text()).trim().split("\n")).toHaveLength(1);
    // metered total = sum of prices; redeem it on-chain, to the wei
    const metered = rs[rs.length - 1]!.cumulativeAmount;
    const prices = [rc1, rc2, ...rs].reduce((sum, r) => sum + priceOf(r.tokensIn, r.tokensOut, PRICE), 0n);
    expect(prices).toBe(metered);
    const best = await signVoucher(erin, { channelId, cumulativeAmount: metered }, target);
    const redeemed = await chain.users[7]!.redeemVoucher(best);
    expect(redeemed.amount).toBe(metered);
  }, 120_000);

  it("kill -9 during streaming, restart: every completed response has exactly one receipt, no seq repeats", async () => {
    await s.close(); // the same node (key and journal) now runs as `lineage serve` in a child process
    const completed: ServedReceipt[] = [];
    let metered = s.journal!.lastReceipt(channelId)!.cumulativeAmount;
    const stream = async (url: string, content: string, onChunk?: () => void) => {
      for (let attempt = 0; attempt < 2; attempt++) {
        const res = await fetch(`${url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json", ...(await headers(metered)) },
          body: JSON.stringify({ model: modelName(modelA), messages: [{ role: "user", content }], max_tokens: 24, temperature: 0, stream: true }),
        });
        if (res.status === 402) {
          // an unacknowledged receipt (journaled just before a crash): the 402 names what is metered
          const body = paymentRequiredSchema.parse(await res.json());
          metered = BigInt(body.error.metered);
          continue;
        }
        expect(res.status).toBe(200);
        let receipt: ServedReceipt | undefined;
        const reader = res.body!.getReader();
        let buf = "";
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          buf += new TextDecoder().decode(value);
          onChunk?.();
          for (const m of buf.matchAll(/data: (\{.*"lineage_receipt".*\})\n/g)) receipt = receiptFromWire(JSON.parse(m[1]!).lineage_receipt);
        }
        if (receipt && buf.includes("[DONE]")) {
          completed.push(receipt);
          metered = receipt.cumulativeAmount;
        }
        return receipt;
      }
      throw new Error("still 402 after paying what was metered");
    };
    const cli = async () => {
      const child = spawn(process.execPath, ["--import", "tsx", "cli/bin.ts", "serve", "--port", "0", "--rpc", chain.anvil.rpcUrl, "--deployment", chain.deploymentFile, "--data-dir", chain.dir, "--sequences", "2"], {
        env: { ...process.env, LINEAGE_NODE_KEY: ANVIL_KEYS[7]!, LOG_LEVEL: "silent" },
        stdio: ["ignore", "pipe", "inherit"],
      });
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout!.on("data", (d: Buffer) => {
          out += d.toString();
          const m = /"url":"([^"]+)"/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once("exit", (code) => reject(new Error(`lineage serve exited with ${code}: ${out}`)));
      });
      return { child, url };
    };
    for (let round = 0; round < 2; round++) {
      const { child, url } = await cli();
      await stream(url, `Round ${round}, first question?`);
      await stream(url, `Round ${round}, second question?`);
      let chunks = 0;
      const exited = new Promise((r) => child.once("exit", r));
      await stream(url, `Round ${round}, interrupted question?`, () => {
        if (++chunks === 2 + round) child.kill("SIGKILL");
      }).catch(() => undefined);
      child.kill("SIGKILL");
      await exited;
    }
    const { child, url } = await cli();
    try {
      const after = await stream(url, "After the crashes?");
      expect(after).toBeDefined();
      const feed = (await (await fetch(`${url}/v1/receipts?after=0&limit=1000`)).text()).trim().split("\n").map((l) => receiptFromWire(feedLineSchema.parse(JSON.parse(l)).receipt));
      const seqs = feed.filter((r) => r.channelId === channelId).map((r) => r.seq);
      expect(new Set(seqs).size).toBe(seqs.length);
      expect([...seqs].sort((a, b) => Number(a - b))).toEqual(seqs);
      for (const r of completed) expect(feed.filter((f) => f.digest === r.digest)).toHaveLength(1);
      expect(completed.length).toBeGreaterThanOrEqual(5);
      for (let i = 1; i < feed.length; i++) expect(feed[i]!.cumulativeAmount).toBeGreaterThan(feed[i - 1]!.cumulativeAmount);
    } finally {
      child.kill("SIGKILL");
    }
  }, 240_000);
});
