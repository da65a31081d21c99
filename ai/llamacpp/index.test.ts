// SPDX-License-Identifier: MIT
/** Our GGUF files in real llama.cpp (node-llama-cpp's prebuilt CPU binary). One model load per file. */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  decodeLlamaGguf,
  encodeLlamaGguf,
  encodeLoraGguf,
  GgufError,
  type LoraAdapter,
  mergeLora,
  randomLlamaWeights,
  seededRandom,
  tinyGpt2Tokenizer,
  tinyLlamaConfig,
  writeLlamaGguf,
  writeLoraGguf,
} from "../formats/index.ts";
import { LlamaCppModel, softmax } from "./index.ts";

const config = tinyLlamaConfig();
const tok = tinyGpt2Tokenizer();
const weights = randomLlamaWeights(config, 11);
const prompt = [72, 101, 108, 108, 111, 44, 32, 119]; // "Hello, w"

function randomAdapter(seed: number, r = 4, alpha = 8): LoraAdapter {
  const rnd = seededRandom(seed);
  const mk = (shape: number[]) => ({ shape, data: Float32Array.from({ length: shape[0]! * shape[1]! }, () => (rnd() * 2 - 1) * 0.3) });
  const tensors = new Map();
  for (let l = 0; l < config.nLayers; l++) {
    tensors.set(`blk.${l}.attn_q.weight.lora_a`, mk([r, 64]));
    tensors.set(`blk.${l}.attn_q.weight.lora_b`, mk([64, r]));
    tensors.set(`blk.${l}.attn_v.weight.lora_a`, mk([r, 64]));
    tensors.set(`blk.${l}.attn_v.weight.lora_b`, mk([32, r]));
    tensors.set(`blk.${l}.ffn_down.weight.lora_a`, mk([r, 128]));
    tensors.set(`blk.${l}.ffn_down.weight.lora_b`, mk([64, r]));
  }
  return { alpha, rank: r, tensors };
}

const maxAbsDiff = (a: Float32Array, b: Float32Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe("llama.cpp loads our GGUF files", () => {
  let dir: string;
  let base: LlamaCppModel;
  let merged: LlamaCppModel;
  const adapter = randomAdapter(5);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "llamacpp-"));
    await writeLlamaGguf(join(dir, "base.gguf"), config, weights, tok);
    await writeLlamaGguf(join(dir, "merged.gguf"), config, mergeLora(weights, adapter), tok);
    await writeLoraGguf(join(dir, "adapter.gguf"), config, adapter);
    base = await LlamaCppModel.load(join(dir, "base.gguf"), { adapterDir: join(dir, "cache") });
    merged = await LlamaCppModel.load(join(dir, "merged.gguf"));
  });
  afterAll(async () => {
    await base?.dispose();
    await merged?.dispose();
  });

  it("reads the config back from the file and gives deterministic next-token probabilities", async () => {
    expect(base.config).toEqual(config);
    const p1 = await base.nextTokenProbs(prompt);
    const p2 = await base.nextTokenProbs(prompt);
    expect(p1.length).toBe(config.vocabSize);
    expect(p1.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(p1).toEqual(p2);
    const gen = await base.generateGreedy(prompt, 5);
    expect(gen).toHaveLength(5);
    expect(gen[0]).toBe(p1.indexOf(Math.max(...p1)));
  });

  it("an adapter GGUF equals W + (alpha/r)·B·A merged; scale 0 equals the base", async () => {
    const withAdapter = await base.nextTokenLogits(prompt, { path: join(dir, "adapter.gguf") });
    const viaMerge = await merged.nextTokenLogits(prompt);
    const plain = await base.nextTokenLogits(prompt);
    // the adapter changes the output a lot, and the runtime matches the merge to float32 accumulation noise
    expect(maxAbsDiff(withAdapter, plain)).toBeGreaterThan(0.1);
    expect(maxAbsDiff(withAdapter, viaMerge)).toBeLessThan(1e-3);
    const scale0 = await base.nextTokenLogits(prompt, { path: join(dir, "adapter.gguf"), scale: 0 });
    expect(maxAbsDiff(scale0, plain)).toBeLessThan(1e-5);
    const half = await base.nextTokenLogits(prompt, { path: join(dir, "adapter.gguf"), scale: 0.5 });
    const halfMerged = decodeLlamaGguf(encodeLlamaGguf(config, mergeLora(weights, adapter, 0.5), tok));
    await writeLlamaGguf(join(dir, "half.gguf"), config, halfMerged.tensors, tok);
    const h = await LlamaCppModel.load(join(dir, "half.gguf"));
    expect(maxAbsDiff(half, await h.nextTokenLogits(prompt))).toBeLessThan(1e-3);
    await h.dispose();
  });

  it("an adapter rewritten at the same path serves the new weights (content-addressed adapter cache)", async () => {
    const p = join(dir, "swap.gguf");
    await writeLoraGguf(p, config, randomAdapter(21));
    const first = await base.nextTokenLogits(prompt, { path: p });
    await writeLoraGguf(p, config, randomAdapter(22));
    const second = await base.nextTokenLogits(prompt, { path: p });
    expect(maxAbsDiff(first, second)).toBeGreaterThan(0.01);
  });

  it("refuses bad files before llama.cpp sees them", async () => {
    // a valid adapter for a wider model (dim 128): its shapes do not fit this base
    const wrongConfig = tinyLlamaConfig({ dim: 128, ffnDim: 256 });
    const wide: LoraAdapter = {
      alpha: 8,
      rank: 4,
      tensors: new Map([
        ["blk.0.attn_q.weight.lora_a", { shape: [4, 128], data: new Float32Array(512).fill(0.1) }],
        ["blk.0.attn_q.weight.lora_b", { shape: [128, 4], data: new Float32Array(512).fill(0.1) }],
      ]),
    };
    await writeLoraGguf(join(dir, "wrong.gguf"), wrongConfig, wide);
    await expect(base.nextTokenLogits(prompt, { path: join(dir, "wrong.gguf") })).rejects.toThrow(/shape mismatch/);
    const corrupt = encodeLlamaGguf(config, weights, tok);
    new DataView(corrupt.buffer).setBigUint64(8, 0xffffffffffn, true); // garbage tensor count
    await writeFile(join(dir, "corrupt.gguf"), corrupt);
    await expect(LlamaCppModel.load(join(dir, "corrupt.gguf"))).rejects.toThrow(GgufError);
    await expect(LlamaCppModel.load(join(dir, "adapter.gguf"))).rejects.toThrow(/adapter, not a base model/);
    await expect(base.nextTokenLogits([config.vocabSize])).rejects.toThrow(/outside the vocabulary/);
  });

  it("quantised files (Q8_0, Q4_0) load and stay close to the F32 model", async () => {
    const ref = softmax(await base.nextTokenLogits(prompt));
    for (const [fileType, tol] of [["Q8_0", 0.02], ["Q4_0", 0.15]] as const) {
      const p = join(dir, `${fileType}.gguf`);
      await writeFile(p, encodeLlamaGguf(config, weights, tok, { fileType }));
      const m = await LlamaCppModel.load(p);
      const q = softmax(await m.nextTokenLogits(prompt));
      expect(maxAbsDiff(q, ref)).toBeLessThan(tol);
      await m.dispose();
    }
  });
});
