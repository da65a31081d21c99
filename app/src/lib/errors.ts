// SPDX-License-Identifier: MIT
/** One sentence a person can act on, from whatever a wallet, the SDK or the chain threw. */
import { BaseError, InsufficientFundsError, UserRejectedRequestError } from "viem";
import { ContractRevertError, InvalidParameterError } from "../../../sdk/client/errors.ts";

const REVERT_HINTS: Record<string, string> = {
  ERC20InsufficientBalance: "Not enough OPEN in this account.",
  ERC20InsufficientAllowance: "The contract may not spend that much of your OPEN (allowance too low).",
  GovernorUnexpectedProposalState: "The proposal is not in the right state for this (voting not open, or already done).",
  GovernorAlreadyCastVote: "This account has already voted on this proposal.",
};

export function humanError(e: unknown): string {
  if (e instanceof BaseError) {
    if (e.walk((x) => x instanceof UserRejectedRequestError) || /rejected|denied/i.test(e.shortMessage)) {
      return "You rejected the request in your wallet: nothing was sent.";
    }
    if (e.walk((x) => x instanceof InsufficientFundsError)) return "Not enough native currency in this account to pay for gas: nothing was sent.";
    if (e instanceof InvalidParameterError) return e.shortMessage;
    if (e instanceof ContractRevertError) {
      const hint = e.errorName ? REVERT_HINTS[e.errorName] : undefined;
      return `The contract refused it${hint ? `: ${hint}` : ""} (${e.shortMessage}). Nothing was changed.`;
    }
    return e.shortMessage;
  }
  return e instanceof Error ? e.message : String(e);
}
