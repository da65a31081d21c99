// SPDX-License-Identifier: MIT
/**
 * Shares of an attribution record (PROTOCOL.md, "Attribution records"): integer parts per million summing to
 * exactly 1,000,000 by largest remainder (ties to the lower contribution id), at most 64 entries, sorted by
 * contribution id, flagged contributions removed first. No positive influence -> no shares.
 *
 * Scores are quantised before anything is ranked (`quantizeScore`), and the split is done in exact integer
 * arithmetic (BigInt), so the same scores give the same shares on any machine.
 */
export const PPM_TOTAL = 1_000_000;
export const MAX_SHARES = 64;
/** Significant digits kept when a score is quantised (rounding before ranking). */
export const SCORE_DIGITS = 9;
/** Integer resolution of the weights the ppm split works on (relative to the largest kept score). */
const WEIGHT_SCALE = 1_000_000_000_000n;

export interface Share {
  contributionId: bigint;
  ppm: number;
}

export interface ScoredContribution {
  contributionId: bigint;
  score: number;
}

export class SharesError extends Error {
  override name = "SharesError";
}

/** A score rounded to SCORE_DIGITS significant digits (NaN/Infinity refused). */
export function quantizeScore(x: number): number {
  if (!Number.isFinite(x)) throw new SharesError(`score must be finite, got ${x}`);
  if (x === 0) return 0;
  return Number(x.toPrecision(SCORE_DIGITS));
}

const byId = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

/** Rank: score descending, ties to the lower contribution id. */
export function rankScores<T extends ScoredContribution>(scores: readonly T[]): T[] {
  return [...scores].sort((a, b) => (b.score !== a.score ? b.score - a.score : byId(a.contributionId, b.contributionId)));
}

export interface SharesOptions {
  /** Contributions that earn nothing (quality document). */
  flagged?: ReadonlySet<bigint>;
  /** At most this many entries (<= 64). */
  maxEntries?: number;
  /** Drop kept scores below this fraction of the largest one (0 = keep every positive score). */
  minRelative?: number;
}

/**
 * The record's shares from per-contribution scores. Scores of one contribution listed twice are refused; flagged
 * and non-positive scores are dropped; the top `maxEntries` (after quantisation, ties to the lower id) are split
 * by largest remainder. Returns [] when nothing positive is left.
 */
export function computeShares(scores: readonly ScoredContribution[], opts: SharesOptions = {}): Share[] {
  const maxEntries = opts.maxEntries ?? MAX_SHARES;
  if (!Number.isInteger(maxEntries) || maxEntries < 1 || maxEntries > MAX_SHARES) throw new SharesError(`maxEntries must be in [1, ${MAX_SHARES}], got ${maxEntries}`);
  const minRelative = opts.minRelative ?? 0;
  if (!(minRelative >= 0 && minRelative < 1)) throw new SharesError(`minRelative must be in [0, 1), got ${minRelative}`);
  const seen = new Set<bigint>();
  const kept: ScoredContribution[] = [];
  for (const s of scores) {
    if (typeof s.contributionId !== "bigint" || s.contributionId < 0n) throw new SharesError(`contribution id must be a non-negative bigint`);
    if (seen.has(s.contributionId)) throw new SharesError(`contribution ${s.contributionId} scored twice`);
    seen.add(s.contributionId);
    const q = quantizeScore(s.score);
    if (q > 0 && !opts.flagged?.has(s.contributionId)) kept.push({ contributionId: s.contributionId, score: q });
  }
  if (kept.length === 0) return [];
  let top = rankScores(kept).slice(0, maxEntries);
  const max = top[0]!.score;
  if (minRelative > 0) top = top.filter((s) => s.score >= max * minRelative);
  // integer weights relative to the largest score (exact from here on)
  const weights = top.map((s) => ({ id: s.contributionId, w: BigInt(Math.round((s.score / max) * Number(WEIGHT_SCALE))) })).filter((x) => x.w > 0n);
  const total = weights.reduce((a, x) => a + x.w, 0n);
  const ppmTotal = BigInt(PPM_TOTAL);
  const parts = weights.map((x) => ({ id: x.id, ppm: (x.w * ppmTotal) / total, rem: (x.w * ppmTotal) % total }));
  let left = ppmTotal - parts.reduce((a, p) => a + p.ppm, 0n);
  const order = [...parts].sort((a, b) => (a.rem !== b.rem ? (b.rem > a.rem ? 1 : -1) : byId(a.id, b.id)));
  for (const p of order) {
    if (left === 0n) break;
    p.ppm += 1n;
    left -= 1n;
  }
  return parts
    .filter((p) => p.ppm > 0n)
    .map((p) => ({ contributionId: p.id, ppm: Number(p.ppm) }))
    .sort((a, b) => byId(a.contributionId, b.contributionId));
}
