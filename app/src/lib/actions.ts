// SPDX-License-Identifier: MIT
/**
 * Writes the SDK client has no action for yet (unbond, withdraw, claim staking rewards, queue, execute): sent through
 * the SDK's own `writeContract` (simulated first, reverts decoded) with the SDK's generated ABIs, nothing redefined.
 */
import { keccak256, toBytes, type Address, type Hex } from "viem";
import { lineageGovernorAbi, stakingRegistryAbi } from "../../../sdk/abi/index.ts";
import { contractAddress } from "../../../sdk/addresses/index.ts";
import { writeContract, type LineageContext, type WriteResult } from "../../../sdk/client/context.ts";
import { InvalidParameterError } from "../../../sdk/client/errors.ts";

export function requestUnbond(ctx: LineageContext, p: { operator: Address; amount: bigint }): Promise<WriteResult> {
  if (p.amount <= 0n) throw new InvalidParameterError("requestUnbond", "amount must be positive");
  return writeContract(ctx, "requestUnbond", { address: contractAddress(ctx.deployment, "StakingRegistry"), abi: stakingRegistryAbi, functionName: "requestUnbond", args: [p.operator, p.amount] });
}

export function withdrawUnbonded(ctx: LineageContext, p: { withdrawalId: bigint }): Promise<WriteResult> {
  return writeContract(ctx, "withdraw", { address: contractAddress(ctx.deployment, "StakingRegistry"), abi: stakingRegistryAbi, functionName: "withdraw", args: [p.withdrawalId] });
}

export function claimStakingRewards(ctx: LineageContext, p: { operator: Address }): Promise<WriteResult> {
  return writeContract(ctx, "claimRewards", { address: contractAddress(ctx.deployment, "StakingRegistry"), abi: stakingRegistryAbi, functionName: "claimRewards", args: [p.operator] });
}

export interface ProposalCalls {
  targets: { target: Address; value: string; calldata: Hex }[];
  description: string;
}

function proposalArgs(p: ProposalCalls) {
  return [p.targets.map((t) => t.target), p.targets.map((t) => BigInt(t.value)), p.targets.map((t) => t.calldata), keccak256(toBytes(p.description))] as const;
}

export function queueProposal(ctx: LineageContext, p: ProposalCalls): Promise<WriteResult> {
  return writeContract(ctx, "queue", { address: contractAddress(ctx.deployment, "LineageGovernor"), abi: lineageGovernorAbi, functionName: "queue", args: proposalArgs(p) });
}

export function executeProposal(ctx: LineageContext, p: ProposalCalls): Promise<WriteResult> {
  return writeContract(ctx, "execute", { address: contractAddress(ctx.deployment, "LineageGovernor"), abi: lineageGovernorAbi, functionName: "execute", args: proposalArgs(p) });
}
