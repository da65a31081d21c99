// SPDX-License-Identifier: MIT
/** The node housekeeper's configuration (one zod-checked object). */
import { z } from "zod";

const wei = z.union([z.bigint(), z.string().regex(/^[0-9]+$/), z.number().int().nonnegative()]).transform((v) => BigInt(v)).pipe(z.bigint().nonnegative());

export const housekeepingConfigSchema = z.object({
  /** Redeem when the vouchers' unredeemed total reaches this (OPEN wei): below it the gas costs more than it is worth. */
  redeemThreshold: wei.default(0n),
  /** Redeem a closing channel's voucher, whatever the threshold, once its notice ends within this many seconds. */
  closeMarginSeconds: z.number().int().positive().default(15 * 60),
  /** At most this many vouchers per `redeemMany` transaction. */
  maxBatch: z.number().int().positive().max(500).default(100),
  /** Flush the node's pending reward to the staking registry when it reaches this (OPEN wei; 0 = whenever non-zero). */
  flushThreshold: wei.default(0n),
  /**
   * The epoch clock of the settlement policy (PROTOCOL.md, "Epoch settlement"): boundaries at `genesis + n x length`
   * (unix seconds, chain clock), numbered from 1; receipts are published after an epoch's end and before end + grace.
   */
  epoch: z.object({
    genesis: z.number().int().nonnegative(),
    length: z.number().int().positive(),
    grace: z.number().int().nonnegative(),
  }),
  /** Node clock -> chain clock (ms added to journal times and `Date.now()`); 0 on a live chain. */
  clockOffsetMs: z.number().int().default(0),
  /** Epochs before this one are never published (e.g. the epoch the node started serving in). */
  firstEpoch: z.number().int().positive().default(1),
  /** How often the housekeeper runs (ms). */
  intervalMs: z.number().int().positive().default(30_000),
});
export type HousekeepingConfig = z.output<typeof housekeepingConfigSchema>;
export type HousekeepingConfigInput = z.input<typeof housekeepingConfigSchema>;
