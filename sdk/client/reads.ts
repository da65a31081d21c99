// SPDX-License-Identifier: MIT
/** Reads the SDK needs from the chain's events (the same events the indexer is built from). */
import { getAbiItem, type Hex } from "viem";
import { datanetRegistryAbi } from "../abi/index.ts";
import { contractAddress } from "../addresses/index.ts";
import type { LineageContext } from "./context.ts";
import type { VersionLeaf } from "./items.ts";

const STATUS_APPROVED = 2;

/**
 * The approved contributions of a Datanet in approval order (the order versions commit to): approved-at-submission
 * items of open Datanets and validator approvals of gated ones, as the events tell.
 */
export async function readApprovedContributions(ctx: LineageContext, datanetId: bigint): Promise<VersionLeaf[]> {
  const address = contractAddress(ctx.deployment, "DatanetRegistry");
  const fromBlock = BigInt(ctx.deployment.deployBlock);
  const [submitted, approved] = await Promise.all([
    ctx.publicClient.getLogs({
      address,
      event: getAbiItem({ abi: datanetRegistryAbi, name: "ContributionSubmitted" }),
      args: { datanetId },
      fromBlock,
    }),
    ctx.publicClient.getLogs({
      address,
      event: getAbiItem({ abi: datanetRegistryAbi, name: "ContributionApproved" }),
      args: { datanetId },
      fromBlock,
    }),
  ]);
  const byId = new Map<bigint, { digest: Hex; contributor: Hex }>();
  for (const l of submitted) byId.set(l.args.contributionId!, { digest: l.args.digest!, contributor: l.args.contributor! });
  type Ordered = { block: bigint; index: number; leaf: VersionLeaf };
  const out: Ordered[] = [];
  for (const l of submitted) {
    if (l.args.status === STATUS_APPROVED) {
      out.push({
        block: l.blockNumber,
        index: l.logIndex,
        leaf: { contributionId: l.args.contributionId!, digest: l.args.digest!, contributor: l.args.contributor! },
      });
    }
  }
  for (const l of approved) {
    const s = byId.get(l.args.contributionId!);
    if (!s) continue;
    out.push({ block: l.blockNumber, index: l.logIndex, leaf: { contributionId: l.args.contributionId!, ...s } });
  }
  out.sort((a, b) => (a.block === b.block ? a.index - b.index : a.block < b.block ? -1 : 1));
  return out.map((o) => o.leaf);
}
