// SPDX-License-Identifier: MIT
/**
 * Hugging Face layouts of llama-family base models (Llama, Mistral, Qwen2): `config.json` + `model.safetensors`
 * (or a sharded `model.safetensors.index.json`), tensor names `model.layers.N.self_attn.q_proj.weight` ...
 *
 * RoPE and q/k rows: our weights (and GGUF) use llama.cpp's LLAMA convention, which rotates interleaved pairs
 * (x[2j], x[2j+1]) of each head. Hugging Face's modelling code rotates halves (x[j], x[j + d/2]), so HF checkpoints
 * store q_proj / k_proj rows permuted: HF row h·d + i·d/2 + j = GGUF row h·d + 2j + i. llama.cpp's converter
 * (`LlamaModel.permute`) undoes exactly this. Qwen2 is converted by llama.cpp without un-permuting because its
 * GGUF uses NEOX (half) RoPE; for our interleaved-RoPE model the same permutation is the one that makes HF's Qwen2
 * code compute our function, so all three layouts permute. Qwen2 also has q/k/v biases: written as zeros, and a
 * checkpoint with non-zero biases is refused (our llama has none).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import type { LlamaConfig, Tensor, TensorMap } from "../tensors/index.ts";
import { writeFileAtomic } from "./atomic.ts";
import { expectedLlamaShapes, validateLlamaConfig, validateLlamaTensors } from "./llama.ts";
import { decodeSafetensors, encodeSafetensors, type SafetensorsDtype } from "./safetensors.ts";

export class HfFormatError extends Error {
  override name = "HfFormatError";
}

export type HfArchitecture = "llama" | "mistral" | "qwen2";
const ARCH_CLASS: Record<HfArchitecture, string> = { llama: "LlamaForCausalLM", mistral: "MistralForCausalLM", qwen2: "Qwen2ForCausalLM" };

/** GGUF block tensor -> HF module path inside `model.layers.N.` */
export const HF_MODULES = {
  attn_norm: "input_layernorm",
  attn_q: "self_attn.q_proj",
  attn_k: "self_attn.k_proj",
  attn_v: "self_attn.v_proj",
  attn_output: "self_attn.o_proj",
  ffn_norm: "post_attention_layernorm",
  ffn_gate: "mlp.gate_proj",
  ffn_up: "mlp.up_proj",
  ffn_down: "mlp.down_proj",
} as const;
const GLOBAL_NAMES: Record<string, string> = { "token_embd.weight": "model.embed_tokens.weight", "output_norm.weight": "model.norm.weight", "output.weight": "lm_head.weight" };

/** GGUF tensor name -> HF tensor name. */
export function ggufToHfName(name: string): string {
  const g = GLOBAL_NAMES[name];
  if (g) return g;
  const m = /^blk\.(\d+)\.([a-z_]+)\.weight$/.exec(name);
  const mod = m ? HF_MODULES[m[2] as keyof typeof HF_MODULES] : undefined;
  if (!m || !mod) throw new HfFormatError(`no Hugging Face name for ${name}`);
  return `model.layers.${m[1]}.${mod}.weight`;
}

/** HF tensor name -> GGUF tensor name (undefined for names we do not map). */
export function hfToGgufName(name: string): string | undefined {
  for (const [k, v] of Object.entries(GLOBAL_NAMES)) if (v === name) return k;
  const m = /^model\.layers\.(\d+)\.(.+)\.weight$/.exec(name);
  if (!m) return undefined;
  const entry = Object.entries(HF_MODULES).find(([, v]) => v === m[2]);
  return entry ? `blk.${m[1]}.${entry[0]}.weight` : undefined;
}

/**
 * Reorder the rows of a [nHeads·headDim, cols] matrix between GGUF (interleaved RoPE pairs) and HF (halves) order.
 * `toHf` = true maps GGUF -> HF; false is the inverse (llama.cpp's `permute`).
 */
export function permuteRopeRows(t: Tensor, nHeads: number, toHf: boolean): Tensor {
  const [rows, cols] = t.shape as [number, number];
  const hd = rows / nHeads;
  if (!Number.isInteger(hd) || hd % 2 !== 0) throw new HfFormatError(`cannot permute ${rows} rows into ${nHeads} heads of even size`);
  const out = new Float32Array(t.data.length);
  for (let h = 0; h < nHeads; h++)
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < hd / 2; j++) {
        const hfRow = h * hd + i * (hd / 2) + j;
        const ggRow = h * hd + 2 * j + i;
        const [src, dst] = toHf ? [ggRow, hfRow] : [hfRow, ggRow];
        out.set(t.data.subarray(src * cols, src * cols + cols), dst * cols);
      }
  return { shape: [rows, cols], data: out };
}

