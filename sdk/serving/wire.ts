// SPDX-License-Identifier: MIT
/**
 * The wire format between a paying client and a serving node (PROTOCOL.md, "Serving: payment and metering"): the
 * `X-Lineage-Voucher` and `X-Lineage-Max-Price` headers, the signed receipt as sent in responses (`lineage_receipt`),
 * the 402 body, the receipt feed's NDJSON line, the `requestHash` of an exchange and the price of a request.
 * EIP-712 types come from `sdk/eip712` and signing from `sdk/payout` (never redefined here).
 * Stable: changes are additive only (server and SDK client both import this module).
 */
import canonicalize from "canonicalize";
import { isHex, keccak256, stringToBytes, type Address, type Hex } from "viem";
import { z } from "zod";
import type { UsageReceipt, Voucher } from "../eip712/index.ts";

/** Header carrying the channel's latest voucher: base64url of JSON `{channelId, cumulativeAmount, signature}`. */
export const VOUCHER_HEADER = "x-lineage-voucher";
/** Header naming the most the client pays per 1,000 tokens (OPEN wei, decimal string). */
export const MAX_PRICE_HEADER = "x-lineage-max-price";
/** Field of a JSON response (and of the final SSE chunk, the one with `usage`) carrying the signed receipt. */
export const RECEIPT_FIELD = "lineage_receipt";
/** OpenAI error `code` of a 402 answer. */
export const PAYMENT_REQUIRED_CODE = "payment_required";

/** Thrown for a malformed header or wire value. */
export class WireError extends Error {
  override name = "WireError";
}

const UINT256_MAX = (1n << 256n) - 1n;
/** A non-negative integer as a decimal string (no sign, no leading zeros beyond "0"), at most `bits` wide. */
export const decimalString = (bits = 256) =>
  z
    .string()
    .regex(/^(0|[1-9][0-9]*)$/, "must be a decimal integer string")
    .max(78)
    .refine((s) => !/^(0|[1-9][0-9]*)$/.test(s) || BigInt(s) <= (bits === 256 ? UINT256_MAX : (1n << BigInt(bits)) - 1n), `must fit uint${bits}`);
const hexSchema = (len?: number) =>
  z.string().refine((h) => isHex(h, { strict: true }) && (len === undefined || h.length === 2 + 2 * len), len ? `must be ${len}-byte hex` : "must be hex") as unknown as z.ZodType<Hex>;
const signatureHex = z.string().refine((h) => isHex(h, { strict: true }) && h.length >= 132 && h.length <= 2 + 2 * 4096, "must be a hex signature") as unknown as z.ZodType<Hex>;
const addressHex = hexSchema(20) as unknown as z.ZodType<Address>;
const uint32 = z.number().int().min(0).max(0xffffffff);

/* VOUCHER HEADER */

/** The voucher as carried in `X-Lineage-Voucher` (integers as decimal strings). */
export const wireVoucherSchema = z.strictObject({
  channelId: decimalString(),
  cumulativeAmount: decimalString(),
  signature: signatureHex,
});
export type WireVoucher = z.infer<typeof wireVoucherSchema>;

/** A voucher with its signer's signature (same shape as `sdk/payout`'s `SignedVoucher`). */
export interface SignedVoucherLike extends Voucher {
  signature: Hex;
}

/** Encodes a signed voucher as the `X-Lineage-Voucher` header value. */
export function encodeVoucherHeader(v: SignedVoucherLike): string {
  const wire: WireVoucher = { channelId: v.channelId.toString(), cumulativeAmount: v.cumulativeAmount.toString(), signature: v.signature };
  const checked = wireVoucherSchema.safeParse(wire);
  if (!checked.success) throw new WireError(`voucher: ${formatIssues(checked.error)}`);
  return Buffer.from(JSON.stringify(wire), "utf8").toString("base64url");
}

