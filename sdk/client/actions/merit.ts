// SPDX-License-Identifier: MIT
/**
 * Merit votes through the indexer: fetch an account's merit proof (`GET <indexer>/merit/:account?at=<timestamp>`,
 * zod-parsed and checked locally), check that its root is the one the Governor will use (`finalRootAt` of the
 * distributor at the proposal snapshot), and vote with it (`castVoteWithReasonAndParams`); opt-in, first cache the
 * snapshot's merit record (`cacheMeritSnapshot`) when it is not the Governor's cache hint.
 */
import { getAddress, isAddress, type Address } from "viem";
import { lineageGovernorAbi, rewardsDistributorAbi } from "../../abi/index.ts";
import { contractAddress } from "../../addresses/index.ts";
import { MeritProofError, parseMeritProof, type MeritProof } from "../../payout/index.ts";
import { walletOf, writeContract, type LineageContext, type WriteResult } from "../context.ts";
import { InvalidParameterError, LineageClientError } from "../errors.ts";
import { castVote, type CastVoteParameters, type CastVoteReturnType } from "./governance.ts";

export interface FetchMeritProofParameters {
  /** The indexer's base URL (e.g. `http://127.0.0.1:42069`). */
  indexerUrl: string;
  account: Address;
  /** The timepoint (unix seconds) the root must be final at: a proposal's snapshot. Default: now. */
  at?: bigint;
  /** Default 10 s. */
  timeoutMs?: number;
}

/** The indexer refused or could not serve a proof (status and its JSON error). */
export class MeritProofUnavailableError extends LineageClientError {
  override name = "MeritProofUnavailableError";
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(`the indexer could not serve a merit proof (${status}): ${detail}`);
  }
}

/** Fetches and checks an account's merit proof from the indexer. */
export async function fetchMeritProof(p: FetchMeritProofParameters): Promise<MeritProof> {
  if (!isAddress(p.account)) throw new InvalidParameterError("fetchMeritProof", `not an address: ${p.account}`);
  if (p.at !== undefined && p.at < 0n) throw new InvalidParameterError("fetchMeritProof", "at must be non-negative");
  const url = new URL(`/merit/${getAddress(p.account)}`, p.indexerUrl);
  if (p.at !== undefined) url.searchParams.set("at", p.at.toString());
  const res = await fetch(url, { signal: AbortSignal.timeout(p.timeoutMs ?? 10_000) });
  const body = (await res.json().catch(() => undefined)) as unknown;
  if (!res.ok) {
    const detail = (body as { error?: unknown } | undefined)?.error;
    throw new MeritProofUnavailableError(res.status, typeof detail === "string" ? detail : res.statusText);
  }
  const proof = parseMeritProof(body);
  if (getAddress(proof.account) !== getAddress(p.account)) throw new MeritProofError(`asked for ${p.account}, got ${proof.account}`);
  if (p.at !== undefined && proof.timepoint !== p.at) throw new MeritProofError(`asked at ${p.at}, served at ${proof.timepoint}`);
  return proof;
}

export interface CastMeritVoteParameters extends Omit<CastVoteParameters, "params"> {
  indexerUrl: string;
  /**
   * Opt-in (default false): before voting, call the Governor's `cacheMeritSnapshot(snapshot)` when the snapshot is past
   * and is not its cache hint (`meritCacheHint()`: the one snapshot whose cached record merit votes read). One extra
   * transaction (~72k gas) that makes this merit vote and every later one at the snapshot read one cached word instead
   * of recomputing the decay and cap (~8k gas less each); skipped when the snapshot is already the hint.
   */
  cacheSnapshot?: boolean;
}
export type CastMeritVoteReturnType = CastVoteReturnType & {
  proof: MeritProof;
  /** The `cacheMeritSnapshot` transaction, when `cacheSnapshot` was asked for and it was needed. */
  cached?: WriteResult;
};

/**
 * Votes with the wallet's OPEN, staked OPEN and merit: fetches the proof at the proposal's snapshot, checks its root
 * against the distributor's `finalRootAt(snapshot)` (the indexer is not trusted), then casts the vote with its params.
 */
export async function castMeritVote(ctx: LineageContext, p: CastMeritVoteParameters): Promise<CastMeritVoteReturnType> {
  const account = walletOf(ctx, "castMeritVote").account.address;
  const snapshot = await ctx.publicClient.readContract({
    address: contractAddress(ctx.deployment, "LineageGovernor"),
    abi: lineageGovernorAbi,
    functionName: "proposalSnapshot",
    args: [p.proposalId],
  });
  const proof = await fetchMeritProof({ indexerUrl: p.indexerUrl, account, at: snapshot });
  const [root] = await ctx.publicClient.readContract({
    address: contractAddress(ctx.deployment, "RewardsDistributor"),
    abi: rewardsDistributorAbi,
    functionName: "finalRootAt",
    args: [snapshot],
  });
  if (root.toLowerCase() !== proof.root.toLowerCase()) {
    throw new MeritProofError(`the indexer served root ${proof.root}; the root final at ${snapshot} is ${root}`);
  }
  const cached = p.cacheSnapshot ? await cacheSnapshotIfNeeded(ctx, snapshot) : undefined;
  const res = await castVote(ctx, { proposalId: p.proposalId, support: p.support, reason: p.reason, params: proof.params });
  return { ...res, proof, ...(cached ? { cached } : {}) };
}

/** `cacheMeritSnapshot(snapshot)` when the snapshot is past and not already the Governor's cache hint. */
async function cacheSnapshotIfNeeded(ctx: LineageContext, snapshot: bigint): Promise<WriteResult | undefined> {
  const governor = contractAddress(ctx.deployment, "LineageGovernor");
  const [block, hint] = await Promise.all([
    ctx.publicClient.getBlock(),
    ctx.publicClient.readContract({ address: governor, abi: lineageGovernorAbi, functionName: "meritCacheHint" }),
  ]);
  if (snapshot >= block.timestamp || hint === snapshot) return undefined;
  return writeContract(ctx, "cacheMeritSnapshot", {
    address: governor,
    abi: lineageGovernorAbi,
    functionName: "cacheMeritSnapshot",
    args: [snapshot],
  });
}
