// SPDX-License-Identifier: MIT
/**
 * Near-duplicate detection by MinHash over token shingles (Broder 1997) with LSH banding: each contribution's
 * tokens are cut into w-token shingles; `hashes` seeded hash functions give a signature whose agreement estimates
 * the Jaccard similarity of the shingle sets; bands of `rows` hashes bucket candidate pairs, which are then checked
 * on the full signature. Deterministic (counter-based hashes of the seed).
 */
import { mixSeed } from "../../train/data.ts";

export interface MinHashOptions {
  shingle?: number;
  hashes?: number;
  rows?: number;
  seed?: number;
}

export const MINHASH_DEFAULTS = { shingle: 5, hashes: 64, rows: 4, seed: 1 } as const;

function shingleHashes(tokens: readonly number[], w: number): Uint32Array {
  if (tokens.length === 0) return new Uint32Array(0);
  const k = Math.min(w, tokens.length);
  const out = new Set<number>();
  for (let i = 0; i + k <= tokens.length; i++) {
    let h = 0x9e3779b9;
    for (let j = 0; j < k; j++) h = mixSeed(h, tokens[i + j]!);
    out.add(h);
  }
  return Uint32Array.from([...out]);
}

export function minhashSignature(tokens: readonly number[], o: MinHashOptions = {}): Uint32Array {
  const { shingle, hashes, seed } = { ...MINHASH_DEFAULTS, ...o };
  const sh = shingleHashes(tokens, shingle);
  const sig = new Uint32Array(hashes).fill(0xffffffff);
  for (let j = 0; j < hashes; j++) {
    const sj = mixSeed(seed, j);
    let m = 0xffffffff;
    for (let i = 0; i < sh.length; i++) {
      const h = mixSeed(sj, sh[i]!);
      if (h < m) m = h;
    }
    sig[j] = m;
  }
  return sig;
}

export function signatureSimilarity(a: Uint32Array, b: Uint32Array): number {
  let eq = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) eq++;
  return eq / a.length;
}

export interface NearDuplicate {
  /** The later contribution (higher id), flagged. */
  contributionId: bigint;
  /** The earliest similar contribution (lower id), which keeps earning. */
  of: bigint;
  similarity: number;
}

/**
 * Pairs with estimated Jaccard >= threshold; each later contribution is reported once, against the lowest id it
 * resembles. Input: contributions with their tokens (any order).
 */
export function nearDuplicates(docs: readonly { contributionId: bigint; tokens: readonly number[] }[], threshold = 0.8, o: MinHashOptions = {}): NearDuplicate[] {
  const { hashes, rows } = { ...MINHASH_DEFAULTS, ...o };
  if (hashes % rows !== 0) throw new Error("minhash: hashes must be a multiple of rows");
  const sorted = [...docs].sort((a, b) => (a.contributionId < b.contributionId ? -1 : a.contributionId > b.contributionId ? 1 : 0));
  const sigs = sorted.map((d) => minhashSignature(d.tokens, o));
  const buckets = new Map<string, number[]>();
  const best = new Map<number, { of: number; sim: number }>();
  for (let i = 0; i < sorted.length; i++) {
    if (sorted[i]!.tokens.length === 0) continue;
    const cands = new Set<number>();
    for (let b = 0; b < hashes / rows; b++) {
      const key = `${b}:${Array.from(sigs[i]!.subarray(b * rows, (b + 1) * rows)).join(",")}`;
      const list = buckets.get(key);
      if (list) for (const j of list) cands.add(j);
      else buckets.set(key, []);
      buckets.get(key)!.push(i);
    }
    for (const j of [...cands].sort((a, b) => a - b)) {
      const sim = signatureSimilarity(sigs[i]!, sigs[j]!);
      if (sim >= threshold) {
        best.set(i, { of: j, sim });
        break; // lowest id first
      }
    }
  }
  return [...best].sort((a, b) => a[0] - b[0]).map(([i, { of, sim }]) => ({ contributionId: sorted[i]!.contributionId, of: sorted[of]!.contributionId, similarity: sim }));
}
