// SPDX-License-Identifier: MIT
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend/index.ts";
import { LoraAdapter } from "../lora/index.ts";
import { LlamaModel } from "../model/index.ts";
import { TINY, randomWeights } from "../model/testing.ts";
import { ExampleData, type Progress, TokenStreamData, TrainDivergedError, TrainError, Trainer, decodeCheckpoint, encodeCheckpoint, learningRate } from "./index.ts";

const dir = mkdtempSync(join(tmpdir(), "lineage-train-"));
beforeAll(async () => {
  await initBackend("wasm");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A learnable stream: a repeating pattern with some structure. */
function stream(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => ((i % 7) * 3 + Math.floor(i / 7) % 5) % TINY.vocabSize);
}

const base = { steps: 6, lr: 1e-2, warmupSteps: 2, weightDecay: 0.01, gradClip: 1, seed: 5 };

function fullTrainer(seed = 5, extra: Partial<typeof base> & Record<string, unknown> = {}) {
  const m = LlamaModel.create(TINY, { seed: 1 });
  const data = new TokenStreamData(stream(4000), { batchSize: 4, seqLen: 16, evalFraction: 0.1, evalBatches: 2 });
  return { m, t: new Trainer(m, m.namedVariables(), data, { ...base, seed, ...extra }) };
}

describe("Trainer", () => {
  it("warm-up then cosine schedule", () => {
    const cfg = { steps: 10, lr: 1, minLr: 0.1, warmupSteps: 2, seed: 1 };
    expect(learningRate(cfg, 0)).toBeCloseTo(0.5);
    expect(learningRate(cfg, 1)).toBeCloseTo(1);
    expect(learningRate(cfg, 2)).toBeCloseTo(1);
    expect(learningRate(cfg, 6)).toBeCloseTo(0.55);
    expect(learningRate(cfg, 10)).toBeCloseTo(0.1);
  });

  it("lowers the loss, evaluates and emits progress events", () => {
    const { m, t } = fullTrainer(5, { steps: 12, evalEvery: 4 });
    const seen: Progress[] = [];
    t.on("progress", (p: Progress) => seen.push(p));
    const before = t.evaluate();
    const r = t.run();
    expect(seen.length).toBe(12);
    expect(seen.filter((p) => p.evalLoss !== undefined).length).toBe(3);
    for (const p of seen) {
      expect(p.tokensPerSec).toBeGreaterThan(0);
      expect(p.etaSec).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(p.loss)).toBe(true);
    }
    expect(seen.at(-1)!.etaSec).toBe(0);
    expect(r.bestEvalLoss!).toBeLessThan(before);
    t.dispose();
    m.dispose();
  });

  it("an exploding run (lr 1e6) throws TrainDivergedError instead of returning garbage weights", () => {
    const { m, t } = fullTrainer(5, { steps: 30, lr: 1e6, gradClip: 0, warmupSteps: 0 });
    try {
      expect(() => t.run()).toThrow(TrainDivergedError);
      expect(() => t.run()).toThrow(/diverged at step \d+ \((non-finite|loss .* exploded)/);
    } finally {
      t.dispose();
      m.dispose();
    }
  });

  it("is deterministic with a seed (and the seed matters)", () => {
    const runW = (seed: number) => {
      const { m, t } = fullTrainer(seed, { gradAccum: 2 } as never);
      t.run();
      const w = m.exportWeights().get("blk.1.attn_v.weight")!.data;
      t.dispose();
      m.dispose();
      return w;
    };
    const a = runW(5);
    expect(runW(5)).toEqual(a);
    expect(runW(6)).not.toEqual(a);
  });

  it("checkpoint + resume gives bit-identical results to an uninterrupted run", () => {
    const ref = fullTrainer();
    ref.t.run();
    const want = ref.m.exportWeights();
    ref.t.dispose();
    ref.m.dispose();

    const path = join(dir, "resume.ckpt");
    const first = fullTrainer(5, { steps: 6, checkpointEvery: 3, checkpointPath: path } as never);
    // interrupt after 3 steps
    first.t.trainStep();
    first.t.trainStep();
    first.t.trainStep();
    first.t.saveCheckpoint(path);
    first.t.dispose();
    first.m.dispose();

    const second = fullTrainer();
    second.t.loadCheckpoint(path);
    expect(second.t.step).toBe(3);
    second.t.run();
    const got = second.m.exportWeights();
    for (const [n, tt] of want) expect(got.get(n)!.data, n).toEqual(tt.data);
    second.t.dispose();
    second.m.dispose();
  });

  it("LoRA training moves only the adapters; early stopping restores the best adapter", () => {
    const w = randomWeights(TINY, 3);
    const m = LlamaModel.fromWeights(TINY, w, { trainable: false });
    const ad = LoraAdapter.create(m, { rank: 4, alpha: 8, dropout: 0.1, targets: ["q", "v", "gate"] }, 1);
    const ex = (k: number) => ({ ids: [1, 2 + (k % 5), 3, 4 + (k % 3), 5], lossMask: [0, 0, 1, 1, 1] });
    const data = new ExampleData(Array.from({ length: 20 }, (_, k) => ex(k)), [ex(1), ex(2)], { batchSize: 4, seqLen: 8, padId: 0 });
    // a huge minDelta makes every evaluation after the first count as "no improvement"
    const t = new Trainer(m, ad.namedVariables(), data, { steps: 20, lr: 5e-2, seed: 2, evalEvery: 2, earlyStopPatience: 2, earlyStopMinDelta: 100 });
    const r = t.run();
    expect(r.stoppedEarly).toBe(true);
    expect(r.steps).toBe(6);
    const after = m.exportWeights();
    for (const [n, tt] of w) expect(after.get(n)!.data, n).toEqual(tt.data);
    // restored to the best (first) evaluation's adapter: its eval loss is the best one seen
    expect(t.evaluate()).toBeCloseTo(r.bestEvalLoss!, 5);
    t.dispose();
    ad.dispose();
    m.dispose();
  });

  it("rejects bad configs and corrupt or mismatched checkpoints without changing state", () => {
    const { m, t } = fullTrainer();
    expect(() => new Trainer(m, m.namedVariables(), (t as unknown as { data: TokenStreamData }).data, { steps: 0, lr: 1, seed: 1 })).toThrow(TrainError);
    expect(() => new Trainer(m, new Map(), (t as unknown as { data: TokenStreamData }).data, { steps: 1, lr: 1, seed: 1 })).toThrow(/no trainable/);
    const good = join(dir, "good.ckpt");
    t.saveCheckpoint(good);
    const before = m.exportWeights().get("blk.0.attn_q.weight")!.data;
    const bytes = readFileSync(good);
    const corrupt = join(dir, "corrupt.ckpt");
    writeFileSync(corrupt, bytes.subarray(0, 20));
    expect(() => t.loadCheckpoint(corrupt)).toThrow(/checkpoint/);
    writeFileSync(corrupt, Buffer.from("garbage garbage garbage"));
    expect(() => t.loadCheckpoint(corrupt)).toThrow(/bad magic/);
    const other = fullTrainer(9);
    expect(() => other.t.loadCheckpoint(good)).toThrow(/seed/);
    expect(m.exportWeights().get("blk.0.attn_q.weight")!.data).toEqual(before);
    expect(existsSync(`${good}.tmp-${process.pid}`)).toBe(false);
    for (const x of [t, other.t]) x.dispose();
    for (const x of [m, other.m]) x.dispose();
  });

  it("checkpoint encoding round-trips and validates bounds", () => {
    const tensors = new Map([["a", { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }], ["b", { shape: [1], data: Float32Array.from([7]) }]]);
    const enc = encodeCheckpoint({ x: 1 }, tensors);
    const dec = decodeCheckpoint<{ x: number }>(enc);
    expect(dec.meta.x).toBe(1);
    expect(dec.tensors.get("a")!.data).toEqual(tensors.get("a")!.data);
    expect(() => decodeCheckpoint(enc.subarray(0, enc.length - 4))).toThrow(/out of bounds/);
  });
});
