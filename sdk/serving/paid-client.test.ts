// SPDX-License-Identifier: MIT
/**
 * The paying client (`paidOpenAI`) with the official `openai` client, against anvil with every contract deployed and
 * seeded (a registered node, a model NFT), a channel opened with a fresh session key, and the loopback test-fixture
 * node (`testing/fixture-node.ts`) signing real receipts, honest or misbehaving.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parseEther, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { paymentChannelsAbi } from "../abi/index.ts";
import { ANVIL_KEYS } from "../../scripts/devnet/anvil.ts";
import { seed } from "../../scripts/devnet/seed.ts";
import { bootChain, type Chain } from "../../test/e2e/harness.ts";
import { MeteringViolationError, NodeStoppedError, openSessionChannel, paidOpenAI, priceOf, type ViolationKind } from "./index.ts";
import { startFixtureNode, type FixtureMisbehaviour, type FixtureNode } from "./testing/fixture-node.ts";

vi.setConfig({ testTimeout: 300_000, hookTimeout: 600_000 });

let chain: Chain;
let channels: Address;
const fixtures: FixtureNode[] = [];
const PRICE = parseEther("0.01"); // the seeded model's price per 1k tokens
const REPLY = "the pancreas makes insulin in the islets of langerhans";
const nodeKey = privateKeyToAccount(ANVIL_KEYS[7]!); // grace, the seeded Node operator
const otherKey = privateKeyToAccount(ANVIL_KEYS[8]!);

beforeAll(async () => {
  chain = await bootChain();
  await seed({ rpcUrl: chain.anvil.rpcUrl, deployment: chain.deployment });
  channels = chain.deployment.contracts.PaymentChannels as Address;
});
afterAll(async () => {
  for (const f of fixtures) await f.close();
  await chain?.cleanup();
});

/** A paying client of `node` on the channel `opened` (extra options override). */
const clientOf = (node: FixtureNode, opened: { channelId: bigint; sessionKey: Parameters<typeof paidOpenAI>[0]["sessionKey"] }, extra: Partial<Parameters<typeof paidOpenAI>[0]> = {}) =>
  paidOpenAI({
    baseURL: node.url,
    channelId: opened.channelId,
    sessionKey: opened.sessionKey,
    maxPricePer1k: PRICE,
    publicClient: chain.publicClient,
    paymentChannels: channels,
    maxRetries: 0,
    ...extra,
  });

/** A fresh session channel (erin pays) and a fixture node for it. */
async function setup(deposit = parseEther("1")) {
  const erin = chain.users[5]!;
  const opened = await openSessionChannel(erin, { node: nodeKey.address, modelId: 1n, deposit });
  const target = { chainId: 31337, verifyingContract: channels };
  const node = await startFixtureNode({
    nodeKey,
    otherKey,
    target,
    channelId: opened.channelId,
    modelId: 1n,
    signer: opened.sessionKey.address,
    deposit,
    pricePer1k: PRICE,
    reply: REPLY,
  });
  fixtures.push(node);
  const violations: MeteringViolationError[] = [];
  const openai = clientOf(node, opened, { onViolation: (v) => violations.push(v) });
  return { opened, node, openai, violations };
}

const ask = (openai: OpenAI, content: string, extra: { max_tokens?: number } = {}) =>
  openai.chat.completions.create({ model: "1", messages: [{ role: "user", content }], ...extra });

