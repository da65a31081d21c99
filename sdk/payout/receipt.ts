// SPDX-License-Identifier: MIT
/** Usage receipts: a serving node's signed meter reading, in the PaymentChannels domain (IReceiptDomain). */
import { hashTypedData, recoverTypedDataAddress, isAddressEqual, type Address, type Hex } from "viem";
import { z } from "zod";
import { domainOf, usageReceiptTypes, type UsageReceipt } from "../eip712/index.ts";
import {
  bytes32Schema,
  domainTargetSchema,
  parseOrThrow,
  signatureSchema,
  uintSchema,
  type DomainTarget,
  type TypedDataSigner,
} from "./signing.ts";

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

function typed(receipt: UsageReceipt, target: DomainTarget) {
  return {
    domain: domainOf("PaymentChannels", target.chainId, target.verifyingContract),
    types: usageReceiptTypes,
    primaryType: "UsageReceipt" as const,
    message: receipt,
  };
}

function parse(receipt: unknown, target: unknown): [UsageReceipt, DomainTarget] {
  return [
    parseOrThrow(usageReceiptSchema, receipt, "usage receipt") as UsageReceipt,
    parseOrThrow(domainTargetSchema, target, "domain") as DomainTarget,
  ];
}

/** The EIP-712 digest of a receipt (equals `PaymentChannels.receiptDigest`). */
export function usageReceiptDigest(receipt: UsageReceipt, target: DomainTarget): Hex {
  return hashTypedData(typed(...parse(receipt, target)));
}

/** Signs a receipt as the serving node. */
export async function signUsageReceipt(
  node: TypedDataSigner,
  receipt: UsageReceipt,
  target: DomainTarget,
): Promise<SignedUsageReceipt> {
  const [r, t] = parse(receipt, target);
  return { ...r, signature: await node.signTypedData(typed(r, t)) };
}

/** Whether `signed` was signed by `node`. */
export async function verifyUsageReceipt(signed: SignedUsageReceipt, node: Address, target: DomainTarget): Promise<boolean> {
  const [r, t] = parse(signed, target);
  const signature = parseOrThrow(signatureSchema, signed.signature, "signature");
  const signer = await recoverTypedDataAddress({ ...typed(r, t), signature }).catch(() => undefined);
  return signer !== undefined && isAddressEqual(signer, node);
}
