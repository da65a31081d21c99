// SPDX-License-Identifier: MIT
/**
 * A llama-family decoder in TypeScript on tfjs: RMSNorm, RoPE (llama.cpp's LLAMA / "normal" convention: adjacent
 * pairs (x[2i], x[2i+1]) rotated by pos * base^(-2i/headDim)), SwiGLU feed-forward, grouped-query attention
 * (query head h uses kv head floor(h / (nHeads/nKvHeads)), as llama.cpp), optional tied output embedding.
 * Forward and backward (tfjs autograd), KV-cache generation, sampling (temperature, top-k, top-p, seed).
 *
 * Weights are exchanged as a `TensorMap` (GGUF names, row-major [out, in]) + `LlamaConfig` (ai/tensors).
 * Internally each linear weight is kept transposed ([in, out]) so that forward products are plain 2-D matmuls
 * (the fast XNNPACK path); `exportWeights` transposes back.
 */
import { tf } from "../backend/index.ts";
import type { LlamaConfig, Tensor, TensorMap } from "../tensors/index.ts";
import { numel } from "../tensors/index.ts";
import { dequantize, quantize, type QuantMatrix, type QuantType } from "./quant.ts";

export * from "./quant.ts";
export * from "./sampling.ts";
import { sampleToken, type SamplingOptions, Rng } from "./sampling.ts";

export class ModelError extends Error {
  constructor(message: string) {
    super(`model: ${message}`);
    this.name = "ModelError";
  }
}

export const LINEAR_KINDS = ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"] as const;
export type LinearKind = (typeof LINEAR_KINDS)[number];

/** Validate a config; throws ModelError with the first problem. */
export function validateConfig(c: LlamaConfig): void {
  const ints: (keyof LlamaConfig)[] = ["vocabSize", "contextLength", "dim", "nLayers", "nHeads", "nKvHeads", "ffnDim"];
  for (const k of ints) {
    const v = c[k];
    if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) throw new ModelError(`config.${k} must be a positive integer, got ${String(v)}`);
  }
  if (c.dim % c.nHeads !== 0) throw new ModelError(`dim ${c.dim} not divisible by nHeads ${c.nHeads}`);
  if (c.nHeads % c.nKvHeads !== 0) throw new ModelError(`nHeads ${c.nHeads} not divisible by nKvHeads ${c.nKvHeads}`);
  if ((c.dim / c.nHeads) % 2 !== 0) throw new ModelError(`head dim ${c.dim / c.nHeads} must be even for RoPE`);
  if (!(c.rmsNormEps > 0) || !(c.ropeTheta > 0)) throw new ModelError("rmsNormEps and ropeTheta must be positive");
  if (typeof c.tiedEmbeddings !== "boolean") throw new ModelError("tiedEmbeddings must be a boolean");
}

/** Expected GGUF-order shape of every tensor of a config. */
export function expectedShapes(c: LlamaConfig): Map<string, number[]> {
  const hd = c.dim / c.nHeads;
  const kv = hd * c.nKvHeads;
  const m = new Map<string, number[]>();
  m.set("token_embd.weight", [c.vocabSize, c.dim]);
  m.set("output_norm.weight", [c.dim]);
  if (!c.tiedEmbeddings) m.set("output.weight", [c.vocabSize, c.dim]);
  for (let i = 0; i < c.nLayers; i++) {
    m.set(`blk.${i}.attn_norm.weight`, [c.dim]);
    m.set(`blk.${i}.attn_q.weight`, [c.dim, c.dim]);
    m.set(`blk.${i}.attn_k.weight`, [kv, c.dim]);
    m.set(`blk.${i}.attn_v.weight`, [kv, c.dim]);
    m.set(`blk.${i}.attn_output.weight`, [c.dim, c.dim]);
    m.set(`blk.${i}.ffn_norm.weight`, [c.dim]);
    m.set(`blk.${i}.ffn_gate.weight`, [c.ffnDim, c.dim]);
    m.set(`blk.${i}.ffn_up.weight`, [c.ffnDim, c.dim]);
    m.set(`blk.${i}.ffn_down.weight`, [c.dim, c.ffnDim]);
  }
  return m;
}

/** Number of parameters of a config. */
export function paramCount(c: LlamaConfig): number {
  let n = 0;
  for (const s of expectedShapes(c).values()) n += numel(s);
  return n;
}

