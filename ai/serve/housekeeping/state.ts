// SPDX-License-Identifier: MIT
/**
 * The housekeeper's own journal of epoch announcements, one small JSON file written atomically: per epoch, what was
 * published (the index digest) and whether the announcement was sent (its transaction hash) and mined. A crash between
 * any two steps resumes at the step it stopped in: publishing is deterministic (same receipts, same bytes, same
 * digest), and before sending, the chain is asked whether this node already announced the epoch.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { writeFileAtomic } from "../../../sdk/content/atomic.ts";

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/).transform((s) => s as `0x${string}`);

export const epochRecordSchema = z.discriminatedUnion("phase", [
  /** No receipt in the epoch: nothing to announce. */
  z.object({ phase: z.literal("empty"), epoch: z.number().int().positive() }),
  /** Published to the content store; not yet sent. */
  z.object({ phase: z.literal("published"), epoch: z.number().int().positive(), digest: hex32, count: z.number().int().positive() }),
  /** Announcement transaction sent (may not be mined). */
  z.object({ phase: z.literal("sent"), epoch: z.number().int().positive(), digest: hex32, count: z.number().int().positive(), txHash: hex32 }),
  /** Announced on-chain (`txHash` is absent when the chain already had it at resume). */
  z.object({ phase: z.literal("announced"), epoch: z.number().int().positive(), digest: hex32, count: z.number().int().positive(), txHash: hex32.optional() }),
  /** Too late (after end + grace) or announced with another digest: recorded and left alone. */
  z.object({ phase: z.literal("skipped"), epoch: z.number().int().positive(), reason: z.string() }),
]);
export type EpochRecord = z.infer<typeof epochRecordSchema>;

const fileSchema = z.object({ version: z.literal(1), epochs: z.record(z.string(), epochRecordSchema) });

export class HousekeepingState {
  private constructor(
    readonly path: string,
    private readonly epochs: Map<number, EpochRecord>,
  ) {}

  static async load(path: string): Promise<HousekeepingState> {
    let text: string | undefined;
    try {
      text = await readFile(path, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    const epochs = new Map<number, EpochRecord>();
    if (text !== undefined) {
      const parsed = fileSchema.parse(JSON.parse(text));
      for (const r of Object.values(parsed.epochs)) epochs.set(r.epoch, r);
    }
    return new HousekeepingState(path, epochs);
  }

  get(epoch: number): EpochRecord | undefined {
    return this.epochs.get(epoch);
  }

  /** Records a step durably (atomic rename after fsync) before the caller goes on. */
  async set(record: EpochRecord): Promise<void> {
    this.epochs.set(record.epoch, record);
    const out = { version: 1 as const, epochs: Object.fromEntries([...this.epochs].sort((a, b) => a[0] - b[0]).map(([k, v]) => [String(k), v])) };
    await writeFileAtomic(this.path, `${JSON.stringify(out, null, 1)}\n`);
  }

  /** Every epoch record, in epoch order. */
  all(): EpochRecord[] {
    return [...this.epochs.values()].sort((a, b) => a.epoch - b.epoch);
  }
}
