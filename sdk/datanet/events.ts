// SPDX-License-Identifier: MIT
/**
 * Which contributions a version covers, from the DatanetRegistry's events alone (as the indexer sees them):
 * contributions become approved either at submission (`ContributionSubmitted` with status Approved, on a Datanet
 * that is not validator-gated) or by a validator (`ContributionApproved`). Version `n` with `count` c covers the
 * first c approvals of that Datanet in chain order (block number, then log index). `ContributionReassigned` (a
 * reveal with an earlier commit took a copied contribution over) keeps the contribution's id and place and
 * changes its contributor; a reassigned contribution that was not approved and now is, is approved at that point.
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
    }
  | {
      eventName: "ContributionReassigned";
      blockNumber: bigint;
      logIndex: number;
      args: { datanetId: bigint; contributionId: bigint; contributor: Address; previousContributor: Address; digest: Hex; status: number; forfeited: bigint };
    };

const RELEVANT = new Set(["ContributionSubmitted", "ContributionApproved", "ContributionReassigned"]);

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
    .filter((e) => RELEVANT.has(e.eventName) && e.args.datanetId === datanetId)
    .slice()
    .sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1));
  const submitted = new Map<bigint, VersionLeaf>();
  const approvedIds = new Set<bigint>();
  const approved: VersionLeaf[] = [];
  for (const e of relevant) {
    if (e.eventName === "ContributionSubmitted") {
      const leaf = { contributionId: e.args.contributionId, digest: e.args.digest, contributor: e.args.contributor };
      submitted.set(e.args.contributionId, leaf);
      if (e.args.status === STATUS_APPROVED) {
        approved.push(leaf);
        approvedIds.add(leaf.contributionId);
      }
    } else if (e.eventName === "ContributionReassigned") {
      const leaf = submitted.get(e.args.contributionId);
      if (!leaf) throw new DatanetEventsError(`reassignment of contribution ${e.args.contributionId} without its submission`);
      leaf.contributor = e.args.contributor;
      if (e.args.status === STATUS_APPROVED && !approvedIds.has(leaf.contributionId)) {
        approved.push(leaf);
        approvedIds.add(leaf.contributionId);
      }
    } else {
      const leaf = submitted.get(e.args.contributionId);
      if (!leaf) throw new DatanetEventsError(`approval of contribution ${e.args.contributionId} without its submission`);
      approved.push(leaf);
      approvedIds.add(leaf.contributionId);
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
