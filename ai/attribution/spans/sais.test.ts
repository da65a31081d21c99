// SPDX-License-Identifier: MIT
import { describe, expect, it } from "vitest";
import { Rng } from "../../model/sampling.ts";
import { suffixArray } from "./sais.ts";

function naive(s: ArrayLike<number>): number[] {
  const n = s.length;
  const idx = Array.from({ length: n }, (_, i) => i);
  return idx.sort((a, b) => {
    for (let k = 0; ; k++) {
      if (a + k >= n) return -1;
      if (b + k >= n) return 1;
      if (s[a + k] !== s[b + k]) return s[a + k]! - s[b + k]!;
    }
  });
}

describe("SA-IS suffix array", () => {
  it("equals the naive sort on random inputs of every small alphabet and length", () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 600; trial++) {
      const n = rng.int(120);
      const upper = [0, 1, 2, 3, 7, 255, 3000][rng.int(7)]!;
      const s = Uint32Array.from({ length: n }, () => rng.int(upper + 1));
      expect(Array.from(suffixArray(s, upper))).toEqual(naive(s));
    }
  });
  it("handles runs and periodic strings (deep recursion)", () => {
    for (const s of [new Uint16Array(500).fill(3), Uint16Array.from({ length: 999 }, (_, i) => i % 3), Uint16Array.from({ length: 1024 }, (_, i) => (i & (i >> 1)) % 5)]) {
      expect(Array.from(suffixArray(s, 5))).toEqual(naive(s));
    }
  });
  it("refuses a bad alphabet bound", () => {
    expect(() => suffixArray(new Uint16Array(3), -1)).toThrow(/upper/);
  });
});
