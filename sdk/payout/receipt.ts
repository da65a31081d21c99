// SPDX-License-Identifier: MIT
/** Usage receipts: a serving node's signed meter reading, in the PaymentChannels domain (IReceiptDomain). */
import type { Address, Hex } from "viem";
import { z } from "zod";
import { usageReceiptTypes, type UsageReceipt } from "../eip712/index.ts";
import { bytes32Schema, typedMessage, uintSchema, type DomainTarget, type TypedDataSigner } from "./signing.ts";

const uint32 = z.union([z.number().int(), z.bigint()]).transform((v) => Number(v)).refine((v) => v >= 0 && v <= 0xffffffff, "must fit uint32");

export const usageReceiptSchema = z.object({
  channelId: uintSchema(256),
  seq: uintSchema(64),
  modelId: uintSchema(256),
  adapterDigest: bytes32Schema,
  tokensIn: uint32,
  tokensOut: uint32,
  cumulativeAmount: uintSchema(256),
  requestHash: bytes32Schema,
});

/** A receipt with the node's signature. */
export interface SignedUsageReceipt extends UsageReceipt {
  signature: Hex;
}

const receipts = typedMessage<UsageReceipt>({
  contract: "PaymentChannels",
  types: usageReceiptTypes,
  primaryType: "UsageReceipt",
  schema: usageReceiptSchema as z.ZodType<UsageReceipt>,
  what: "usage receipt",
});

/** The EIP-712 digest of a receipt (equals `PaymentChannels.receiptDigest`). */
export function usageReceiptDigest(receipt: UsageReceipt, target: DomainTarget): Hex {
  return receipts.digest(receipt, target);
}

/** Signs a receipt as the serving node. */
export async function signUsageReceipt(node: TypedDataSigner, receipt: UsageReceipt, target: DomainTarget): Promise<SignedUsageReceipt> {
  const { message, signature } = await receipts.sign(node, receipt, target);
  return { ...message, signature };
}

/** Whether `signed` was signed by `node`. */
export async function verifyUsageReceipt(signed: SignedUsageReceipt, node: Address, target: DomainTarget): Promise<boolean> {
  return receipts.signedBy(signed, signed.signature, target, node);
}
