// SPDX-License-Identifier: MIT
/** Access to Datanet versions: request (gated), grant (owner), buy (open access, never above `maxFee`; approves it if needed). */
import { isAddress, type Address } from "viem";
import { datanetRegistryAbi } from "../../abi/index.ts";
import { contractAddress } from "../../addresses/index.ts";
import { writeContract, type LineageContext, type WriteResult } from "../context.ts";
import { InvalidParameterError, type ContractRevertError, type TransactionFailedError } from "../errors.ts";
import { ensureAllowance } from "./ensureAllowance.ts";

export interface AccessParameters {
  datanetId: bigint;
  versionId: bigint;
}
export interface GrantAccessParameters extends AccessParameters {
  account: Address;
}
export interface BuyAccessParameters extends AccessParameters {
  /** Most OPEN paid; default the fee read now (a raise after this read is refused on-chain). */
  maxFee?: bigint;
}
export type AccessReturnType = WriteResult;
export type AccessErrorType = InvalidParameterError | ContractRevertError | TransactionFailedError;

export async function requestAccess(ctx: LineageContext, p: AccessParameters): Promise<AccessReturnType> {
  return writeContract(ctx, "requestAccess", {
    address: contractAddress(ctx.deployment, "DatanetRegistry"),
    abi: datanetRegistryAbi,
    functionName: "requestAccess",
    args: [p.datanetId, p.versionId],
  });
}

export async function grantAccess(ctx: LineageContext, p: GrantAccessParameters): Promise<AccessReturnType> {
  if (!isAddress(p.account)) throw new InvalidParameterError("grantAccess", `${String(p.account)} is not an address`);
  return writeContract(ctx, "grantAccess", {
    address: contractAddress(ctx.deployment, "DatanetRegistry"),
    abi: datanetRegistryAbi,
    functionName: "grantAccess",
    args: [p.datanetId, p.versionId, p.account],
  });
}

export async function buyAccess(ctx: LineageContext, p: BuyAccessParameters): Promise<AccessReturnType> {
  if (p.maxFee !== undefined && p.maxFee < 0n) throw new InvalidParameterError("buyAccess", "maxFee must not be negative");
  const registry = contractAddress(ctx.deployment, "DatanetRegistry");
  const maxFee =
    p.maxFee ?? (await ctx.publicClient.readContract({ address: registry, abi: datanetRegistryAbi, functionName: "getDatanet", args: [p.datanetId] })).rules.accessFee;
  await ensureAllowance(ctx, { spender: registry, amount: maxFee });
  return writeContract(ctx, "buyAccess", {
    address: registry,
    abi: datanetRegistryAbi,
    functionName: "buyAccess",
    args: [p.datanetId, p.versionId, maxFee],
  });
}
