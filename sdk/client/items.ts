// SPDX-License-Identifier: MIT
/**
 * Contribution items and Datanet version roots (PROTOCOL.md "Hashes and identifiers"):
 * items are packed `(bytes32 digest, uint64 size)`, 40 bytes each; `itemsHash` = keccak256 of the packed bytes;
 * a version root is the StandardMerkleTree root over leaves `(uint256 contributionId, bytes32 digest, address
 * contributor)` of the first `count` approved contributions in approval order.
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { concatHex, isHex, keccak256, numberToHex, sha256, type Address, type Hex } from "viem";
import { InvalidParameterError } from "./errors.ts";

export interface ContributionItem {
  /** sha2-256 of the blob. */
  digest: Hex;
  /** Size in bytes (> 0). */
  size: number;
}

export const ITEM_BYTES = 40;
const MAX_UINT64 = 2n ** 64n - 1n;

/** Packs items as the registry reads them. Throws {@link InvalidParameterError} on a bad digest or size. */
export function packItems(items: readonly ContributionItem[], action = "packItems"): Hex {
  if (items.length === 0) throw new InvalidParameterError(action, "no items");
  return concatHex(
    items.map((it, i) => {
      if (!isHex(it.digest) || it.digest.length !== 66 || /^0x0+$/.test(it.digest)) {
        throw new InvalidParameterError(action, `item ${i}: digest must be a non-zero 32-byte hex`);
      }
      if (!Number.isInteger(it.size) || it.size <= 0 || BigInt(it.size) > MAX_UINT64) {
        throw new InvalidParameterError(action, `item ${i}: size must be a positive integer`);
      }
      return concatHex([it.digest, numberToHex(it.size, { size: 8 })]);
    }),
  );
}

/** keccak256 of the packed items (the `itemsHash` a contributor signs). */
export const itemsHash = (packed: Hex): Hex => keccak256(packed);

/** An item for a blob: its sha2-256 digest and size. */
export function itemOf(blob: Uint8Array): ContributionItem {
  return { digest: sha256(blob), size: blob.length };
}

export interface VersionLeaf {
  contributionId: bigint;
  digest: Hex;
  contributor: Address;
}

export const VERSION_LEAF_TYPES = ["uint256", "bytes32", "address"] as const;

/** The StandardMerkleTree of a version's leaves (in approval order). */
export function versionTree(leaves: readonly VersionLeaf[]): StandardMerkleTree<[bigint, Hex, Address]> {
  if (leaves.length === 0) throw new InvalidParameterError("versionTree", "a version needs at least one contribution");
  return StandardMerkleTree.of(
    leaves.map((l) => [l.contributionId, l.digest, l.contributor] as [bigint, Hex, Address]),
    [...VERSION_LEAF_TYPES],
  );
}

/** The root a version over `leaves` must carry. */
export const versionRoot = (leaves: readonly VersionLeaf[]): Hex => versionTree(leaves).root as Hex;
