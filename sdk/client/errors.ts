// SPDX-License-Identifier: MIT
/** Errors of the Lineage client, viem-style: every action's failures are a {@link LineageClientError}. */
import { BaseError, ContractFunctionRevertedError } from "viem";

export class LineageClientError extends BaseError {
  override name = "LineageClientError";
}

/** Bad parameters, refused before anything is sent. */
export class InvalidParameterError extends LineageClientError {
  override name = "InvalidParameterError";
  constructor(action: string, detail: string) {
    super(`${action}: ${detail}`);
  }
}

/** The contract refused the call (decoded custom error name and arguments when the ABI knows them). */
export class ContractRevertError extends LineageClientError {
  override name = "ContractRevertError";
  readonly errorName: string | undefined;
  readonly errorArgs: readonly unknown[] | undefined;
  constructor(action: string, cause: BaseError) {
    const reverted = cause.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null;
    const errorName = reverted?.data?.errorName;
    const errorArgs = reverted?.data?.args;
    super(
      `${action} reverted${errorName ? `: ${errorName}(${(errorArgs ?? []).map(String).join(", ")})` : `: ${cause.shortMessage}`}`,
      { cause },
    );
    this.errorName = errorName;
    this.errorArgs = errorArgs;
  }
}

/** The transaction was mined but failed. */
export class TransactionFailedError extends LineageClientError {
  override name = "TransactionFailedError";
  constructor(action: string, hash: string) {
    super(`${action}: transaction ${hash} reverted`);
  }
}
