// SPDX-License-Identifier: MIT
/**
 * Batch attribution for keepers: many receipts, bounded concurrency (p-queue: transcripts are fetched while others
 * are attributed), one record per receipt in input order, identical (model, prompt, response) exchanges computed
 * once, and the seeded sample of PROTOCOL.md ("Sampling": seed = the hash of the block at the epoch's end).
 */
import PQueue from "p-queue";
import { createHash } from "node:crypto";
import type { Hex32 } from "../../sdk/content/index.ts";
import { attributeExchange, AttributionError, type Exchange, type methodScores, type ModelContext } from "./attribute.ts";
import { type AttributionRecord, recordBytes } from "./record.ts";

export interface ReceiptJob {
  receipt: Hex32;
  modelId: bigint;
  /** The exchange, or a loader for it (e.g. GET /v1/transcripts/<receipt digest>). */
  exchange: Omit<Exchange, "receipt"> | (() => Promise<Omit<Exchange, "receipt">>);
}

export interface BatchOptions {
  /** Jobs in flight at once (default 4). */
  concurrency?: number;
  onRecord?: (done: number, total: number) => void;
}

export interface BatchResult {
  records: AttributionRecord[];
  /** Canonical bytes of each record (what is published). */
  bytes: Uint8Array[];
}

export async function attributeBatch(models: ReadonlyMap<bigint, ModelContext>, jobs: readonly ReceiptJob[], o: BatchOptions = {}): Promise<BatchResult> {
  const concurrency = o.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new AttributionError(`concurrency must be a positive integer, got ${concurrency}`);
  for (const j of jobs) if (!models.has(j.modelId)) throw new AttributionError(`receipt ${j.receipt}: no context for model ${j.modelId}`);
  const queue = new PQueue({ concurrency });
  const caches = new Map<bigint, Map<string, ReturnType<typeof methodScores>>>();
  const records: AttributionRecord[] = new Array(jobs.length);
  let done = 0;
  await Promise.all(
    jobs.map((j, i) =>
      queue.add(async () => {
        const ex = typeof j.exchange === "function" ? await j.exchange() : j.exchange;
        const ctx = models.get(j.modelId)!;
        let cache = caches.get(j.modelId);
        if (!cache) caches.set(j.modelId, (cache = new Map()));
        records[i] = attributeExchange(ctx, { ...ex, receipt: j.receipt }, cache);
        o.onRecord?.(++done, jobs.length);
      }),
    ),
  );
  return { records, bytes: records.map(recordBytes) };
}

/**
 * Whether a receipt is in the epoch's sample: sha2-256(seed || receipt) read as a 64-bit integer is below
 * rate x 2^64. Everyone with the block hash redoes the same sample.
 */
export function inSample(seed: Hex32, receipt: Hex32, rate: number): boolean {
  if (!(rate >= 0 && rate <= 1)) throw new AttributionError(`sample rate must be in [0, 1], got ${rate}`);
  if (rate === 1) return true;
  const h = createHash("sha256").update(Buffer.from(seed.slice(2), "hex")).update(Buffer.from(receipt.slice(2), "hex")).digest();
  const x = h.readBigUInt64BE(0);
  return x < BigInt(Math.floor(rate * 2 ** 53)) * 2n ** 11n;
}

export function sampleReceipts<T extends { receipt: Hex32 }>(items: readonly T[], seed: Hex32, rate: number): T[] {
  return items.filter((r) => inSample(seed, r.receipt, rate));
}

/** The sample rate that lets `recordsPerSecond` attribute `receipts` within `epochSeconds` (capped at 1). */
export function sampleRateFor(receipts: number, epochSeconds: number, recordsPerSecond: number): number {
  return Math.min(1, (recordsPerSecond * epochSeconds) / receipts);
}