/** An additive low-rank (or other) delta on a linear layer, supplied by ai/lora. */
export interface LinearAdapter {
  /** The delta to add to `x @ W` for the weight `name` (GGUF name), or undefined. x: [N, in]. */
  delta(name: string, x: tf.Tensor2D, ctx: ForwardContext): tf.Tensor2D | undefined;
}

/** Per-call forward state (dropout on/off and its deterministic seed stream). */
export interface ForwardContext {
  training: boolean;
  nextSeed(): number;
}

/** A frozen weight held quantised; dequantised on the fly inside a custom-gradient matmul. */
interface QuantWeight {
  q: QuantMatrix; // GGUF layout [out, in]
}

/** Key/value cache for incremental decoding (batch 1). */
export interface KvCache {
  k: tf.Tensor4D[]; // per layer [1, nKv, t, hd]
  v: tf.Tensor4D[];
  length: number;
}

let scratch = new Float32Array(0);
function scratchOf(n: number): Float32Array {
  if (scratch.length < n) scratch = new Float32Array(n);
  return scratch.subarray(0, n);
}

/**
 * x[N,in] @ W^T where W is quantised [out,in]; the backward pass re-dequantises (no float copy is kept). Both passes
 * dequantise row-major (the fast layout); the forward computes (W x^T)^T, transposing only the activations.
 */
