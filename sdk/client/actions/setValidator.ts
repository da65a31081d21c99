// SPDX-License-Identifier: MIT
/** Appoint (or remove) a validator of a Datanet (owner only). */
import { isAddress, type Address } from "viem";
import { datanetRegistryAbi } from "../../abi/index.ts";
import { contractAddress } from "../../addresses/index.ts";
import { writeContract, type LineageContext, type WriteResult } from "../context.ts";
import { InvalidParameterError, type ContractRevertError, type TransactionFailedError } from "../errors.ts";

export interface SetValidatorParameters {
  datanetId: bigint;
  validator: Address;
  enabled?: boolean;
}
export type SetValidatorReturnType = WriteResult;
export type SetValidatorErrorType = InvalidParameterError | ContractRevertError | TransactionFailedError;

export async function setValidator(ctx: LineageContext, p: SetValidatorParameters): Promise<SetValidatorReturnType> {
  if (!isAddress(p.validator)) throw new InvalidParameterError("setValidator", `${String(p.validator)} is not an address`);
  return writeContract(ctx, "setValidator", {
    address: contractAddress(ctx.deployment, "DatanetRegistry"),
    abi: datanetRegistryAbi,
    functionName: "setValidator",
    args: [p.datanetId, p.validator, p.enabled ?? true],
  });
}
