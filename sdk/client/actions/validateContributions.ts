// SPDX-License-Identifier: MIT
/** A validator's verdict on pending contributions: approve, or reject with a reason. */
import type { Hex } from "viem";
import { datanetRegistryAbi } from "../../abi/index.ts";
import { contractAddress } from "../../addresses/index.ts";
import { writeContract, type LineageContext, type WriteResult } from "../context.ts";
import { InvalidParameterError, type ContractRevertError, type TransactionFailedError } from "../errors.ts";

export const REJECT_REASONS = ["LowQuality", "OffTopic", "Malformed", "Malicious"] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export interface ValidateContributionsParameters {
  datanetId: bigint;
  digests: readonly Hex[];
  /** Absent: approve. */
  reject?: RejectReason;
}
export type ValidateContributionsReturnType = WriteResult;
export type ValidateContributionsErrorType = InvalidParameterError | ContractRevertError | TransactionFailedError;

export async function validateContributions(
  ctx: LineageContext,
  p: ValidateContributionsParameters,
): Promise<ValidateContributionsReturnType> {
  if (p.digests.length === 0) throw new InvalidParameterError("validateContributions", "no digests");
  const address = contractAddress(ctx.deployment, "DatanetRegistry");
  if (p.reject === undefined) {
    return writeContract(ctx, "approveContributions", {
      address,
      abi: datanetRegistryAbi,
      functionName: "approve",
      args: [p.datanetId, p.digests],
    });
  }
  const reason = REJECT_REASONS.indexOf(p.reject) + 1; // enum: None = 0
  if (reason === 0) throw new InvalidParameterError("validateContributions", `unknown reason ${String(p.reject)}`);
  return writeContract(ctx, "rejectContributions", {
    address,
    abi: datanetRegistryAbi,
    functionName: "reject",
    args: [p.datanetId, p.digests, reason],
  });
}