/** Decodes and checks an `X-Lineage-Voucher` header value; throws {@link WireError} naming what is wrong. */
export function decodeVoucherHeader(header: string): SignedVoucherLike {
  if (header.length === 0 || header.length > 4096 || !/^[A-Za-z0-9_-]+={0,2}$/.test(header)) throw new WireError("voucher header: not base64url");
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(header, "base64url").toString("utf8"));
  } catch {
    throw new WireError("voucher header: not base64url JSON");
  }
  const r = wireVoucherSchema.safeParse(json);
  if (!r.success) throw new WireError(`voucher header: ${formatIssues(r.error)}`);
  return { channelId: BigInt(r.data.channelId), cumulativeAmount: BigInt(r.data.cumulativeAmount), signature: r.data.signature };
}

/** Parses an `X-Lineage-Max-Price` header value (OPEN wei per 1,000 tokens). */
export function parseMaxPriceHeader(header: string): bigint {
  const r = decimalString().safeParse(header.trim());
  if (!r.success) throw new WireError(`max price header: ${formatIssues(r.error)}`);
  return BigInt(r.data);
}

/* RECEIPTS */

/** The signed receipt as sent in a response (`lineage_receipt`) and in the feed: integers as decimal strings. */
export const wireReceiptSchema = z.object({
  channelId: decimalString(),
  seq: decimalString(64),
  modelId: decimalString(),
  adapterDigest: hexSchema(32),
  tokensIn: uint32,
  tokensOut: uint32,
  cumulativeAmount: decimalString(),
  requestHash: hexSchema(32),
  /** The node's EIP-712 signature (PaymentChannels domain). */
  signature: signatureHex,
  /** The receipt's EIP-712 digest (equals `PaymentChannels.receiptDigest`); names the transcript. */
  digest: hexSchema(32),
  /** The signing node's address. */
  node: addressHex,
});
export type WireReceipt = z.infer<typeof wireReceiptSchema>;

/** A usage receipt with the node's signature, its digest and the node, in native types. */
export interface ServedReceipt extends UsageReceipt {
  signature: Hex;
  digest: Hex;
  node: Address;
}

/** Native receipt -> wire form. */
export function receiptToWire(r: ServedReceipt): WireReceipt {
  return {
    channelId: r.channelId.toString(),
    seq: r.seq.toString(),
    modelId: r.modelId.toString(),
    adapterDigest: r.adapterDigest,
    tokensIn: r.tokensIn,
    tokensOut: r.tokensOut,
    cumulativeAmount: r.cumulativeAmount.toString(),
    requestHash: r.requestHash,
    signature: r.signature,
    digest: r.digest,
    node: r.node,
  };
}

/** Wire form (unchecked JSON) -> native receipt; throws {@link WireError} when malformed. Does not verify the signature. */
export function receiptFromWire(value: unknown): ServedReceipt {
  const r = wireReceiptSchema.safeParse(value);
  if (!r.success) throw new WireError(`receipt: ${formatIssues(r.error)}`);
  const w = r.data;
  return {
    channelId: BigInt(w.channelId),
    seq: BigInt(w.seq),
    modelId: BigInt(w.modelId),
    adapterDigest: w.adapterDigest,
    tokensIn: w.tokensIn,
    tokensOut: w.tokensOut,
    cumulativeAmount: BigInt(w.cumulativeAmount),
    requestHash: w.requestHash,
    signature: w.signature,
    digest: w.digest,
    node: w.node,
  };
}

/** One NDJSON line of `GET /v1/receipts?after=<cursor>&limit=<n>`: journal position, append time, receipt. */
export const feedLineSchema = z.object({
  /** Journal position (1-based, dense); pass the last one seen as `after` to continue. */
  cursor: z.number().int().positive(),
  /** When the receipt was journaled (unix milliseconds, node clock). */
  time: z.number().int().nonnegative(),
  receipt: wireReceiptSchema,
});
export type FeedLine = z.infer<typeof feedLineSchema>;

/* 402 BODY */

/** OpenAI's error shape: `{error: {message, type, param, code}}`. */
export const openAiErrorSchema = z.object({
  error: z.object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string().nullable() }).loose(),
});
export type OpenAiError = z.infer<typeof openAiErrorSchema>;

