// SPDX-License-Identifier: MIT
/** Reads the SDK needs from the chain's events (the same events the indexer is built from). */
import { getAbiItem } from "viem";
import { datanetRegistryAbi } from "../abi/index.ts";
import { contractAddress } from "../addresses/index.ts";
import { approvedContributions, type VersionLeaf } from "../datanet/index.ts";
import type { LineageContext } from "./context.ts";

/**
 * The approved contributions of a Datanet in approval order (the order versions commit to), from its
 * ContributionSubmitted and ContributionApproved events (ordered by `sdk/datanet`).
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
  return approvedContributions([...submitted, ...approved], datanetId);
}
