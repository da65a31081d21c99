// SPDX-License-Identifier: MIT
/**
 * Commit-reveal of contributions (DatanetRegistry `commitContribution`): a batch is committed first and revealed
 * from the next block on, within `REVEAL_WINDOW` blocks. The commitment binds the contributor, and a random salt
 * hides the items until the reveal, so a copier of a pending reveal commits too late to take the credit.
 */
import { type Address, encodeAbiParameters, type Hex, keccak256, toHex } from "viem";

/** Blocks after its commit within which a batch must be revealed (DatanetRegistry.REVEAL_WINDOW). */
export const REVEAL_WINDOW = 1_000n;

export interface ContributionCommitmentParameters {
  contributor: Address;
  datanetId: bigint;
  /** keccak256 of the packed items ({@link itemsHash}). */
  itemsHash: Hex;
  salt: Hex;
}

/** keccak256(abi.encode(contributor, datanetId, itemsHash, salt)), as the registry computes it on reveal. */
export function contributionCommitment(p: ContributionCommitmentParameters): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "address" }, { type: "uint256" }, { type: "bytes32" }, { type: "bytes32" }],
      [p.contributor, p.datanetId, p.itemsHash, p.salt],
    ),
  );
}

/** A fresh 32-byte salt from the platform's CSPRNG. */
export function randomSalt(): Hex {
  return toHex(crypto.getRandomValues(new Uint8Array(32)));
}
