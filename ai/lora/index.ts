// SPDX-License-Identifier: MIT
/**
 * LoRA adapters for the llama model: y = x W + (alpha / r) * dropout(x) A B on the chosen target modules
 * (q, k, v, o, gate, up, down), with A ~ U(-1/sqrt(in), 1/sqrt(in)) and B = 0 at start (PEFT's default), so an
 * untrained adapter leaves the model unchanged. QLoRA = the same adapters over a base held in Q8_0/Q4_0 blocks
 * (`LlamaModel.fromWeights(cfg, w, { quantize: "q4_0", trainable: false })`).
 *
 * Exchange form (ai/tensors): `blk.{i}.{attn_q,...}.weight.lora_a` [r, in] and `.lora_b` [out, r] + alpha.
 */
import { tf } from "../backend/index.ts";
import { type ForwardContext, type LinearAdapter, LlamaModel, ModelError } from "../model/index.ts";
import type { TensorMap } from "../tensors/index.ts";

export const LORA_TARGETS = { q: "attn_q", k: "attn_k", v: "attn_v", o: "attn_output", gate: "ffn_gate", up: "ffn_up", down: "ffn_down" } as const;
export type LoraTarget = keyof typeof LORA_TARGETS;

export interface LoraConfig {
  rank: number;
  alpha: number;
  dropout?: number; // probability in [0, 1)
  targets: LoraTarget[];
  /** Layers to adapt (default all). */
  layers?: number[];
}

export class LoraError extends Error {
  constructor(message: string) {
    super(`lora: ${message}`);
    this.name = "LoraError";
  }
}

export function validateLoraConfig(cfg: LoraConfig, nLayers: number): void {
  if (!Number.isInteger(cfg.rank) || cfg.rank <= 0) throw new LoraError(`rank must be a positive integer, got ${cfg.rank}`);
  if (!(cfg.alpha > 0)) throw new LoraError(`alpha must be > 0, got ${cfg.alpha}`);
  const p = cfg.dropout ?? 0;
  if (!(p >= 0 && p < 1)) throw new LoraError(`dropout must be in [0, 1), got ${p}`);
  if (!Array.isArray(cfg.targets) || cfg.targets.length === 0) throw new LoraError("targets must be a non-empty list");
  for (const t of cfg.targets) if (!(t in LORA_TARGETS)) throw new LoraError(`unknown target module "${t}" (use ${Object.keys(LORA_TARGETS).join(", ")})`);
  for (const l of cfg.layers ?? []) if (!Number.isInteger(l) || l < 0 || l >= nLayers) throw new LoraError(`layer ${l} out of range [0, ${nLayers})`);
}

interface Pair {
  a: tf.Variable; // [in, r]
  b: tf.Variable; // [r, out]
}

export class LoraAdapter implements LinearAdapter {
  readonly config: Required<Omit<LoraConfig, "layers">> & { layers: number[] };
  readonly #pairs = new Map<string, Pair>(); // by weight name
  readonly scale: number;

  private constructor(cfg: LoraConfig, nLayers: number) {
    validateLoraConfig(cfg, nLayers);
    this.config = { rank: cfg.rank, alpha: cfg.alpha, dropout: cfg.dropout ?? 0, targets: [...cfg.targets], layers: cfg.layers ?? [...Array(nLayers).keys()] };
    this.scale = cfg.alpha / cfg.rank;
  }

  /** Fresh adapters for `model` (A random from `seed`, B zero), attached to the model. */
  static create(model: LlamaModel, cfg: LoraConfig, seed = 1): LoraAdapter {
    const ad = new LoraAdapter(cfg, model.config.nLayers);
    let k = 0;
    for (const name of ad.weightNames()) {
      const [inn, out] = model.linearShape(name);
      const bound = 1 / Math.sqrt(inn);
      const a = tf.tidy(() => tf.randomUniform([inn, cfg.rank], -bound, bound, "float32", seed * 7919 + ++k));
      ad.#pairs.set(name, { a: tf.variable(a, true), b: tf.variable(tf.zeros([cfg.rank, out]), true) });
      a.dispose();
    }
    model.setAdapter(ad);
    return ad;
  }

  /** Adapters from exchange tensors (`*.lora_a` [r, in], `*.lora_b` [out, r]); validates names and shapes. */
  static fromTensorMap(model: LlamaModel, tensors: TensorMap, opts: { alpha: number; dropout?: number }): LoraAdapter {
    const targets = new Set<LoraTarget>();
    const layers = new Set<number>();
    let rank = 0;
    for (const name of tensors.keys()) {
      const m = /^blk\.(\d+)\.(attn_q|attn_k|attn_v|attn_output|ffn_gate|ffn_up|ffn_down)\.weight\.lora_([ab])$/.exec(name);
      if (!m) throw new LoraError(`unexpected adapter tensor ${name}`);
      layers.add(Number(m[1]));
      targets.add((Object.entries(LORA_TARGETS).find(([, v]) => v === m[2])![0]) as LoraTarget);
      const t = tensors.get(name)!;
      const r = m[3] === "a" ? t.shape[0]! : t.shape[1]!;
      if (rank && r !== rank) throw new LoraError(`inconsistent rank: ${name} has ${r}, expected ${rank}`);
      rank = r;
    }
    if (tensors.size === 0) throw new LoraError("adapter has no tensors");
    const ad = new LoraAdapter({ rank, alpha: opts.alpha, dropout: opts.dropout ?? 0, targets: [...targets], layers: [...layers].sort((a, b) => a - b) }, model.config.nLayers);
    const created: tf.Variable[] = [];
    try {
      for (const name of new Set([...tensors.keys()].map((n) => n.replace(/\.lora_[ab]$/, "")))) {
        const [inn, out] = model.linearShape(name);
        const ta = tensors.get(`${name}.lora_a`);
        const tb = tensors.get(`${name}.lora_b`);
        if (!ta || !tb) throw new LoraError(`${name}: lora_a and lora_b must both be present`);
        if (ta.shape.join() !== `${rank},${inn}`) throw new LoraError(`${name}.lora_a: expected [${rank}, ${inn}], got [${ta.shape}]`);
        if (tb.shape.join() !== `${out},${rank}`) throw new LoraError(`${name}.lora_b: expected [${out}, ${rank}], got [${tb.shape}]`);
        const a = tf.variable(tf.tidy(() => tf.tensor2d(ta.data, [rank, inn]).transpose()), true);
        created.push(a);
        const b = tf.variable(tf.tidy(() => tf.tensor2d(tb.data, [out, rank]).transpose()), true);
        created.push(b);
        ad.#pairs.set(name, { a, b });
      }
    } catch (e) {
      for (const v of created) v.dispose();
      throw e;
    }
    model.setAdapter(ad);
    return ad;
  }

