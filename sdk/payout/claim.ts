// SPDX-License-Identifier: MIT
/** Signed claims: `ClaimTo(address account,address recipient,uint256 nonce,uint256 deadline)` (RewardsDistributor). */
import { isAddressEqual, type Hex } from "viem";
import { z } from "zod";
import { claimToTypes, type ClaimTo } from "../eip712/index.ts";
import { addressSchema, SettlementSignatureError, typedMessage, uintSchema, type DomainTarget, type TypedDataSigner } from "./signing.ts";

export const claimToSchema = z.object({
  account: addressSchema,
  recipient: addressSchema,
  nonce: uintSchema(256),
  deadline: uintSchema(256),
});

const claims = typedMessage<ClaimTo>({
  contract: "RewardsDistributor",
  types: claimToTypes,
  primaryType: "ClaimTo",
  schema: claimToSchema as z.ZodType<ClaimTo>,
  what: "claim",
});

/** The EIP-712 digest (equals `RewardsDistributor.claimToDigest`). */
export function claimToDigest(claim: ClaimTo, target: DomainTarget): Hex {
  return claims.digest(claim, target);
}

/** Signs a `ClaimTo` as the account (its current nonce: `RewardsDistributor.nonces(account)`). */
export async function signClaimTo(account: TypedDataSigner, claim: ClaimTo, target: DomainTarget): Promise<Hex> {
  const [c] = claims.parse(claim, target);
  if (!isAddressEqual(account.address, c.account)) throw new SettlementSignatureError(`signer ${account.address} is not the claim account ${c.account}`);
  return (await claims.sign(account, c, target)).signature;
}

/** Whether `signature` is `claim.account`'s (EOA) signature of the claim. */
export async function verifyClaimTo(claim: ClaimTo, signature: Hex, target: DomainTarget): Promise<boolean> {
  const [c] = claims.parse(claim, target);
  return claims.signedBy(c, signature, target, c.account);
}
