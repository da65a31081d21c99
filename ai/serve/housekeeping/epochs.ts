// SPDX-License-Identifier: MIT
/** Epoch arithmetic: epoch n (from 1) covers `[genesis + (n-1) x length, genesis + n x length)` on the chain's clock. */

export interface EpochClock {
  genesis: number;
  length: number;
  grace: number;
}

/** The epoch containing `seconds` (0 before genesis). */
export function epochAt(clock: EpochClock, seconds: number): number {
  if (seconds < clock.genesis) return 0;
  return Math.floor((seconds - clock.genesis) / clock.length) + 1;
}

/** Epoch `n`'s bounds in unix seconds: `[start, end)`. */
export function epochBounds(clock: EpochClock, n: number): { start: number; end: number } {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`epochs are numbered from 1 (got ${n})`);
  const start = clock.genesis + (n - 1) * clock.length;
  return { start, end: start + clock.length };
}

/** The last epoch that has ended at `seconds` (0 if none). */
export function lastEndedEpoch(clock: EpochClock, seconds: number): number {
  return Math.max(0, epochAt(clock, seconds) - 1);
}
