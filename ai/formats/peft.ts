// SPDX-License-Identifier: MIT
/**
 * PEFT LoRA export / import: `adapter_config.json` + `adapter_model.safetensors` with PEFT's names
 * (`base_model.model.model.layers.N.self_attn.q_proj.lora_A.weight` [r, in], `...lora_B.weight` [out, r]).
 * Like the base weights, q_proj / k_proj are stored in Hugging Face row order: lora_B rows are permuted
 * (B·A's rows permute with B's), lora_A is unchanged; llama.cpp's convert_lora_to_gguf undoes the same.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import type { LlamaConfig, TensorMap } from "../tensors/index.ts";
import { writeFileAtomic } from "./atomic.ts";
import { HF_MODULES, HfFormatError, permuteRopeRows } from "./hf.ts";
import { type LoraAdapter, LORA_TARGETS, type LoraTarget, validateLoraAdapter } from "./llama.ts";
import { decodeSafetensors, encodeSafetensors } from "./safetensors.ts";

export const PEFT_PREFIX = "base_model.model.model.layers.";
/** PEFT `target_modules` names of our LoRA targets. */
export const PEFT_TARGET_NAMES: Record<LoraTarget, string> = {
  attn_q: "q_proj",
  attn_k: "k_proj",
  attn_v: "v_proj",
  attn_output: "o_proj",
  ffn_gate: "gate_proj",
  ffn_up: "up_proj",
  ffn_down: "down_proj",
};

const adapterConfigSchema = z.object({
  peft_type: z.literal("LORA"),
  task_type: z.string().optional(),
  r: z.number().int().positive(),
  lora_alpha: z.number().positive(),
  lora_dropout: z.number().min(0).max(1).optional(),
  target_modules: z.union([z.array(z.string()), z.string()]),
  bias: z.string().optional(),
  fan_in_fan_out: z.boolean().optional(),
  use_rslora: z.boolean().optional(),
  use_dora: z.boolean().optional(),
  rank_pattern: z.record(z.string(), z.number()).optional(),
  alpha_pattern: z.record(z.string(), z.number()).optional(),
  modules_to_save: z.array(z.string()).nullable().optional(),
  base_model_name_or_path: z.string().nullable().optional(),
});

export interface PeftExportOptions {
  baseModel?: string;
  dropout?: number;
}

/** The adapter's PEFT tensors (names, B rows permuted for q/k) and `adapter_config.json`. */
export function toPeft(config: LlamaConfig, adapter: LoraAdapter, opts: PeftExportOptions = {}): { tensors: TensorMap; adapterConfig: Record<string, unknown> } {
  validateLoraAdapter(config, adapter);
  const tensors: TensorMap = new Map();
  const targets = new Set<LoraTarget>();
  for (const [name, t] of adapter.tensors) {
    const m = /^blk\.(\d+)\.([a-z_]+)\.weight\.lora_(a|b)$/.exec(name)!;
    const target = m[2] as LoraTarget;
    targets.add(target);
    let v = t;
    if (m[3] === "b" && target === "attn_q") v = permuteRopeRows(t, config.nHeads, true);
    if (m[3] === "b" && target === "attn_k") v = permuteRopeRows(t, config.nKvHeads, true);
    tensors.set(`${PEFT_PREFIX}${m[1]}.${HF_MODULES[target]}.lora_${m[3]!.toUpperCase()}.weight`, { shape: [...v.shape], data: v === t ? t.data.slice() : v.data });
  }
  const adapterConfig = {
    peft_type: "LORA",
    task_type: "CAUSAL_LM",
    r: adapter.rank,
    lora_alpha: adapter.alpha,
    lora_dropout: opts.dropout ?? 0,
    target_modules: LORA_TARGETS.filter((t) => targets.has(t)).map((t) => PEFT_TARGET_NAMES[t]),
    bias: "none",
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    use_rslora: false,
    use_dora: false,
    modules_to_save: null,
    base_model_name_or_path: opts.baseModel ?? null,
    revision: null,
  };
  return { tensors, adapterConfig };
}

