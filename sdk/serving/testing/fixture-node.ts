// SPDX-License-Identifier: MIT
/**
 * TEST FIXTURE, not a server: a minimal node on loopback that applies the pay-after rule and signs real receipts with a
 * real node key, answering a fixed text, so the paying client's checks can be tested before and beside the real server
 * (`ai/serve/`), including the misbehaviours an honest server never shows (over-metering, a wrong signer, a replayed
 * `seq`). Tokens are counted as whitespace-separated words. The real server is tested with the client in
 * `test/e2e/paid-inference.test.ts`.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { LocalAccount } from "viem";
import { signUsageReceipt, usageReceiptDigest, verifyVoucher, type DomainTarget } from "../../payout/index.ts";
import {
  decodeVoucherHeader,
  MAX_PRICE_HEADER,
  parseMaxPriceHeader,
  paymentRequiredBody,
  priceOf,
  RECEIPT_FIELD,
  receiptToWire,
  requestHash,
  VOUCHER_HEADER,
  type ServedReceipt,
} from "../wire.ts";

export type FixtureMisbehaviour = "none" | "over-meter" | "wrong-signer" | "replay-seq" | "inflate-usage";

export interface FixtureNodeOptions {
  nodeKey: LocalAccount;
  /** Signs receipts when misbehaving as "wrong-signer". */
  otherKey: LocalAccount;
  target: DomainTarget;
  channelId: bigint;
  modelId: bigint;
  signer: `0x${string}`;
  deposit: bigint;
  pricePer1k: bigint;
  reply: string;
}

export interface FixtureNode {
  url: string;
  misbehave: FixtureMisbehaviour;
  /** Receipts signed, in order. */
  receipts: ServedReceipt[];
  /** Drops the next response's receipt (as a client disconnect would lose it). */
  loseNextReceipt: boolean;
  close(): Promise<void>;
}

const words = (s: string) => s.split(/\s+/).filter(Boolean).length;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startFixtureNode(o: FixtureNodeOptions): Promise<FixtureNode> {
  const node: FixtureNode = { url: "", misbehave: "none", receipts: [], loseNextReceipt: false, close: async () => {} };
  let metered = 0n;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const text = await readBody(req);
      const json = (text ? JSON.parse(text) : {}) as { messages?: { content: string }[]; stream?: boolean; max_tokens?: number };
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization && !req.headers.authorization.includes("lineage-voucher-payment")) {
        return send(400, { error: { message: "unexpected credential", type: "invalid_request_error", param: null, code: null } });
      }
      const voucher = decodeVoucherHeader(String(req.headers[VOUCHER_HEADER] ?? ""));
      const maxPrice = parseMaxPriceHeader(String(req.headers[MAX_PRICE_HEADER] ?? ""));
      const tokensIn = words((json.messages ?? []).map((m) => m.content).join(" "));
      const tokensOut = Math.min(words(o.reply), json.max_tokens ?? Infinity);
      const reply = o.reply.split(/\s+/).slice(0, tokensOut).join(" ");
      const worst = priceOf(tokensIn, tokensOut, o.pricePer1k);
      const signed = await verifyVoucher(voucher, o.signer, o.target, metered);
      if (!signed || voucher.channelId !== o.channelId || maxPrice < o.pricePer1k || metered + worst > o.deposit) {
        const unacked = node.receipts.filter((r) => r.cumulativeAmount > voucher.cumulativeAmount);
        return send(
          402,
          paymentRequiredBody({ message: "payment required", metered, maxPrice: worst, deposit: o.deposit, receipts: unacked, pricePer1k: o.pricePer1k }),
        );
      }
      let cumulative = metered + priceOf(tokensIn, tokensOut, o.pricePer1k) + (node.misbehave === "over-meter" ? 1n : 0n);
      const seq = node.misbehave === "replay-seq" && node.receipts.length > 0 ? node.receipts.at(-1)!.seq : BigInt(node.receipts.length + 1);
      const sent = json;
      const usage = { prompt_tokens: tokensIn, completion_tokens: tokensOut + (node.misbehave === "inflate-usage" ? 5 : 0), total_tokens: tokensIn + tokensOut };
      const receiptTokensOut = node.misbehave === "inflate-usage" ? tokensOut + 5 : tokensOut;
      if (node.misbehave === "inflate-usage") cumulative = metered + priceOf(tokensIn, receiptTokensOut, o.pricePer1k);
      const base = {
        channelId: o.channelId,
        seq,
        modelId: o.modelId,
        adapterDigest: `0x${"ad".repeat(32)}` as const,
        tokensIn,
        tokensOut: receiptTokensOut,
        cumulativeAmount: cumulative,
        requestHash: requestHash(sent, reply),
      };
      const key = node.misbehave === "wrong-signer" ? o.otherKey : o.nodeKey;
      const s = await signUsageReceipt(key, base, o.target);
      const receipt: ServedReceipt = { ...s, digest: usageReceiptDigest(s, o.target), node: o.nodeKey.address };
      metered = cumulative;
      node.receipts.push(receipt);
      const lose = node.loseNextReceipt;
      node.loseNextReceipt = false;
      const wire = lose ? undefined : receiptToWire(receipt);
      if (json.stream) {
        res.writeHead(200, { "content-type": "text/event-stream" });
        const id = "chatcmpl-fixture";
        for (const [i, w] of reply.split(" ").entries()) {
          res.write(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created: 0, model: String(o.modelId), choices: [{ index: 0, delta: { content: i === 0 ? w : ` ${w}` }, finish_reason: null }] })}\n\n`);
        }
        res.write(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created: 0, model: String(o.modelId), choices: [], usage, ...(wire ? { [RECEIPT_FIELD]: wire } : {}) })}\n\n`);
        res.end("data: [DONE]\n\n");
        return;
      }
      send(200, {
        id: "chatcmpl-fixture",
        object: "chat.completion",
        created: 0,
        model: String(o.modelId),
        choices: [{ index: 0, message: { role: "assistant", content: reply }, finish_reason: "stop" }],
        usage,
        ...(wire ? { [RECEIPT_FIELD]: wire } : {}),
      });
    })().catch((e: unknown) => {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: String(e), type: "server_error", param: null, code: null } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  node.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  node.close = () => new Promise<void>((r) => server.close(() => r()));
  return node;
}
