// SPDX-License-Identifier: MIT
/** Signed claims: `ClaimTo(address account,address recipient,uint256 nonce,uint256 deadline)` (RewardsDistributor). */
import { hashTypedData, recoverTypedDataAddress, isAddressEqual, type Hex } from "viem";
import { z } from "zod";
import { claimToTypes, domainOf, type ClaimTo } from "../eip712/index.ts";
import {
  addressSchema,
  domainTargetSchema,
  parseOrThrow,
  SettlementSignatureError,
  signatureSchema,
  uintSchema,
  type DomainTarget,
  type TypedDataSigner,
} from "./signing.ts";

export const claimToSchema = z.object({
  account: addressSchema,
  recipient: addressSchema,
  nonce: uintSchema(256),
  deadline: uintSchema(256),
});

function typed(claim: ClaimTo, target: DomainTarget) {
  return {
    domain: domainOf("RewardsDistributor", target.chainId, target.verifyingContract),
    types: claimToTypes,
    primaryType: "ClaimTo" as const,
    message: claim,
  };
}

function parse(claim: unknown, target: unknown): [ClaimTo, DomainTarget] {
  return [parseOrThrow(claimToSchema, claim, "claim") as ClaimTo, parseOrThrow(domainTargetSchema, target, "domain") as DomainTarget];
}

/** The EIP-712 digest (equals `RewardsDistributor.claimToDigest`). */
export function claimToDigest(claim: ClaimTo, target: DomainTarget): Hex {
  return hashTypedData(typed(...parse(claim, target)));
}

/** Signs a `ClaimTo` as the account (its current nonce: `RewardsDistributor.nonces(account)`). */
export async function signClaimTo(account: TypedDataSigner, claim: ClaimTo, target: DomainTarget): Promise<Hex> {
  const [c, t] = parse(claim, target);
  if (!isAddressEqual(account.address, c.account)) throw new SettlementSignatureError(`signer ${account.address} is not the claim account ${c.account}`);
  return account.signTypedData(typed(c, t));
}

/** Whether `signature` is `claim.account`'s (EOA) signature of the claim. */
export async function verifyClaimTo(claim: ClaimTo, signature: Hex, target: DomainTarget): Promise<boolean> {
  const [c, t] = parse(claim, target);
  const sig = parseOrThrow(signatureSchema, signature, "signature");
  const signer = await recoverTypedDataAddress({ ...typed(c, t), signature: sig }).catch(() => undefined);
  return signer !== undefined && isAddressEqual(signer, c.account);
}
