// SPDX-License-Identifier: MIT
/**
 * Llama-family model files as GGUF: the base model (llama.* hyper-parameters, `gpt2` byte-level BPE tokenizer
 * metadata, the weight map) and LoRA adapters (`general.type = adapter`, `adapter.type = lora`,
 * `adapter.lora.alpha`, `blk.N.<t>.weight.lora_a` / `.lora_b`). Everything goes through `TensorMap` /
 * `LlamaConfig` (ai/tensors) and is checked against the config before it is written or returned.
 */
import { readFile } from "node:fs/promises";
import { numel, type LlamaConfig, type Tensor, type TensorMap } from "../tensors/index.ts";
import { writeFileAtomic } from "./atomic.ts";
import {
  type GgmlType,
  GgufError,
  type GgufFile,
  type GgufMetadata,
  type GgufTensorInput,
  gv,
  metaArray,
  metaNumber,
  metaString,
  readGguf,
  readGgufTensor,
  writeGguf,
} from "./gguf.ts";

/** Byte-level BPE tokenizer as llama.cpp's `gpt2` tokenizer metadata. */
export interface GgufTokenizer {
  /** `tokenizer.ggml.pre`: the pre-tokenizer llama.cpp applies (e.g. "gpt-2"). */
  pre: string;
  /** Token strings in GPT-2's byte-to-unicode alphabet, by id. */
  tokens: string[];
  /** llama.cpp token types by id: 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte. */
  tokenTypes: number[];
  /** Merges as "left right", highest priority first. */
  merges: string[];
  bosId: number;
  eosId: number;
  padId?: number;
  /** `tokenizer.ggml.add_bos_token`: whether a client prepends bos to what it tokenises. */
  addBos?: boolean;
  /** `tokenizer.chat_template`: the Jinja prompt template the model was trained with (llama.cpp / node-llama-cpp read it). */
  chatTemplate?: string;
}

export const LLAMA_BLOCK_TENSORS = [
  "attn_norm",
  "attn_q",
  "attn_k",
  "attn_v",
  "attn_output",
  "ffn_norm",
  "ffn_gate",
  "ffn_up",
  "ffn_down",
] as const;
export type LlamaBlockTensor = (typeof LLAMA_BLOCK_TENSORS)[number];
/** LoRA-targetable linear layers. */
export const LORA_TARGETS = ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"] as const;
export type LoraTarget = (typeof LORA_TARGETS)[number];

/** Every tensor name and row-major shape a llama model with this config must have. */
export function expectedLlamaShapes(c: LlamaConfig): Map<string, number[]> {
  const headDim = c.dim / c.nHeads;
  const kvDim = headDim * c.nKvHeads;
  const m = new Map<string, number[]>();
  m.set("token_embd.weight", [c.vocabSize, c.dim]);
  m.set("output_norm.weight", [c.dim]);
  if (!c.tiedEmbeddings) m.set("output.weight", [c.vocabSize, c.dim]);
  for (let i = 0; i < c.nLayers; i++) {
    const p = `blk.${i}.`;
    m.set(`${p}attn_norm.weight`, [c.dim]);
    m.set(`${p}attn_q.weight`, [c.dim, c.dim]);
    m.set(`${p}attn_k.weight`, [kvDim, c.dim]);
    m.set(`${p}attn_v.weight`, [kvDim, c.dim]);
    m.set(`${p}attn_output.weight`, [c.dim, c.dim]);
    m.set(`${p}ffn_norm.weight`, [c.dim]);
    m.set(`${p}ffn_gate.weight`, [c.ffnDim, c.dim]);
    m.set(`${p}ffn_up.weight`, [c.ffnDim, c.dim]);
    m.set(`${p}ffn_down.weight`, [c.dim, c.ffnDim]);
  }
  return m;
}

/** Hard bounds on a config (generous for the llama family; they stop a corrupt header from allocating wildly). */
export const LLAMA_LIMITS = {
  vocabSize: 1 << 22,
  contextLength: 1 << 24,
  dim: 1 << 16,
  nLayers: 1024,
  nHeads: 1024,
  nKvHeads: 1024,
  ffnDim: 1 << 18,
} as const;

