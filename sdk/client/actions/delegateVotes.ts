// SPDX-License-Identifier: MIT
/** Delegate the wallet's OPEN voting power (ERC-5805) to an account (itself to vote directly). */
import { isAddress, type Address } from "viem";
import { openTokenAbi } from "../../abi/index.ts";
import { contractAddress } from "../../addresses/index.ts";
import { walletOf, writeContract, type LineageContext, type WriteResult } from "../context.ts";
import { InvalidParameterError, type ContractRevertError, type TransactionFailedError } from "../errors.ts";

export interface DelegateVotesParameters {
  /** Default: the wallet's own account. */
  delegatee?: Address;
}
export type DelegateVotesReturnType = WriteResult;
export type DelegateVotesErrorType = InvalidParameterError | ContractRevertError | TransactionFailedError;

export async function delegateVotes(ctx: LineageContext, p: DelegateVotesParameters = {}): Promise<DelegateVotesReturnType> {
  const delegatee = p.delegatee ?? walletOf(ctx, "delegateVotes").account.address;
  if (!isAddress(delegatee)) throw new InvalidParameterError("delegateVotes", `delegatee ${String(delegatee)} is not an address`);
  return writeContract(ctx, "delegateVotes", {
    address: contractAddress(ctx.deployment, "OpenToken"),
    abi: openTokenAbi,
    functionName: "delegate",
    args: [delegatee],
  });
}
