// SPDX-License-Identifier: MIT
/**
 * Gradient influence for adapters trained here: DataInf and a projected-gradient (TRAK-style) cross-check over the
 * per-example LoRA gradients of the training examples of a Datanet version. The training side (one backward pass
 * per example, projections, norms) is built once per (version, adapter) and cached by digest; a query costs one
 * backward pass of the attributed exchange, then dot products.
 */
import type { Hex32 } from "../../../sdk/content/index.ts";
import { sha256Hex } from "../../../sdk/content/index.ts";
import type { LoraAdapter } from "../../lora/index.ts";
import type { LlamaModel } from "../../model/index.ts";
import type { ChatTemplate, PromptRecord } from "../../templates/index.ts";
import type { ByteBpeTokenizer } from "../../tokenizer/index.ts";
import type { AttributionCorpus } from "../corpus.ts";
import { canonicalBytes } from "../record.ts";
import type { ScoredContribution } from "../shares.ts";
import { type CacheDescriptor, cacheKey, readCache, writeCache } from "./cache.ts";
import { DATAINF_DEFAULT_DAMPING, type DataInfState, dataInfScores, dataInfSelfInfluence, dataInfState } from "./datainf.ts";
import { type GradientLayout, LoraGradients } from "./grads.ts";
import { project, projectionMatrix, TRAK_DEFAULT_DAMPING, TRAK_DEFAULT_K, type TrakState, trakScores, trakSelfInfluence, trakState } from "./trak.ts";

export * from "./cache.ts";
export * from "./datainf.ts";
export * from "./grads.ts";
export * from "./trak.ts";

export type GradientMethod = "datainf" | "trak";

export interface GradientAttributorOptions {
  model: LlamaModel;
  lora: LoraAdapter;
  tokenizer: ByteBpeTokenizer;
  template: ChatTemplate;
  corpus: AttributionCorpus;
  adapterDigest: Hex32;
  baseDigest: Hex32;
  /** DataInf's damping factor (default 0.1); false = do not build DataInf's state. */
  datainf?: { damping?: number } | false;
  /** Projected-gradient cross-check (default k 256, seed 1, damping 0.01); false = off. */
  trak?: { k?: number; seed?: number; damping?: number } | false;
  /** Directory of the digest-named caches (none = build in memory only). */
  cacheDir?: string;
  onProgress?: (done: number, total: number) => void;
}

export interface TrainingExample {
  contributionId: bigint;
  record: PromptRecord;
}

export class GradientAttributor {
  readonly examples: TrainingExample[];
  readonly layout: GradientLayout;
  readonly key: Hex32;
  /** Time the training side took to build (ms, as recorded when the cache was made). */
  readonly buildMs: number;
  /** Whether the state came from a cache file. */
  readonly fromCache: boolean;
  readonly cacheBytes: number;
  readonly datainf: DataInfState | undefined;
  readonly trak: TrakState | undefined;
  readonly params: { datainfDamping: number; trakK: number; trakSeed: number; trakDamping: number };
  readonly #grads: LoraGradients;
  #projection: Float32Array | undefined;

  private constructor(f: {
    examples: TrainingExample[];
    grads: LoraGradients;
    key: Hex32;
    buildMs: number;
    fromCache: boolean;
    cacheBytes: number;
    datainf: DataInfState | undefined;
    trak: TrakState | undefined;
    params: GradientAttributor["params"];
  }) {
    this.examples = f.examples;
    this.#grads = f.grads;
    this.layout = f.grads.layout;
    this.key = f.key;
    this.buildMs = f.buildMs;
    this.fromCache = f.fromCache;
    this.cacheBytes = f.cacheBytes;
    this.datainf = f.datainf;
    this.trak = f.trak;
    this.params = f.params;
  }

