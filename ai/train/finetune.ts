// SPDX-License-Identifier: MIT
/**
 * Library API for LoRA / QLoRA fine-tuning on prompt/response records: the engine under `lineage train` and the
 * Model Factory. Takes a base (config + TensorMap + tokenizer), records, a template and hyper-parameters; returns
 * the trained adapter (exchange form), the training result and the evaluation (held-out loss, perplexity,
 * exact-match accuracy before and after).
 */
import { generateDomainQa } from "../eval/domain.ts";
import { exactMatch, heldOutLoss, type ExactMatchReport, type LossReport } from "../eval/index.ts";
import { LoraAdapter, type ExportedAdapter, type LoraConfig, exportAdapter } from "../lora/index.ts";
import { LlamaModel, type QuantType } from "../model/index.ts";
import { Rng } from "../model/sampling.ts";
import { type ChatTemplate, type PromptRecord, TEMPLATES, tokenizeRecord } from "../templates/index.ts";
import type { LlamaConfig, TensorMap } from "../tensors/index.ts";
import type { ByteBpeTokenizer } from "../tokenizer/index.ts";
import { ExampleData } from "./data.ts";
import { type Progress, type TrainConfig, type TrainResult, Trainer } from "./index.ts";

export interface FineTuneOptions {
  config: LlamaConfig;
  weights: TensorMap;
  tokenizer: ByteBpeTokenizer;
  template: ChatTemplate;
  train: PromptRecord[];
  /** Held-out records; when absent, `evalFraction` of `train` is split off (seeded). */
  eval?: PromptRecord[];
  evalFraction?: number;
  lora: LoraConfig;
  /** Hold the frozen base in Q8_0 or Q4_0 blocks (QLoRA). */
  quantize?: QuantType;
  trainConfig: Omit<TrainConfig, "seed"> & { seed?: number };
  batchSize: number;
  /** Max tokens per example (default: the longest example, capped at contextLength). */
  seqLen?: number;
  /** Measure exact-match accuracy on the held-out records before and after (default true). */
  exactMatch?: boolean;
  /** Limit the records used for exact match (default all held-out). */
  exactMatchLimit?: number;
  onProgress?: (p: Progress) => void;
  /** Resume from / write checkpoints here (see TrainConfig.checkpointEvery). */
  resumeFrom?: string;
}

export interface FineTuneResult {
  adapter: ExportedAdapter;
  result: TrainResult;
  before: { loss: LossReport; exactMatch?: ExactMatchReport };
  after: { loss: LossReport; exactMatch?: ExactMatchReport };
  trainRecords: number;
  evalRecords: number;
  trainableParams: number;
  /** The model with the adapter attached (caller disposes); useful for generation right after training. */
  model: LlamaModel;
  lora: LoraAdapter;
}

/** Split records into train / held-out with a seeded shuffle. */
export function splitRecords(records: PromptRecord[], fraction: number, seed: number): { train: PromptRecord[]; eval: PromptRecord[] } {
  const idx = records.map((_, i) => i);
  const rng = new Rng(seed ^ 0x5eed);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  const nEval = Math.max(1, Math.round(records.length * fraction));
  return { eval: idx.slice(0, nEval).map((i) => records[i]!), train: idx.slice(nEval).map((i) => records[i]!) };
}

export function fineTuneLora(o: FineTuneOptions): FineTuneResult {
  const seed = o.trainConfig.seed ?? 1;
  let train = o.train;
  let evalSet = o.eval;
  if (!evalSet) ({ train, eval: evalSet } = splitRecords(o.train, o.evalFraction ?? 0.1, seed));
  if (train.length === 0) throw new Error("finetune: no training records");
  const tokTrain = train.map((r) => tokenizeRecord(o.tokenizer, o.template, r, o.config.contextLength));
  const tokEval = evalSet.map((r) => tokenizeRecord(o.tokenizer, o.template, r, o.config.contextLength));
  const seqLen = o.seqLen ?? Math.min(o.config.contextLength, Math.max(...[...tokTrain, ...tokEval].map((e) => e.ids.length)) - 1);
  const data = new ExampleData(tokTrain, tokEval, { batchSize: o.batchSize, seqLen, padId: o.tokenizer.padId });
  const model = LlamaModel.fromWeights(o.config, o.weights, { trainable: false, ...(o.quantize ? { quantize: o.quantize } : {}) });
  const lora = LoraAdapter.create(model, o.lora, seed);
  const emLimit = o.exactMatchLimit ?? evalSet.length;
  const doEm = o.exactMatch ?? true;
  const evalBatches = data.evalBatches();
  const before = {
    loss: heldOutLoss(model, evalBatches),
    ...(doEm ? { exactMatch: exactMatch(model, o.tokenizer, o.template, evalSet.slice(0, emLimit)) } : {}),
  };
  const trainer = new Trainer(model, lora.namedVariables(), data, { ...o.trainConfig, seed }, o.onProgress);
  if (o.resumeFrom) trainer.loadCheckpoint(o.resumeFrom);
  const result = trainer.run();
  trainer.dispose();
  const after = {
    loss: heldOutLoss(model, evalBatches),
    ...(doEm ? { exactMatch: exactMatch(model, o.tokenizer, o.template, evalSet.slice(0, emLimit)) } : {}),
  };
  return {
    adapter: exportAdapter(lora),
    result,
    before,
    after,
    trainRecords: train.length,
    evalRecords: evalSet.length,
    trainableParams: lora.paramCount(),
    model,
    lora,
  };
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
