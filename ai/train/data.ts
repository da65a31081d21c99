// SPDX-License-Identifier: MIT
/**
 * Training data sources. Batches are a pure function of (seed, step, micro-batch index), so a resumed run
 * sees exactly the batches an uninterrupted run would.
 */
import { Rng } from "../model/sampling.ts";

export interface Batch {
  b: number;
  t: number;
  ids: Int32Array; // [b, t]
  targets: Int32Array; // [b, t]
  weights: Float32Array; // [b, t], 1 = the target counts in the loss
}

export interface DataSource {
  /** The training batch for (step, micro); deterministic in `seed`. */
  trainBatch(seed: number, step: number, micro: number, accum?: number): Batch;
  /** Fixed held-out batches. */
  evalBatches(): Batch[];
  /** Training tokens (or examples) available, for reporting. */
  readonly size: number;
}

/** A 32-bit mix of integers (deterministic seeds for data and dropout). */
export function mixSeed(...xs: number[]): number {
  let h = 0x811c9dc5;
  for (const x of xs) {
    h = Math.imul(h ^ (x >>> 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  }
  return h >>> 0;
}

/** Language modelling on a token stream: random windows of t+1 tokens. */
export class TokenStreamData implements DataSource {
  readonly #train: Int32Array;
  readonly #eval: Int32Array;
  readonly #b: number;
  readonly #t: number;
  readonly #evalBatches: number;

  constructor(tokens: Int32Array, opts: { batchSize: number; seqLen: number; evalFraction?: number; evalBatches?: number }) {
    const evalN = Math.floor(tokens.length * (opts.evalFraction ?? 0.02));
    if (tokens.length - evalN < opts.seqLen + 1 || evalN < opts.seqLen + 1) throw new Error("data: token stream too short for seqLen and eval split");
    this.#train = tokens.subarray(0, tokens.length - evalN);
    this.#eval = tokens.subarray(tokens.length - evalN);
    this.#b = opts.batchSize;
    this.#t = opts.seqLen;
    this.#evalBatches = opts.evalBatches ?? 4;
  }

  get size(): number {
    return this.#train.length;
  }

  #window(src: Int32Array, starts: number[]): Batch {
    const b = starts.length;
    const t = this.#t;
    const ids = new Int32Array(b * t);
    const targets = new Int32Array(b * t);
    starts.forEach((s, i) => {
      ids.set(src.subarray(s, s + t), i * t);
      targets.set(src.subarray(s + 1, s + t + 1), i * t);
    });
    return { b, t, ids, targets, weights: new Float32Array(b * t).fill(1) };
  }

  trainBatch(seed: number, step: number, micro: number): Batch {
    const rng = new Rng(mixSeed(seed, step, micro, 1));
    const max = this.#train.length - this.#t - 1;
    return this.#window(this.#train, Array.from({ length: this.#b }, () => rng.int(max + 1)));
  }

  evalBatches(): Batch[] {
    const out: Batch[] = [];
    const stride = this.#t + 1;
    const n = Math.floor((this.#eval.length - 1) / stride);
    const starts = Array.from({ length: Math.min(n, this.#evalBatches * this.#b) }, (_, i) => i * stride);
    for (let i = 0; i < starts.length; i += this.#b) out.push(this.#window(this.#eval, starts.slice(i, i + this.#b)));
    return out;
  }
}

/** A tokenised example: ids (prompt + response) and a mask marking which next-token targets count. */
export interface TokenizedExample {
  ids: number[];
  /** lossMask[i] = 1 when predicting ids[i] (from ids[<i]) counts in the loss. */
  lossMask: number[];
}

/** Supervised examples (e.g. prompt/response), right-padded to seqLen, shuffled per epoch. */
export class ExampleData implements DataSource {
  readonly #train: TokenizedExample[];
  readonly #eval: TokenizedExample[];
  readonly #b: number;
  readonly #t: number;
  readonly #pad: number;

  constructor(train: TokenizedExample[], evalSet: TokenizedExample[], opts: { batchSize: number; seqLen: number; padId: number }) {
    if (train.length === 0) throw new Error("data: no training examples");
    for (const e of [...train, ...evalSet]) {
      if (e.ids.length !== e.lossMask.length) throw new Error("data: ids and lossMask lengths differ");
      if (e.ids.length < 2) throw new Error("data: example shorter than 2 tokens");
    }
    this.#train = train;
    this.#eval = evalSet;
    this.#b = opts.batchSize;
    this.#t = opts.seqLen;
    this.#pad = opts.padId;
  }

  get size(): number {
    return this.#train.length;
  }

  /** Right-padded to the batch's longest example (at most seqLen): no compute on padding beyond that. */
  #batch(examples: TokenizedExample[]): Batch {
    const b = examples.length;
    const t = Math.max(1, Math.min(this.#t, Math.max(...examples.map((e) => e.ids.length - 1))));
    const ids = new Int32Array(b * t).fill(this.#pad);
    const targets = new Int32Array(b * t).fill(this.#pad);
    const weights = new Float32Array(b * t);
    examples.forEach((e, i) => {
      const n = Math.min(e.ids.length - 1, t);
      for (let j = 0; j < n; j++) {
        ids[i * t + j] = e.ids[j]!;
        targets[i * t + j] = e.ids[j + 1]!;
        weights[i * t + j] = e.lossMask[j + 1]!;
      }
    });
    return { b, t, ids, targets, weights };
  }

  /** Epoch permutation (Fisher-Yates with a seeded RNG). */
  #perm(seed: number, epoch: number): number[] {
    const rng = new Rng(mixSeed(seed, epoch, 2));
    const p = this.#train.map((_, i) => i);
    for (let i = p.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [p[i], p[j]] = [p[j]!, p[i]!];
    }
    return p;
  }

  trainBatch(seed: number, step: number, micro: number, accum = 1): Batch {
    const n = this.#train.length;
    const first = (step * accum + micro) * this.#b;
    const out: TokenizedExample[] = [];
    let cachedEpoch = -1;
    let perm: number[] = [];
    for (let k = 0; k < this.#b; k++) {
      const g = first + k;
      const epoch = Math.floor(g / n);
      if (epoch !== cachedEpoch) {
        perm = this.#perm(seed, epoch);
        cachedEpoch = epoch;
      }
      out.push(this.#train[perm[g % n]!]!);
    }
    return this.#batch(out);
  }

  evalBatches(): Batch[] {
    const out: Batch[] = [];
    for (let i = 0; i < this.#eval.length; i += this.#b) out.push(this.#batch(this.#eval.slice(i, i + this.#b)));
    return out;
  }
}
