// SPDX-License-Identifier: MIT
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, tf } from "../backend/index.ts";
import type { TensorMap } from "../tensors/index.ts";
import { LlamaModel, ModelError, Rng, forwardLogits, sampleToken, trainingContext } from "./index.ts";
import { referenceForward } from "./reference.ts";
import { TINY, randomWeights } from "./testing.ts";

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

beforeAll(async () => {
  await initBackend("wasm");
});

describe("forward pass", () => {
  it("matches the plain-JS reference (llama.cpp definitions) with GQA and tied output", () => {
    const w = randomWeights(TINY, 3);
    const toks = [1, 7, 3, 49, 0, 22, 22, 5, 9, 11];
    const ours = forwardLogits(TINY, w, toks);
    const ref = referenceForward(TINY, w, toks);
    expect(maxAbsDiff(ours, ref)).toBeLessThan(2e-3);
  });

  it("matches the reference with an untied output and nKvHeads = nHeads", () => {
    const c = { ...TINY, nKvHeads: 4, tiedEmbeddings: false };
    const w = randomWeights(c, 4);
    const toks = [2, 4, 6, 8, 10, 12];
    expect(maxAbsDiff(forwardLogits(c, w, toks), referenceForward(c, w, toks))).toBeLessThan(2e-3);
  });

  it("groups query heads onto kv heads as llama.cpp does (h uses kv h / g)", () => {
    const w = randomWeights(TINY, 5);
    // expand kv heads: kv head j -> heads 2j and 2j+1 in a model with nKvHeads = nHeads
    const c4 = { ...TINY, nKvHeads: 4 };
    const w4: TensorMap = new Map(w);
    const hd = TINY.dim / TINY.nHeads;
    for (let l = 0; l < TINY.nLayers; l++) {
      for (const kind of ["attn_k", "attn_v"]) {
        const t = w.get(`blk.${l}.${kind}.weight`)!;
        const d = new Float32Array(4 * hd * TINY.dim);
        for (let h = 0; h < 4; h++) d.set(t.data.subarray(Math.floor(h / 2) * hd * TINY.dim, (Math.floor(h / 2) + 1) * hd * TINY.dim), h * hd * TINY.dim);
        w4.set(`blk.${l}.${kind}.weight`, { shape: [4 * hd, TINY.dim], data: d });
      }
    }
    const toks = [3, 1, 4, 1, 5, 9, 2, 6];
    expect(maxAbsDiff(forwardLogits(TINY, w, toks), forwardLogits(c4, w4, toks))).toBeLessThan(1e-4);
  });

  it("applies RoPE in llama.cpp's LLAMA convention (adjacent pairs)", () => {
    const m = LlamaModel.create(TINY, { seed: 1 });
    const hd = m.headDim;
    const x = tf.randomNormal([1, 5, 2, hd], 0, 1, "float32", 3) as tf.Tensor4D;
    const got = m.applyRope(x, 7).dataSync();
    const xs = x.dataSync();
    for (let t = 0; t < 5; t++)
      for (let h = 0; h < 2; h++)
        for (let i = 0; i < hd; i += 2) {
          const th = (7 + t) * Math.pow(TINY.ropeTheta, -i / hd);
          const o = (t * 2 + h) * hd + i;
          expect(got[o]).toBeCloseTo(xs[o]! * Math.cos(th) - xs[o + 1]! * Math.sin(th), 4);
          expect(got[o + 1]).toBeCloseTo(xs[o]! * Math.sin(th) + xs[o + 1]! * Math.cos(th), 4);
        }
    m.dispose();
  });

  it("KV-cache decoding gives the same logits as the full forward pass", () => {
    const w = randomWeights(TINY, 6);
    const m = LlamaModel.fromWeights(TINY, w, { trainable: false });
    const toks = [5, 6, 7, 8, 9, 10, 11];
    const full = m.forwardLogits(toks);
    const cache = m.newCache();
    const first = m.step(toks.slice(0, 3), cache);
    expect(maxAbsDiff(first, full.subarray(2 * 50, 3 * 50))).toBeLessThan(1e-4);
    for (let t = 3; t < toks.length; t++) {
      const l = m.step([toks[t]!], cache);
      expect(maxAbsDiff(l, full.subarray(t * 50, (t + 1) * 50))).toBeLessThan(1e-4);
    }
    m.disposeCache(cache);
    m.dispose();
  });

  it("exports and re-imports weights exactly", () => {
    const w = randomWeights(TINY, 8);
    const m = LlamaModel.fromWeights(TINY, w);
    const back = m.exportWeights();
    for (const [n, t] of w) expect(maxAbsDiff(back.get(n)!.data, t.data)).toBe(0);
    m.dispose();
  });

  it("rejects bad weights, configs and tokens clearly", () => {
    const w = randomWeights(TINY, 9);
    const missing = new Map(w);
    missing.delete("blk.1.ffn_up.weight");
    expect(() => LlamaModel.fromWeights(TINY, missing)).toThrow(/missing tensor blk.1.ffn_up.weight/);
    const bad = new Map(w);
    bad.set("blk.0.attn_q.weight", { shape: [31, 32], data: new Float32Array(31 * 32) });
    expect(() => LlamaModel.fromWeights(TINY, bad)).toThrow(/shape mismatch for blk.0.attn_q.weight/);
    const extra = new Map(w);
    extra.set("output.weight", { shape: [50, 32], data: new Float32Array(1600) });
    expect(() => LlamaModel.fromWeights(TINY, extra)).toThrow(/unexpected tensor output.weight/);
    expect(() => LlamaModel.create({ ...TINY, nKvHeads: 3 })).toThrow(ModelError);
    const m = LlamaModel.fromWeights(TINY, w);
    expect(() => m.forwardLogits([50])).toThrow(/out of range/);
    expect(() => m.forwardLogits([])).toThrow(/empty/);
    expect(() => m.forwardLogits(Array(33).fill(1))).toThrow(/contextLength/);
    m.dispose();
  });
});