/** Validate a config's own consistency. */
export function validateLlamaConfig(c: LlamaConfig): void {
  for (const [k, max] of Object.entries(LLAMA_LIMITS) as Array<[keyof typeof LLAMA_LIMITS, number]>) {
    const v = c[k];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > max) throw new GgufError(`config ${k} must be an integer in [1, ${max}], got ${String(v)}`);
  }
  if (c.dim % c.nHeads !== 0) throw new GgufError(`config dim ${c.dim} not divisible by nHeads ${c.nHeads}`);
  if (c.nHeads % c.nKvHeads !== 0) throw new GgufError(`config nHeads ${c.nHeads} not divisible by nKvHeads ${c.nKvHeads}`);
  if ((c.dim / c.nHeads) % 2 !== 0) throw new GgufError(`config head dim ${c.dim / c.nHeads} must be even for RoPE`);
  if (!(c.rmsNormEps > 0) || !(c.ropeTheta > 0)) throw new GgufError("config rmsNormEps and ropeTheta must be positive");
}

/** Check that `tensors` holds exactly the tensors `config` implies, with the right shapes and sizes. */
export function validateLlamaTensors(c: LlamaConfig, tensors: TensorMap): void {
  validateLlamaConfig(c);
  const expected = expectedLlamaShapes(c);
  for (const [name, shape] of expected) {
    const t = tensors.get(name);
    if (!t) throw new GgufError(`missing tensor ${name}`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))
      throw new GgufError(`shape mismatch for ${name}: expected [${shape}], got [${t.shape}]`);
    if (t.data.length !== numel(shape)) throw new GgufError(`tensor ${name}: ${t.data.length} values for shape [${shape}]`);
  }
  for (const name of tensors.keys()) if (!expected.has(name)) throw new GgufError(`unexpected tensor ${name} for this config`);
}

/** How to store each tensor: 1-D (norms) always F32; matrices F32, F16, Q8_0 or Q4_0. */
export type LlamaFileType = "F32" | "F16" | "Q8_0" | "Q4_0";
const FILE_TYPE_CODE: Record<LlamaFileType, number> = { F32: 0, F16: 1, Q4_0: 2, Q8_0: 7 };

export interface WriteLlamaOptions {
  name?: string;
  fileType?: LlamaFileType;
  /** Extra metadata (e.g. `general.license`), written after the standard keys. */
  extra?: GgufMetadata;
}

function tokenizerMetadata(md: GgufMetadata, tok: GgufTokenizer, vocabSize: number): void {
  if (tok.tokens.length !== vocabSize) throw new GgufError(`tokenizer has ${tok.tokens.length} tokens, config vocabSize is ${vocabSize}`);
  if (tok.tokenTypes.length !== vocabSize) throw new GgufError(`tokenizer has ${tok.tokenTypes.length} token types for ${vocabSize} tokens`);
  for (const id of [tok.bosId, tok.eosId, ...(tok.padId === undefined ? [] : [tok.padId])])
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize) throw new GgufError(`special token id ${id} outside the vocabulary`);
  md.set("tokenizer.ggml.model", gv.str("gpt2"));
  md.set("tokenizer.ggml.pre", gv.str(tok.pre));
  md.set("tokenizer.ggml.tokens", gv.arr("string", tok.tokens));
  md.set("tokenizer.ggml.token_type", gv.arr("i32", tok.tokenTypes));
  md.set("tokenizer.ggml.merges", gv.arr("string", tok.merges));
  md.set("tokenizer.ggml.bos_token_id", gv.u32(tok.bosId));
  md.set("tokenizer.ggml.eos_token_id", gv.u32(tok.eosId));
  if (tok.padId !== undefined) md.set("tokenizer.ggml.padding_token_id", gv.u32(tok.padId));
  md.set("tokenizer.ggml.add_bos_token", gv.bool(tok.addBos ?? false));
  md.set("tokenizer.ggml.add_eos_token", gv.bool(false));
  if (tok.chatTemplate !== undefined) md.set("tokenizer.chat_template", gv.str(tok.chatTemplate));
}

