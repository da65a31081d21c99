// SPDX-License-Identifier: MIT
import { describe, expect, it } from "vitest";
import { Rng } from "../model/sampling.ts";
import { buildQuality, buildRecord, flaggedIds, parseRecordBytes, qualityDigest, recordBytes, recordDigest, RecordError } from "./record.ts";
import { computeShares, MAX_SHARES, PPM_TOTAL, quantizeScore, SharesError } from "./shares.ts";

const H = (c: string) => `0x${c.repeat(64)}` as `0x${string}`;
const method = { name: "datainf", version: 1, params: { damping: "0.1", k: 64 } };

describe("computeShares (property tests, seeded)", () => {
  it("sums to exactly 1,000,000, <= 64 entries, sorted by id, flagged removed, proportional within 1 ppm + remainder", () => {
    const rng = new Rng(42);
    for (let trial = 0; trial < 400; trial++) {
      const n = 1 + rng.int(150);
      const ids = new Set<bigint>();
      while (ids.size < n) ids.add(BigInt(rng.int(10_000)));
      const scores = [...ids].map((id) => ({ contributionId: id, score: (rng.next() - 0.3) * 10 ** (rng.int(12) - 6) }));
      const flagged = new Set([...ids].filter(() => rng.next() < 0.1));
      const shares = computeShares(scores, { flagged });
      const positive = scores.filter((s) => quantizeScore(s.score) > 0 && !flagged.has(s.contributionId));
      if (positive.length === 0) {
        expect(shares).toEqual([]);
        continue;
      }
      expect(shares.reduce((a, s) => a + s.ppm, 0)).toBe(PPM_TOTAL);
      expect(shares.length).toBeLessThanOrEqual(MAX_SHARES);
      for (let i = 1; i < shares.length; i++) expect(shares[i - 1]!.contributionId < shares[i]!.contributionId).toBe(true);
      for (const s of shares) {
        expect(flagged.has(s.contributionId)).toBe(false);
        expect(s.ppm).toBeGreaterThan(0);
      }
      // proportionality: compared with the exact real split over the kept (top 64) set
      const top = [...positive].sort((a, b) => b.score - a.score || (a.contributionId < b.contributionId ? -1 : 1)).slice(0, MAX_SHARES);
      const total = top.reduce((a, s) => a + s.score, 0);
      for (const s of shares) {
        const exact = (top.find((t) => t.contributionId === s.contributionId)!.score / total) * PPM_TOTAL;
        expect(Math.abs(s.ppm - exact)).toBeLessThan(1.01);
      }
    }
  });

  it("is invariant to input order and deterministic", () => {
    const rng = new Rng(7);
    const scores = Array.from({ length: 100 }, (_, i) => ({ contributionId: BigInt(i * 3 + 1), score: rng.next() }));
    const a = computeShares(scores);
    const shuffled = [...scores].reverse();
    expect(computeShares(shuffled)).toEqual(a);
  });

  it("gives the remainder to the lower contribution id on ties", () => {
    // three equal scores: 333,333 each and one extra ppm to the lowest id
    const s = computeShares([{ contributionId: 9n, score: 1 }, { contributionId: 2n, score: 1 }, { contributionId: 5n, score: 1 }]);
    expect(s).toEqual([{ contributionId: 2n, ppm: 333_334 }, { contributionId: 5n, ppm: 333_333 }, { contributionId: 9n, ppm: 333_333 }]);
  });

  it("keeps the 64 largest (ties to lower id) and honours minRelative", () => {
    const scores = Array.from({ length: 100 }, (_, i) => ({ contributionId: BigInt(i), score: 1 }));
    const s = computeShares(scores);
    expect(s.map((x) => x.contributionId)).toEqual(Array.from({ length: 64 }, (_, i) => BigInt(i)));
    const t = computeShares([{ contributionId: 1n, score: 1 }, { contributionId: 2n, score: 0.01 }], { minRelative: 0.05 });
    expect(t).toEqual([{ contributionId: 1n, ppm: PPM_TOTAL }]);
  });

  it("refuses bad input", () => {
    expect(() => computeShares([{ contributionId: 1n, score: Number.NaN }])).toThrow(SharesError);
    expect(() => computeShares([{ contributionId: 1n, score: 1 }, { contributionId: 1n, score: 2 }])).toThrow(/twice/);
    expect(() => computeShares([], { maxEntries: 65 })).toThrow(SharesError);
    expect(computeShares([{ contributionId: 1n, score: -1 }, { contributionId: 2n, score: 0 }])).toEqual([]);
  });
});

