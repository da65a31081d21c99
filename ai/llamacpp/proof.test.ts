// SPDX-License-Identifier: MIT
/**
 * The proof that our files are real GGUF and our model is really llama: llama.cpp's next-token probabilities on
 * our GGUF files equal our engine's forward pass (ai/model, tfjs) within a stated tolerance; the Hugging Face
 * layouts survive HF -> GGUF; our forward on a GGUF file equals our forward on the same weights from safetensors.
 *
 * Tolerance (float32 on both sides, different summation orders): max |Δp| <= 2e-4 over the vocabulary and
 * max |Δlogit| <= 1e-3 · (1 + max |logit|); files read back bit-identically give bit-identical forwards.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend/index.ts";
import { baseAvailable, loadBase } from "../base/index.ts";
import {
  decodeLlamaGguf,
  decodeSafetensors,
  encodeLlamaGguf,
  encodeSafetensors,
  type GgufTokenizer,
  type HfArchitecture,
  type LoraAdapter,
  readHfModel,
  readPeftAdapter,
  seededRandom,
  tinyGpt2Tokenizer,
  tinyLlamaConfig,
  randomLlamaWeights,
  writeHfModel,
  writeLlamaGguf,
  writeLoraGguf,
  writePeftAdapter,
} from "../formats/index.ts";
import { loadAdapter } from "../lora/index.ts";
import { forwardLogits, LlamaModel } from "../model/index.ts";
import type { LlamaConfig, TensorMap } from "../tensors/index.ts";
import { ByteBpeTokenizer } from "../tokenizer/index.ts";
import { getRuntime, LlamaCppModel, softmax } from "./index.ts";

export const PROB_TOL = 2e-4;
export const LOGIT_REL_TOL = 1e-3;

const lastRow = (logits: Float32Array, vocab: number) => logits.subarray(logits.length - vocab);
function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
/** Assert llama.cpp's logits `a` match ours `b`; returns the measured (max |Δlogit|, max |Δp|). */
function expectClose(a: Float32Array, b: Float32Array): [number, number] {
  const scale = 1 + b.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const dl = maxDiff(a, b);
  const dp = maxDiff(softmax(a), softmax(b));
  if (process.env.LINEAGE_PROOF_LOG) console.log(`max |dlogit| ${dl.toExponential(2)} (max |logit| ${(scale - 1).toFixed(1)}), max |dp| ${dp.toExponential(2)}`);
  expect(dl).toBeLessThan(LOGIT_REL_TOL * scale);
  expect(dp).toBeLessThan(PROB_TOL);
  return [dl, dp];
}
function ours(config: LlamaConfig, weights: TensorMap, tokens: number[]): Float32Array {
  return Float32Array.from(lastRow(forwardLogits(config, weights, tokens), config.vocabSize));
}
function promptOf(len: number, vocab: number, seed: number): number[] {
  const r = seededRandom(seed);
  return Array.from({ length: len }, () => Math.floor(r() * (vocab - 2)));
}
function uniformAdapter(config: LlamaConfig, seed: number, r = 4): LoraAdapter {
  const rnd = seededRandom(seed);
  const kv = (config.dim / config.nHeads) * config.nKvHeads;
  const dims: Record<string, [number, number]> = { attn_q: [config.dim, config.dim], attn_v: [kv, config.dim], ffn_down: [config.dim, config.ffnDim] };
  const t: TensorMap = new Map();
  for (let l = 0; l < config.nLayers; l++)
    for (const [name, [out, inp]] of Object.entries(dims)) {
      t.set(`blk.${l}.${name}.weight.lora_a`, { shape: [r, inp], data: Float32Array.from({ length: r * inp }, () => (rnd() * 2 - 1) / Math.sqrt(inp)) });
      t.set(`blk.${l}.${name}.weight.lora_b`, { shape: [out, r], data: Float32Array.from({ length: out * r }, () => (rnd() * 2 - 1) * 0.2) });
    }
  return { alpha: 8, rank: r, tensors: t };
}
function oursWithAdapter(config: LlamaConfig, weights: TensorMap, adapter: LoraAdapter, tokens: number[]): Float32Array {
  const m = LlamaModel.fromWeights(config, weights, { trainable: false });
  try {
    const a = loadAdapter(m, adapter.tensors, { alpha: adapter.alpha });
    const out = Float32Array.from(lastRow(m.forwardLogits(tokens), config.vocabSize));
    a.dispose();
    return out;
  } finally {
    m.dispose();
  }
}

const configs: Array<[string, LlamaConfig]> = [
  ["tied, GQA 4/2", tinyLlamaConfig()],
  ["untied, GQA 4/1, theta 50000", tinyLlamaConfig({ tiedEmbeddings: false, nKvHeads: 1, ropeTheta: 50000, rmsNormEps: 1e-6 })],
];
const tok: GgufTokenizer = tinyGpt2Tokenizer();

