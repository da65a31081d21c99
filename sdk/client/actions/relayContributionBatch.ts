// SPDX-License-Identifier: MIT
/** Gasless contribution, step 2: any account relays a contributor's signed batch and pays the gas. */
import { datanetRegistryAbi } from "../../abi/index.ts";
import { contractAddress } from "../../addresses/index.ts";
import { writeContract, type LineageContext, type WriteResult } from "../context.ts";
import type { ContractRevertError, TransactionFailedError } from "../errors.ts";
import { submittedIds } from "./contribute.ts";
import type { SignedContributionBatch } from "./signContributionBatch.ts";

export type RelayContributionBatchParameters = SignedContributionBatch;
export type RelayContributionBatchReturnType = WriteResult & { ids: bigint[] };
export type RelayContributionBatchErrorType = ContractRevertError | TransactionFailedError;

export async function relayContributionBatch(
  ctx: LineageContext,
  p: RelayContributionBatchParameters,
): Promise<RelayContributionBatchReturnType> {
  const res = await writeContract(ctx, "relayContributionBatch", {
    address: contractAddress(ctx.deployment, "DatanetRegistry"),
    abi: datanetRegistryAbi,
    functionName: "contributeBySig",
    args: [p.datanetId, p.contributor, p.items, p.nonce, p.deadline, p.signature],
  });
  return { ...res, ids: submittedIds(res) };
}
