// SPDX-License-Identifier: MIT
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Rng } from "../../model/sampling.ts";
import { cacheKey, cachePath, readCache, writeCache, type CacheDescriptor } from "./cache.ts";
import { dataInfScores, dataInfState } from "./datainf.ts";
import type { GradientLayout } from "./grads.ts";
import { project, projectionMatrix, trakScores, trakSelfInfluence, trakState } from "./trak.ts";

const layout: GradientLayout = { modules: ["m0", "m1"], offsets: [0, 5, 12], dim: 12 };
function randomGrads(rng: Rng, n: number, d: number): Float32Array {
  return Float32Array.from({ length: n * d }, () => rng.next() * 2 - 1);
}

describe("DataInf", () => {
  it("equals the closed form computed term by term (O(n^2 d) reference)", () => {
    const rng = new Rng(1);
    const n = 9;
    const G = randomGrads(rng, n, layout.dim);
    const v = Float32Array.from({ length: layout.dim }, () => rng.next() - 0.5);
    const st = dataInfState(layout, G, 0.1);
    const got = dataInfScores(st, v);
    for (let k = 0; k < n; k++) {
      let h = 0;
      for (let l = 0; l < 2; l++) {
        const [a, b] = [layout.offsets[l]!, layout.offsets[l + 1]!];
        const dot = (x: ArrayLike<number>, xo: number, y: ArrayLike<number>, yo: number) => {
          let s = 0;
          for (let j = a; j < b; j++) s += x[xo + j]! * y[yo + j]!;
          return s;
        };
        let lam = 0;
        for (let i = 0; i < n; i++) lam += dot(G, i * 12, G, i * 12);
        lam = (0.1 * lam) / (n * (b - a));
        let corr = 0;
        for (let i = 0; i < n; i++) corr += (dot(v, 0, G, i * 12) * dot(G, i * 12, G, k * 12)) / (lam + dot(G, i * 12, G, i * 12));
        h += (dot(v, 0, G, k * 12) - corr / n) / lam;
      }
      expect(got[k]).toBeCloseTo(h, 6);
    }
  });

  it("an example identical to the test point is the most helpful", () => {
    const rng = new Rng(2);
    const G = randomGrads(rng, 30, layout.dim);
    const st = dataInfState(layout, G, 0.1);
    const s = dataInfScores(st, G.slice(7 * 12, 8 * 12));
    expect([...s].indexOf(Math.max(...s))).toBe(7);
  });
});

describe("projected gradients (TRAK-style)", () => {
  it("projection is a pure function of (seed, d, k), entries +-1/sqrt(k)", () => {
    const a = projectionMatrix(50, 64, 3);
    expect(projectionMatrix(50, 64, 3)).toEqual(a);
    expect(projectionMatrix(50, 64, 4)).not.toEqual(a);
    expect(new Set(a)).toEqual(new Set([Math.fround(1 / 8), Math.fround(-1 / 8)]));
    expect(() => projectionMatrix(5, 30, 1)).toThrow(/multiple of 32/);
  });

  it("psi solves (Phi^T Phi + lambda I) psi_i = phi_i; scores and self-influence follow", () => {
    const rng = new Rng(3);
    const n = 40;
    const d = 20;
    const k = 32;
    const G = randomGrads(rng, n, d);
    const P = projectionMatrix(d, k, 1);
    const phi = new Float32Array(n * k);
    for (let i = 0; i < n; i++) phi.set(project(P, k, G.subarray(i * d, (i + 1) * d)), i * k);
    const st = trakState(phi, n, k, 1, d, 0.01);
    // check K psi_i = phi_i for one i
    let trace = 0;
    for (let i = 0; i < n; i++) for (let a = 0; a < k; a++) trace += phi[i * k + a]! ** 2;
    const lambda = (0.01 * trace) / k;
    for (const i of [0, 17]) {
      for (let a = 0; a < k; a++) {
        let s = lambda * st.psi[i * k + a]!;
        for (let b = 0; b < k; b++) {
          let kab = 0;
          for (let m = 0; m < n; m++) kab += phi[m * k + a]! * phi[m * k + b]!;
          s += kab * st.psi[i * k + b]!;
        }
        expect(s).toBeCloseTo(phi[i * k + a]!, 3);
      }
    }
    const self = trakSelfInfluence(st);
    const sc = trakScores(st, Float64Array.from(phi.subarray(5 * k, 6 * k)));
    expect(sc[5]).toBeCloseTo(self[5]!, 5);
  });
});

describe("gradient cache files", () => {
  it("round-trip by digest; a corrupt or foreign file is ignored (rebuilt), never trusted", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lineage-gc-"));
    try {
      const d: CacheDescriptor = { kind: "lineage.gradient-cache", version: 1, root: "0x1", adapterDigest: "0x2", baseDigest: "0x3", template: "lineage", examples: "0x4", datainf: true, trak: { k: 32, seed: 1 } };
      const key = cacheKey(d);
      const rng = new Rng(4);
      const grads = randomGrads(rng, 3, 12);
      const phi = randomGrads(rng, 3, 32);
      await writeCache(dir, d, { key, layout, ids: [1n, 2n, 2n], grads, phi, k: 32, buildMs: 5 });
      const back = await readCache(dir, key);
      expect(back!.grads).toEqual(grads);
      expect(back!.phi).toEqual(phi);
      expect(back!.ids).toEqual([1n, 2n, 2n]);
      const other = cacheKey({ ...d, adapterDigest: "0x9" });
      expect(await readCache(dir, other)).toBeUndefined();
      const { readFile } = await import("node:fs/promises");
      const bytes = await readFile(cachePath(dir, key));
      await writeFile(cachePath(dir, key), bytes.subarray(0, bytes.length - 4));
      expect(await readCache(dir, key)).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