/** Serialise a llama base model (weights + config + tokenizer) as GGUF bytes. */
export function encodeLlamaGguf(config: LlamaConfig, tensors: TensorMap, tokenizer: GgufTokenizer, opts: WriteLlamaOptions = {}): Uint8Array {
  validateLlamaTensors(config, tensors);
  const fileType = opts.fileType ?? "F32";
  const md: GgufMetadata = new Map();
  md.set("general.architecture", gv.str("llama"));
  md.set("general.type", gv.str("model"));
  md.set("general.name", gv.str(opts.name ?? "lineage-llama"));
  md.set("general.alignment", gv.u32(32));
  md.set("general.file_type", gv.u32(FILE_TYPE_CODE[fileType]));
  md.set("llama.vocab_size", gv.u32(config.vocabSize));
  md.set("llama.context_length", gv.u32(config.contextLength));
  md.set("llama.embedding_length", gv.u32(config.dim));
  md.set("llama.block_count", gv.u32(config.nLayers));
  md.set("llama.feed_forward_length", gv.u32(config.ffnDim));
  md.set("llama.rope.dimension_count", gv.u32(config.dim / config.nHeads));
  md.set("llama.attention.head_count", gv.u32(config.nHeads));
  md.set("llama.attention.head_count_kv", gv.u32(config.nKvHeads));
  md.set("llama.attention.layer_norm_rms_epsilon", gv.f32(config.rmsNormEps));
  md.set("llama.rope.freq_base", gv.f32(config.ropeTheta));
  tokenizerMetadata(md, tokenizer, config.vocabSize);
  for (const [k, v] of opts.extra ?? []) md.set(k, v);
  const order = [...expectedLlamaShapes(config).keys()];
  const inputs: GgufTensorInput[] = order.map((name) => {
    const t = tensors.get(name)!;
    const type: GgmlType = t.shape.length === 1 ? "F32" : fileType;
    return { name, shape: t.shape, data: t.data, type };
  });
  return writeGguf(md, inputs);
}

/** Write a llama base model GGUF file atomically (nothing is left at `path` on failure). */
export async function writeLlamaGguf(path: string, config: LlamaConfig, tensors: TensorMap, tokenizer: GgufTokenizer, opts: WriteLlamaOptions = {}): Promise<Uint8Array> {
  const bytes = encodeLlamaGguf(config, tensors, tokenizer, opts);
  await writeFileAtomic(path, bytes);
  return bytes;
}

export interface LlamaGguf {
  config: LlamaConfig;
  tensors: TensorMap;
  tokenizer: GgufTokenizer;
  file: GgufFile;
}

/** Read the llama config from GGUF metadata (checks the architecture). */
export function llamaConfigFromMetadata(md: GgufMetadata, hasOutput: boolean): LlamaConfig {
  const arch = metaString(md, "general.architecture");
  if (arch !== "llama") throw new GgufError(`wrong architecture "${arch}": expected "llama"`);
  const tokens = md.get("tokenizer.ggml.tokens");
  const vocab = md.has("llama.vocab_size") ? metaNumber(md, "llama.vocab_size") : tokens?.type === "array" ? tokens.value.length : 0;
  const dim = metaNumber(md, "llama.embedding_length");
  const nHeads = metaNumber(md, "llama.attention.head_count");
  const c: LlamaConfig = {
    vocabSize: vocab,
    contextLength: metaNumber(md, "llama.context_length"),
    dim,
    nLayers: metaNumber(md, "llama.block_count"),
    nHeads,
    nKvHeads: md.has("llama.attention.head_count_kv") ? metaNumber(md, "llama.attention.head_count_kv") : nHeads,
    ffnDim: metaNumber(md, "llama.feed_forward_length"),
    rmsNormEps: metaNumber(md, "llama.attention.layer_norm_rms_epsilon"),
    ropeTheta: md.has("llama.rope.freq_base") ? metaNumber(md, "llama.rope.freq_base") : 10000,
    tiedEmbeddings: !hasOutput,
  };
  validateLlamaConfig(c);
  if (md.has("llama.rope.dimension_count") && metaNumber(md, "llama.rope.dimension_count") !== dim / nHeads)
    throw new GgufError("llama.rope.dimension_count differs from the head dimension: partial RoPE is not supported");
  return c;
}

