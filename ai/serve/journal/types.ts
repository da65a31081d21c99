// SPDX-License-Identifier: MIT
/**
 * The node's receipt log as other components read it (the HTTP feed, epoch publishing and voucher redemption in
 * `ai/serve/housekeeping/`). The journal that implements it appends each signed receipt durably (fsync, group commit)
 * before the response's last byte; entries are never rewritten, cursors are dense and start at 1.
 */
import type { Hex } from "viem";
import type { ServedReceipt, SignedVoucherLike, Transcript } from "../../../sdk/serving/index.ts";

/** One journaled receipt. */
export interface JournalEntry {
  /** Position in the journal (1-based, dense, never reused). */
  cursor: number;
  /** When the receipt was journaled (unix milliseconds, node clock). */
  time: number;
  receipt: ServedReceipt;
}

/** Read access to the journal, for the feed and housekeeping. */
export interface ReceiptLog {
  /** The last cursor written (0 when empty). */
  head(): number;
  /** Up to `limit` entries with `cursor > after`, in journal order. */
  entries(after: number, limit: number): Promise<JournalEntry[]>;
  /** Entries journaled in `[fromMs, toMs)` (node clock), in journal order: an epoch's receipts. */
  between(fromMs: number, toMs: number): Promise<JournalEntry[]>;
  /** The exchange a receipt commits to, by the receipt's EIP-712 digest (undefined when unknown). */
  transcript(digest: Hex): Promise<Transcript | undefined>;
  /** The latest (highest-amount) voucher the node accepted on each channel: what it can redeem. */
  vouchers(): Promise<SignedVoucherLike[]>;
  /** The last receipt of a channel (undefined when none): its `cumulativeAmount` is what the node metered. */
  lastReceipt(channelId: bigint): ServedReceipt | undefined;
}