describe("backward pass: gradient check against finite differences", () => {
  it("every parameter tensor of every layer (embedding/tied output, RMSNorm, q/k with RoPE, v, o, SwiGLU)", () => {
    const c = { ...TINY, vocabSize: 20, dim: 16, nHeads: 4, nKvHeads: 2, ffnDim: 24, nLayers: 2 };
    const m = LlamaModel.fromWeights(c, randomWeights(c, 11));
    const ids = tf.tensor2d([[1, 2, 3, 4, 5, 6], [7, 8, 9, 1, 2, 3]], [2, 6], "int32");
    const tg = tf.tensor2d([[2, 3, 4, 5, 6, 7], [8, 9, 1, 2, 3, 4]], [2, 6], "int32");
    const wts = tf.tensor2d([[1, 1, 1, 0, 1, 1], [1, 0, 1, 1, 1, 1]], [2, 6]);
    const lossOf = () => tf.tidy(() => m.loss(ids, tg, wts).dataSync()[0]!);
    const vars = m.namedVariables();
    const { grads } = tf.variableGrads(() => m.loss(ids, tg, wts), [...vars.values()]);
    const rng = new Rng(5);
    const eps = 1e-2;
    let checked = 0;
    for (const [name, v] of vars) {
      const g = grads[v.name]!.dataSync();
      for (let k = 0; k < 4; k++) {
        const i = rng.int(v.size);
        const base = v.dataSync().slice();
        const at = (delta: number) => {
          const d = base.slice();
          d[i] = d[i]! + delta;
          v.assign(tf.tensor(d, v.shape));
          return lossOf();
        };
        const num = (at(eps) - at(-eps)) / (2 * eps);
        v.assign(tf.tensor(base, v.shape));
        expect(Math.abs(num - g[i]!), `${name}[${i}] analytic ${g[i]} numeric ${num}`).toBeLessThan(2e-3 + 3e-2 * Math.abs(num));
        checked++;
      }
    }
    expect(checked).toBe(vars.size * 4);
    m.dispose();
  });
});

describe("sampling and determinism", () => {
  it("greedy, top-k=1 and tiny top-p agree; seeded sampling repeats", () => {
    const logits = Float32Array.from([0.1, 2.5, -1, 2.4, 0]);
    const rng = new Rng(1);
    expect(sampleToken(logits, {}, rng)).toBe(1);
    expect(sampleToken(logits, { temperature: 1, topK: 1 }, rng)).toBe(1);
    expect(sampleToken(logits, { temperature: 1, topP: 0.01 }, rng)).toBe(1);
    const draw = (seed: number) => {
      const r = new Rng(seed);
      return Array.from({ length: 30 }, () => sampleToken(logits, { temperature: 1.5, topK: 4, topP: 0.95 }, r));
    };
    expect(draw(3)).toEqual(draw(3));
    expect(draw(3)).not.toEqual(draw(4));
    expect(new Set(draw(5)).has(2)).toBe(false); // outside top-k=4
    expect(() => sampleToken(logits, { temperature: -1 }, rng)).toThrow();
  });

  it("same seed, same init and generation; training steps are bit-identical", () => {
    const a = LlamaModel.create(TINY, { seed: 42 });
    const b = LlamaModel.create(TINY, { seed: 42 });
    const c = LlamaModel.create(TINY, { seed: 43 });
    expect(a.exportWeights().get("blk.0.attn_q.weight")!.data).toEqual(b.exportWeights().get("blk.0.attn_q.weight")!.data);
    expect(a.exportWeights().get("blk.0.attn_q.weight")!.data).not.toEqual(c.exportWeights().get("blk.0.attn_q.weight")!.data);
    const gen = (m: LlamaModel) => m.generate([1, 2, 3], { maxNewTokens: 8, temperature: 1, topK: 10, seed: 9 });
    expect(gen(a)).toEqual(gen(b));
    const ids = tf.tensor2d([[1, 2, 3, 4]], [1, 4], "int32");
    for (const m of [a, b]) {
      for (let s = 0; s < 2; s++) {
        const { grads } = tf.variableGrads(() => m.loss(ids, ids, undefined, trainingContext(s)), m.variables());
        for (const v of m.variables()) v.assign(tf.sub(v, tf.mul(grads[v.name]!, 0.1)));
        tf.dispose(grads);
      }
    }
    expect(a.exportWeights().get("blk.1.ffn_down.weight")!.data).toEqual(b.exportWeights().get("blk.1.ffn_down.weight")!.data);
    for (const m of [a, b, c]) m.dispose();
  });
});