describe("llama.cpp next-token probabilities equal our forward pass", () => {
  let dir: string;
  const loaded: LlamaCppModel[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "proof-"));
    await initBackend("wasm");
    await getRuntime();
  });
  afterAll(async () => {
    for (const m of loaded) await m.dispose();
  });
  async function load(path: string): Promise<LlamaCppModel> {
    const m = await LlamaCppModel.load(path);
    loaded.push(m);
    return m;
  }

  it.each(configs)("base GGUF (%s), prompts of 1, 7 and 40 tokens", async (label, config) => {
    const weights = randomLlamaWeights(config, 21);
    const path = join(dir, `base-${label.replace(/\W+/g, "_")}.gguf`);
    await writeLlamaGguf(path, config, weights, tok);
    const cpp = await load(path);
    for (const [len, seed] of [[1, 1], [7, 2], [40, 3]] as const) {
      const tokens = promptOf(len, config.vocabSize, seed);
      expectClose(await cpp.nextTokenLogits(tokens), ours(config, weights, tokens));
    }
  });

  it("LoRA adapter GGUF: llama.cpp base + adapter equals our LoRA forward path; scale 0 equals our base", async () => {
    const config = configs[0]![1];
    const weights = randomLlamaWeights(config, 22);
    const adapter = uniformAdapter(config, 5);
    await writeLlamaGguf(join(dir, "lora-base.gguf"), config, weights, tok);
    await writeLoraGguf(join(dir, "lora.gguf"), config, adapter);
    const cpp = await load(join(dir, "lora-base.gguf"));
    const tokens = promptOf(12, config.vocabSize, 9);
    const withA = await cpp.nextTokenLogits(tokens, { path: join(dir, "lora.gguf") });
    const oursA = oursWithAdapter(config, weights, adapter, tokens);
    const base = ours(config, weights, tokens);
    expect(maxDiff(oursA, base)).toBeGreaterThan(0.05); // the adapter matters
    expectClose(withA, oursA);
    expectClose(await cpp.nextTokenLogits(tokens, { path: join(dir, "lora.gguf"), scale: 0 }), base);
  });

  it.each(["llama", "mistral", "qwen2"] as HfArchitecture[])("%s HF layout -> read back -> GGUF gives llama.cpp probabilities equal to our engine", async (arch) => {
    const config = configs[1]![1];
    const weights = randomLlamaWeights(config, 23);
    const hfDir = join(dir, `hf-${arch}`);
    await writeHfModel(hfDir, config, weights, { arch });
    const back = await readHfModel(hfDir);
    const path = join(dir, `from-hf-${arch}.gguf`);
    await writeLlamaGguf(path, back.config, back.tensors, tok);
    const cpp = await load(path);
    const tokens = promptOf(20, config.vocabSize, 4);
    expectClose(await cpp.nextTokenLogits(tokens), ours(config, weights, tokens));
  });

  it("PEFT export -> import -> GGUF adapter gives the same llama.cpp output as the original adapter", async () => {
    const config = configs[0]![1];
    const weights = randomLlamaWeights(config, 24);
    const adapter = uniformAdapter(config, 6);
    await writePeftAdapter(join(dir, "peft"), config, adapter);
    const back = await readPeftAdapter(join(dir, "peft"), config);
    await writeLlamaGguf(join(dir, "peft-base.gguf"), config, weights, tok);
    await writeLoraGguf(join(dir, "peft-back.gguf"), config, back);
    const cpp = await load(join(dir, "peft-base.gguf"));
    const tokens = promptOf(10, config.vocabSize, 5);
    expectClose(await cpp.nextTokenLogits(tokens, { path: join(dir, "peft-back.gguf") }), oursWithAdapter(config, weights, adapter, tokens));
  });

  it("llama.cpp tokenizes with our GGUF tokenizer metadata exactly like our tokenizer", async () => {
    const corpus = "The quick brown fox jumps over the lazy dog. It's 2026; prices rose 3.5% in Zürich. ".repeat(20) + "naïve café — 東京 😀\n\n  spaced   out\tTabs";
    const tokenizer = ByteBpeTokenizer.train(corpus, { vocabSize: 400 });
    const config = tinyLlamaConfig({ vocabSize: tokenizer.vocabSize });
    const path = join(dir, "tok.gguf");
    await writeLlamaGguf(path, config, randomLlamaWeights(config, 30), tokenizer.ggufMetadata());
    const cpp = await load(path);
    for (const text of ["The quick brown fox", "It's 2026; prices rose 3.5% in Zürich.", "naïve café — 東京 😀", "  spaced   out\tTabs\n\nend", "unseen words: xylophone quokka", "don't won't I'll we've"]) {
      const ours = tokenizer.encode(text);
      const theirs = Array.from(cpp.model.tokenize(text, false) as unknown as number[]);
      expect(theirs, text).toEqual(ours);
      expect(cpp.model.detokenize(cpp.model.tokenize(text, false))).toBe(text);
    }
  });

  it.skipIf(!baseAvailable())("the shipped tiny base: llama.cpp tokenizes like our tokenizer and predicts like our engine", async () => {
    const b = loadBase();
    const path = join(dir, "shipped-base.gguf");
    await writeLlamaGguf(path, b.config, b.weights, b.tokenizer.ggufMetadata());
    const cpp = await load(path);
    const text = "The President said that the Congress of the United States";
    const ids = b.tokenizer.encode(text);
    const cppIds = Array.from(cpp.model.tokenize(text, false) as unknown as number[]);
    expect(cppIds).toEqual(ids);
    expectClose(await cpp.nextTokenLogits(ids), ours(b.config, b.weights, ids));
  });
});

describe("our forward on a GGUF file equals our forward on the same weights from safetensors", () => {
  beforeAll(() => initBackend("wasm"));
  it.each(["F32", "F16"] as const)("%s", (dtype) => {
    const config = configs[1]![1];
    const weights = randomLlamaWeights(config, 25);
    const fromGguf = decodeLlamaGguf(encodeLlamaGguf(config, weights, tok, { fileType: dtype })).tensors;
    const fromSt = decodeSafetensors(encodeSafetensors(weights, { dtype: (n) => (weights.get(n)!.shape.length === 1 ? "F32" : dtype) })).tensors;
    expect(fromGguf).toEqual(fromSt);
    const tokens = promptOf(16, config.vocabSize, 6);
    expect(ours(config, fromGguf, tokens)).toEqual(ours(config, fromSt, tokens));
  });
});
