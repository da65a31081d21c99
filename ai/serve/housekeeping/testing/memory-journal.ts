// SPDX-License-Identifier: MIT
/**
 * TEST FIXTURE: an in-memory `ReceiptLog` (the journal interface of `ai/serve/journal/types.ts`) for the housekeeper's
 * tests, filled by the test with real signed receipts and vouchers. Not durable; the server's journal is.
 */
import type { Hex } from "viem";
import type { ServedReceipt, SignedVoucherLike, Transcript } from "../../../../sdk/serving/index.ts";
import type { JournalEntry, ReceiptLog } from "../../journal/types.ts";

export class MemoryReceiptLog implements ReceiptLog {
  readonly list: JournalEntry[] = [];
  private readonly texts = new Map<string, Transcript>();
  private readonly latest = new Map<bigint, SignedVoucherLike>();

  append(receipt: ServedReceipt, time: number, transcript?: Transcript): JournalEntry {
    const e = { cursor: this.list.length + 1, time, receipt };
    this.list.push(e);
    if (transcript) this.texts.set(receipt.digest.toLowerCase(), transcript);
    return e;
  }
  acceptVoucher(v: SignedVoucherLike): void {
    const prev = this.latest.get(v.channelId);
    if (!prev || v.cumulativeAmount > prev.cumulativeAmount) this.latest.set(v.channelId, v);
  }
  head(): number {
    return this.list.length;
  }
  async entries(after: number, limit: number): Promise<JournalEntry[]> {
    return this.list.filter((e) => e.cursor > after).slice(0, limit);
  }
  async between(fromMs: number, toMs: number): Promise<JournalEntry[]> {
    return this.list.filter((e) => e.time >= fromMs && e.time < toMs);
  }
  async transcript(digest: Hex): Promise<Transcript | undefined> {
    return this.texts.get(digest.toLowerCase());
  }
  async vouchers(): Promise<SignedVoucherLike[]> {
    return [...this.latest.values()];
  }
  lastReceipt(channelId: bigint): ServedReceipt | undefined {
    return this.list.filter((e) => e.receipt.channelId === channelId).at(-1)?.receipt;
  }
}
