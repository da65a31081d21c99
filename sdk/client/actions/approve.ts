// SPDX-License-Identifier: MIT
/** Approve a Lineage contract (or any spender) to pull OPEN from the wallet's account. */
import { isAddress, type Address } from "viem";
import { openTokenAbi } from "../../abi/index.ts";
import { contractAddress } from "../../addresses/index.ts";
import { writeContract, type LineageContext, type WriteResult } from "../context.ts";
import { InvalidParameterError, type ContractRevertError, type TransactionFailedError } from "../errors.ts";

export interface ApproveParameters {
  spender: Address;
  /** OPEN wei; 0 revokes. */
  amount: bigint;
}
export type ApproveReturnType = WriteResult;
export type ApproveErrorType = InvalidParameterError | ContractRevertError | TransactionFailedError;

export async function approve(ctx: LineageContext, p: ApproveParameters): Promise<ApproveReturnType> {
  if (!isAddress(p.spender)) throw new InvalidParameterError("approve", `spender ${String(p.spender)} is not an address`);
  if (p.amount < 0n) throw new InvalidParameterError("approve", "amount must not be negative");
  return writeContract(ctx, "approve", {
    address: contractAddress(ctx.deployment, "OpenToken"),
    abi: openTokenAbi,
    functionName: "approve",
    args: [p.spender, p.amount],
  });
}
