// SPDX-License-Identifier: MIT
/**
 * Paid inference: a payer opens a channel to a node for a model, signs cumulative vouchers (EIP-712, `sdk/payout`),
 * the node redeems them (the amount splits to treasury, node, model owner and the data contributors' pool).
 */
import { isAddress, parseEventLogs, type Address } from "viem";
import { paymentChannelsAbi } from "../../abi/index.ts";
import { contractAddress } from "../../addresses/index.ts";
import { signVoucher as signPayoutVoucher, type SignedVoucher } from "../../payout/index.ts";
import { walletOf, writeContract, type LineageContext, type WriteResult } from "../context.ts";
import { InvalidParameterError, LineageClientError, type ContractRevertError, type TransactionFailedError } from "../errors.ts";
import { ensureAllowance } from "./ensureAllowance.ts";

export interface OpenChannelParameters {
  node: Address;
  modelId: bigint;
  /** OPEN wei deposited. */
  deposit: bigint;
  /** Who signs vouchers (default: the payer). */
  signer?: Address;
}
export type OpenChannelReturnType = WriteResult & { channelId: bigint };
export interface SignVoucherParameters {
  channelId: bigint;
  /** Total paid on the channel so far, including this payment. */
  cumulativeAmount: bigint;
}
export type SignVoucherReturnType = SignedVoucher;
export type RedeemVoucherParameters = SignedVoucher;
export type RedeemVoucherReturnType = WriteResult & { amount: bigint };
export type ChannelErrorType = InvalidParameterError | ContractRevertError | TransactionFailedError;

export async function openChannel(ctx: LineageContext, p: OpenChannelParameters): Promise<OpenChannelReturnType> {
  if (!isAddress(p.node)) throw new InvalidParameterError("openChannel", `node ${String(p.node)} is not an address`);
  if (p.deposit <= 0n) throw new InvalidParameterError("openChannel", "deposit must be positive");
  const channels = contractAddress(ctx.deployment, "PaymentChannels");
  const signer = p.signer ?? walletOf(ctx, "openChannel").account.address;
  await ensureAllowance(ctx, { spender: channels, amount: p.deposit });
  const res = await writeContract(ctx, "openChannel", {
    address: channels,
    abi: paymentChannelsAbi,
    functionName: "open",
    args: [p.node, p.modelId, signer, p.deposit],
  });
  const [ev] = parseEventLogs({ abi: paymentChannelsAbi, eventName: "ChannelOpened", logs: res.receipt.logs });
  if (!ev) throw new LineageClientError("openChannel: no ChannelOpened event");
  return { ...res, channelId: ev.args.channelId };
}

/** Signs a voucher with the wallet's account (the channel's signer); nothing is sent. */
export async function signVoucher(ctx: LineageContext, p: SignVoucherParameters): Promise<SignVoucherReturnType> {
  if (p.cumulativeAmount <= 0n) throw new InvalidParameterError("signVoucher", "cumulativeAmount must be positive");
  const wallet = walletOf(ctx, "signVoucher");
  return signPayoutVoucher(
    { address: wallet.account.address, signTypedData: (args) => wallet.signTypedData({ ...args, account: wallet.account } as never) },
    { channelId: p.channelId, cumulativeAmount: p.cumulativeAmount },
    { chainId: ctx.deployment.chainId, verifyingContract: contractAddress(ctx.deployment, "PaymentChannels") },
  );
}

/** Redeems a voucher (the channel's node); returns the newly paid amount. */
export async function redeemVoucher(ctx: LineageContext, p: RedeemVoucherParameters): Promise<RedeemVoucherReturnType> {
  const res = await writeContract(ctx, "redeemVoucher", {
    address: contractAddress(ctx.deployment, "PaymentChannels"),
    abi: paymentChannelsAbi,
    functionName: "redeem",
    args: [p.channelId, p.cumulativeAmount, p.signature],
  });
  const [ev] = parseEventLogs({ abi: paymentChannelsAbi, eventName: "VoucherRedeemed", logs: res.receipt.logs });
  return { ...res, amount: ev?.args.amount ?? 0n };
}

