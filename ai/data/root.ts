// SPDX-License-Identifier: MIT
/** The one place ai/data computes a Datanet version root: the SDK's version tree builder (sdk/datanet). */
import { buildVersionTree } from "../../sdk/datanet/index.ts";
import type { Hex32 } from "../../sdk/content/index.ts";
import type { Contribution } from "./index.ts";

/** OpenZeppelin StandardMerkleTree root over ["uint256", "bytes32", "address"] = (contributionId, digest, contributor). */
export function versionRootOf(contributions: readonly Contribution[]): Hex32 {
  return buildVersionTree(contributions.map((c) => ({ contributionId: c.id, digest: c.digest, contributor: c.contributor }))).root.toLowerCase() as Hex32;
}
