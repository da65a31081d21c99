// SPDX-License-Identifier: MIT
/** Test helpers shared by the engine's test files. */
import type { LlamaConfig, TensorMap } from "../tensors/index.ts";
import { LlamaModel, Rng } from "./index.ts";

export const TINY: LlamaConfig = { vocabSize: 50, contextLength: 32, dim: 32, nLayers: 2, nHeads: 4, nKvHeads: 2, ffnDim: 64, rmsNormEps: 1e-5, ropeTheta: 10000, tiedEmbeddings: true };

/** Random weights with non-trivial norms, so every path carries signal. */
export function randomWeights(c: LlamaConfig, seed: number): TensorMap {
  const m = LlamaModel.create(c, { seed });
  const w = m.exportWeights();
  m.dispose();
  const rng = new Rng(seed + 99);
  for (const [name, t] of w) {
    if (name.endsWith("norm.weight")) for (let i = 0; i < t.data.length; i++) t.data[i] = 0.5 + rng.next();
    else for (let i = 0; i < t.data.length; i++) t.data[i] = (rng.next() - 0.5) * (name === "token_embd.weight" ? 2 : 0.5);
  }
  return w;
}

