// SPDX-License-Identifier: MIT
import { describe, expect, it } from "vitest";
import { Rng } from "../../model/sampling.ts";
import { SpanIndex, SpanIndexError } from "./index.ts";

const V = 500;
function randomDocs(rng: Rng, nDocs: number, len: number) {
  return Array.from({ length: nDocs }, (_, d) => ({
    contributionId: BigInt(d * 2 + 1),
    sequences: [Array.from({ length: len }, () => rng.int(V)), Array.from({ length: len >> 1 }, () => rng.int(V))],
  }));
}

describe("SpanIndex", () => {
  it("finds every planted span >= 8 tokens (100% recall) and maps it to its contribution", () => {
    const rng = new Rng(3);
    const docs = randomDocs(rng, 200, 300);
    const index = SpanIndex.build(docs, V);
    let planted = 0;
    let found = 0;
    for (let trial = 0; trial < 40; trial++) {
      const out: number[] = Array.from({ length: 40 }, () => rng.int(V));
      const plants: { start: number; end: number; id: bigint }[] = [];
      for (let k = 0; k < 3; k++) {
        const d = docs[rng.int(docs.length)]!;
        const seq = d.sequences[0]!;
        const L = 8 + rng.int(30);
        const s = rng.int(seq.length - L);
        const start = out.length;
        out.push(...seq.slice(s, s + L));
        plants.push({ start, end: start + L, id: d.contributionId });
        out.push(...Array.from({ length: 10 }, () => rng.int(V)));
      }
      const { spans, scores } = index.attribute(out, { minLength: 8 });
      for (const p of plants) {
        planted++;
        if (spans.some((s) => s.start <= p.start && s.end >= p.end && s.contributions.includes(p.id))) found++;
        expect(scores.find((s) => s.contributionId === p.id)?.score ?? 0).toBeGreaterThan(0);
      }
    }
    expect(found).toBe(planted);
  });

  it("matching statistics equal a brute-force longest match", () => {
    const rng = new Rng(5);
    const docs = [{ contributionId: 1n, sequences: [Array.from({ length: 400 }, () => rng.int(4))] }];
    const index = SpanIndex.build(docs, 4);
    const out = Array.from({ length: 60 }, () => rng.int(4));
    const { len } = index.matchingStatistics(out);
    const corpus = docs[0]!.sequences[0]!;
    for (let i = 0; i < out.length; i++) {
      let best = 0;
      for (let p = 0; p < corpus.length; p++) {
        let k = 0;
        while (i + k < out.length && p + k < corpus.length && corpus[p + k] === out[i + k]) k++;
        best = Math.max(best, k);
      }
      expect(len[i]).toBe(best);
    }
  });

  it("spans never cross records; spans are maximal; rarer spans score higher; flagged holders earn nothing", () => {
    const docs = [
      { contributionId: 10n, sequences: [[1, 2, 3, 4, 5, 6, 7, 8], [9, 9, 9]] },
      { contributionId: 11n, sequences: [[1, 2, 3, 4, 5, 6, 7, 8]] },
      { contributionId: 12n, sequences: [[20, 21, 22, 23, 24, 25, 26, 27]] },
    ];
    const index = SpanIndex.build(docs, 30);
    const r = index.attribute([1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 0, 20, 21, 22, 23, 24, 25, 26, 27], { minLength: 3 });
    expect(r.spans.map((s) => [s.start, s.end, s.contributions])).toEqual([
      [0, 8, [10n, 11n]],
      [8, 11, [10n]],
      [12, 20, [12n]],
    ]);
    const s12 = r.scores.find((s) => s.contributionId === 12n)!.score;
    const s11 = r.scores.find((s) => s.contributionId === 11n)!.score;
    expect(s12).toBeGreaterThan(s11 * 2); // same length, one holder instead of two
    const f = index.attribute([1, 2, 3, 4, 5, 6, 7, 8], { minLength: 3, flagged: new Set([11n]) });
    expect(f.scores.map((s) => s.contributionId)).toEqual([10n]);
  });

  it("serializes and deserializes to the same index; refuses corrupt bytes", () => {
    const rng = new Rng(9);
    const index = SpanIndex.build(randomDocs(rng, 20, 50), V);
    const back = SpanIndex.deserialize(index.serialize());
    expect(Array.from(back.sa)).toEqual(Array.from(index.sa));
    expect(Array.from(back.tokens)).toEqual(Array.from(index.tokens));
    expect(back.docIds).toEqual(index.docIds);
    const bytes = index.serialize();
    expect(() => SpanIndex.deserialize(bytes.subarray(0, bytes.length - 1))).toThrow(SpanIndexError);
    const bad = new Uint8Array(bytes);
    bad[0] = 0;
    expect(() => SpanIndex.deserialize(bad)).toThrow(/magic/);
    expect(index.byteLength / index.length).toBeLessThanOrEqual(8);
  });

  it("refuses out-of-range tokens and repeated contributions", () => {
    expect(() => SpanIndex.build([{ contributionId: 1n, sequences: [[V]] }], V)).toThrow(/out of range/);
    expect(() => SpanIndex.build([{ contributionId: 1n, sequences: [[1]] }, { contributionId: 1n, sequences: [[2]] }], V)).toThrow(/twice/);
  });
});
