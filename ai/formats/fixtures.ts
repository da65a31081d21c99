// SPDX-License-Identifier: MIT
/**
 * Small deterministic fixtures for tests and benchmarks of the formats: a byte-level `gpt2` tokenizer table
 * (256 byte tokens in GPT-2's byte-to-unicode alphabet, a few merges, <|bos|> and <|eos|>) and random llama
 * weights. Real models come from ai/base; these only exercise the files.
 */
import type { LlamaConfig, TensorMap } from "../tensors/index.ts";
import { expectedLlamaShapes, type GgufTokenizer } from "./llama.ts";

/** GPT-2's bytes_to_unicode table: byte -> printable code point. */
export function gpt2ByteAlphabet(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const out: string[] = new Array(256);
  let n = 0;
  for (let b = 0; b < 256; b++) out[b] = String.fromCodePoint(printable.includes(b) ? b : 256 + n++);
  return out;
}

/** A byte-level BPE table with `merges` (pairs of existing tokens), then <|bos|> and <|eos|> as control tokens. */
export function tinyGpt2Tokenizer(merges: Array<[string, string]> = [["t", "h"], ["th", "e"], ["Ġ", "the"], ["i", "n"], ["Ġ", "a"]]): GgufTokenizer {
  const tokens = gpt2ByteAlphabet();
  const types = tokens.map(() => 1);
  const mergeStrs: string[] = [];
  for (const [a, b] of merges) {
    mergeStrs.push(`${a} ${b}`);
    tokens.push(a + b);
    types.push(1);
  }
  tokens.push("<|bos|>", "<|eos|>");
  types.push(3, 3);
  return { pre: "gpt-2", tokens, tokenTypes: types, merges: mergeStrs, bosId: tokens.length - 2, eosId: tokens.length - 1, addBos: false };
}

/** mulberry32: a small seeded PRNG. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random weights for `config` (norm weights near 1, matrices ~ U(-s, s) with s = 1/sqrt(fan_in)). */
export function randomLlamaWeights(config: LlamaConfig, seed = 1): TensorMap {
  const rnd = seededRandom(seed);
  const m: TensorMap = new Map();
  for (const [name, shape] of expectedLlamaShapes(config)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (shape.length === 1) for (let i = 0; i < n; i++) data[i] = 1 + (rnd() - 0.5) * 0.2;
    else {
      const s = name === "token_embd.weight" ? 1 : 1.5 / Math.sqrt(shape[1]!);
      for (let i = 0; i < n; i++) data[i] = (rnd() * 2 - 1) * s;
    }
    m.set(name, { shape, data });
  }
  return m;
}

/** A tiny config whose vocabulary matches `tinyGpt2Tokenizer()` (263 tokens). */
export function tinyLlamaConfig(overrides: Partial<LlamaConfig> = {}): LlamaConfig {
  return {
    vocabSize: tinyGpt2Tokenizer().tokens.length,
    contextLength: 128,
    dim: 64,
    nLayers: 2,
    nHeads: 4,
    nKvHeads: 2,
    ffnDim: 128,
    rmsNormEps: 1e-5,
    ropeTheta: 10000,
    tiedEmbeddings: true,
    ...overrides,
  };
}