  /** GGUF weight names this adapter targets. */
  weightNames(): string[] {
    if (this.#pairs.size) return [...this.#pairs.keys()];
    const out: string[] = [];
    for (const l of this.config.layers) for (const t of this.config.targets) out.push(`blk.${l}.${LORA_TARGETS[t]}.weight`);
    return out;
  }

  delta(name: string, x: tf.Tensor2D, ctx: ForwardContext): tf.Tensor2D | undefined {
    const p = this.#pairs.get(name);
    if (!p) return undefined;
    let xi = x;
    const drop = this.config.dropout;
    if (ctx.training && drop > 0) {
      const keep = tf.cast(tf.greaterEqual(tf.randomUniform(x.shape, 0, 1, "float32", ctx.nextSeed()), drop), "float32");
      xi = tf.mul(x, tf.mul(keep, 1 / (1 - drop))) as tf.Tensor2D;
    }
    return tf.mul(tf.matMul(tf.matMul(xi, p.a as tf.Tensor as tf.Tensor2D), p.b as tf.Tensor as tf.Tensor2D), this.scale) as tf.Tensor2D;
  }

  /** Trainable variables by exchange name (`...lora_a` is held [in, r], `...lora_b` [r, out]). */
  namedVariables(): Map<string, tf.Variable> {
    const m = new Map<string, tf.Variable>();
    for (const [name, p] of this.#pairs) {
      m.set(`${name}.lora_a`, p.a);
      m.set(`${name}.lora_b`, p.b);
    }
    return m;
  }

  /** Number of trainable parameters. */
  paramCount(): number {
    let n = 0;
    for (const p of this.#pairs.values()) n += p.a.size + p.b.size;
    return n;
  }

  /** Exchange tensors: lora_a [r, in], lora_b [out, r] (PEFT's order). */
  exportTensors(): TensorMap {
    const out: TensorMap = new Map();
    for (const [name, p] of this.#pairs) {
      const [inn, r] = p.a.shape;
      const [, o] = p.b.shape;
      out.set(`${name}.lora_a`, { shape: [r!, inn!], data: Float32Array.from(tf.tidy(() => p.a.transpose().dataSync() as Float32Array)) });
      out.set(`${name}.lora_b`, { shape: [o!, r!], data: Float32Array.from(tf.tidy(() => p.b.transpose().dataSync() as Float32Array)) });
    }
    return out;
  }

  /** Base weights with the adapters merged: W' = W + (alpha/r) B A (GGUF [out, in] layout). */
  mergedWeights(model: LlamaModel): TensorMap {
    const w = model.exportWeights();
    for (const [name, p] of this.#pairs) {
      const t = w.get(name);
      if (!t) throw new ModelError(`merge: base lacks ${name}`);
      const delta = tf.tidy(() => tf.mul(tf.matMul(p.a, p.b), this.scale).transpose().dataSync() as Float32Array); // [out, in]
      const data = new Float32Array(t.data.length);
      for (let i = 0; i < data.length; i++) data[i] = t.data[i]! + delta[i]!;
      w.set(name, { shape: t.shape, data });
    }
    return w;
  }

  dispose(): void {
    for (const p of this.#pairs.values()) {
      p.a.dispose();
      p.b.dispose();
    }
    this.#pairs.clear();
  }
}

/** The adapter in exchange form plus what a PEFT/GGUF writer needs. */
export interface ExportedAdapter {
  tensors: TensorMap;
  alpha: number;
  rank: number;
  dropout: number;
  targets: LoraTarget[];
  /** GGUF/HF module names of the targets, e.g. ["q_proj", "v_proj"]. */
  peftTargetModules: string[];
}

export const PEFT_NAMES: Record<LoraTarget, string> = { q: "q_proj", k: "k_proj", v: "v_proj", o: "o_proj", gate: "gate_proj", up: "up_proj", down: "down_proj" };

export function exportAdapter(adapter: LoraAdapter): ExportedAdapter {
  return {
    tensors: adapter.exportTensors(),
    alpha: adapter.config.alpha,
    rank: adapter.config.rank,
    dropout: adapter.config.dropout,
    targets: [...adapter.config.targets],
    peftTargetModules: adapter.config.targets.map((t) => PEFT_NAMES[t]),
  };
}

/** Attach adapters given in exchange form to `model`. */
export function loadAdapter(model: LlamaModel, tensors: TensorMap, opts: { alpha: number; dropout?: number }): LoraAdapter {
  return LoraAdapter.fromTensorMap(model, tensors, opts);
}
