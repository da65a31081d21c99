// SPDX-License-Identifier: MIT
/** Publish a Draft Datanet: approves the publication fee for the registry if needed, then publishes. */
import { datanetRegistryAbi } from "../../abi/index.ts";
import { contractAddress } from "../../addresses/index.ts";
import { writeContract, type LineageContext, type WriteResult } from "../context.ts";
import { InvalidParameterError, type ContractRevertError, type TransactionFailedError } from "../errors.ts";
import { ensureAllowance } from "./ensureAllowance.ts";

export interface PublishDatanetParameters {
  datanetId: bigint;
}
export type PublishDatanetReturnType = WriteResult & { feePaid: bigint };
export type PublishDatanetErrorType = InvalidParameterError | ContractRevertError | TransactionFailedError;

export async function publishDatanet(ctx: LineageContext, p: PublishDatanetParameters): Promise<PublishDatanetReturnType> {
  if (p.datanetId <= 0n) throw new InvalidParameterError("publishDatanet", "datanetId must be positive");
  const registry = contractAddress(ctx.deployment, "DatanetRegistry");
  const fee = await ctx.publicClient.readContract({
    address: registry,
    abi: datanetRegistryAbi,
    functionName: "publishFeeOf",
    args: [p.datanetId],
  });
  await ensureAllowance(ctx, { spender: registry, amount: fee });
  const res = await writeContract(ctx, "publishDatanet", {
    address: registry,
    abi: datanetRegistryAbi,
    functionName: "publishDatanet",
    args: [p.datanetId],
  });
  return { ...res, feePaid: fee };
}
