// SPDX-License-Identifier: MIT
/** Payment-channel vouchers: `Voucher(uint256 channelId,uint256 cumulativeAmount)` in the PaymentChannels domain. */
import { hashTypedData, recoverTypedDataAddress, isAddressEqual, type Address, type Hex, type PublicClient } from "viem";
import { z } from "zod";
import { domainOf, voucherTypes, type Voucher } from "../eip712/index.ts";
import {
  domainTargetSchema,
  parseOrThrow,
  signatureSchema,
  uintSchema,
  type DomainTarget,
  type TypedDataSigner,
} from "./signing.ts";

export const voucherSchema = z.object({ channelId: uintSchema(256), cumulativeAmount: uintSchema(256) });

/** A voucher with the channel signer's signature, as a payer hands it to a node. */
export interface SignedVoucher extends Voucher {
  signature: Hex;
}

function typed(voucher: Voucher, target: DomainTarget) {
  return {
    domain: domainOf("PaymentChannels", target.chainId, target.verifyingContract),
    types: voucherTypes,
    primaryType: "Voucher" as const,
    message: voucher,
  };
}

/** The EIP-712 digest of a voucher (equals `PaymentChannels.voucherDigest`). */
export function voucherDigest(voucher: Voucher, target: DomainTarget): Hex {
  const v = parseOrThrow(voucherSchema, voucher, "voucher");
  return hashTypedData(typed(v, parseOrThrow(domainTargetSchema, target, "domain") as DomainTarget));
}

/** Signs a voucher as the channel's signer. */
export async function signVoucher(signer: TypedDataSigner, voucher: Voucher, target: DomainTarget): Promise<SignedVoucher> {
  const v = parseOrThrow(voucherSchema, voucher, "voucher");
  const t = parseOrThrow(domainTargetSchema, target, "domain") as DomainTarget;
  const signature = await signer.signTypedData(typed(v, t));
  return { ...v, signature };
}

/** The address that signed a voucher (EOA signatures). */
export async function recoverVoucherSigner(signed: SignedVoucher, target: DomainTarget): Promise<Address> {
  const v = parseOrThrow(voucherSchema, signed, "voucher");
  const signature = parseOrThrow(signatureSchema, signed.signature, "signature");
  return recoverTypedDataAddress({ ...typed(v, parseOrThrow(domainTargetSchema, target, "domain") as DomainTarget), signature });
}

/**
 * What a node checks before serving under a voucher: signed by the channel's signer and covering at least `minAmount`
 * (the receipt's cumulative amount). Returns false for a wrong signer or too small an amount; throws on malformed input.
 */
export async function verifyVoucher(
  signed: SignedVoucher,
  expectedSigner: Address,
  target: DomainTarget,
  minAmount = 0n,
): Promise<boolean> {
  const signer = await recoverVoucherSigner(signed, target).catch(() => undefined);
  return signer !== undefined && isAddressEqual(signer, expectedSigner) && BigInt(signed.cumulativeAmount) >= minAmount;
}

/**
 * {@link verifyVoucher} checked by the chain: also accepts ERC-1271 smart-account signers (the contract's own rule,
 * `SignatureChecker`), through viem's `verifyTypedData` on a public client.
 */
export async function verifyVoucherOnChain(
  client: Pick<PublicClient, "verifyTypedData">,
  signed: SignedVoucher,
  expectedSigner: Address,
  target: DomainTarget,
  minAmount = 0n,
): Promise<boolean> {
  const v = parseOrThrow(voucherSchema, signed, "voucher");
  const signature = parseOrThrow(signatureSchema, signed.signature, "signature");
  const t = parseOrThrow(domainTargetSchema, target, "domain") as DomainTarget;
  if (v.cumulativeAmount < minAmount) return false;
  const { domain, types, primaryType } = typed(v, t);
  const message: Record<string, unknown> = { channelId: v.channelId, cumulativeAmount: v.cumulativeAmount };
  return client
    .verifyTypedData({ address: expectedSigner, signature, blockTag: "latest", domain, types, primaryType, message })
    .catch(() => false);
}
