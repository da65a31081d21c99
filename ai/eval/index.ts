// SPDX-License-Identifier: MIT
/** Evaluation: held-out loss and perplexity, exact-match accuracy for question/answer records. */
import { tf } from "../backend/index.ts";
import type { LlamaModel } from "../model/index.ts";
import type { ChatTemplate, PromptRecord } from "../templates/index.ts";
import { promptTokens } from "../templates/index.ts";
import type { ByteBpeTokenizer } from "../tokenizer/index.ts";
import type { Batch } from "../train/data.ts";

export interface LossReport {
  loss: number;
  perplexity: number;
  tokens: number;
}

/** Token-weighted mean cross-entropy over batches, and its perplexity exp(loss). */
export function heldOutLoss(model: LlamaModel, batches: Batch[]): LossReport {
  let sum = 0;
  let n = 0;
  for (const b of batches) {
    const w = b.weights.reduce((a, c) => a + c, 0);
    if (w === 0) continue;
    const l = tf.tidy(() =>
      model.loss(tf.tensor2d(b.ids, [b.b, b.t], "int32"), tf.tensor2d(b.targets, [b.b, b.t], "int32"), tf.tensor2d(b.weights, [b.b, b.t])).dataSync()[0]!,
    );
    sum += l * w;
    n += w;
  }
  if (n === 0) throw new Error("eval: no tokens to evaluate");
  const loss = sum / n;
  return { loss, perplexity: Math.exp(loss), tokens: n };
}

/** Normalisation for exact match: trim, collapse whitespace, drop a trailing period, case-insensitive. */
export function normalizeAnswer(s: string): string {
  return s.trim().replace(/\s+/g, " ").replace(/\.$/, "").toLowerCase();
}

export interface ExactMatchReport {
  accuracy: number;
  correct: number;
  total: number;
  samples: { prompt: string; expected: string; got: string; ok: boolean }[];
}

/** Extra tokens a greedy answer may run past the expected response's own length (so a longer answer shows as wrong). */
export const ANSWER_MARGIN_TOKENS = 8;

/**
 * Greedy-decode each prompt (stopping at eos; the first line is compared) and compare with the expected response.
 * The answer may run to the expected response's length in tokens plus `ANSWER_MARGIN_TOKENS` (the length follows
 * the data) unless `maxNewTokens` caps it.
 */
export function exactMatch(model: LlamaModel, tok: ByteBpeTokenizer, template: ChatTemplate, records: PromptRecord[], opts: { maxNewTokens?: number } = {}): ExactMatchReport {
  const samples: ExactMatchReport["samples"] = [];
  let correct = 0;
  for (const r of records) {
    const limit = opts.maxNewTokens ?? tok.encode(template.response(r)).length + ANSWER_MARGIN_TOKENS;
    const room = model.config.contextLength - promptTokens(tok, template, r).length;
    const out = room > 0 ? model.generate(promptTokens(tok, template, r), { maxNewTokens: Math.min(limit, room), stopIds: [tok.eosId] }) : [];
    const got = tok.decode(out).split("\n")[0]!;
    const ok = normalizeAnswer(got) === normalizeAnswer(r.response);
    if (ok) correct++;
    samples.push({ prompt: r.prompt, expected: r.response, got, ok });
  }
  return { accuracy: records.length ? correct / records.length : 0, correct, total: records.length, samples };
}

/** Non-overlapping windows of `seqLen` + 1 tokens of `text` (bos first), as batches for `heldOutLoss`. */
export function textBatches(tok: ByteBpeTokenizer, text: string, seqLen = 128, batchSize = 8): Batch[] {
  const ids = tok.encode(text, { bos: true });
  const out: Batch[] = [];
  const windows: number[] = [];
  for (let s = 0; s + seqLen + 1 <= ids.length; s += seqLen) windows.push(s);
  for (let i = 0; i < windows.length; i += batchSize) {
    const starts = windows.slice(i, i + batchSize);
    const b = starts.length;
    const batch: Batch = { b, t: seqLen, ids: new Int32Array(b * seqLen), targets: new Int32Array(b * seqLen), weights: new Float32Array(b * seqLen).fill(1) };
    starts.forEach((s, k) => {
      batch.ids.set(ids.slice(s, s + seqLen), k * seqLen);
      batch.targets.set(ids.slice(s + 1, s + seqLen + 1), k * seqLen);
    });
    out.push(batch);
  }
  return out;
}
