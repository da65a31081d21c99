// SPDX-License-Identifier: MIT
/**
 * Library API for LoRA / QLoRA fine-tuning on prompt/response records: the engine under `lineage train` and the
 * Model Factory. Takes a base (config + TensorMap + tokenizer), records, a template and hyper-parameters; returns
 * the trained adapter (exchange form), the training result and the evaluation (held-out loss, perplexity,
 * exact-match accuracy before and after).
 */
import { generateDomainQa } from "../eval/domain.ts";
import { exactMatch, heldOutLoss, type ExactMatchReport, type LossReport } from "../eval/index.ts";
import { LORA_TARGETS, LoraAdapter, PEFT_NAMES, type ExportedAdapter, type LoraConfig, type LoraTarget, exportAdapter } from "../lora/index.ts";
import { LlamaModel, type QuantType } from "../model/index.ts";
import { Rng } from "../model/sampling.ts";
import { type ChatTemplate, type PromptRecord, TEMPLATES, tokenizeRecord } from "../templates/index.ts";
import type { LlamaConfig, TensorMap } from "../tensors/index.ts";
import type { ByteBpeTokenizer } from "../tokenizer/index.ts";
import { ExampleData } from "./data.ts";
import { type Progress, type TrainConfig, TrainDivergedError, type TrainResult, Trainer } from "./index.ts";

export type FineTuneMethod = "lora" | "full";

export interface FineTuneOptions {
  config: LlamaConfig;
  weights: TensorMap;
  tokenizer: ByteBpeTokenizer;
  template: ChatTemplate;
  train: PromptRecord[];
  /** Held-out records; when absent, `evalFraction` of `train` is split off (seeded; 0 = train on everything). */
  eval?: PromptRecord[];
  evalFraction?: number;
  /** Extra records scored for recall only (e.g. the CLI's `--eval` file); never trained on. */
  extraEval?: PromptRecord[];
  /**
   * "lora" (default): train low-rank adapters on a frozen base. "full": train the linear weights of the `lora.targets`
   * modules themselves (embeddings and norms stay frozen) and ship the change as an exact adapter (`exactAdapter`).
   */
  method?: FineTuneMethod;
  /** The adapters (required for method "lora"). */
  lora?: LoraConfig;
  /** Hold the frozen base in Q8_0 or Q4_0 blocks (QLoRA; method "lora" only). */
  quantize?: QuantType;
  /** Training schedule; give `steps`, or `epochs` over the training records (steps = ceil(epochs * n / (batch * accum))). */
  trainConfig: Omit<TrainConfig, "seed" | "steps"> & { seed?: number; steps?: number; epochs?: number };
  batchSize: number;
  /** Max tokens per example (default: the longest example, capped at contextLength). */
  seqLen?: number;
  /** Measure exact-match accuracy / recall before and after (default true). */
  exactMatch?: boolean;
  /** Limit the records of each set scored for exact match / recall (default: all held-out, 64 training records). */
  exactMatchLimit?: number;
  onProgress?: (p: Progress) => void;
  /** Resume from / write checkpoints here (see TrainConfig.checkpointEvery). */
  resumeFrom?: string;
}

/** Exact-match recall of one record set before and after training. */
export interface RecallPair {
  records: number;
  before: ExactMatchReport;
  after: ExactMatchReport;
}

export interface FineTuneResult {
  method: FineTuneMethod;
  /** The trained adapter (for method "full", the exact adapter of the weight change). */
  adapter: ExportedAdapter;
  result: TrainResult;
  /** Held-out loss (absent with no held-out records) and held-out exact match. */
  before: { loss?: LossReport; exactMatch?: ExactMatchReport };
  after: { loss?: LossReport; exactMatch?: ExactMatchReport };
  /** Recall (exact match, answer length following the data) on training records, held-out records and `extraEval`. */
  recall: { train?: RecallPair; heldOut?: RecallPair; extra?: RecallPair };
  /** What looks wrong about the run (learned nothing, ...); empty when nothing does. */
  warnings: string[];
  trainRecords: number;
  evalRecords: number;
  trainableParams: number;
  /** The model (with the adapter attached for LoRA; caller disposes); useful for generation right after training. */
  model: LlamaModel;
  lora?: LoraAdapter;
}

/** Split records into train / held-out with a seeded shuffle (fraction 0 = no held-out records). */
export function splitRecords(records: PromptRecord[], fraction: number, seed: number): { train: PromptRecord[]; eval: PromptRecord[] } {
  if (!(fraction >= 0 && fraction < 1)) throw new Error(`finetune: eval fraction must be in [0, 1), got ${fraction}`);
  if (fraction === 0) return { train: [...records], eval: [] };
  const idx = records.map((_, i) => i);
  const rng = new Rng(seed ^ 0x5eed);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  const nEval = Math.max(1, Math.round(records.length * fraction));
  return { eval: idx.slice(0, nEval).map((i) => records[i]!), train: idx.slice(nEval).map((i) => records[i]!) };
}

/** Optimiser steps for `epochs` passes over `n` records in batches of `batch` x `accum`. */
export function stepsForEpochs(epochs: number, n: number, batch: number, accum = 1): number {
  return Math.max(1, Math.ceil((epochs * n) / (batch * accum)));
}

