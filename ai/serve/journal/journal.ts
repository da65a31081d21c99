// SPDX-License-Identifier: MIT
/**
 * The node's durable receipt journal: one append-only NDJSON file of receipt records (with their transcripts) and
 * accepted vouchers. Appends are group-committed: every record queued while a write is in flight goes out in the
 * next single write + fdatasync, and each append resolves only once its bytes are on disk. A torn last line (a
 * crash mid-write) is cut off at open; a corrupt line elsewhere stops the open with an error (nothing is rewritten).
 * Receipts are appended in the order their `seq` was assigned, so a crash loses at most a suffix of records never
 * answered to anyone, and the next `seq` of a channel continues after the last one on disk.
 */
import { open, mkdir, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { Hex } from "viem";
import { z } from "zod";
import {
  canonicalTranscript,
  receiptFromWire,
  receiptToWire,
  wireReceiptSchema,
  wireVoucherSchema,
  type ServedReceipt,
  type SignedVoucherLike,
  type Transcript,
} from "../../../sdk/serving/index.ts";
import type { JournalEntry, ReceiptLog } from "./types.ts";

export class JournalError extends Error {
  override name = "JournalError";
}

const receiptRecord = z.object({ t: z.literal("r"), cursor: z.number().int().positive(), time: z.number().int(), receipt: wireReceiptSchema, transcript: z.string() });
const voucherRecord = z.object({ t: z.literal("v") }).extend(wireVoucherSchema.shape);
const record = z.discriminatedUnion("t", [receiptRecord, voucherRecord]);

interface Located extends JournalEntry {
  /** Byte offset and length of the record's line in the file (to read its transcript back). */
  offset: number;
  length: number;
  /** On disk (fsynced). */
  durable: boolean;
}

export const JOURNAL_FILE = "journal.ndjson";

export class FileJournal implements ReceiptLog {
  private readonly list: Located[] = [];
  private readonly byDigest = new Map<string, Located>();
  private readonly byChannel = new Map<bigint, Located[]>();
  private readonly bestVoucher = new Map<bigint, SignedVoucherLike>();
  private size: number;
  private queue: Array<{ bytes: Buffer; done: (e?: Error) => void }> = [];
  private writing = false;
  private closed = false;
  /** Group commits performed (for metrics and the benchmark). */
  commits = 0;

  private constructor(private readonly fh: FileHandle, size: number, readonly path: string) {
    this.size = size;
  }

  /** Opens (creating) `<dir>/journal.ndjson`, replaying it. */
  static async open(dir: string): Promise<FileJournal> {
    await mkdir(dir, { recursive: true });
    const path = join(dir, JOURNAL_FILE);
    const fh = await open(path, "a+");
    const data = await fh.readFile();
    let end = data.lastIndexOf(0x0a) + 1; // bytes after the last newline are a torn write
    const j = new FileJournal(fh, 0, path);
    let offset = 0;
    const lines = data.subarray(0, end).toString("utf8").split("\n");
    lines.pop();
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const length = Buffer.byteLength(line) + 1;
      let parsed: z.infer<typeof record>;
      try {
        parsed = record.parse(JSON.parse(line));
      } catch (e) {
        if (i === lines.length - 1) {
          end = offset; // a torn last line that happened to end in a newline byte: cut it too
          break;
        }
        throw new JournalError(`${path}: record ${i + 1} is corrupt (${(e as Error).message.slice(0, 200)})`);
      }
      j.index(parsed, offset, length);
      offset += length;
    }
    if (end < data.length) await fh.truncate(end);
    j.size = end;
    return j;
  }

  private index(r: z.infer<typeof record>, offset: number, length: number): void {
    if (r.t === "v") {
      const v = { channelId: BigInt(r.channelId), cumulativeAmount: BigInt(r.cumulativeAmount), signature: r.signature };
      const prev = this.bestVoucher.get(v.channelId);
      if (!prev || prev.cumulativeAmount < v.cumulativeAmount) this.bestVoucher.set(v.channelId, v);
      return;
    }
    if (r.cursor !== this.list.length + 1) throw new JournalError(`${this.path}: cursor ${r.cursor} out of order (expected ${this.list.length + 1})`);
    const receipt = receiptFromWire(r.receipt);
    const e: Located = { cursor: r.cursor, time: r.time, receipt, offset, length, durable: true };
    this.add(e);
  }

  private add(e: Located): void {
    const prev = this.lastReceipt(e.receipt.channelId);
    if (prev && (e.receipt.seq <= prev.seq || e.receipt.cumulativeAmount < prev.cumulativeAmount)) {
      throw new JournalError(`receipt seq ${e.receipt.seq} (amount ${e.receipt.cumulativeAmount}) on channel ${e.receipt.channelId} after seq ${prev.seq} (amount ${prev.cumulativeAmount})`);
    }
    this.list.push(e);
    this.byDigest.set(e.receipt.digest.toLowerCase(), e);
    const ch = this.byChannel.get(e.receipt.channelId);
    if (ch) ch.push(e);
    else this.byChannel.set(e.receipt.channelId, [e]);
  }

  /* WRITES */

  /**
   * Appends a signed receipt and its transcript; resolves once durable. The receipt is indexed at once (so the
   * channel's next `seq` follows it even before the write completes); call under the channel's lock.
   */
  appendReceipt(receipt: ServedReceipt, transcript: Transcript): Promise<JournalEntry> {
    if (this.closed) return Promise.reject(new JournalError("journal closed"));
    const cursor = this.list.length + 1;
    const time = Date.now();
    const line = Buffer.from(`${JSON.stringify({ t: "r", cursor, time, receipt: receiptToWire(receipt), transcript: canonicalTranscript(transcript) })}\n`);
    const e: Located = { cursor, time, receipt, offset: -1, length: line.length, durable: false };
    this.add(e);
    return this.enqueue(line, (offset) => (e.offset = offset)).then(() => {
      e.durable = true;
      return { cursor, time, receipt };
    });
  }

  /** Records a voucher when it beats the channel's best one (durable with the next group commit). */
  recordVoucher(v: SignedVoucherLike): Promise<void> {
    const prev = this.bestVoucher.get(v.channelId);
    if (prev && prev.cumulativeAmount >= v.cumulativeAmount) return Promise.resolve();
    this.bestVoucher.set(v.channelId, v);
    if (this.closed) return Promise.resolve();
    const line = Buffer.from(`${JSON.stringify({ t: "v", channelId: v.channelId.toString(), cumulativeAmount: v.cumulativeAmount.toString(), signature: v.signature })}\n`);
    return this.enqueue(line);
  }

  private enqueue(bytes: Buffer, placed?: (offset: number) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const offset = this.size;
      this.size += bytes.length;
      placed?.(offset);
      this.queue.push({ bytes, done: (e) => (e ? reject(e) : resolve()) });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        try {
          await this.fh.write(Buffer.concat(batch.map((b) => b.bytes)));
          await this.fh.datasync();
          this.commits++;
          for (const b of batch) b.done();
        } catch (e) {
          for (const b of batch) b.done(e as Error);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  /* READS */

  head(): number {
    return this.list.length;
  }

  async entries(after: number, limit: number): Promise<JournalEntry[]> {
    const from = Math.max(0, Math.floor(after));
    const out: JournalEntry[] = [];
    for (let i = from; i < this.list.length && out.length < Math.max(0, Math.floor(limit)); i++) {
      const e = this.list[i]!;
      if (!e.durable) break; // the feed serves only what is on disk, in order
      out.push(strip(e));
    }
    return out;
  }

  async between(fromMs: number, toMs: number): Promise<JournalEntry[]> {
    return this.list.filter((e) => e.durable && e.time >= fromMs && e.time < toMs).map(strip);
  }

  async transcript(digest: Hex): Promise<Transcript | undefined> {
    const e = this.byDigest.get(digest.toLowerCase());
    if (!e || !e.durable) return undefined;
    const buf = Buffer.alloc(e.length);
    await this.fh.read(buf, 0, e.length, e.offset);
    const r = receiptRecord.parse(JSON.parse(buf.toString("utf8")));
    return JSON.parse(r.transcript) as Transcript;
  }

  /** The canonical JSON bytes of a transcript (exactly what `requestHash` hashed). */
  async transcriptText(digest: Hex): Promise<string | undefined> {
    const e = this.byDigest.get(digest.toLowerCase());
    if (!e || !e.durable) return undefined;
    const buf = Buffer.alloc(e.length);
    await this.fh.read(buf, 0, e.length, e.offset);
    return receiptRecord.parse(JSON.parse(buf.toString("utf8"))).transcript;
  }

  async vouchers(): Promise<SignedVoucherLike[]> {
    return [...this.bestVoucher.values()];
  }

  lastReceipt(channelId: bigint): ServedReceipt | undefined {
    const ch = this.byChannel.get(channelId);
    return ch?.[ch.length - 1]?.receipt;
  }

  /** The channel's receipts whose amount the given voucher does not cover (what the client has not acknowledged). */
  unacknowledged(channelId: bigint, voucherAmount: bigint, max = 16): ServedReceipt[] {
    const ch = this.byChannel.get(channelId) ?? [];
    return ch.filter((e) => e.receipt.cumulativeAmount > voucherAmount).slice(-max).map((e) => e.receipt);
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.writing || this.queue.length > 0) await new Promise((r) => setTimeout(r, 5));
    await this.fh.close();
  }
}

function strip(e: Located): JournalEntry {
  return { cursor: e.cursor, time: e.time, receipt: e.receipt };
}
