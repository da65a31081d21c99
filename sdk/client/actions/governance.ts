// SPDX-License-Identifier: MIT
/** Governance (LineageGovernor + Timelock): propose calls, vote (OPEN and staked OPEN; merit via params). */
import { parseEventLogs, type Address, type Hex } from "viem";
import { lineageGovernorAbi } from "../../abi/index.ts";
import { contractAddress } from "../../addresses/index.ts";
import { writeContract, type LineageContext, type WriteResult } from "../context.ts";
import { InvalidParameterError, LineageClientError, type ContractRevertError, type TransactionFailedError } from "../errors.ts";

export interface ProposeParameters {
  calls: readonly { target: Address; value?: bigint; data: Hex }[];
  description: string;
}
export type ProposeReturnType = WriteResult & { proposalId: bigint };
export const VOTE_SUPPORT = { against: 0, for: 1, abstain: 2 } as const;
export interface CastVoteParameters {
  proposalId: bigint;
  support: keyof typeof VOTE_SUPPORT;
  reason?: string;
  /** Merit proof (`castVoteWithReasonAndParams`); absent: OPEN and staked OPEN only. */
  params?: Hex;
}
export type CastVoteReturnType = WriteResult & { weight: bigint };
export type GovernanceErrorType = InvalidParameterError | ContractRevertError | TransactionFailedError;

export async function propose(ctx: LineageContext, p: ProposeParameters): Promise<ProposeReturnType> {
  if (p.calls.length === 0) throw new InvalidParameterError("propose", "a proposal needs at least one call");
  if (p.description.trim().length === 0) throw new InvalidParameterError("propose", "description is empty");
  const res = await writeContract(ctx, "propose", {
    address: contractAddress(ctx.deployment, "LineageGovernor"),
    abi: lineageGovernorAbi,
    functionName: "propose",
    args: [p.calls.map((c) => c.target), p.calls.map((c) => c.value ?? 0n), p.calls.map((c) => c.data), p.description],
  });
  const [ev] = parseEventLogs({ abi: lineageGovernorAbi, eventName: "ProposalCreated", logs: res.receipt.logs });
  if (!ev) throw new LineageClientError("propose: no ProposalCreated event");
  return { ...res, proposalId: ev.args.proposalId };
}

export async function castVote(ctx: LineageContext, p: CastVoteParameters): Promise<CastVoteReturnType> {
  const support = VOTE_SUPPORT[p.support];
  if (support === undefined) throw new InvalidParameterError("castVote", `unknown support ${String(p.support)}`);
  const address = contractAddress(ctx.deployment, "LineageGovernor");
  const res = p.params
    ? await writeContract(ctx, "castVote", {
        address,
        abi: lineageGovernorAbi,
        functionName: "castVoteWithReasonAndParams",
        args: [p.proposalId, support, p.reason ?? "", p.params],
      })
    : await writeContract(ctx, "castVote", {
        address,
        abi: lineageGovernorAbi,
        functionName: "castVoteWithReason",
        args: [p.proposalId, support, p.reason ?? ""],
      });
  const logs = [
    ...parseEventLogs({ abi: lineageGovernorAbi, eventName: "VoteCast", logs: res.receipt.logs }),
    ...parseEventLogs({ abi: lineageGovernorAbi, eventName: "VoteCastWithParams", logs: res.receipt.logs }),
  ];
  return { ...res, weight: logs[0]?.args.weight ?? 0n };
}