/** Parse a llama base model GGUF from bytes: validated header, config, tokenizer and all tensors (dequantised). */
export function decodeLlamaGguf(bytes: Uint8Array): LlamaGguf {
  const file = readGguf(bytes);
  const md = file.metadata;
  const type = md.get("general.type");
  if (type?.type === "string" && type.value === "adapter") throw new GgufError("this GGUF is a LoRA adapter, not a base model");
  const config = llamaConfigFromMetadata(md, file.tensors.some((t) => t.name === "output.weight"));
  const tokModel = metaString(md, "tokenizer.ggml.model");
  if (tokModel !== "gpt2") throw new GgufError(`tokenizer model "${tokModel}" not supported (expected "gpt2")`);
  const tokenizer: GgufTokenizer = {
    pre: md.has("tokenizer.ggml.pre") ? metaString(md, "tokenizer.ggml.pre") : "default",
    tokens: metaArray(md, "tokenizer.ggml.tokens").map(String),
    tokenTypes: metaArray(md, "tokenizer.ggml.token_type").map(Number),
    merges: metaArray(md, "tokenizer.ggml.merges").map(String),
    bosId: metaNumber(md, "tokenizer.ggml.bos_token_id"),
    eosId: metaNumber(md, "tokenizer.ggml.eos_token_id"),
    ...(md.has("tokenizer.ggml.padding_token_id") ? { padId: metaNumber(md, "tokenizer.ggml.padding_token_id") } : {}),
    addBos: md.get("tokenizer.ggml.add_bos_token")?.value === true,
    ...(md.has("tokenizer.chat_template") ? { chatTemplate: metaString(md, "tokenizer.chat_template") } : {}),
  };
  // check names and shapes from the header before decoding any tensor data
  const expected = expectedLlamaShapes(config);
  if (file.tensors.length !== expected.size) throw new GgufError(`${file.tensors.length} tensors in the file, the config implies ${expected.size}`);
  for (const info of file.tensors) {
    const shape = expected.get(info.name);
    if (!shape) throw new GgufError(`unexpected tensor ${info.name} for this config`);
    if (shape.length !== info.shape.length || shape.some((d, i) => d !== info.shape[i]))
      throw new GgufError(`shape mismatch for ${info.name}: expected [${shape}], got [${info.shape}]`);
  }
  if (tokenizer.tokens.length !== config.vocabSize || tokenizer.tokenTypes.length !== config.vocabSize)
    throw new GgufError(`tokenizer has ${tokenizer.tokens.length} tokens / ${tokenizer.tokenTypes.length} types, vocabulary is ${config.vocabSize}`);
  const tensors: TensorMap = new Map();
  for (const info of file.tensors) tensors.set(info.name, readGgufTensor(file, info.name));
  validateLlamaTensors(config, tensors);
  return { config, tensors, tokenizer, file };
}

/** Read and validate a llama base model GGUF file. */
export async function readLlamaGguf(path: string): Promise<LlamaGguf> {
  return decodeLlamaGguf(new Uint8Array(await readFile(path)));
}

/* ------------------------------------------------------------------ LORA ADAPTERS */

/**
 * A LoRA adapter in TensorMap form: for each target `blk.N.<t>.weight`, tensors `blk.N.<t>.weight.lora_a` [r, in]
 * and `blk.N.<t>.weight.lora_b` [out, r]. The runtime adds (alpha / r) · B · A to W.
 */
export interface LoraAdapter {
  alpha: number;
  rank: number;
  tensors: TensorMap;
}

const LORA_NAME = /^blk\.(\d+)\.([a-z_]+)\.weight\.lora_(a|b)$/;

/** Check an adapter against the base config: names, pairs, rank and shapes. */
export function validateLoraAdapter(c: LlamaConfig, a: LoraAdapter): void {
  if (!(a.alpha > 0) || !Number.isFinite(a.alpha)) throw new GgufError(`adapter alpha must be positive, got ${a.alpha}`);
  if (!Number.isInteger(a.rank) || a.rank < 1) throw new GgufError(`adapter rank must be a positive integer, got ${a.rank}`);
  if (a.tensors.size === 0) throw new GgufError("adapter has no tensors");
  const base = expectedLlamaShapes(c);
  for (const [name, t] of a.tensors) {
    const m = LORA_NAME.exec(name);
    if (!m) throw new GgufError(`unexpected adapter tensor ${name}`);
    const target = name.slice(0, -".lora_a".length);
    const w = base.get(target);
    if (!w || !(LORA_TARGETS as readonly string[]).includes(m[2]!)) throw new GgufError(`adapter tensor ${name} targets ${target}, which is not a linear layer of this model`);
    const other = `${target}.lora_${m[3] === "a" ? "b" : "a"}`;
    if (!a.tensors.has(other)) throw new GgufError(`adapter tensor ${name} has no ${other}`);
    const [out, inp] = w as [number, number];
    const want = m[3] === "a" ? [a.rank, inp] : [out, a.rank];
    if (t.shape.length !== 2 || t.shape[0] !== want[0] || t.shape[1] !== want[1])
      throw new GgufError(`shape mismatch for ${name}: expected [${want}], got [${t.shape}]`);
    if (t.data.length !== numel(t.shape)) throw new GgufError(`adapter tensor ${name}: ${t.data.length} values for [${t.shape}]`);
  }
}

