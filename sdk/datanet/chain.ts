// SPDX-License-Identifier: MIT
/**
 * Rebuild and check a Datanet version from the chain: fetch the registry's approval events, take the first
 * `count` approvals, build the tree with this SDK's builder and compare with the root the registry stores.
 * Anyone can run it (the indexer does, to flag a posted root that does not match the events).
 */
import { type Address, type Hex, parseAbi, type PublicClient } from "viem";
import { approvedContributions } from "./events.ts";
import { buildVersionTree, type VersionTree } from "./tree.ts";

/** The registry's events and views this module reads (same signatures as `IDatanetRegistry`). */
export const datanetRegistryReadAbi = parseAbi([
  "event ContributionSubmitted(uint256 indexed datanetId, uint256 indexed contributionId, address indexed contributor, bytes32 digest, uint32 size, uint8 status)",
  "event ContributionApproved(uint256 indexed datanetId, uint256 indexed contributionId, address indexed validator, bytes32 digest)",
  "event ContributionReassigned(uint256 indexed datanetId, uint256 indexed contributionId, address indexed contributor, address previousContributor, bytes32 digest, uint8 status, uint256 forfeited)",
  "event VersionPublished(uint256 indexed datanetId, uint256 indexed versionId, bytes32 root, uint64 count, string metadataCID)",
  "function getVersion(uint256 datanetId, uint256 versionId) view returns ((bytes32 root, uint64 count, uint64 publishedAt))",
]);

export interface FetchApprovalsParameters {
  registry: Address;
  datanetId: bigint;
  /** First block to scan (the registry's deployment block). */
  fromBlock?: bigint;
  toBlock?: bigint;
}

/**
 * Approved contributions of a Datanet in chain order, from `ContributionSubmitted`, `ContributionApproved` and
 * `ContributionReassigned`. A version covering contributions younger than REVEAL_WINDOW blocks may later see one
 * of them reassigned to an earlier committer: pass `toBlock` = the version's block to rebuild it as published.
 */
export async function fetchApprovals(client: PublicClient, p: FetchApprovalsParameters) {
  const common = { address: p.registry, args: { datanetId: p.datanetId }, fromBlock: p.fromBlock ?? 0n, toBlock: p.toBlock ?? "latest" } as const;
  const [submitted, approved, reassigned] = await Promise.all([
    client.getContractEvents({ ...common, abi: datanetRegistryReadAbi, eventName: "ContributionSubmitted" }),
    client.getContractEvents({ ...common, abi: datanetRegistryReadAbi, eventName: "ContributionApproved" }),
    client.getContractEvents({ ...common, abi: datanetRegistryReadAbi, eventName: "ContributionReassigned" }),
  ]);
  const events = [...submitted, ...approved, ...reassigned].map((e) => ({
    eventName: e.eventName,
    blockNumber: e.blockNumber,
    logIndex: e.logIndex,
    args: e.args,
  }));
  return approvedContributions(events, p.datanetId);
}

export interface CheckVersionParameters extends FetchApprovalsParameters {
  versionId: bigint;
}

export interface CheckVersionReturnType {
  /** The root stored on-chain for the version. */
  onChainRoot: Hex;
  /** The count stored on-chain. */
  count: bigint;
  /** The tree rebuilt from events (over the first `count` approvals). */
  tree: VersionTree;
  /** Whether the rebuilt root equals the stored one. */
  matches: boolean;
}

/** Rebuilds version `versionId` from events and compares roots. Throws if the version does not exist. */
export async function checkVersion(client: PublicClient, p: CheckVersionParameters): Promise<CheckVersionReturnType> {
  const v = await client.readContract({ address: p.registry, abi: datanetRegistryReadAbi, functionName: "getVersion", args: [p.datanetId, p.versionId] });
  const approvals = await fetchApprovals(client, p);
  if (BigInt(approvals.length) < v.count) {
    throw new Error(`version ${p.versionId} claims ${v.count} contributions but only ${approvals.length} approvals were found`);
  }
  const tree = buildVersionTree(approvals.slice(0, Number(v.count)));
  return { onChainRoot: v.root, count: v.count, tree, matches: tree.root === v.root };
}
