// SPDX-License-Identifier: MIT
/**
 * Recall of a knowledge set through llama.cpp, from the exported GGUF files (a base, optionally a LoRA adapter):
 * each question is prompted with the training template, answered greedily (at most `maxTokens`, default 32,
 * stopping at eos or a newline) and scored with `scoreAnswer` (the first line holds the right value and no other
 * value of the attribute).
 */
import { type LlamaCppModel } from "../llamacpp/index.ts";
import { type ChatTemplate, promptTokens } from "../templates/index.ts";
import type { ByteBpeTokenizer } from "../tokenizer/index.ts";
import { type FactQuestion, scoreAnswer } from "./facts.ts";

export interface RecallReport {
  accuracy: number;
  correct: number;
  total: number;
  /** Accuracy by question kind (training, prefix, suffix, case, punctuation, heldOut). */
  byKind: Record<string, { correct: number; total: number }>;
  samples: { prompt: string; attribute: string; expected: string; got: string; ok: boolean }[];
}

/** Token ids whose text holds a newline (generation stops after one: only the first line is scored). */
export function newlineTokenIds(tok: ByteBpeTokenizer): Set<number> {
  const out = new Set<number>([tok.eosId]);
  for (let id = 0; id < tok.vocabSize; id++) if (id !== tok.bosId && id !== tok.eosId && id !== tok.padId && tok.decode([id]).includes("\n")) out.add(id);
  return out;
}

export async function recallLlamaCpp(o: {
  model: LlamaCppModel;
  adapterPath?: string;
  tokenizer: ByteBpeTokenizer;
  template: ChatTemplate;
  questions: readonly FactQuestion[];
  values: Record<string, readonly string[]>;
  maxTokens?: number;
  keepSamples?: number;
}): Promise<RecallReport> {
  const stop = newlineTokenIds(o.tokenizer);
  const byKind: RecallReport["byKind"] = {};
  const samples: RecallReport["samples"] = [];
  let correct = 0;
  for (const q of o.questions) {
    const ids = await o.model.generateGreedy(promptTokens(o.tokenizer, o.template, q), o.maxTokens ?? 32, o.adapterPath ? { path: o.adapterPath } : undefined, stop);
    const got = o.tokenizer.decode(ids);
    const values = o.values[q.attribute];
    if (!values) throw new Error(`recall: no value list for attribute ${q.attribute}`);
    const ok = scoreAnswer(got, q.expected, values);
    if (ok) correct++;
    const k = (byKind[q.kind] ??= { correct: 0, total: 0 });
    k.total++;
    if (ok) k.correct++;
    if (samples.length < (o.keepSamples ?? 20)) samples.push({ prompt: q.prompt, attribute: q.attribute, expected: q.expected, got, ok });
  }
  return { accuracy: o.questions.length ? correct / o.questions.length : 0, correct, total: o.questions.length, byKind, samples };
}
