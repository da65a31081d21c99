// SPDX-License-Identifier: MIT
/**
 * The fine-tuning step `lineage train` drives, over part A's engine (ai/model, ai/lora, ai/train, ai/eval,
 * ai/templates): build the model from the base weights (optionally quantised: QLoRA), attach fresh LoRA
 * adapters, train them with part A's `Trainer`, and evaluate held-out loss / perplexity / exact match before and
 * after. Only orchestration lives here; the engine's own library API (`ai/train/finetune.ts`, part A) supersedes
 * this file once it is on main.
 */
import { exactMatch, type ExactMatchReport, heldOutLoss, type LossReport } from "../ai/eval/index.ts";
import { type LoraConfig, LoraAdapter } from "../ai/lora/index.ts";
import { LlamaModel, type QuantType } from "../ai/model/index.ts";
import { type ChatTemplate, type PromptRecord, tokenizeRecord } from "../ai/templates/index.ts";
import type { LlamaConfig, TensorMap } from "../ai/tensors/index.ts";
import type { ByteBpeTokenizer } from "../ai/tokenizer/index.ts";
import { ExampleData, type Progress, type TrainConfig, type TrainResult, Trainer } from "../ai/train/index.ts";

export interface FineTuneOptions {
  config: LlamaConfig;
  weights: TensorMap;
  tokenizer: ByteBpeTokenizer;
  template: ChatTemplate;
  train: PromptRecord[];
  evalFraction?: number;
  lora: LoraConfig;
  quantize?: QuantType;
  trainConfig: Omit<TrainConfig, "seed"> & { seed?: number };
  batchSize: number;
  exactMatchLimit?: number;
  onProgress?: (p: Progress) => void;
}

export interface FineTuneResult {
  adapter: { tensors: TensorMap; alpha: number; rank: number };
  result: TrainResult;
  before: { loss: LossReport; exactMatch?: ExactMatchReport };
  after: { loss: LossReport; exactMatch?: ExactMatchReport };
  trainRecords: number;
  evalRecords: number;
  trainableParams: number;
  model: LlamaModel;
  lora: LoraAdapter;
}

/** Seeded split into train / held-out (mulberry32 Fisher-Yates). */
export function splitRecords(records: PromptRecord[], fraction: number, seed: number): { train: PromptRecord[]; eval: PromptRecord[] } {
  let a = (seed ^ 0x5eed) >>> 0;
  const rnd = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const idx = records.map((_, i) => i);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  const nEval = Math.min(records.length - 1, Math.max(1, Math.round(records.length * fraction)));
  return { eval: idx.slice(0, nEval).map((i) => records[i]!), train: idx.slice(nEval).map((i) => records[i]!) };
}

export function fineTuneLora(o: FineTuneOptions): FineTuneResult {
  const seed = o.trainConfig.seed ?? 1;
  const { train, eval: evalSet } = splitRecords(o.train, o.evalFraction ?? 0.1, seed);
  const tokTrain = train.map((r) => tokenizeRecord(o.tokenizer, o.template, r, o.config.contextLength));
  const tokEval = evalSet.map((r) => tokenizeRecord(o.tokenizer, o.template, r, o.config.contextLength));
  const seqLen = Math.min(o.config.contextLength, Math.max(...[...tokTrain, ...tokEval].map((e) => e.ids.length)) - 1);
  const data = new ExampleData(tokTrain, tokEval, { batchSize: o.batchSize, seqLen, padId: o.tokenizer.padId });
  const model = LlamaModel.fromWeights(o.config, o.weights, { trainable: false, ...(o.quantize ? { quantize: o.quantize } : {}) });
  const lora = LoraAdapter.create(model, o.lora, seed);
  const emRecords = evalSet.slice(0, o.exactMatchLimit ?? evalSet.length);
  const evalBatches = data.evalBatches();
  const before = { loss: heldOutLoss(model, evalBatches), exactMatch: exactMatch(model, o.tokenizer, o.template, emRecords) };
  const trainer = new Trainer(model, lora.namedVariables(), data, { ...o.trainConfig, seed }, o.onProgress);
  const result = trainer.run();
  trainer.dispose();
  const after = { loss: heldOutLoss(model, evalBatches), exactMatch: exactMatch(model, o.tokenizer, o.template, emRecords) };
  return {
    adapter: { tensors: lora.exportTensors(), alpha: o.lora.alpha, rank: o.lora.rank },
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
