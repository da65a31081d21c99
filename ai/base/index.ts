// SPDX-License-Identifier: MIT
/**
 * The shipped tiny base model: its config, training recipe, and loading/saving.
 * The weights ship in the repo (see `BASE_PATH`), so `npm install` needs no training; `ai/base/pretrain.ts`
 * reproduces them.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { LlamaModel } from "../model/index.ts";
import type { LlamaConfig, TensorMap } from "../tensors/index.ts";
import { ByteBpeTokenizer, type TokenizerJSON } from "../tokenizer/index.ts";
import { loadCheckpointFile, saveCheckpointFile } from "../train/checkpoint.ts";

const here = dirname(fileURLToPath(import.meta.url));
export const BASE_PATH = join(here, "lineage-tiny.lnck");

export const BASE_CONFIG: LlamaConfig = {
  vocabSize: 2048,
  contextLength: 256,
  dim: 256,
  nLayers: 4,
  nHeads: 8,
  nKvHeads: 4,
  ffnDim: 704,
  rmsNormEps: 1e-5,
  ropeTheta: 10000,
  tiedEmbeddings: true,
};

export const BASE_TRAIN = { seed: 7, steps: 600, batchSize: 8, seqLen: 128, lr: 3e-3, minLr: 3e-4, warmupSteps: 30, weightDecay: 0.1 } as const;

export interface BaseMeta {
  kind: "lineage-base";
  config: LlamaConfig;
  tokenizer: TokenizerJSON;
  info: Record<string, unknown>;
}

export function saveBase(path: string, model: LlamaModel, tok: ByteBpeTokenizer, info: Record<string, unknown>): void {
  const meta: BaseMeta = { kind: "lineage-base", config: model.config, tokenizer: tok.toJSON(), info };
  saveCheckpointFile(path, meta, model.exportWeights());
}

export interface LoadedBase {
  config: LlamaConfig;
  weights: TensorMap;
  tokenizer: ByteBpeTokenizer;
  info: Record<string, unknown>;
}

/** Read the shipped base (weights as a TensorMap, config, tokenizer). */
export function loadBase(path = BASE_PATH): LoadedBase {
  if (!existsSync(path)) throw new Error(`base: ${path} not found (run ai/base/pretrain.ts)`);
  const { meta, tensors } = loadCheckpointFile<BaseMeta>(path);
  if (meta?.kind !== "lineage-base") throw new Error(`base: ${path} is not a lineage base file`);
  return { config: meta.config, weights: tensors, tokenizer: ByteBpeTokenizer.fromJSON(meta.tokenizer), info: meta.info };
}

/** True when the shipped base weights exist. */
export function baseAvailable(path = BASE_PATH): boolean {
  return existsSync(path);
}
