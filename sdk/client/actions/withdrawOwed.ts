// SPDX-License-Identifier: MIT
/** Pay out what the DatanetRegistry owes an account (released bonds, forfeit shares). Anyone may call. */
import type { Address } from "viem";
import { datanetRegistryAbi } from "../../abi/index.ts";
import { contractAddress } from "../../addresses/index.ts";
import { walletOf, writeContract, type LineageContext, type WriteResult } from "../context.ts";
import type { ContractRevertError, TransactionFailedError } from "../errors.ts";

export interface WithdrawOwedParameters {
  /** Default: the wallet's account. */
  account?: Address;
}
export type WithdrawOwedReturnType = WriteResult;
export type WithdrawOwedErrorType = ContractRevertError | TransactionFailedError;

export async function withdrawOwed(ctx: LineageContext, p: WithdrawOwedParameters = {}): Promise<WithdrawOwedReturnType> {
  return writeContract(ctx, "withdrawOwed", {
    address: contractAddress(ctx.deployment, "DatanetRegistry"),
    abi: datanetRegistryAbi,
    functionName: "withdraw",
    args: [p.account ?? walletOf(ctx, "withdrawOwed").account.address],
  });
}