  static async build(o: GradientAttributorOptions): Promise<GradientAttributor> {
    const grads = new LoraGradients(o.model, o.lora, o.tokenizer, o.template);
    const examples: TrainingExample[] = [];
    for (const c of o.corpus.contributions) for (const record of c.records) examples.push({ contributionId: c.contributionId, record });
    if (examples.length === 0) throw new Error("gradient: the corpus holds no examples");
    const useDataInf = o.datainf !== false;
    const useTrak = o.trak !== false;
    if (!useDataInf && !useTrak) throw new Error("gradient: enable DataInf, the projected method, or both");
    const params = {
      datainfDamping: (o.datainf || {}).damping ?? DATAINF_DEFAULT_DAMPING,
      trakK: (o.trak || {}).k ?? TRAK_DEFAULT_K,
      trakSeed: (o.trak || {}).seed ?? 1,
      trakDamping: (o.trak || {}).damping ?? TRAK_DEFAULT_DAMPING,
    };
    const descriptor: CacheDescriptor = {
      kind: "lineage.gradient-cache",
      version: 1,
      root: o.corpus.root.toLowerCase(),
      adapterDigest: o.adapterDigest.toLowerCase(),
      baseDigest: o.baseDigest.toLowerCase(),
      template: o.template.name,
      examples: sha256Hex(canonicalBytes(examples.map((e) => [e.contributionId.toString(), e.record.system ?? "", e.record.prompt, e.record.response]))),
      datainf: useDataInf,
      trak: useTrak ? { k: params.trakK, seed: params.trakSeed } : null,
    };
    const key = cacheKey(descriptor);
    const dim = grads.layout.dim;
    const n = examples.length;
    let G: Float32Array | undefined;
    let phi: Float32Array | undefined;
    let buildMs = 0;
    let fromCache = false;
    let cacheBytes = 0;
    const cached = o.cacheDir ? await readCache(o.cacheDir, key) : undefined;
    if (cached && cached.layout.dim === dim && cached.ids.length === n) {
      G = cached.grads;
      phi = cached.phi;
      buildMs = cached.buildMs;
      fromCache = true;
      cacheBytes = (G?.byteLength ?? 0) + (phi?.byteLength ?? 0);
    } else {
      const t0 = performance.now();
      G = useDataInf ? new Float32Array(n * dim) : undefined;
      phi = useTrak ? new Float32Array(n * params.trakK) : undefined;
      const P = useTrak ? projectionMatrix(dim, params.trakK, params.trakSeed) : undefined;
      examples.forEach((e, i) => {
        const { grad } = grads.of(e.record);
        G?.set(grad, i * dim);
        if (P && phi) phi.set(project(P, params.trakK, grad), i * params.trakK);
        o.onProgress?.(i + 1, n);
      });
      buildMs = performance.now() - t0;
      cacheBytes = (G?.byteLength ?? 0) + (phi?.byteLength ?? 0);
      if (o.cacheDir) await writeCache(o.cacheDir, descriptor, { key, layout: grads.layout, ids: examples.map((e) => e.contributionId), ...(G ? { grads: G } : {}), ...(phi ? { phi } : {}), k: params.trakK, buildMs });
    }
    const datainf = G ? dataInfState(grads.layout, G, params.datainfDamping) : undefined;
    const trak = phi ? trakState(phi, n, params.trakK, params.trakSeed, dim, params.trakDamping) : undefined;
    return new GradientAttributor({ examples, grads, key, buildMs, fromCache, cacheBytes, datainf, trak, params });
  }

  /** Gradient of the exchange's response loss (one backward pass). */
  testGradient(record: PromptRecord): Float32Array {
    return this.#grads.of(record).grad;
  }

  /** Mean gradient of several records (e.g. a held-out set: influence on the mean loss, by linearity). */
  meanGradient(records: readonly PromptRecord[]): Float32Array {
    const acc = new Float64Array(this.layout.dim);
    for (const r of records) {
      const g = this.#grads.of(r).grad;
      for (let j = 0; j < g.length; j++) acc[j]! += g[j]!;
    }
    return Float32Array.from(acc, (x) => x / Math.max(records.length, 1));
  }

  #projectionMatrix(): Float32Array {
    this.#projection ??= projectionMatrix(this.layout.dim, this.params.trakK, this.params.trakSeed);
    return this.#projection;
  }

  /** Helpfulness of every training example (example order) for test gradient v. */
  exampleScores(method: GradientMethod, v: Float32Array): Float64Array {
    if (method === "datainf") {
      if (!this.datainf) throw new Error("gradient: DataInf state was not built");
      return dataInfScores(this.datainf, v);
    }
    if (!this.trak) throw new Error("gradient: projected state was not built");
    return trakScores(this.trak, project(this.#projectionMatrix(), this.params.trakK, v));
  }

  /** Per-contribution helpfulness (the sum over its examples: splitting a contribution does not change its total). */
  contributionScores(method: GradientMethod, v: Float32Array): ScoredContribution[] {
    return sumByContribution(this.examples, this.exampleScores(method, v));
  }

  /** Self-influence of every example (large for mislabels): DataInf's damped norms, or the projected kernel's. */
  selfInfluence(method: GradientMethod = this.datainf ? "datainf" : "trak"): Float64Array {
    if (method === "datainf") {
      if (!this.datainf) throw new Error("gradient: DataInf state was not built");
      return dataInfSelfInfluence(this.datainf);
    }
    if (!this.trak) throw new Error("gradient: projected state was not built");
    return trakSelfInfluence(this.trak);
  }

  /** Bytes of training-side state per contribution. */
  bytesPerContribution(): number {
    return this.cacheBytes / new Set(this.examples.map((e) => e.contributionId)).size;
  }
}

/** Sum example scores per contribution (examples in order; contributions ascending). */
export function sumByContribution(examples: readonly TrainingExample[], scores: Float64Array): ScoredContribution[] {
  const m = new Map<bigint, number>();
  examples.forEach((e, i) => m.set(e.contributionId, (m.get(e.contributionId) ?? 0) + scores[i]!));
  return [...m].map(([contributionId, score]) => ({ contributionId, score })).sort((a, b) => (a.contributionId < b.contributionId ? -1 : 1));
}