/** Our weights -> HF tensors (names mapped, q/k permuted, Qwen2's zero q/k/v biases added). */
export function toHfTensors(config: LlamaConfig, tensors: TensorMap, arch: HfArchitecture): TensorMap {
  validateLlamaTensors(config, tensors);
  const out: TensorMap = new Map();
  for (const [name, t] of tensors) {
    let v = t;
    if (name.endsWith(".attn_q.weight")) v = permuteRopeRows(t, config.nHeads, true);
    else if (name.endsWith(".attn_k.weight")) v = permuteRopeRows(t, config.nKvHeads, true);
    out.set(ggufToHfName(name), { shape: [...v.shape], data: v === t ? t.data.slice() : v.data });
  }
  if (arch === "qwen2") {
    const kv = (config.dim / config.nHeads) * config.nKvHeads;
    for (let i = 0; i < config.nLayers; i++) {
      out.set(`model.layers.${i}.self_attn.q_proj.bias`, { shape: [config.dim], data: new Float32Array(config.dim) });
      out.set(`model.layers.${i}.self_attn.k_proj.bias`, { shape: [kv], data: new Float32Array(kv) });
      out.set(`model.layers.${i}.self_attn.v_proj.bias`, { shape: [kv], data: new Float32Array(kv) });
    }
  }
  return out;
}

/** HF tensors -> our weights (names mapped, q/k un-permuted, biases checked to be zero). */
export function fromHfTensors(config: LlamaConfig, arch: HfArchitecture, hf: TensorMap): TensorMap {
  const out: TensorMap = new Map();
  for (const [name, t] of hf) {
    if (/\.(q|k|v)_proj\.bias$/.test(name)) {
      if (arch !== "qwen2") throw new HfFormatError(`unexpected bias ${name} in a ${arch} checkpoint`);
      if (t.data.some((x) => x !== 0)) throw new HfFormatError(`${name} is non-zero: attention biases are not supported by our llama`);
      continue;
    }
    if (/rotary_emb\.inv_freq$/.test(name)) continue; // derived buffer some exporters save
    const g = hfToGgufName(name);
    if (!g) throw new HfFormatError(`unexpected tensor ${name} in a ${arch} checkpoint`);
    if (config.tiedEmbeddings && g === "output.weight") {
      const emb = hf.get("model.embed_tokens.weight");
      if (emb && emb.data.every((x, i) => x === t.data[i])) continue; // some exporters save the tied copy
      throw new HfFormatError("lm_head.weight present but config.json says tie_word_embeddings");
    }
    let v = t;
    if (g.endsWith(".attn_q.weight")) v = permuteRopeRows(t, config.nHeads, false);
    else if (g.endsWith(".attn_k.weight")) v = permuteRopeRows(t, config.nKvHeads, false);
    out.set(g, v);
  }
  validateLlamaTensors(config, out);
  return out;
}

const hfConfigSchema = z.object({
  architectures: z.array(z.string()).optional(),
  model_type: z.string(),
  vocab_size: z.number().int().positive(),
  hidden_size: z.number().int().positive(),
  intermediate_size: z.number().int().positive(),
  num_hidden_layers: z.number().int().positive(),
  num_attention_heads: z.number().int().positive(),
  num_key_value_heads: z.number().int().positive().optional(),
  rms_norm_eps: z.number().positive(),
  rope_theta: z.number().positive().optional(),
  max_position_embeddings: z.number().int().positive(),
  tie_word_embeddings: z.boolean().optional(),
  hidden_act: z.string().optional(),
  head_dim: z.number().int().positive().nullable().optional(),
  rope_scaling: z.unknown().optional(),
  attention_bias: z.boolean().optional(),
  mlp_bias: z.boolean().optional(),
});

/** `config.json` for our model in one of the HF architectures. */
export function hfConfigJson(c: LlamaConfig, arch: HfArchitecture, extra: { bosId?: number; eosId?: number; dtype?: string } = {}): Record<string, unknown> {
  validateLlamaConfig(c);
  const base: Record<string, unknown> = {
    architectures: [ARCH_CLASS[arch]],
    model_type: arch,
    vocab_size: c.vocabSize,
    hidden_size: c.dim,
    intermediate_size: c.ffnDim,
    num_hidden_layers: c.nLayers,
    num_attention_heads: c.nHeads,
    num_key_value_heads: c.nKvHeads,
    head_dim: c.dim / c.nHeads,
    hidden_act: "silu",
    max_position_embeddings: c.contextLength,
    rms_norm_eps: c.rmsNormEps,
    rope_theta: c.ropeTheta,
    rope_scaling: null,
    tie_word_embeddings: c.tiedEmbeddings,
    torch_dtype: extra.dtype ?? "float32",
    use_cache: true,
    ...(extra.bosId !== undefined ? { bos_token_id: extra.bosId } : {}),
    ...(extra.eosId !== undefined ? { eos_token_id: extra.eosId } : {}),
  };
  if (arch === "llama") Object.assign(base, { attention_bias: false, mlp_bias: false });
  if (arch === "mistral") Object.assign(base, { sliding_window: null });
  if (arch === "qwen2") Object.assign(base, { use_sliding_window: false, sliding_window: null, max_window_layers: c.nLayers });
  return base;
}

