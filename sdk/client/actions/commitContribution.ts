// SPDX-License-Identifier: MIT
/**
 * Step 1 of every contribution: record the commitment of a batch (DatanetRegistry `commitContribution`). Anyone may
 * post it (a relayer, for a gasless contributor): it binds the contributor and hides the items behind a random salt.
 * The batch is revealed from the next block on, within REVEAL_WINDOW blocks.
 */
import { keccak256, type Address, type Hex } from "viem";
import { datanetRegistryAbi } from "../../abi/index.ts";
import { contractAddress } from "../../addresses/index.ts";
import { contributionCommitment } from "../../datanet/index.ts";
import { writeContract, type LineageContext, type WriteResult } from "../context.ts";
import type { ContractRevertError, TransactionFailedError } from "../errors.ts";

export interface CommitContributionParameters {
  contributor: Address;
  datanetId: bigint;
  /** The packed items. */
  items: Hex;
  salt: Hex;
}
export type CommitContributionReturnType = (WriteResult | { hash: null; receipt: null }) & { commitment: Hex };
export type CommitContributionErrorType = ContractRevertError | TransactionFailedError;

/** Posts the batch's commitment unless it is already recorded (then sends nothing). */
export async function commitContribution(ctx: LineageContext, p: CommitContributionParameters): Promise<CommitContributionReturnType> {
  const address = contractAddress(ctx.deployment, "DatanetRegistry");
  const commitment = contributionCommitment({ contributor: p.contributor, datanetId: p.datanetId, itemsHash: keccak256(p.items), salt: p.salt });
  const at = await ctx.publicClient.readContract({ address, abi: datanetRegistryAbi, functionName: "commitBlock", args: [commitment] });
  if (at !== 0n) return { hash: null, receipt: null, commitment };
  const res = await writeContract(ctx, "commitContribution", { address, abi: datanetRegistryAbi, functionName: "commitContribution", args: [commitment] });
  return { ...res, commitment };
}