/**
 * The 402 body: OpenAI's error shape with `code: "payment_required"` and, inside `error`, what the node metered on the
 * channel (the voucher must cover it), this request's maximum price (OPEN wei, at the request's maximum tokens),
 * the channel's deposit, and the signed receipts the client has not acknowledged (those above the voucher's amount).
 */
export const paymentRequiredSchema = z.object({
  error: z
    .object({
      message: z.string(),
      type: z.literal("invalid_request_error"),
      param: z.string().nullable(),
      code: z.literal(PAYMENT_REQUIRED_CODE),
      metered: decimalString(),
      maxPrice: decimalString(),
      deposit: decimalString(),
      receipts: z.array(wireReceiptSchema),
      /** The model's price per 1,000 tokens (OPEN wei), when the model is known. */
      pricePer1k: decimalString().optional(),
      /** The amount in flight on the channel (maximum prices of unfinished requests). */
      inFlight: decimalString().optional(),
    })
    .loose(),
});
export type PaymentRequired = z.infer<typeof paymentRequiredSchema>;

/** Builds a 402 body. */
export function paymentRequiredBody(p: {
  message: string;
  param?: string | null;
  metered: bigint;
  maxPrice: bigint;
  deposit: bigint;
  receipts: readonly ServedReceipt[];
  pricePer1k?: bigint;
  inFlight?: bigint;
}): PaymentRequired {
  return {
    error: {
      message: p.message,
      type: "invalid_request_error",
      param: p.param ?? null,
      code: PAYMENT_REQUIRED_CODE,
      metered: p.metered.toString(),
      maxPrice: p.maxPrice.toString(),
      deposit: p.deposit.toString(),
      receipts: p.receipts.map(receiptToWire),
      ...(p.pricePer1k === undefined ? {} : { pricePer1k: p.pricePer1k.toString() }),
      ...(p.inFlight === undefined ? {} : { inFlight: p.inFlight.toString() }),
    },
  };
}

/* HASH AND PRICE */

/** The exchange a receipt commits to; `GET /v1/transcripts/<receipt digest>` serves it. */
export interface Transcript {
  /** The request body as the client sent it (parsed JSON). */
  request: unknown;
  /** The output text sent to the client. */
  response: string;
}

/** RFC 8785 canonical JSON of a transcript (the exact bytes `requestHash` hashes). */
export function canonicalTranscript(t: Transcript): string {
  const text = canonicalize({ request: t.request, response: t.response });
  if (text === undefined) throw new WireError("transcript: not JSON-serialisable");
  return text;
}

/** `requestHash` = keccak256 of the RFC 8785 canonical JSON of `{request: <body>, response: <output text>}`. */
export function requestHash(request: unknown, response: string): Hex {
  return keccak256(stringToBytes(canonicalTranscript({ request, response })));
}

/** Price of a request: `ceil((tokensIn + tokensOut) x pricePer1k / 1000)` (OPEN wei). */
export function priceOf(tokensIn: number, tokensOut: number, pricePer1k: bigint): bigint {
  if (!Number.isSafeInteger(tokensIn) || !Number.isSafeInteger(tokensOut) || tokensIn < 0 || tokensOut < 0) {
    throw new WireError(`price: token counts must be non-negative integers (got ${tokensIn}, ${tokensOut})`);
  }
  if (pricePer1k < 0n) throw new WireError("price: negative price");
  const n = BigInt(tokensIn + tokensOut) * pricePer1k;
  return (n + 999n) / 1000n;
}

function formatIssues(e: z.ZodError): string {
  return e.issues.map((i) => `${i.path.join(".") || "value"} ${i.message}`).join("; ");
}

/* MODEL NAMES (added after the first commit; additive) */

/** The OpenAI `model` name of a model NFT served by a node: `lineage/<modelId>`. */
export function modelName(modelId: bigint): string {
  return `lineage/${modelId}`;
}

/** The model NFT id named by `lineage/<id>` (or a bare decimal id); undefined for any other name. */
export function parseModelName(name: string): bigint | undefined {
  const m = /^(?:lineage\/)?([1-9][0-9]{0,28})$/.exec(name);
  return m ? BigInt(m[1]!) : undefined;
}