/** Serialise a LoRA adapter GGUF (F32 or F16 tensors). */
export function encodeLoraGguf(config: LlamaConfig, adapter: LoraAdapter, opts: { name?: string; type?: "F32" | "F16"; extra?: GgufMetadata } = {}): Uint8Array {
  validateLlamaConfig(config);
  validateLoraAdapter(config, adapter);
  const md: GgufMetadata = new Map();
  md.set("general.architecture", gv.str("llama"));
  md.set("general.type", gv.str("adapter"));
  md.set("general.name", gv.str(opts.name ?? "lineage-lora"));
  md.set("general.alignment", gv.u32(32));
  md.set("adapter.type", gv.str("lora"));
  md.set("adapter.lora.alpha", gv.f32(adapter.alpha));
  for (const [k, v] of opts.extra ?? []) md.set(k, v);
  const names = [...adapter.tensors.keys()].sort((x, y) => x.localeCompare(y, "en", { numeric: true }));
  return writeGguf(
    md,
    names.map((name) => {
      const t = adapter.tensors.get(name)!;
      return { name, shape: t.shape, data: t.data, type: opts.type ?? "F32" };
    }),
  );
}

export async function writeLoraGguf(path: string, config: LlamaConfig, adapter: LoraAdapter, opts: { name?: string; type?: "F32" | "F16"; extra?: GgufMetadata } = {}): Promise<Uint8Array> {
  const bytes = encodeLoraGguf(config, adapter, opts);
  await writeFileAtomic(path, bytes);
  return bytes;
}

/** Parse a LoRA adapter GGUF; with `config`, also check it fits that base model. */
export function decodeLoraGguf(bytes: Uint8Array, config?: LlamaConfig): LoraAdapter & { file: GgufFile } {
  const file = readGguf(bytes);
  const md = file.metadata;
  const arch = metaString(md, "general.architecture");
  if (arch !== "llama") throw new GgufError(`wrong architecture "${arch}": expected "llama"`);
  if (metaString(md, "general.type") !== "adapter") throw new GgufError("not an adapter: general.type is not \"adapter\"");
  if (metaString(md, "adapter.type") !== "lora") throw new GgufError(`adapter.type "${metaString(md, "adapter.type")}" is not "lora"`);
  const alpha = metaNumber(md, "adapter.lora.alpha");
  const tensors: TensorMap = new Map();
  for (const info of file.tensors) tensors.set(info.name, readGgufTensor(file, info.name));
  const firstA = [...tensors.entries()].find(([n]) => n.endsWith(".lora_a"));
  if (!firstA) throw new GgufError("adapter has no lora_a tensor");
  const rank = firstA[1].shape[0]!;
  const adapter = { alpha, rank, tensors };
  if (config) validateLoraAdapter(config, adapter);
  return { ...adapter, file };
}

export async function readLoraGguf(path: string, config?: LlamaConfig): Promise<LoraAdapter & { file: GgufFile }> {
  return decodeLoraGguf(new Uint8Array(await readFile(path)), config);
}

/** W + (alpha / r) · B · A for every adapted weight (scale multiplies on top, like llama.cpp's adapter scale). */
export function mergeLora(base: TensorMap, adapter: LoraAdapter, scale = 1): TensorMap {
  const out: TensorMap = new Map();
  for (const [name, t] of base) out.set(name, { shape: [...t.shape], data: t.data.slice() });
  const s = (adapter.alpha / adapter.rank) * scale;
  for (const [name, a] of adapter.tensors) {
    if (!name.endsWith(".lora_a")) continue;
    const target = name.slice(0, -".lora_a".length);
    const b = adapter.tensors.get(`${target}.lora_b`)!;
    const w: Tensor | undefined = out.get(target);
    if (!w) throw new GgufError(`adapter targets ${target}, absent from the base`);
    const [outDim, inDim] = w.shape as [number, number];
    const r = adapter.rank;
    for (let o = 0; o < outDim; o++)
      for (let k = 0; k < r; k++) {
        const bv = b.data[o * r + k]! * s;
        if (bv === 0) continue;
        const row = o * inDim;
        const arow = k * inDim;
        for (let i = 0; i < inDim; i++) w.data[row + i] = w.data[row + i]! + bv * a.data[arow + i]!;
      }
  }
  return out;
}
