// SPDX-License-Identifier: MIT
/** Staking: register as an operator, stake (self), delegate to an operator. Approves the registry when needed. */
import { isAddress, parseEventLogs, type Address } from "viem";
import { stakingRegistryAbi } from "../../abi/index.ts";
import { contractAddress } from "../../addresses/index.ts";
import { writeContract, type LineageContext, type WriteResult } from "../context.ts";
import { InvalidParameterError, type ContractRevertError, type TransactionFailedError } from "../errors.ts";
import { ensureAllowance } from "./ensureAllowance.ts";

/** Operator roles, in the contract's enum order (None = 0 is not a role). */
export const OPERATOR_ROLES = ["Agent", "Node", "Validator"] as const;
export type OperatorRoleName = (typeof OPERATOR_ROLES)[number];

export interface RegisterOperatorParameters {
  role: OperatorRoleName;
  metadataURI: string;
}
export interface StakeParameters {
  /** OPEN wei, > 0. */
  amount: bigint;
}
export interface DelegateStakeParameters {
  operator: Address;
  amount: bigint;
}
export type StakingReturnType = WriteResult & { shares?: bigint };
export type StakingErrorType = InvalidParameterError | ContractRevertError | TransactionFailedError;

export async function registerOperator(ctx: LineageContext, p: RegisterOperatorParameters): Promise<StakingReturnType> {
  const role = OPERATOR_ROLES.indexOf(p.role) + 1;
  if (role === 0) throw new InvalidParameterError("registerOperator", `unknown role ${String(p.role)}`);
  return writeContract(ctx, "registerOperator", {
    address: contractAddress(ctx.deployment, "StakingRegistry"),
    abi: stakingRegistryAbi,
    functionName: "register",
    args: [role, p.metadataURI],
  });
}

function sharesOf(res: WriteResult): bigint | undefined {
  return parseEventLogs({ abi: stakingRegistryAbi, eventName: "Delegated", logs: res.receipt.logs })[0]?.args.shares;
}

export async function stake(ctx: LineageContext, p: StakeParameters): Promise<StakingReturnType> {
  if (p.amount <= 0n) throw new InvalidParameterError("stake", "amount must be positive");
  const registry = contractAddress(ctx.deployment, "StakingRegistry");
  await ensureAllowance(ctx, { spender: registry, amount: p.amount });
  const res = await writeContract(ctx, "stake", { address: registry, abi: stakingRegistryAbi, functionName: "stake", args: [p.amount] });
  return { ...res, shares: sharesOf(res) };
}

export async function delegateStake(ctx: LineageContext, p: DelegateStakeParameters): Promise<StakingReturnType> {
  if (!isAddress(p.operator)) throw new InvalidParameterError("delegateStake", `${String(p.operator)} is not an address`);
  if (p.amount <= 0n) throw new InvalidParameterError("delegateStake", "amount must be positive");
  const registry = contractAddress(ctx.deployment, "StakingRegistry");
  await ensureAllowance(ctx, { spender: registry, amount: p.amount });
  const res = await writeContract(ctx, "delegateStake", {
    address: registry,
    abi: stakingRegistryAbi,
    functionName: "delegate",
    args: [p.operator, p.amount],
  });
  return { ...res, shares: sharesOf(res) };
}