/** Training records scored for recall by default (a sample keeps the before/after evaluation short). */
export const TRAIN_RECALL_SAMPLE = 64;

/** Fine-tune (LoRA by default: the result then always holds the attached `lora`; see `FineTuneOptions.method`). */
export function fineTuneLora(o: FineTuneOptions & { method?: "lora" }): FineTuneResult & { lora: LoraAdapter };
export function fineTuneLora(o: FineTuneOptions): FineTuneResult;
export function fineTuneLora(o: FineTuneOptions): FineTuneResult {
  const seed = o.trainConfig.seed ?? 1;
  const method = o.method ?? "lora";
  if (!o.lora) throw new Error("finetune: give a LoRA config (for method full, its targets)");
  if (method === "full" && o.quantize) throw new Error("finetune: a quantised base is frozen; full fine-tuning needs float weights");
  let train = o.train;
  let evalSet = o.eval;
  if (!evalSet) ({ train, eval: evalSet } = splitRecords(o.train, o.evalFraction ?? 0.1, seed));
  if (train.length === 0) throw new Error("finetune: no training records");
  const { epochs, steps: givenSteps, ...rest } = o.trainConfig;
  const steps = givenSteps ?? (epochs !== undefined ? stepsForEpochs(epochs, train.length, o.batchSize, rest.gradAccum ?? 1) : undefined);
  if (steps === undefined) throw new Error("finetune: give trainConfig.steps or trainConfig.epochs");
  const tokTrain = train.map((r) => tokenizeRecord(o.tokenizer, o.template, r, o.config.contextLength));
  const tokEval = evalSet.map((r) => tokenizeRecord(o.tokenizer, o.template, r, o.config.contextLength));
  const seqLen = o.seqLen ?? Math.min(o.config.contextLength, Math.max(...[...tokTrain, ...tokEval].map((e) => e.ids.length)) - 1);
  const data = new ExampleData(tokTrain, tokEval, { batchSize: o.batchSize, seqLen, padId: o.tokenizer.padId });
  const model = LlamaModel.fromWeights(o.config, o.weights, { trainable: method === "full", ...(o.quantize ? { quantize: o.quantize } : {}) });
  let lora: LoraAdapter | undefined;
  try {
    lora = method === "lora" ? LoraAdapter.create(model, o.lora, seed) : undefined;
    const fullNames = new Set(o.lora.targets.flatMap((t) => [...Array(o.config.nLayers).keys()].filter((l) => !o.lora!.layers || o.lora!.layers.includes(l)).map((l) => `blk.${l}.${LORA_TARGETS[t]}.weight`)));
    const params = lora ? lora.namedVariables() : new Map([...model.namedVariables()].filter(([n]) => fullNames.has(n)));
    const doEm = o.exactMatch ?? true;
    const sets = {
      train: train.slice(0, o.exactMatchLimit ?? TRAIN_RECALL_SAMPLE),
      heldOut: evalSet.slice(0, o.exactMatchLimit ?? evalSet.length),
      extra: (o.extraEval ?? []).slice(0, o.exactMatchLimit ?? o.extraEval?.length ?? 0),
    };
    const score = () =>
      Object.fromEntries(Object.entries(sets).filter(([, rs]) => doEm && rs.length > 0).map(([k, rs]) => [k, exactMatch(model, o.tokenizer, o.template, rs)])) as Partial<Record<keyof typeof sets, ExactMatchReport>>;
    const evalBatches = data.evalBatches();
    const lossNow = () => (evalBatches.length ? { loss: heldOutLoss(model, evalBatches) } : {});
    const emBefore = score();
    const before = { ...lossNow(), ...(emBefore.heldOut ? { exactMatch: emBefore.heldOut } : {}) };
    const trainer = new Trainer(model, params, data, { ...rest, steps, seed }, o.onProgress);
    let result: TrainResult;
    try {
      if (o.resumeFrom) trainer.loadCheckpoint(o.resumeFrom);
      result = trainer.run();
    } finally {
      trainer.dispose();
    }
    const emAfter = score();
    const after = { ...lossNow(), ...(emAfter.heldOut ? { exactMatch: emAfter.heldOut } : {}) };
    const recall: FineTuneResult["recall"] = {};
    for (const k of ["train", "heldOut", "extra"] as const) if (emBefore[k] && emAfter[k]) recall[k] = { records: sets[k].length, before: emBefore[k]!, after: emAfter[k]! };
    const adapter = lora ? exportAdapter(lora) : exactAdapter(o.weights, model.exportWeights(), o.lora.targets, [...fullNames]);
    for (const [name, t] of adapter.tensors) {
      if (!t.data.every(Number.isFinite)) throw new TrainDivergedError(result.steps, result.finalLoss, `tensor ${name} holds non-finite values`);
    }
    return {
      method,
      adapter,
      result,
      before,
      after,
      recall,
      warnings: fineTuneWarnings(result, recall),
      trainRecords: train.length,
      evalRecords: evalSet.length,
      trainableParams: [...params.values()].reduce((n, v) => n + v.size, 0),
      model,
      ...(lora ? { lora } : {}),
    };
  } catch (e) {
    lora?.dispose();
    model.dispose();
    throw e;
  }
}

