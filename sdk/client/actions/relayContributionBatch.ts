// SPDX-License-Identifier: MIT
/**
 * Gasless contribution, step 2: any account relays a contributor's signed batch and pays the gas: it posts the
 * batch's commitment (unless already posted), then reveals the batch in a later block (`contributeBySig`).
 */
import { datanetRegistryAbi } from "../../abi/index.ts";
import { contractAddress } from "../../addresses/index.ts";
import { writeContract, type LineageContext, type WriteResult } from "../context.ts";
import type { ContractRevertError, TransactionFailedError } from "../errors.ts";
import { commitContribution } from "./commitContribution.ts";
import { submittedIds } from "./contribute.ts";
import type { SignedContributionBatch } from "./signContributionBatch.ts";

export type RelayContributionBatchParameters = Omit<SignedContributionBatch, "commitment">;
export type RelayContributionBatchReturnType = WriteResult & { ids: bigint[] };
export type RelayContributionBatchErrorType = ContractRevertError | TransactionFailedError;

export async function relayContributionBatch(
  ctx: LineageContext,
  p: RelayContributionBatchParameters,
): Promise<RelayContributionBatchReturnType> {
  // The commitment is recomputed from the batch: a wrong one would only leave the reveal without a commit.
  await commitContribution(ctx, { contributor: p.contributor, datanetId: p.datanetId, items: p.items, salt: p.salt });
  const res = await writeContract(ctx, "relayContributionBatch", {
    address: contractAddress(ctx.deployment, "DatanetRegistry"),
    abi: datanetRegistryAbi,
    functionName: "contributeBySig",
    args: [p.datanetId, p.contributor, p.items, { maxBond: p.maxBond, nonce: p.nonce, deadline: p.deadline, salt: p.salt }, p.signature],
  }, "pending");
  return { ...res, ids: submittedIds(res) };
}