/** Parse an HF `config.json` of a Llama, Mistral or Qwen2 model into our config. */
export function parseHfConfig(json: unknown): { config: LlamaConfig; arch: HfArchitecture } {
  const r = hfConfigSchema.safeParse(json);
  if (!r.success) throw new HfFormatError(`config.json: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const j = r.data;
  if (j.model_type !== "llama" && j.model_type !== "mistral" && j.model_type !== "qwen2")
    throw new HfFormatError(`wrong architecture: model_type "${j.model_type}" (supported: llama, mistral, qwen2)`);
  const arch = j.model_type;
  if (j.hidden_act && j.hidden_act !== "silu") throw new HfFormatError(`hidden_act ${j.hidden_act} not supported (silu only)`);
  if (j.rope_scaling) throw new HfFormatError("rope_scaling is not supported");
  if (j.attention_bias || j.mlp_bias) throw new HfFormatError("attention/MLP biases are not supported");
  if (j.head_dim && j.head_dim !== j.hidden_size / j.num_attention_heads) throw new HfFormatError(`head_dim ${j.head_dim} differs from hidden_size / heads`);
  const config: LlamaConfig = {
    vocabSize: j.vocab_size,
    contextLength: j.max_position_embeddings,
    dim: j.hidden_size,
    nLayers: j.num_hidden_layers,
    nHeads: j.num_attention_heads,
    nKvHeads: j.num_key_value_heads ?? j.num_attention_heads,
    ffnDim: j.intermediate_size,
    rmsNormEps: j.rms_norm_eps,
    ropeTheta: j.rope_theta ?? 10000,
    tiedEmbeddings: j.tie_word_embeddings ?? arch !== "llama",
  };
  try {
    validateLlamaConfig(config);
  } catch (e) {
    throw new HfFormatError(`config.json: ${(e as Error).message}`);
  }
  return { config, arch };
}

export interface WriteHfOptions {
  arch: HfArchitecture;
  dtype?: SafetensorsDtype;
  /** A Hugging Face `tokenizer.json` (text) to ship beside the weights. */
  tokenizerJson?: string;
  bosId?: number;
  eosId?: number;
}

/** Write `config.json` + `model.safetensors` (+ `tokenizer.json`). Everything is encoded before any file is written. */
export async function writeHfModel(dir: string, config: LlamaConfig, tensors: TensorMap, opts: WriteHfOptions): Promise<void> {
  const hf = toHfTensors(config, tensors, opts.arch);
  const dtype = opts.dtype ?? "F32";
  const st = encodeSafetensors(hf, { dtype, metadata: { format: "pt" } });
  const cfg = JSON.stringify(hfConfigJson(config, opts.arch, { ...opts, dtype: { F32: "float32", F16: "float16", BF16: "bfloat16" }[dtype] }), null, 2);
  if (opts.tokenizerJson !== undefined) JSON.parse(opts.tokenizerJson);
  await writeFileAtomic(join(dir, "model.safetensors"), st);
  if (opts.tokenizerJson !== undefined) await writeFileAtomic(join(dir, "tokenizer.json"), opts.tokenizerJson);
  await writeFileAtomic(join(dir, "config.json"), `${cfg}\n`);
}

/** Read a Llama / Mistral / Qwen2 checkpoint directory (single or sharded safetensors) into our weights. */
export async function readHfModel(dir: string): Promise<{ config: LlamaConfig; arch: HfArchitecture; tensors: TensorMap }> {
  let cfgJson: unknown;
  try {
    cfgJson = JSON.parse(await readFile(join(dir, "config.json"), "utf8"));
  } catch (e) {
    throw new HfFormatError(`cannot read ${join(dir, "config.json")}: ${(e as Error).message}`);
  }
  const { config, arch } = parseHfConfig(cfgJson);
  const hf: TensorMap = new Map();
  const index = await readFile(join(dir, "model.safetensors.index.json"), "utf8").catch(() => undefined);
  const files = index ? [...new Set(Object.values(z.object({ weight_map: z.record(z.string(), z.string()) }).parse(JSON.parse(index)).weight_map))] : ["model.safetensors"];
  for (const f of files) {
    if (f.includes("/") || f.includes("..")) throw new HfFormatError(`shard name ${f} escapes the directory`);
    const st = decodeSafetensors(new Uint8Array(await readFile(join(dir, f))));
    for (const [n, t] of st.tensors) {
      if (hf.has(n)) throw new HfFormatError(`tensor ${n} appears in two shards`);
      hf.set(n, t);
    }
  }
  const expectedCount = expectedLlamaShapes(config).size;
  if (hf.size < expectedCount) throw new HfFormatError(`checkpoint has ${hf.size} tensors, config implies at least ${expectedCount}`);
  return { config, arch, tensors: fromHfTensors(config, arch, hf) };
}
