// SPDX-License-Identifier: MIT
/** The one place ai/data computes a Datanet version root. */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import type { Hex32 } from "../../sdk/content/index.ts";
import type { Contribution } from "./index.ts";

/** OpenZeppelin StandardMerkleTree root over ["uint256", "bytes32", "address"] = (contributionId, digest, contributor). */
export function versionRootOf(contributions: readonly Contribution[]): Hex32 {
  return StandardMerkleTree.of(
    contributions.map((c) => [c.id.toString(), c.digest, c.contributor]),
    ["uint256", "bytes32", "address"],
  ).root as Hex32;
}
