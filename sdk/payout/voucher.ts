// SPDX-License-Identifier: MIT
/** Payment-channel vouchers: `Voucher(uint256 channelId,uint256 cumulativeAmount)` in the PaymentChannels domain. */
import type { Address, Hex, PublicClient } from "viem";
import { z } from "zod";
import { voucherTypes, type Voucher } from "../eip712/index.ts";
import { parseOrThrow, signatureSchema, typedMessage, uintSchema, type DomainTarget, type TypedDataSigner } from "./signing.ts";

export const voucherSchema = z.object({ channelId: uintSchema(256), cumulativeAmount: uintSchema(256) });

/** A voucher with the channel signer's signature, as a payer hands it to a node. */
export interface SignedVoucher extends Voucher {
  signature: Hex;
}

const vouchers = typedMessage<Voucher>({
  contract: "PaymentChannels",
  types: voucherTypes,
  primaryType: "Voucher",
  schema: voucherSchema,
  what: "voucher",
});

/** The EIP-712 digest of a voucher (equals `PaymentChannels.voucherDigest`). */
export function voucherDigest(voucher: Voucher, target: DomainTarget): Hex {
  return vouchers.digest(voucher, target);
}

/** Signs a voucher as the channel's signer. */
export async function signVoucher(signer: TypedDataSigner, voucher: Voucher, target: DomainTarget): Promise<SignedVoucher> {
  const { message, signature } = await vouchers.sign(signer, voucher, target);
  return { ...message, signature };
}

/** The address that signed a voucher (EOA signatures). */
export async function recoverVoucherSigner(signed: SignedVoucher, target: DomainTarget): Promise<Address> {
  return vouchers.recover(signed, signed.signature, target);
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
  const [v] = vouchers.parse(signed, target);
  return v.cumulativeAmount >= minAmount && vouchers.signedBy(v, signed.signature, target, expectedSigner);
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
  const [v, t] = vouchers.parse(signed, target);
  const signature = parseOrThrow(signatureSchema, signed.signature, "signature");
  if (v.cumulativeAmount < minAmount) return false;
  return client.verifyTypedData({ ...vouchers.typedData(v, t), address: expectedSigner, signature, blockTag: "latest" }).catch(() => false);
}
