// SPDX-License-Identifier: MIT
/**
 * Payout roots and claims (RewardsDistributor): a keeper deposits its poster bond and posts the root of a payout tree
 * (`sdk/payout`); after the challenge window anyone finalizes it; accounts claim with their proof.
 */
import { parseEventLogs, type Address, type Hex } from "viem";
import { rewardsDistributorAbi } from "../../abi/index.ts";
import { contractAddress } from "../../addresses/index.ts";
import type { ContentStore } from "../../content/store.ts";
import { publishPayoutTree, type PayoutTree, type PayoutTreeDocument } from "../../payout/index.ts";
import { walletOf, writeContract, type LineageContext, type WriteResult } from "../context.ts";
import { InvalidParameterError, LineageClientError, type ContractRevertError, type TransactionFailedError } from "../errors.ts";
import { ensureAllowance } from "./ensureAllowance.ts";

export interface DepositBondParameters {
  amount: bigint;
}
export interface PostRootParameters {
  epoch: bigint;
  /** Unix seconds: the end of the epoch the merit in the leaves is computed at. */
  epochEnd: bigint;
  tree: PayoutTree;
  /** CID of the epoch's published inputs (receipts, attribution records). */
  inputsCid: string;
}
export type PostRootReturnType = WriteResult & { index: bigint };
export interface PostPayoutRootParameters {
  epoch: bigint;
  /** Unix seconds: the end of the epoch the merit in the leaves is computed at. */
  epochEnd: bigint;
  tree: PayoutTree;
  /** Where the tree's document is published (a gateway through `HttpContentStore`, or an `FsContentStore`). */
  store: ContentStore;
}
export type PostPayoutRootReturnType = PostRootReturnType & { inputsCid: string; document: PayoutTreeDocument; documentBytes: number };
export interface ClaimParameters {
  tree: PayoutTree;
  /** Default: the wallet's account. */
  account?: Address;
}
export type ClaimReturnType = WriteResult & { amount: bigint };
export type RewardsErrorType = InvalidParameterError | ContractRevertError | TransactionFailedError;

export async function depositPosterBond(ctx: LineageContext, p: DepositBondParameters): Promise<WriteResult> {
  if (p.amount <= 0n) throw new InvalidParameterError("depositPosterBond", "amount must be positive");
  const distributor = contractAddress(ctx.deployment, "RewardsDistributor");
  await ensureAllowance(ctx, { spender: distributor, amount: p.amount });
  return writeContract(ctx, "depositPosterBond", {
    address: distributor,
    abi: rewardsDistributorAbi,
    functionName: "depositBond",
    args: [p.amount],
  });
}

export async function postRoot(ctx: LineageContext, p: PostRootParameters): Promise<PostRootReturnType> {
  const res = await writeContract(ctx, "postRoot", {
    address: contractAddress(ctx.deployment, "RewardsDistributor"),
    abi: rewardsDistributorAbi,
    functionName: "postRoot",
    args: [p.epoch, p.epochEnd, p.tree.root, p.tree.totalAmount, p.tree.totalMerit, p.inputsCid],
  });
  const [ev] = parseEventLogs({ abi: rewardsDistributorAbi, eventName: "RootPosted", logs: res.receipt.logs });
  if (!ev) throw new LineageClientError("postRoot: no RootPosted event");
  return { ...res, index: ev.args.index };
}

/**
 * Publishes the tree's document (`sdk/payout` `publishPayoutTree`: chain, distributor, epoch, root, totals and the
 * whole `standard-v1` dump) to the content store, then posts the root with the document's CID as `inputsCid`: anyone
 * can fetch the tree, check it against the root and prove any account's leaf (the indexer serves merit proofs from it).
 */
export async function postPayoutRoot(ctx: LineageContext, p: PostPayoutRootParameters): Promise<PostPayoutRootReturnType> {
  if (p.epochEnd <= 0n) throw new InvalidParameterError("postPayoutRoot", "epochEnd must be positive");
  const published = await publishPayoutTree(p.store, {
    chainId: ctx.deployment.chainId,
    distributor: contractAddress(ctx.deployment, "RewardsDistributor"),
    epoch: p.epoch,
    epochEnd: p.epochEnd,
    tree: p.tree,
  });
  const res = await postRoot(ctx, { epoch: p.epoch, epochEnd: p.epochEnd, tree: p.tree, inputsCid: published.cid });
  return { ...res, inputsCid: published.cid, document: published.document, documentBytes: published.size };
}

export async function finalizeRoot(ctx: LineageContext, p: { index: bigint }): Promise<WriteResult> {
  return writeContract(ctx, "finalizeRoot", {
    address: contractAddress(ctx.deployment, "RewardsDistributor"),
    abi: rewardsDistributorAbi,
    functionName: "finalize",
    args: [p.index],
  });
}

export async function claim(ctx: LineageContext, p: ClaimParameters): Promise<ClaimReturnType> {
  const account = p.account ?? walletOf(ctx, "claim").account.address;
  const entry = p.tree.entryOf(account);
  if (!entry) throw new InvalidParameterError("claim", `${account} has no leaf in this tree`);
  const res = await writeContract(ctx, "claim", {
    address: contractAddress(ctx.deployment, "RewardsDistributor"),
    abi: rewardsDistributorAbi,
    functionName: "claim",
    args: [account, entry.cumulativeAmount, entry.merit, p.tree.proof(account) as Hex[]],
  });
  const [ev] = parseEventLogs({ abi: rewardsDistributorAbi, eventName: "Claimed", logs: res.receipt.logs });
  return { ...res, amount: ev?.args.amount ?? 0n };
}
