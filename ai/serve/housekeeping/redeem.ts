// SPDX-License-Identifier: MIT
/**
 * Voucher redemption: which of the node's latest vouchers to redeem now, batched in `redeemMany`. A batch goes out
 * when the unredeemed total reaches the threshold (worth the gas), and always when a channel's closing notice ends
 * within the margin (after it the payer may withdraw the deposit, and the voucher is worth nothing).
 */
import { isAddressEqual, type Address } from "viem";
import type { SignedVoucherLike } from "../../../sdk/serving/index.ts";

/** The on-chain state of a channel the plan needs (`PaymentChannels.channel`). */
export interface ChannelSnapshot {
  node: Address;
  deposit: bigint;
  redeemed: bigint;
  /** 0 while open; otherwise when the payer may withdraw (unix seconds). */
  closesAt: number;
  settled: boolean;
}

export interface RedemptionPlan {
  /** Batches to send, each at most `maxBatch` vouchers; closing channels first. */
  batches: SignedVoucherLike[][];
  /** What the plan pays in total (capped at each deposit). */
  total: bigint;
  /** Channels redeemed because their notice ends soon. */
  urgent: bigint[];
  /** What is redeemable but left for later (below the threshold). */
  deferred: bigint;
}

export function planRedemptions(
  vouchers: readonly SignedVoucherLike[],
  channels: ReadonlyMap<bigint, ChannelSnapshot>,
  self: Address,
  nowSeconds: number,
  cfg: { redeemThreshold: bigint; closeMarginSeconds: number; maxBatch: number },
): RedemptionPlan {
  const due: { v: SignedVoucherLike; pays: bigint; urgent: boolean }[] = [];
  for (const v of vouchers) {
    const c = channels.get(v.channelId);
    if (!c || c.settled || !isAddressEqual(c.node, self)) continue;
    const capped = v.cumulativeAmount < c.deposit ? v.cumulativeAmount : c.deposit;
    if (capped <= c.redeemed) continue;
    const urgent = c.closesAt !== 0 && c.closesAt - nowSeconds <= cfg.closeMarginSeconds;
    due.push({ v, pays: capped - c.redeemed, urgent });
  }
  const total = due.reduce((s, d) => s + d.pays, 0n);
  const urgent = due.filter((d) => d.urgent).map((d) => d.v.channelId);
  if (due.length === 0 || (urgent.length === 0 && total < cfg.redeemThreshold) || (total === 0n && urgent.length === 0)) {
    return { batches: [], total: 0n, urgent: [], deferred: total };
  }
  due.sort((a, b) => Number(b.urgent) - Number(a.urgent));
  const batches: SignedVoucherLike[][] = [];
  for (let i = 0; i < due.length; i += cfg.maxBatch) batches.push(due.slice(i, i + cfg.maxBatch).map((d) => d.v));
  return { batches, total, urgent, deferred: 0n };
}
