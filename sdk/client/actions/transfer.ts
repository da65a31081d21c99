// SPDX-License-Identifier: MIT
/** Transfer OPEN from the wallet's account. */
import { isAddress, zeroAddress, type Address } from "viem";
import { openTokenAbi } from "../../abi/index.ts";
import { contractAddress } from "../../addresses/index.ts";
import { writeContract, type LineageContext, type WriteResult } from "../context.ts";
import { InvalidParameterError, type ContractRevertError, type TransactionFailedError } from "../errors.ts";

export interface TransferParameters {
  to: Address;
  /** OPEN wei, > 0. */
  amount: bigint;
}
export type TransferReturnType = WriteResult;
export type TransferErrorType = InvalidParameterError | ContractRevertError | TransactionFailedError;

export async function transfer(ctx: LineageContext, p: TransferParameters): Promise<TransferReturnType> {
  if (!isAddress(p.to) || p.to === zeroAddress) throw new InvalidParameterError("transfer", `bad recipient ${String(p.to)}`);
  if (p.amount <= 0n) throw new InvalidParameterError("transfer", "amount must be positive");
  return writeContract(ctx, "transfer", {
    address: contractAddress(ctx.deployment, "OpenToken"),
    abi: openTokenAbi,
    functionName: "transfer",
    args: [p.to, p.amount],
  });
}