describe("attribution record", () => {
  const quality = buildQuality({
    modelId: 3n,
    adapterDigest: H("a"),
    datanet: { datanetId: 1n, versionId: 2n, root: H("b") },
    method,
    flagged: [
      { contributionId: 12n, reason: "spam", score: 0.75 },
      { contributionId: 4n, reason: "near-duplicate", score: 0.93, of: 3n },
    ],
  });
  const base = {
    receipt: H("c"),
    modelId: 3n,
    adapterDigest: H("a"),
    method,
    datanetVersions: [{ datanetId: 1n, versionId: 2n, root: H("b") }],
    quality: qualityDigest(quality),
  };

  it("builds canonical bytes, round-trips, and the digest is sha2-256 of those bytes", () => {
    const shares = computeShares([{ contributionId: 3n, score: 2 }, { contributionId: 4n, score: 5 }, { contributionId: 7n, score: 1 }], { flagged: flaggedIds(quality) });
    const r = buildRecord({ ...base, shares, spans: [{ contributionId: 7n, start: 10, end: 20, occurrences: 1 }] });
    const bytes = recordBytes(r);
    const text = new TextDecoder().decode(bytes);
    expect(text.startsWith('{"adapterDigest":')).toBe(true); // keys sorted (RFC 8785)
    expect(text).not.toMatch(/\s/);
    expect(parseRecordBytes(bytes)).toEqual(r);
    expect(r.shares).toEqual([{ contributionId: "3", ppm: 666_667 }, { contributionId: "7", ppm: 333_333 }]);
    expect(recordDigest(r)).toMatch(/^0x[0-9a-f]{64}$/);
    // pretty-printed JSON of the same record is refused (its digest would differ)
    expect(() => parseRecordBytes(new TextEncoder().encode(JSON.stringify(r, null, 1)))).toThrow(/canonical/);
  });

  it("a record with no positive influence has no shares", () => {
    const r = buildRecord({ ...base, shares: computeShares([{ contributionId: 1n, score: -3 }]) });
    expect(r.shares).toEqual([]);
  });

  it("refuses shares not summing to 1e6, unsorted shares, bad digests, float params", () => {
    expect(() => buildRecord({ ...base, shares: [{ contributionId: 1n, ppm: 999_999 }] })).toThrow(/sum/);
    expect(() => buildRecord({ ...base, shares: [{ contributionId: 2n, ppm: 500_000 }, { contributionId: 1n, ppm: 500_000 }] })).toThrow(/sorted/);
    expect(() => buildRecord({ ...base, receipt: "0x12" as `0x${string}`, shares: [] })).toThrow(RecordError);
    expect(() => buildRecord({ ...base, method: { ...method, params: { damping: 0.1 } }, shares: [] })).toThrow(RecordError);
  });

  it("quality document: sorted, integer scores, stable digest", () => {
    expect(quality.flagged.map((f) => [f.contributionId, f.scoreMicros])).toEqual([["4", 930_000], ["12", 750_000]]);
    expect(qualityDigest(quality)).toBe(qualityDigest(buildQuality({ ...quality, modelId: 3n, adapterDigest: H("a"), datanet: { datanetId: 1n, versionId: 2n, root: H("b") }, flagged: [{ contributionId: 4n, reason: "near-duplicate", score: 0.93, of: 3n }, { contributionId: 12n, reason: "spam", score: 0.75 }] })));
  });
});