/** Parse PEFT files into our adapter, checked against the base config. */
export function fromPeft(config: LlamaConfig, adapterConfigJson: unknown, tensors: TensorMap): LoraAdapter {
  const r = adapterConfigSchema.safeParse(adapterConfigJson);
  if (!r.success) throw new HfFormatError(`adapter_config.json: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const c = r.data;
  if (c.fan_in_fan_out) throw new HfFormatError("fan_in_fan_out adapters are not supported");
  if (c.use_dora) throw new HfFormatError("DoRA adapters are not supported");
  if (c.bias && c.bias !== "none") throw new HfFormatError(`bias "${c.bias}" is not supported`);
  if (c.modules_to_save && c.modules_to_save.length) throw new HfFormatError("modules_to_save are not supported");
  if ((c.rank_pattern && Object.keys(c.rank_pattern).length) || (c.alpha_pattern && Object.keys(c.alpha_pattern).length))
    throw new HfFormatError("per-module rank/alpha patterns are not supported");
  // llama.cpp scales by alpha / r; rsLoRA scales by alpha / sqrt(r): fold the difference into alpha.
  const alpha = c.use_rslora ? c.lora_alpha * Math.sqrt(c.r) : c.lora_alpha;
  const out: TensorMap = new Map();
  for (const [name, t] of tensors) {
    const m = /^base_model\.model\.model\.layers\.(\d+)\.(.+)\.lora_(A|B)(?:\.default)?\.weight$/.exec(name);
    const target = m ? (Object.entries(HF_MODULES).find(([, v]) => v === m[2])?.[0] as LoraTarget | undefined) : undefined;
    if (!m || !target || !(LORA_TARGETS as readonly string[]).includes(target)) throw new HfFormatError(`unexpected PEFT tensor ${name}`);
    let v = t;
    if (m[3] === "B" && target === "attn_q") v = permuteRopeRows(t, config.nHeads, false);
    if (m[3] === "B" && target === "attn_k") v = permuteRopeRows(t, config.nKvHeads, false);
    out.set(`blk.${m[1]}.${target}.weight.lora_${m[3]!.toLowerCase()}`, v);
  }
  const adapter: LoraAdapter = { alpha, rank: c.r, tensors: out };
  validateLoraAdapter(config, adapter);
  return adapter;
}

/** Write `adapter_config.json` + `adapter_model.safetensors`; returns the safetensors bytes (for digests). */
export async function writePeftAdapter(dir: string, config: LlamaConfig, adapter: LoraAdapter, opts: PeftExportOptions = {}): Promise<{ safetensors: Uint8Array; adapterConfig: string }> {
  const { tensors, adapterConfig } = toPeft(config, adapter, opts);
  const st = encodeSafetensors(tensors, { metadata: { format: "pt" } });
  const cfg = `${JSON.stringify(adapterConfig, null, 2)}\n`;
  await writeFileAtomic(join(dir, "adapter_model.safetensors"), st);
  await writeFileAtomic(join(dir, "adapter_config.json"), cfg);
  return { safetensors: st, adapterConfig: cfg };
}

/** Read a PEFT LoRA directory into our adapter, checked against `config`. */
export async function readPeftAdapter(dir: string, config: LlamaConfig): Promise<LoraAdapter> {
  let cfg: unknown;
  try {
    cfg = JSON.parse(await readFile(join(dir, "adapter_config.json"), "utf8"));
  } catch (e) {
    throw new HfFormatError(`cannot read adapter_config.json in ${dir}: ${(e as Error).message}`);
  }
  const st = decodeSafetensors(new Uint8Array(await readFile(join(dir, "adapter_model.safetensors"))));
  return fromPeft(config, cfg, st.tensors);
}
