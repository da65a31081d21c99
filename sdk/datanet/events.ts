// SPDX-License-Identifier: MIT
/**
 * Which contributions a version covers, from the DatanetRegistry's events alone (as the indexer sees them):
 * contributions become approved either at submission (`ContributionSubmitted` with status Approved, on a Datanet
 * that is not validator-gated) or by a validator (`ContributionApproved`). Version `n` with `count` c covers the
 * first c approvals of that Datanet in chain order (block number, then log index).
 */
import type { Address, Hex } from "viem";
import type { VersionLeaf } from "./tree.ts";

/** ContributionStatus.Approved in the contract's enum. */
export const STATUS_APPROVED = 2;

/** A decoded registry event with its position in the chain. */
export type RegistryEvent =
  | {
      eventName: "ContributionSubmitted";
      blockNumber: bigint;
      logIndex: number;
      args: { datanetId: bigint; contributionId: bigint; contributor: Address; digest: Hex; size: number; status: number };
    }
  | {
      eventName: "ContributionApproved";
      blockNumber: bigint;
      logIndex: number;
      args: { datanetId: bigint; contributionId: bigint; validator: Address; digest: Hex };
    };

/** The error thrown when events are inconsistent (an approval without its submission). */
export class DatanetEventsError extends Error {
  override name = "DatanetEventsError";
}

/**
 * Approved contributions of `datanetId` in approval order. Events of other Datanets and of other kinds are
 * ignored; events may arrive in any order (they are sorted by block, then log index).
 */
export function approvedContributions(events: readonly { eventName: string }[], datanetId: bigint): VersionLeaf[] {
  const relevant = (events as readonly RegistryEvent[])
    .filter((e) => (e.eventName === "ContributionSubmitted" || e.eventName === "ContributionApproved") && e.args.datanetId === datanetId)
    .slice()
    .sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1));
  const submitted = new Map<bigint, VersionLeaf>();
  const approved: VersionLeaf[] = [];
  for (const e of relevant) {
    if (e.eventName === "ContributionSubmitted") {
      const leaf = { contributionId: e.args.contributionId, digest: e.args.digest, contributor: e.args.contributor };
      submitted.set(e.args.contributionId, leaf);
      if (e.args.status === STATUS_APPROVED) approved.push(leaf);
    } else {
      const leaf = submitted.get(e.args.contributionId);
      if (!leaf) throw new DatanetEventsError(`approval of contribution ${e.args.contributionId} without its submission`);
      approved.push(leaf);
    }
  }
  return approved;
}

/** The leaves of a version with `count` contributions: the first `count` approvals. */
export function versionLeaves(events: readonly { eventName: string }[], datanetId: bigint, count: bigint): VersionLeaf[] {
  const all = approvedContributions(events, datanetId);
  if (count > BigInt(all.length)) throw new DatanetEventsError(`only ${all.length} approved contributions, version claims ${count}`);
  return all.slice(0, Number(count));
}
