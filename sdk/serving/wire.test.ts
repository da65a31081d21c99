// SPDX-License-Identifier: MIT
import canonicalize from "canonicalize";
import { keccak256, stringToBytes } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { signUsageReceipt, signVoucher, usageReceiptDigest } from "../payout/index.ts";
import {
  decodeVoucherHeader,
  encodeVoucherHeader,
  feedLineSchema,
  parseMaxPriceHeader,
  paymentRequiredBody,
  paymentRequiredSchema,
  priceOf,
  receiptFromWire,
  receiptToWire,
  requestHash,
  WireError,
} from "./index.ts";

const key = privateKeyToAccount("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const target = { chainId: 31337, verifyingContract: "0x5FbDB2315678afecb367f032d93F642f64180aa3" as const };

describe("sdk/serving wire", () => {
  it("round-trips a voucher header and refuses malformed ones", async () => {
    const v = await signVoucher(key, { channelId: 7n, cumulativeAmount: 10n ** 30n }, target);
    const h = encodeVoucherHeader(v);
    expect(h).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(JSON.parse(Buffer.from(h, "base64url").toString())).toEqual({ channelId: "7", cumulativeAmount: "1" + "0".repeat(30), signature: v.signature });
    expect(decodeVoucherHeader(h)).toEqual(v);
    const bad = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
    expect(() => decodeVoucherHeader("!!")).toThrow(WireError);
    expect(() => decodeVoucherHeader(bad({ channelId: 7, cumulativeAmount: "1", signature: v.signature }))).toThrow(/channelId/);
    expect(() => decodeVoucherHeader(bad({ channelId: "07", cumulativeAmount: "1", signature: v.signature }))).toThrow(/channelId/);
    expect(() => decodeVoucherHeader(bad({ channelId: "7", cumulativeAmount: "-1", signature: v.signature }))).toThrow(/cumulativeAmount/);
    expect(() => decodeVoucherHeader(bad({ channelId: "7", cumulativeAmount: (1n << 256n).toString(), signature: v.signature }))).toThrow(/uint256/);
    expect(() => decodeVoucherHeader(bad({ channelId: "7", cumulativeAmount: "1", signature: "0x12" }))).toThrow(/signature/);
    expect(() => decodeVoucherHeader(bad({ channelId: "7", cumulativeAmount: "1", signature: v.signature, extra: 1 }))).toThrow(WireError);
  });

  it("parses the max price header", () => {
    expect(parseMaxPriceHeader("1000")).toBe(1000n);
    expect(() => parseMaxPriceHeader("1e3")).toThrow(WireError);
    expect(() => parseMaxPriceHeader("")).toThrow(WireError);
  });

  it("prices with a ceiling and hashes canonical JSON", () => {
    expect(priceOf(1, 0, 1000n)).toBe(1n);
    expect(priceOf(1, 0, 1n)).toBe(1n);
    expect(priceOf(0, 0, 5n)).toBe(0n);
    expect(priceOf(500, 500, 7n)).toBe(7n);
    expect(priceOf(1001, 0, 1000n)).toBe(1001n);
    expect(priceOf(3, 4, 10n ** 18n)).toBe(7n * 10n ** 15n);
    expect(() => priceOf(-1, 0, 1n)).toThrow(WireError);
    const body = { model: "m", messages: [{ role: "user", content: "hi" }], max_tokens: 4 };
    const reordered = { max_tokens: 4, messages: [{ content: "hi", role: "user" }], model: "m" };
    expect(requestHash(body, "out")).toBe(requestHash(reordered, "out"));
    expect(requestHash(body, "out")).toBe(keccak256(stringToBytes(canonicalize({ request: body, response: "out" })!)));
    expect(requestHash(body, "out")).not.toBe(requestHash(body, "out2"));
  });

  it("carries a signed receipt and a 402 body", async () => {
    const receipt = { channelId: 1n, seq: 3n, modelId: 2n, adapterDigest: `0x${"ab".repeat(32)}` as const, tokensIn: 5, tokensOut: 6, cumulativeAmount: 99n, requestHash: `0x${"cd".repeat(32)}` as const };
    const signed = await signUsageReceipt(key, receipt, target);
    const served = { ...signed, digest: usageReceiptDigest(receipt, target), node: key.address };
    const wire = receiptToWire(served);
    expect(receiptFromWire(JSON.parse(JSON.stringify(wire)))).toEqual(served);
    expect(() => receiptFromWire({ ...wire, seq: (1n << 64n).toString() })).toThrow(/uint64/);
    expect(feedLineSchema.parse({ cursor: 1, time: 5, receipt: wire }).receipt.seq).toBe("3");
    const body = paymentRequiredBody({ message: "pay", metered: 99n, maxPrice: 4n, deposit: 100n, receipts: [served] });
    expect(paymentRequiredSchema.parse(JSON.parse(JSON.stringify(body))).error.code).toBe("payment_required");
    expect(body.error.receipts[0]).toEqual(wire);
  });
});