/** Sends model `modelId`'s pending data-contributors' pool to the RewardsDistributor (anyone). */
export async function flushPool(ctx: LineageContext, p: { modelId: bigint }): Promise<WriteResult> {
  return writeContract(ctx, "flushPool", {
    address: contractAddress(ctx.deployment, "PaymentChannels"),
    abi: paymentChannelsAbi,
    functionName: "flushPool",
    args: [p.modelId],
  });
}

export interface RedeemVouchersParameters {
  /** Vouchers of any channels (one per channel: the latest), redeemed in one `redeemMany` call. */
  vouchers: readonly SignedVoucher[];
}
export type RedeemVouchersReturnType = WriteResult & { total: bigint; redeemed: { channelId: bigint; amount: bigint; redeemed: bigint }[] };

/** Redeems several vouchers in one transaction (`redeemMany`; reverts as a whole if one fails). */
export async function redeemVouchers(ctx: LineageContext, p: RedeemVouchersParameters): Promise<RedeemVouchersReturnType> {
  if (p.vouchers.length === 0) throw new InvalidParameterError("redeemVouchers", "no voucher given");
  const ids = new Set(p.vouchers.map((v) => v.channelId));
  if (ids.size !== p.vouchers.length) throw new InvalidParameterError("redeemVouchers", "one voucher per channel");
  const res = await writeContract(ctx, "redeemVouchers", {
    address: contractAddress(ctx.deployment, "PaymentChannels"),
    abi: paymentChannelsAbi,
    functionName: "redeemMany",
    args: [p.vouchers.map((v) => ({ channelId: v.channelId, cumulativeAmount: v.cumulativeAmount, signature: v.signature }))],
  });
  const evs = parseEventLogs({ abi: paymentChannelsAbi, eventName: "VoucherRedeemed", logs: res.receipt.logs });
  const redeemed = evs.map((e) => ({ channelId: e.args.channelId, amount: e.args.amount, redeemed: e.args.redeemed }));
  return { ...res, total: redeemed.reduce((s, r) => s + r.amount, 0n), redeemed };
}

/** Hands `node`'s pending reward to the staking registry (commission to the operator, the rest to delegators). */
export async function flushNodeReward(ctx: LineageContext, p: { node: Address }): Promise<WriteResult & { amount: bigint }> {
  if (!isAddress(p.node)) throw new InvalidParameterError("flushNodeReward", `node ${String(p.node)} is not an address`);
  const res = await writeContract(ctx, "flushNodeReward", {
    address: contractAddress(ctx.deployment, "PaymentChannels"),
    abi: paymentChannelsAbi,
    functionName: "flushNodeReward",
    args: [p.node],
  });
  const [ev] = parseEventLogs({ abi: paymentChannelsAbi, eventName: "NodeRewardFlushed", logs: res.receipt.logs });
  return { ...res, amount: ev?.args.amount ?? 0n };
}

export interface AnnounceReceiptsParameters {
  /** The epoch (from 1). */
  epoch: bigint;
  /** sha2-256 digest of the published receipts index (its CIDv1 raw is the content store's CID). */
  digest: `0x${string}`;
}

/** Announces the wallet's (the node's) receipts of `epoch` (`PaymentChannels.announceReceipts`; once per epoch). */
export async function announceReceipts(ctx: LineageContext, p: AnnounceReceiptsParameters): Promise<WriteResult> {
  if (p.epoch < 1n) throw new InvalidParameterError("announceReceipts", "epochs are numbered from 1");
  if (!/^0x[0-9a-fA-F]{64}$/.test(p.digest) || /^0x0{64}$/.test(p.digest)) {
    throw new InvalidParameterError("announceReceipts", "digest must be a non-zero bytes32");
  }
  return writeContract(ctx, "announceReceipts", {
    address: contractAddress(ctx.deployment, "PaymentChannels"),
    abi: paymentChannelsAbi,
    functionName: "announceReceipts",
    args: [p.epoch, p.digest],
  });
}
