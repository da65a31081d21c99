// SPDX-License-Identifier: MIT
/** The node's standing in the StakingRegistry, checked at start-up and said plainly. */
import { formatEther, type Address, type PublicClient } from "viem";
import { stakingRegistryAbi } from "../../sdk/abi/index.ts";

const ROLE_NODE = 2;
const ROLE_NAMES = ["None", "Agent", "Node", "Validator"];

export interface StakingStatus {
  ok: boolean;
  /** One sentence for the operator. */
  message: string;
  selfStake: bigint;
  minStake: bigint;
}

export async function checkNodeStaking(client: PublicClient, staking: Address, node: Address): Promise<StakingStatus> {
  const read = <T>(functionName: string, args: unknown[]) => client.readContract({ address: staking, abi: stakingRegistryAbi, functionName, args } as never) as Promise<T>;
  const [op, selfStake, minStake, active] = await Promise.all([
    read<{ role: number; jailed: boolean; jailedUntil: number }>("operatorOf", [node]),
    read<bigint>("stakeValue", [node, node]),
    read<bigint>("minStake", [ROLE_NODE]),
    read<boolean>("isActiveOperator", [node, ROLE_NODE]),
  ]);
  const base = { selfStake, minStake };
  if (Number(op.role) !== ROLE_NODE) {
    const role = ROLE_NAMES[Number(op.role)] ?? String(op.role);
    return { ok: false, message: Number(op.role) === 0 ? `${node} is NOT a registered Node operator in the StakingRegistry: channels to it cannot be opened (register and stake first)` : `${node} is registered as ${role}, not as a Node operator: channels to it cannot be opened`, ...base };
  }
  if (op.jailed) return { ok: false, message: `${node} is a Node operator but JAILED (until ${new Date(Number(op.jailedUntil) * 1000).toISOString()}): no new channels`, ...base };
  if (selfStake < minStake) return { ok: false, message: `${node} is UNDER-STAKED: self-stake ${formatEther(selfStake)} OPEN < minimum ${formatEther(minStake)} OPEN; no new channels until it stakes more`, ...base };
  return { ok: active, message: active ? `${node} is an active Node operator (self-stake ${formatEther(selfStake)} OPEN >= minimum ${formatEther(minStake)} OPEN)` : `${node} is not active in the StakingRegistry`, ...base };
}
