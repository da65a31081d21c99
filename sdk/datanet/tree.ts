// SPDX-License-Identifier: MIT
/**
 * The SDK's one Datanet version tree builder (PROTOCOL.md, "Hashes and identifiers"): an OpenZeppelin
 * StandardMerkleTree with leaf types ["uint256", "bytes32", "address"] = (contributionId, digest, contributor) over
 * every contribution of a Datanet approved up to the version. The DatanetRegistry stores its root
 * (`publishVersion`) and checks proofs (`verifyContribution`); the indexer rebuilds it to check a posted root.
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { type Address, getAddress, type Hex } from "viem";
import { z } from "zod";

/** StandardMerkleTree leaf encoding of a version tree. */
export const VERSION_LEAF_TYPES = ["uint256", "bytes32", "address"] as const;

/** One approved contribution, as the registry's events describe it. */
export interface VersionLeaf {
  contributionId: bigint;
  digest: Hex;
  contributor: Address;
}

const leafSchema = z.object({
  contributionId: z.bigint().nonnegative(),
  digest: z.string().regex(/^0x[0-9a-fA-F]{64}$/, "digest must be 32 bytes of hex"),
  contributor: z.string().regex(/^0x[0-9a-fA-F]{40}$/, "contributor must be an address"),
});

/** A StandardMerkleTree leaf value: [id as decimal string, digest, checksummed address]. */
type LeafValue = [string, string, string];

/** The error thrown for an empty or inconsistent set of leaves. */
export class VersionTreeError extends Error {
  override name = "VersionTreeError";
}

/** A built version tree: its root, size, and inclusion proofs by contribution id. */
export class VersionTree {
  readonly #tree: StandardMerkleTree<LeafValue>;
  readonly #indexById: Map<bigint, number>;

  private constructor(tree: StandardMerkleTree<LeafValue>, indexById: Map<bigint, number>) {
    this.#tree = tree;
    this.#indexById = indexById;
  }

  /** Builds the tree over `leaves` (any order: StandardMerkleTree sorts leaf hashes). Ids must be unique. */
  static build(leaves: readonly VersionLeaf[]): VersionTree {
    if (leaves.length === 0) throw new VersionTreeError("a version needs at least one approved contribution");
    const values: LeafValue[] = leaves.map((l) => {
      const p = leafSchema.parse(l);
      return [p.contributionId.toString(), p.digest.toLowerCase(), getAddress(p.contributor)];
    });
    const tree = StandardMerkleTree.of(values, [...VERSION_LEAF_TYPES]);
    const indexById = new Map<bigint, number>();
    for (const [i, v] of tree.entries()) {
      const id = BigInt(v[0]);
      if (indexById.has(id)) throw new VersionTreeError(`contribution id ${id} appears twice`);
      indexById.set(id, i);
    }
    return new VersionTree(tree, indexById);
  }

  /** Rebuilds a tree from `dump()` output (e.g. stored beside a version's metadata). */
  static load(dump: ReturnType<VersionTree["dump"]>): VersionTree {
    const tree = StandardMerkleTree.load<LeafValue>(dump);
    tree.validate();
    const indexById = new Map<bigint, number>();
    for (const [i, v] of tree.entries()) indexById.set(BigInt(v[0]), i);
    return new VersionTree(tree, indexById);
  }

  /** The root to publish (`publishVersion(datanetId, root, count, metadataCID)`). */
  get root(): Hex {
    return this.#tree.root as Hex;
  }

  /** The number of leaves (the version's `count`). */
  get count(): bigint {
    return BigInt(this.#indexById.size);
  }

  /** Whether a contribution id is in the tree. */
  has(contributionId: bigint): boolean {
    return this.#indexById.has(contributionId);
  }

  /** The leaf of a contribution id (throws if absent). */
  leaf(contributionId: bigint): VersionLeaf {
    const v = this.#tree.at(this.#index(contributionId))!;
    return { contributionId: BigInt(v[0]), digest: v[1] as Hex, contributor: v[2] as Address };
  }

  /** The inclusion proof of a contribution id, for `verifyContribution` on-chain. */
  proof(contributionId: bigint): Hex[] {
    return this.#tree.getProof(this.#index(contributionId)) as Hex[];
  }

  /** Verifies a leaf against this tree's root with `proof` (off-chain, same rule as the contract). */
  static verify(root: Hex, leaf: VersionLeaf, proof: readonly Hex[]): boolean {
    return StandardMerkleTree.verify(
      root,
      [...VERSION_LEAF_TYPES],
      [leaf.contributionId.toString(), leaf.digest.toLowerCase(), getAddress(leaf.contributor)],
      [...proof],
    );
  }

  /** Serialisable form (OpenZeppelin's dump format). */
  dump() {
    return this.#tree.dump();
  }

  #index(contributionId: bigint): number {
    const i = this.#indexById.get(contributionId);
    if (i === undefined) throw new VersionTreeError(`contribution ${contributionId} is not in this version`);
    return i;
  }
}

/** Builds a version tree (shorthand for `VersionTree.build`). */
export function buildVersionTree(leaves: readonly VersionLeaf[]): VersionTree {
  return VersionTree.build(leaves);
}