function quantMatMul(x: tf.Tensor2D, qw: QuantWeight): tf.Tensor2D {
  const { rows: out, cols: inn } = qw.q;
  const f = tf.customGrad(((xi: tf.Tensor) => {
    const w = tf.tensor2d(dequantize(qw.q, false, scratchOf(out * inn)), [out, inn]);
    const y = tf.tidy(() => tf.transpose(tf.matMul(w, tf.transpose(xi as tf.Tensor2D))) as tf.Tensor2D);
    w.dispose();
    return {
      value: y,
      gradFunc: (dy: tf.Tensor) => {
        const wt = tf.tensor2d(dequantize(qw.q, false, scratchOf(out * inn)), [out, inn]);
        const dx = tf.matMul(dy as tf.Tensor2D, wt);
        wt.dispose();
        return [dx];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x) as tf.Tensor2D;
}

export interface CreateOptions {
  seed?: number;
  /** Whether the base weights are trainable variables (full training) or frozen tensors (LoRA). Default true. */
  trainable?: boolean;
}

export interface FromWeightsOptions {
  trainable?: boolean;
  /** Hold the linear weights quantised (QLoRA's frozen base). Embeddings and norms stay float32. */
  quantize?: QuantType;
}

export class LlamaModel {
  readonly config: LlamaConfig;
  readonly headDim: number;
  /** Float params by GGUF name; linear weights are stored transposed [in, out]. */
  readonly #params = new Map<string, tf.Variable>();
  readonly #quant = new Map<string, QuantWeight>();
  readonly #rot: tf.Tensor2D;
  #adapter: LinearAdapter | undefined;
  #ropeCache = new Map<string, { cos: tf.Tensor; sin: tf.Tensor }>();
  #disposed = false;

  private constructor(config: LlamaConfig) {
    validateConfig(config);
    this.config = { ...config };
    this.headDim = config.dim / config.nHeads;
    // rotation matrix R with (x R)[2i] = -x[2i+1], (x R)[2i+1] = x[2i]
    const hd = this.headDim;
    const r = new Float32Array(hd * hd);
    for (let i = 0; i < hd; i += 2) {
      r[(i + 1) * hd + i] = -1;
      r[i * hd + i + 1] = 1;
    }
    this.#rot = tf.keep(tf.tensor2d(r, [hd, hd]));
  }

  /** A freshly initialised model (normal(0, 0.02); residual projections scaled by 1/sqrt(2 nLayers)). */
  static create(config: LlamaConfig, opts: CreateOptions = {}): LlamaModel {
    const m = new LlamaModel(config);
    const seed = opts.seed ?? 1;
    const trainable = opts.trainable ?? true;
    let k = 0;
    const resid = 0.02 / Math.sqrt(2 * config.nLayers);
    for (const [name, shape] of expectedShapes(config)) {
      k++;
      let t: tf.Tensor;
      if (name.endsWith("norm.weight")) t = tf.ones(shape);
      else {
        const std = name.includes("attn_output") || name.includes("ffn_down") ? resid : 0.02;
        const internal = m.#isLinear(name) ? [shape[1]!, shape[0]!] : shape;
        t = tf.randomNormal(internal, 0, std, "float32", seed * 1000 + k);
      }
      m.#params.set(name, tf.variable(t, trainable));
      t.dispose();
    }
    return m;
  }

  /** A model from a TensorMap (GGUF names and shapes); validates every name and shape. */
  static fromWeights(config: LlamaConfig, weights: TensorMap, opts: FromWeightsOptions = {}): LlamaModel {
    const m = new LlamaModel(config);
    const expected = expectedShapes(config);
    for (const name of weights.keys()) {
      if (!expected.has(name)) throw new ModelError(`unexpected tensor ${name} for this config`);
    }
    try {
      for (const [name, shape] of expected) {
        const t = weights.get(name);
        if (!t) throw new ModelError(`missing tensor ${name}`);
        if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
          throw new ModelError(`shape mismatch for ${name}: expected [${shape}], got [${t.shape}]`);
        }
        if (t.data.length !== numel(shape)) throw new ModelError(`${name}: ${t.data.length} values for shape [${shape}]`);
        if (m.#isLinear(name) && opts.quantize) {
          m.#quant.set(name, { q: quantize(t.data, shape[0]!, shape[1]!, opts.quantize) });
          continue;
        }
        const tt = m.#isLinear(name) ? tf.tidy(() => tf.tensor2d(t.data, [shape[0]!, shape[1]!]).transpose()) : tf.tensor(t.data, shape);
        m.#params.set(name, tf.variable(tt, opts.trainable ?? true));
        tt.dispose();
      }
    } catch (e) {
      m.dispose();
      throw e;
    }
    return m;
  }

  #isLinear(name: string): boolean {
    return /^blk\.\d+\.(attn_q|attn_k|attn_v|attn_output|ffn_gate|ffn_up|ffn_down)\.weight$/.test(name) || name === "output.weight";
  }

  /** Attach (or detach with undefined) a linear adapter such as LoRA. */
  setAdapter(adapter: LinearAdapter | undefined): void {
    this.#adapter = adapter;
  }
  get adapter(): LinearAdapter | undefined {
    return this.#adapter;
  }

  /** The float variables by GGUF name (linear weights transposed: [in, out]). */
  namedVariables(): Map<string, tf.Variable> {
    return new Map(this.#params);
  }

  /** The float variables (all base weights when not quantised). */
  variables(): tf.Variable[] {
    return [...this.#params.values()];
  }

  /** True when the linear weights are held quantised. */
  get quantized(): boolean {
    return this.#quant.size > 0;
  }

  /** Bytes held by the base weights (float32 params + quantised blocks). */
  weightBytes(): number {
    let n = 0;
    for (const v of this.#params.values()) n += v.size * 4;
    for (const q of this.#quant.values()) n += q.q.data.byteLength;
    return n;
  }

  /** Shape [in, out] of a linear weight by GGUF name. */
  linearShape(name: string): [number, number] {
    const s = expectedShapes(this.config).get(name);
    if (!s || s.length !== 2) throw new ModelError(`no linear weight ${name}`);
    return [s[1]!, s[0]!];
  }

  /** Export all weights as a TensorMap in GGUF names and row-major [out, in] shapes (quantised ones dequantised). */
  exportWeights(): TensorMap {
    const out: TensorMap = new Map();
    for (const [name, shape] of expectedShapes(this.config)) {
      const q = this.#quant.get(name);
      if (q) {
        out.set(name, { shape: [...shape], data: dequantize(q.q) });
        continue;
      }
      const v = this.#params.get(name)!;
      const data = this.#isLinear(name) ? (tf.tidy(() => v.transpose().dataSync()) as Float32Array) : (v.dataSync() as Float32Array);
      out.set(name, { shape: [...shape], data: Float32Array.from(data) });
    }
    return out;
  }

  /** The quantised blocks of a linear weight (QLoRA base), if held quantised. */
  quantizedWeight(name: string): QuantMatrix | undefined {
    return this.#quant.get(name)?.q;
  }

  #p(name: string): tf.Variable {
    const v = this.#params.get(name);
    if (!v) throw new ModelError(`parameter ${name} missing`);
    return v;
  }

  /** x[N, in] -> [N, out] through the linear weight `name` (+ adapter delta). */
  linear(name: string, x: tf.Tensor2D, ctx: ForwardContext): tf.Tensor2D {
    const q = this.#quant.get(name);
    let y: tf.Tensor2D = q ? quantMatMul(x, q) : tf.matMul(x, this.#p(name) as tf.Tensor as tf.Tensor2D);
    const d = this.#adapter?.delta(name, x, ctx);
    if (d) y = tf.add(y, d) as tf.Tensor2D;
    return y;
  }

  #rmsNorm(x: tf.Tensor2D, w: tf.Tensor): tf.Tensor2D {
    const ms = tf.mean(tf.square(x), -1, true);
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(ms, this.config.rmsNormEps))), w) as tf.Tensor2D;
  }

  /** cos/sin tables [1, T, 1, hd] for positions pos0..pos0+T-1 (each pair shares its angle). */
  #rope(pos0: number, t: number): { cos: tf.Tensor; sin: tf.Tensor } {
    const key = `${pos0}:${t}`;
    const hit = this.#ropeCache.get(key);
    if (hit) return hit;
    const hd = this.headDim;
    const c = new Float32Array(t * hd);
    const s = new Float32Array(t * hd);
    for (let p = 0; p < t; p++) {
      for (let i = 0; i < hd; i += 2) {
        const theta = (pos0 + p) * Math.pow(this.config.ropeTheta, -i / hd);
        const cv = Math.cos(theta);
        const sv = Math.sin(theta);
        c[p * hd + i] = cv;
        c[p * hd + i + 1] = cv;
        s[p * hd + i] = sv;
        s[p * hd + i + 1] = sv;
      }
    }
    const entry = { cos: tf.keep(tf.tensor4d(c, [1, t, 1, hd])), sin: tf.keep(tf.tensor4d(s, [1, t, 1, hd])) };
    if (this.#ropeCache.size > 64) {
      for (const e of this.#ropeCache.values()) {
        e.cos.dispose();
        e.sin.dispose();
      }
      this.#ropeCache.clear();
    }
    this.#ropeCache.set(key, entry);
    return entry;
  }

  /** Apply RoPE to x [B, T, H, hd] at positions pos0.. (llama.cpp LLAMA convention). */
  applyRope(x: tf.Tensor4D, pos0: number): tf.Tensor4D {
    const [b, t, h, hd] = x.shape;
    const { cos, sin } = this.#rope(pos0, t);
    const rotated = tf.matMul(tf.reshape(x, [b * t * h, hd]) as tf.Tensor2D, this.#rot).reshape([b, t, h, hd]);
    return tf.add(tf.mul(x, cos), tf.mul(rotated, sin)) as tf.Tensor4D;
  }

  /** One transformer block on h [B*T, dim]; returns the new residual stream (and the updated cache entry). */
  #block(i: number, h: tf.Tensor2D, b: number, t: number, pos0: number, ctx: ForwardContext, cache?: KvCache): tf.Tensor2D {
    const c = this.config;
    const hd = this.headDim;
    const g = c.nHeads / c.nKvHeads;
    const p = `blk.${i}.`;
    const xn = this.#rmsNorm(h, this.#p(`${p}attn_norm.weight`));
    let q = this.applyRope(this.linear(`${p}attn_q.weight`, xn, ctx).reshape([b, t, c.nHeads, hd]), pos0);
    let k = this.applyRope(this.linear(`${p}attn_k.weight`, xn, ctx).reshape([b, t, c.nKvHeads, hd]), pos0);
    const v = this.linear(`${p}attn_v.weight`, xn, ctx).reshape([b, t, c.nKvHeads, hd]);
    // [B, H, T, hd] -> [B, nKv, g*T, hd]: query heads of one kv head are contiguous (h = kv*g + j)
    const qg = tf.transpose(q, [0, 2, 1, 3]).reshape([b, c.nKvHeads, g * t, hd]);
    let kt = tf.transpose(k, [0, 2, 1, 3]) as tf.Tensor4D;
    let vt = tf.transpose(v, [0, 2, 1, 3]) as tf.Tensor4D;
    if (cache) {
      if (cache.k[i]) {
        kt = tf.concat([cache.k[i]!, kt], 2);
        vt = tf.concat([cache.v[i]!, vt], 2);
      }
      cache.k[i] = tf.keep(kt);
      cache.v[i] = tf.keep(vt);
    }
    const tk = kt.shape[2];
    // causal mask [g*T, Tk]: query row r is position pos0 + (r mod T); it sees keys 0..pos0 + (r mod T)
    const mask = new Float32Array(g * t * tk);
    for (let r = 0; r < g * t; r++) {
      const qp = pos0 + (r % t);
      for (let j = qp + 1; j < tk; j++) mask[r * tk + j] = -1e9;
    }
    const scores = tf.add(tf.mul(tf.matMul(qg, kt, false, true), 1 / Math.sqrt(hd)), tf.tensor2d(mask, [g * t, tk]));
    const att = tf.matMul(tf.softmax(scores), vt); // [B, nKv, g*T, hd]
    const merged = tf.transpose(att.reshape([b, c.nHeads, t, hd]), [0, 2, 1, 3]).reshape([b * t, c.dim]) as tf.Tensor2D;
    q = k = undefined as never;
    const h2 = tf.add(h, this.linear(`${p}attn_output.weight`, merged, ctx)) as tf.Tensor2D;
    const xn2 = this.#rmsNorm(h2, this.#p(`${p}ffn_norm.weight`));
    const gate = this.linear(`${p}ffn_gate.weight`, xn2, ctx);
    const up = this.linear(`${p}ffn_up.weight`, xn2, ctx);
    const act = tf.mul(tf.mul(gate, tf.sigmoid(gate)), up) as tf.Tensor2D;
    return tf.add(h2, this.linear(`${p}ffn_down.weight`, act, ctx)) as tf.Tensor2D;
  }

  /** Hidden states after the final norm: ids [B, T] -> [B*T, dim]. */
  hidden(ids: tf.Tensor2D, ctx: ForwardContext = inferenceContext(), pos0 = 0, cache?: KvCache): tf.Tensor2D {
    this.#check();
    const [b, t] = ids.shape;
    if (pos0 + t > this.config.contextLength) throw new ModelError(`sequence of ${pos0 + t} tokens exceeds contextLength ${this.config.contextLength}`);
    let h = tf.gather(this.#p("token_embd.weight"), ids.reshape([b * t])) as tf.Tensor2D;
    for (let i = 0; i < this.config.nLayers; i++) h = this.#block(i, h, b, t, pos0, ctx, cache);
    return this.#rmsNorm(h, this.#p("output_norm.weight"));
  }

  /** Logits [B*T, vocab] for ids [B, T]. */
  logits(ids: tf.Tensor2D, ctx: ForwardContext = inferenceContext(), pos0 = 0, cache?: KvCache): tf.Tensor2D {
    const h = this.hidden(ids, ctx, pos0, cache);
    if (this.config.tiedEmbeddings) return tf.matMul(h, this.#p("token_embd.weight") as tf.Tensor as tf.Tensor2D, false, true);
    return this.linear("output.weight", h, ctx);
  }

  /**
   * Mean cross-entropy of predicting `targets` [B, T] from `ids` [B, T], weighted by `weights` [B, T]
   * (1 = counts, 0 = ignored; default all ones). Returns a scalar.
   */
  loss(ids: tf.Tensor2D, targets: tf.Tensor2D, weights?: tf.Tensor2D, ctx: ForwardContext = inferenceContext()): tf.Scalar {
    const logits = this.logits(ids, ctx);
    const n = logits.shape[0];
    const logp = tf.logSoftmax(logits);
    const nll = tf.neg(tf.sum(tf.mul(logp, tf.oneHot(targets.reshape([n]), this.config.vocabSize)), -1));
    const w = weights ? weights.reshape([n]) : tf.ones([n]);
    return tf.div(tf.sum(tf.mul(nll, w)), tf.maximum(tf.sum(w), 1)) as tf.Scalar;
  }

  /** Next-token logits at every position of `tokens` (row-major [T, vocab]). */
  forwardLogits(tokens: readonly number[]): Float32Array {
    this.#validateTokens(tokens);
    return tf.tidy(() => this.logits(tf.tensor2d(Int32Array.from(tokens), [1, tokens.length], "int32")).dataSync() as Float32Array);
  }

  /** Next-token probability distribution after `tokens` (softmax of the last position's logits). */
  nextTokenProbs(tokens: readonly number[]): Float32Array {
    this.#validateTokens(tokens);
    return tf.tidy(() => {
      const l = this.logits(tf.tensor2d(Int32Array.from(tokens), [1, tokens.length], "int32"));
      return tf.softmax(l.slice([tokens.length - 1, 0], [1, this.config.vocabSize])).dataSync() as Float32Array;
    });
  }

  #validateTokens(tokens: readonly number[]): void {
    if (tokens.length === 0) throw new ModelError("empty token sequence");
    for (const t of tokens) {
      if (!Number.isInteger(t) || t < 0 || t >= this.config.vocabSize) throw new ModelError(`token id ${t} out of range [0, ${this.config.vocabSize})`);
    }
  }

  /** A new, empty KV cache. */
  newCache(): KvCache {
    return { k: [], v: [], length: 0 };
  }

  /** Feed `tokens` through the cache; returns the last position's logits. */
  step(tokens: readonly number[], cache: KvCache): Float32Array {
    this.#validateTokens(tokens);
    const out = tf.tidy(() => {
      const ids = tf.tensor2d(Int32Array.from(tokens), [1, tokens.length], "int32");
      const old = { k: [...cache.k], v: [...cache.v] };
      const l = this.logits(ids, inferenceContext(), cache.length, cache);
      for (const t of [...old.k, ...old.v]) t?.dispose();
      return l.slice([tokens.length - 1, 0], [1, this.config.vocabSize]).dataSync() as Float32Array;
    });
    cache.length += tokens.length;
    return out;
  }

  disposeCache(cache: KvCache): void {
    for (const t of [...cache.k, ...cache.v]) t?.dispose();
    cache.k = [];
    cache.v = [];
    cache.length = 0;
  }

  /** Generate up to `maxNewTokens` tokens after `prompt` with the KV cache; stops at any of `stopIds`. */
  generate(prompt: readonly number[], opts: GenerateOptions = {}): number[] {
    const max = opts.maxNewTokens ?? 32;
    const rng = new Rng(opts.seed ?? 0);
    const cache = this.newCache();
    const out: number[] = [];
    try {
      let logits = this.step(prompt, cache);
      for (let i = 0; i < max; i++) {
        const next = sampleToken(logits, opts, rng);
        if (opts.stopIds?.includes(next)) break;
        out.push(next);
        if (cache.length + 1 > this.config.contextLength) break;
        logits = this.step([next], cache);
      }
    } finally {
      this.disposeCache(cache);
    }
    return out;
  }

  #check(): void {
    if (this.#disposed) throw new ModelError("model is disposed");
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const v of this.#params.values()) v.dispose();
    this.#params.clear();
    this.#quant.clear();
    this.#rot.dispose();
    for (const e of this.#ropeCache.values()) {
      e.cos.dispose();
      e.sin.dispose();
    }
    this.#ropeCache.clear();
  }
}

export interface GenerateOptions extends SamplingOptions {
  maxNewTokens?: number;
  stopIds?: number[];
  seed?: number;
}

/** A forward context without dropout. */
export function inferenceContext(): ForwardContext {
  return { training: false, nextSeed: () => 0 };
}

/** A training forward context whose dropout seeds are a deterministic stream from `seed`. */
export function trainingContext(seed: number): ForwardContext {
  let s = seed >>> 0;
  return { training: true, nextSeed: () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) };
}

/** Convenience for the formats' cross-checks: next-token logits at every position for weights + config. */
export function forwardLogits(config: LlamaConfig, weights: TensorMap, tokens: readonly number[]): Float32Array {
  const m = LlamaModel.fromWeights(config, weights, { trainable: false });
  try {
    return m.forwardLogits(tokens);
  } finally {
    m.dispose();
  }
}

/** The TensorMap tensor type re-exported for callers. */
export type { Tensor, TensorMap, LlamaConfig };

/** Export a model's weights (TensorMap, GGUF names, [out, in]) with its config. */
export function exportWeights(model: LlamaModel): { config: LlamaConfig; weights: TensorMap } {
  return { config: { ...model.config }, weights: model.exportWeights() };
}

/** Build a model from exchanged weights (validates names and shapes; `quantize` holds linear weights in Q8_0/Q4_0). */
export function loadWeights(config: LlamaConfig, weights: TensorMap, opts: FromWeightsOptions = {}): LlamaModel {
  return LlamaModel.fromWeights(config, weights, opts);
}