/**
 * The exact adapter of a weight change: for each changed [out, in] weight, delta = trained - base is written as
 * lora_b @ lora_a at rank r = the largest min(in, out) of the weights (alpha = r, scale 1): when in <= r, lora_a is
 * the identity (padded with zero rows) and lora_b the delta (padded with zero columns); otherwise out <= r and the
 * roles swap. llama.cpp and PEFT apply it as W + B A = the trained weight (up to float rounding).
 */
export function exactAdapter(base: TensorMap, trained: TensorMap, targets: LoraTarget[], names: string[]): ExportedAdapter {
  const r = Math.max(...names.map((n) => Math.min(...base.get(n)!.shape)));
  const tensors: TensorMap = new Map();
  for (const n of names) {
    const [out, inp] = base.get(n)!.shape as [number, number];
    const w0 = base.get(n)!.data;
    const w1 = trained.get(n)!.data;
    const a = new Float32Array(r * inp); // [r, in]
    const b = new Float32Array(out * r); // [out, r]
    if (inp <= r) {
      for (let i = 0; i < inp; i++) a[i * inp + i] = 1;
      for (let o = 0; o < out; o++) for (let i = 0; i < inp; i++) b[o * r + i] = w1[o * inp + i]! - w0[o * inp + i]!;
    } else {
      for (let o = 0; o < out; o++) b[o * r + o] = 1;
      for (let o = 0; o < out; o++) for (let i = 0; i < inp; i++) a[o * inp + i] = w1[o * inp + i]! - w0[o * inp + i]!;
    }
    tensors.set(`${n}.lora_a`, { shape: [r, inp], data: a });
    tensors.set(`${n}.lora_b`, { shape: [out, r], data: b });
  }
  return { tensors, alpha: r, rank: r, dropout: 0, targets: [...targets], peftTargetModules: targets.map((t) => PEFT_NAMES[t]) };
}

/** What looks wrong after a run: recall on the training records did not rise, or the loss did not fall. */
export function fineTuneWarnings(r: TrainResult, recall: FineTuneResult["recall"]): string[] {
  const out: string[] = [];
  const first = r.history[0]?.loss;
  if (first !== undefined && !(r.finalLoss < first * 0.9)) out.push(`the training loss did not fall (${first.toFixed(3)} -> ${r.finalLoss.toFixed(3)}): the run learned nothing; raise --lr or --epochs`);
  const t = recall.train;
  if (t && t.after.accuracy <= t.before.accuracy)
    out.push(`recall on training records did not rise (${pctOf(t.before.accuracy)} -> ${pctOf(t.after.accuracy)}): the model did not learn its data; train more epochs or use --preset facts`);
  else if (t && t.after.accuracy < 0.5) out.push(`recall on training records is only ${pctOf(t.after.accuracy)}: most of the data was not learned; train more epochs or use --preset facts`);
  return out;
}

function pctOf(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

/** The demo fine-tune recipe (bench/ai-demo.ts and the learning test): LoRA on the shipped base, generated Q/A domain. */
export const DEMO = {
  dataSeed: 1,
  /** Question kinds of the generated domain (1 = the steward rule only). */
  kinds: 1,
  nTrain: 600,
  nEval: 48,
  batchSize: 16,
  /** alpha = rank (scale 1): a larger scale (alpha 32 or 128 at rank 16) was measured to learn less (bench/RESULTS.md). */
  lora: { rank: 16, alpha: 16, dropout: 0, targets: ["q", "k", "v", "o", "gate", "up", "down"] } satisfies LoraConfig,
  /** Cosine from 3e-3 to a floor of 1e-3 (not lr/10): the last steps still separate near-synonymous classes (red/black). */
  train: { steps: 150, lr: 3e-3, minLr: 1e-3, warmupSteps: 10, gradClip: 1, evalEvery: 25, seed: 1 },
  /** Steps of the shorter learning test in the default `npm test`. */
  shortSteps: 30,
} as const;

/**
 * The demo fine-tune's options on a base: the generated Q/A domain (`DEMO.dataSeed`, `nTrain` / `nEval` records)
 * under the lineage template with the `DEMO` recipe; `overrides` replace any option (steps, quantisation, progress).
 */
export function demoFineTuneOptions(
  base: Pick<FineTuneOptions, "config" | "weights" | "tokenizer">,
  { nTrain = DEMO.nTrain, nEval = DEMO.nEval, ...overrides }: Partial<FineTuneOptions> & { nTrain?: number; nEval?: number } = {},
): FineTuneOptions {
  const { train, eval: held } = generateDomainQa(DEMO.dataSeed, nTrain, nEval, { kinds: DEMO.kinds });
  return {
    config: base.config,
    weights: base.weights,
    tokenizer: base.tokenizer,
    template: TEMPLATES.lineage!,
    train,
    eval: held,
    lora: DEMO.lora,
    trainConfig: DEMO.train,
    batchSize: DEMO.batchSize,
    ...overrides,
  };
}