describe("paidOpenAI against a node signing real receipts", () => {
  it("pays non-streamed and streamed chats, verifying each receipt; the session key never leaves the client", async () => {
    const { opened, node, openai } = await setup();
    const seen: string[] = [];
    const spy = clientOf(node, opened, {
      maxRetries: 2,
      fetch: async (url, init) => {
        seen.push(JSON.stringify([...new Headers(init?.headers).entries()]) + String(init?.body));
        return fetch(url, init);
      },
    });
    const a = await ask(spy, "which organ makes insulin");
    expect(a.choices[0]!.message.content).toBe(REPLY);
    const first = spy.lineage.receipts()[0]!;
    expect(first.seq).toBe(1n);
    expect(first.cumulativeAmount).toBe(priceOf(4, 9, PRICE));
    expect(seen.join("")).not.toContain(opened.sessionPrivateKey.slice(2));
    expect(seen.join("").toLowerCase()).not.toContain("authorization");
    // The contract's own digest equals the receipt's (the node signed the on-chain type).
    const onChain = await chain.publicClient.readContract({
      address: channels,
      abi: paymentChannelsAbi,
      functionName: "receiptDigest",
      args: [{ ...first, seq: first.seq }],
    });
    expect(onChain).toBe(first.digest);
    // Streamed: the same client continues the channel at seq 2.
    const stream = await spy.chat.completions.create({ model: "1", messages: [{ role: "user", content: "again please" }], stream: true });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    expect(text).toBe(REPLY);
    expect(spy.lineage.state()).toEqual({ lastSeq: 2n, acked: priceOf(4, 9, PRICE) + priceOf(2, 9, PRICE) });
    void openai;
  });

  it("re-syncs from the node's signed receipts after a lost response (402), then pays on", async () => {
    const { node, openai } = await setup();
    await ask(openai, "one");
    node.loseNextReceipt = true;
    await ask(openai, "two two");
    expect(openai.lineage.state().lastSeq).toBe(1n);
    // The voucher no longer covers what the node metered: 402 with the missing receipt, verified, then a retry.
    await ask(openai, "three three three");
    expect(openai.lineage.state()).toEqual({ lastSeq: 3n, acked: node.receipts.at(-1)!.cumulativeAmount });
    expect(openai.lineage.receipts().map((r) => r.seq)).toEqual([1n, 2n, 3n]);
  });

  it("a fresh client (no saved state) re-syncs on its first request", async () => {
    const { opened, node, openai } = await setup();
    await ask(openai, "one");
    await ask(openai, "two");
    const again = clientOf(node, opened);
    await ask(again, "three");
    expect(again.lineage.state().lastSeq).toBe(3n);
    expect(again.lineage.state().acked).toBe(node.receipts.at(-1)!.cumulativeAmount);
  });

  it("an exhausted deposit surfaces as the node's 402 (OpenAI APIError), nothing signed beyond what was metered", async () => {
    const { openai } = await setup(priceOf(4, 9, PRICE) + 1n);
    await ask(openai, "which organ makes insulin");
    const err = await ask(openai, "and another question").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(402);
    expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe("payment_required");
  });

  const cases: [FixtureMisbehaviour, ViolationKind, boolean][] = [
    ["over-meter", "over-metered", false],
    ["over-meter", "over-metered", true],
    ["wrong-signer", "bad-signature", false],
    ["replay-seq", "seq-not-increasing", false],
    ["inflate-usage", "usage-mismatch", true],
  ];
  for (const [mode, kind, stream] of cases) {
    it(`catches a node that misbehaves (${mode}, ${stream ? "stream" : "JSON"}) and stops paying it`, async () => {
      const { node, openai, violations } = await setup();
      await ask(openai, "an honest first answer");
      const before = openai.lineage.state();
      node.misbehave = mode;
      const run = stream
        ? (async () => {
            const s = await openai.chat.completions.create({ model: "1", messages: [{ role: "user", content: "q" }], stream: true, max_tokens: 10 });
            for await (const _ of s) void _;
          })()
        : ask(openai, "q", { max_tokens: 10 });
      const err = await run.catch((e: unknown) => e);
      expect(violations).toHaveLength(1);
      expect(violations[0]!.kind).toBe(kind);
      expect(violations[0]!.receipt?.seq).toBe(node.receipts.at(-1)!.seq);
      expect(err).toBeDefined();
      // Nothing more is acknowledged, and the next request never reaches the node.
      expect(openai.lineage.state()).toEqual(before);
      const served = node.receipts.length;
      const next = await ask(openai, "more").catch((e: unknown) => e);
      expect((next as { cause?: unknown }).cause ?? next).toBeInstanceOf(NodeStoppedError);
      expect(node.receipts.length).toBe(served);
    });
  }

  it("refuses a channel whose signer is not the session key, before any request", async () => {
    const { opened, node } = await setup();
    const stranger = clientOf(node, { channelId: opened.channelId, sessionKey: otherKey });
    const err = await ask(stranger, "hi").catch((e: unknown) => e);
    expect(String((err as { cause?: unknown }).cause ?? err)).toMatch(/signer/);
    expect(node.receipts).toHaveLength(0);
  });
});

export type { Hex };
