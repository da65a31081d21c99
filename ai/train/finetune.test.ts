// SPDX-License-Identifier: MIT
/** `exactAdapter`: a weight change written as lora_b @ lora_a is exact, whichever of in / out is the smaller. */
import { expect, it } from "vitest";
import { mergeLora, randomLlamaWeights, seededRandom, tinyLlamaConfig } from "../formats/index.ts";
import { exactAdapter, stepsForEpochs } from "./finetune.ts";

it("exactAdapter reproduces the trained weights when merged (W + B A), at rank max min(in, out), scale 1", () => {
  const c = tinyLlamaConfig();
  const base = randomLlamaWeights(c, 3);
  const rnd = seededRandom(9);
  const names = ["blk.0.attn_q.weight", "blk.0.attn_k.weight", "blk.1.ffn_up.weight", "blk.1.ffn_down.weight"];
  const trained = new Map(base);
  for (const n of names) {
    const t = base.get(n)!;
    trained.set(n, { shape: t.shape, data: Float32Array.from(t.data, (v) => v + (rnd() - 0.5) * 0.1) });
  }
  const ad = exactAdapter(base, trained, ["q", "k", "up", "down"], names);
  const r = Math.max(...names.map((n) => Math.min(...base.get(n)!.shape)));
  expect([ad.rank, ad.alpha]).toEqual([r, r]);
  const merged = mergeLora(base, ad);
  for (const [n, t] of merged) {
    const want = trained.get(n)!.data;
    let max = 0;
    for (let i = 0; i < want.length; i++) max = Math.max(max, Math.abs(t.data[i]! - want[i]!));
    expect(max, n).toBeLessThan(1e-6);
  }
});

it("stepsForEpochs rounds up and counts gradient accumulation", () => {
  expect(stepsForEpochs(20, 760, 16)).toBe(950);
  expect(stepsForEpochs(1, 10, 4, 2)).toBe(2);
  expect(stepsForEpochs(0.01, 10, 4)).toBe(1);
});
