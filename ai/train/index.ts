// SPDX-License-Identifier: MIT
/**
 * Training loop: AdamW (decoupled weight decay, none on 1-D params), linear warm-up + cosine decay, global-norm
 * gradient clipping, gradient accumulation, held-out evaluation, early stopping (restores the best weights),
 * checkpoint and resume (bit-identical to an uninterrupted run on the same backend), deterministic with a seed,
 * progress events `{ step, loss, evalLoss, tokensPerSec, etaSec }` via `onProgress` and the "progress" event.
 */
import { EventEmitter } from "node:events";
import { tf } from "../backend/index.ts";
import { type LlamaModel, trainingContext } from "../model/index.ts";
import type { TensorMap } from "../tensors/index.ts";
import { loadCheckpointFile, saveCheckpointFile } from "./checkpoint.ts";
import { type Batch, type DataSource, mixSeed } from "./data.ts";

export * from "./checkpoint.ts";
export * from "./data.ts";

export interface TrainConfig {
  steps: number;
  lr: number;
  minLr?: number; // default lr/10
  warmupSteps?: number; // default 0
  weightDecay?: number; // default 0
  beta1?: number; // 0.9
  beta2?: number; // 0.999
  eps?: number; // 1e-8
  gradClip?: number; // global norm; 0 = off (default 1)
  gradAccum?: number; // micro-batches per step (default 1)
  evalEvery?: number; // steps; 0 = only at the end (default 0)
  earlyStopPatience?: number; // evaluations without improvement before stopping (0 = off)
  earlyStopMinDelta?: number; // default 0
  /** Stop early once the eval loss is at or below this. */
  targetEvalLoss?: number;
  /** Per-parameter learning-rate multiplier by name (e.g. LoRA+: a larger rate for `lora_b`); default 1. */
  lrScale?: (name: string) => number;
  /** End the run at this step while the schedule still spans `steps` (a truncated schedule; default `steps`). */
  stopAtStep?: number;
  checkpointEvery?: number; // steps (requires checkpointPath)
  checkpointPath?: string;
  seed: number;
}

export interface Progress {
  step: number;
  totalSteps: number;
  loss: number;
  evalLoss?: number;
  lr: number;
  gradNorm: number;
  tokensPerSec: number;
  etaSec: number;
  elapsedSec: number;
}

export interface TrainResult {
  steps: number;
  finalLoss: number;
  bestEvalLoss?: number;
  stoppedEarly: boolean;
  tokens: number;
  seconds: number;
  history: Progress[];
}

export class TrainError extends Error {
  constructor(message: string) {
    super(`train: ${message}`);
    this.name = "TrainError";
  }
}

/** A run whose loss rose above this multiple of its first step's loss is declared diverged. */
export const DIVERGENCE_FACTOR = 3;

/** The run diverged (non-finite or exploding loss): its weights are garbage and must not be written. */
export class TrainDivergedError extends TrainError {
  constructor(
    readonly step: number,
    readonly loss: number,
    reason: string,
  ) {
    super(`diverged at step ${step} (${reason}); nothing was written: lower the learning rate (--lr) or keep gradient clipping on (--grad-clip)`);
    this.name = "TrainDivergedError";
  }
}

/** The learning rate at `step` (0-based): linear warm-up then cosine from lr to minLr. */
export function learningRate(cfg: TrainConfig, step: number): number {
  const warm = cfg.warmupSteps ?? 0;
  const minLr = cfg.minLr ?? cfg.lr / 10;
  if (step < warm) return (cfg.lr * (step + 1)) / warm;
  const span = Math.max(1, cfg.steps - warm);
  const p = Math.min(1, (step - warm) / span);
  return minLr + 0.5 * (cfg.lr - minLr) * (1 + Math.cos(Math.PI * p));
}

interface CheckpointMeta {
  kind: "lineage-train-checkpoint";
  step: number;
  seed: number;
  bestEvalLoss: number | null;
  badEvals: number;
  tokens: number;
  names: string[];
}

/** Trains a set of named variables of a model (all weights for pre-training, the adapters for LoRA). */
export class Trainer extends EventEmitter {
  readonly model: LlamaModel;
  readonly params: Map<string, tf.Variable>;
  readonly data: DataSource;
  readonly cfg: Required<Omit<TrainConfig, "checkpointPath" | "targetEvalLoss" | "stopAtStep" | "lrScale">> & Pick<TrainConfig, "checkpointPath" | "targetEvalLoss" | "stopAtStep" | "lrScale">;
  onProgress: ((p: Progress) => void) | undefined;
  #m = new Map<string, tf.Variable>();
  #v = new Map<string, tf.Variable>();
  #step = 0;
  #tokens = 0;
  #bestEval: number | undefined;
  #badEvals = 0;
  #best: TensorMap | undefined;

  constructor(model: LlamaModel, params: Map<string, tf.Variable>, data: DataSource, cfg: TrainConfig, onProgress?: (p: Progress) => void) {
    super();
    if (!Number.isInteger(cfg.steps) || cfg.steps <= 0) throw new TrainError(`steps must be a positive integer, got ${cfg.steps}`);
    if (!(cfg.lr > 0)) throw new TrainError(`lr must be > 0, got ${cfg.lr}`);
    if (params.size === 0) throw new TrainError("no trainable parameters");
    this.model = model;
    this.params = params;
    this.data = data;
    this.cfg = {
      minLr: cfg.lr / 10,
      warmupSteps: 0,
      weightDecay: 0,
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-8,
      gradClip: 1,
      gradAccum: 1,
      evalEvery: 0,
      earlyStopPatience: 0,
      earlyStopMinDelta: 0,
      checkpointEvery: 0,
      ...cfg,
    };
    if (!Number.isInteger(this.cfg.gradAccum) || this.cfg.gradAccum < 1) throw new TrainError("gradAccum must be an integer >= 1");
    for (const [name, p] of params) {
      this.#m.set(name, tf.variable(tf.zeros(p.shape), false));
      this.#v.set(name, tf.variable(tf.zeros(p.shape), false));
    }
    this.onProgress = onProgress;
  }

  get step(): number {
    return this.#step;
  }

  #tensors(b: Batch): { ids: tf.Tensor2D; targets: tf.Tensor2D; weights: tf.Tensor2D } {
    return {
      ids: tf.tensor2d(b.ids, [b.b, b.t], "int32"),
      targets: tf.tensor2d(b.targets, [b.b, b.t], "int32"),
      weights: tf.tensor2d(b.weights, [b.b, b.t]),
    };
  }

  /** Weighted mean loss over the held-out batches (no dropout). */
  evaluate(batches: Batch[] = this.data.evalBatches()): number {
    let sum = 0;
    let n = 0;
    for (const b of batches) {
      const w = b.weights.reduce((a, c) => a + c, 0);
      if (w === 0) continue;
      const l = tf.tidy(() => {
        const t = this.#tensors(b);
        return this.model.loss(t.ids, t.targets, t.weights).dataSync()[0]!;
      });
      sum += l * w;
      n += w;
    }
    return n ? sum / n : NaN;
  }

  /** One optimiser step (gradAccum micro-batches). Returns the mean training loss and the gradient norm. */
  trainStep(): { loss: number; gradNorm: number; tokens: number } {
    const { gradAccum, seed } = this.cfg;
    const varList = [...this.params.values()];
    const names = [...this.params.keys()];
    let lossSum = 0;
    let tokens = 0;
    const acc: tf.Tensor[] = [];
    for (let micro = 0; micro < gradAccum; micro++) {
      const batch = this.data.trainBatch(seed, this.#step, micro, gradAccum);
      tokens += batch.b * batch.t;
      const t = this.#tensors(batch);
      const ctx = trainingContext(mixSeed(seed, this.#step, micro, 3));
      const { value, grads } = tf.variableGrads(() => this.model.loss(t.ids, t.targets, t.weights, ctx), varList);
      lossSum += value.dataSync()[0]!;
      value.dispose();
      tf.dispose([t.ids, t.targets, t.weights]);
      names.forEach((_, i) => {
        const g = grads[varList[i]!.name]!;
        if (micro === 0) acc[i] = g;
        else {
          const s = tf.add(acc[i]!, g);
          acc[i]!.dispose();
          g.dispose();
          acc[i] = s;
        }
      });
    }
    const lr = learningRate(this.cfg, this.#step);
    const stepNo = this.#step + 1;
    const gradNorm = tf.tidy(() => {
      const grads = acc.map((g) => (gradAccum > 1 ? tf.div(g, gradAccum) : g));
      const norm = Math.sqrt(grads.reduce((s, g) => s + tf.sum(tf.square(g)).dataSync()[0]!, 0));
      const clip = this.cfg.gradClip > 0 && norm > this.cfg.gradClip ? this.cfg.gradClip / norm : 1;
      const { beta1: b1, beta2: b2, eps, weightDecay } = this.cfg;
      const bc1 = 1 - Math.pow(b1, stepNo);
      const bc2 = 1 - Math.pow(b2, stepNo);
      names.forEach((name, i) => {
        const p = varList[i]!;
        const g = clip !== 1 ? tf.mul(grads[i]!, clip) : grads[i]!;
        const m = this.#m.get(name)!;
        const v = this.#v.get(name)!;
        m.assign(tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1)));
        v.assign(tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2)));
        const upd = tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), eps));
        const decay = weightDecay > 0 && p.shape.length > 1 ? tf.mul(p, weightDecay) : undefined;
        p.assign(tf.sub(p, tf.mul(decay ? tf.add(upd, decay) : upd, lr * (this.cfg.lrScale?.(name) ?? 1))));
      });
      return norm;
    });
    tf.dispose(acc);
    this.#step++;
    this.#tokens += tokens;
    return { loss: lossSum / gradAccum, gradNorm, tokens };
  }

  /** Run to `cfg.steps` (or early stop), emitting progress; resumes from the current step. */
  run(): TrainResult {
    const t0 = performance.now();
    const startStep = this.#step;
    const history: Progress[] = [];
    let stoppedEarly = false;
    let lastLoss = NaN;
    let runTokens = 0;
    const evalBatches = this.data.evalBatches();
    const end = Math.min(this.cfg.stopAtStep ?? this.cfg.steps, this.cfg.steps);
    let firstLoss: number | undefined;
    while (this.#step < end) {
      const { loss, gradNorm, tokens } = this.trainStep();
      firstLoss ??= loss;
      // a diverged run is an error, never a result: non-finite loss or gradient, or a loss far above where it began
      if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) throw new TrainDivergedError(this.#step, loss, `non-finite ${Number.isFinite(loss) ? "gradient norm" : "loss"}`);
      if (this.#step - startStep >= 5 && loss > DIVERGENCE_FACTOR * firstLoss) throw new TrainDivergedError(this.#step, loss, `loss ${loss.toFixed(3)} exploded from ${firstLoss.toFixed(3)} at the start`);
      lastLoss = loss;
      runTokens += tokens;
      const elapsed = (performance.now() - t0) / 1000;
      const tokensPerSec = runTokens / Math.max(elapsed, 1e-9);
      const done = this.#step - startStep;
      const p: Progress = {
        step: this.#step,
        totalSteps: this.cfg.steps,
        loss,
        lr: learningRate(this.cfg, this.#step - 1),
        gradNorm,
        tokensPerSec,
        etaSec: (elapsed / done) * (end - this.#step),
        elapsedSec: elapsed,
      };
      const last = this.#step === end;
      if (evalBatches.length > 0 && ((this.cfg.evalEvery > 0 && this.#step % this.cfg.evalEvery === 0) || last)) {
        p.evalLoss = this.evaluate(evalBatches);
        if (this.#bestEval === undefined || p.evalLoss < this.#bestEval - this.cfg.earlyStopMinDelta) {
          this.#bestEval = p.evalLoss;
          this.#badEvals = 0;
          if (this.cfg.earlyStopPatience > 0) this.#best = this.snapshot();
        } else this.#badEvals++;
        if (this.cfg.targetEvalLoss !== undefined && p.evalLoss <= this.cfg.targetEvalLoss) stoppedEarly = !last;
        if (this.cfg.earlyStopPatience > 0 && this.#badEvals >= this.cfg.earlyStopPatience) stoppedEarly = true;
      }
      history.push(p);
      this.onProgress?.(p);
      this.emit("progress", p);
      if (this.cfg.checkpointPath && this.cfg.checkpointEvery > 0 && this.#step % this.cfg.checkpointEvery === 0) this.saveCheckpoint(this.cfg.checkpointPath);
      if (stoppedEarly) break;
    }
    if (stoppedEarly && this.#best && this.cfg.earlyStopPatience > 0 && this.#badEvals >= this.cfg.earlyStopPatience) this.restoreSnapshot(this.#best);
    return {
      steps: this.#step,
      finalLoss: lastLoss,
      ...(this.#bestEval !== undefined ? { bestEvalLoss: this.#bestEval } : {}),
      stoppedEarly,
      tokens: runTokens,
      seconds: (performance.now() - t0) / 1000,
      history,
    };
  }

  /** Current trainable values as a TensorMap (names as given to the trainer). */
  snapshot(): TensorMap {
    const out: TensorMap = new Map();
    for (const [name, v] of this.params) out.set(name, { shape: [...v.shape], data: Float32Array.from(v.dataSync() as Float32Array) });
    return out;
  }

  restoreSnapshot(s: TensorMap): void {
    for (const [name, v] of this.params) {
      const t = s.get(name);
      if (!t || t.data.length !== v.size) throw new TrainError(`snapshot lacks ${name} or its size differs`);
      v.assign(tf.tensor(t.data, v.shape));
    }
  }

  /** Write params + AdamW state + counters (atomic). */
  saveCheckpoint(path: string): void {
    const tensors: TensorMap = new Map();
    const names = [...this.params.keys()];
    for (const name of names) {
      for (const [prefix, src] of [["p", this.params], ["m", this.#m], ["v", this.#v]] as const) {
        const v = src.get(name)!;
        tensors.set(`${prefix}:${name}`, { shape: [...v.shape], data: v.dataSync() as Float32Array });
      }
    }
    const meta: CheckpointMeta = {
      kind: "lineage-train-checkpoint",
      step: this.#step,
      seed: this.cfg.seed,
      bestEvalLoss: this.#bestEval ?? null,
      badEvals: this.#badEvals,
      tokens: this.#tokens,
      names,
    };
    saveCheckpointFile(path, meta, tensors);
  }

  /** Restore a checkpoint written by `saveCheckpoint` for the same parameter set; validates before changing anything. */
  loadCheckpoint(path: string): void {
    const { meta, tensors } = loadCheckpointFile<CheckpointMeta>(path);
    if (meta?.kind !== "lineage-train-checkpoint") throw new TrainError(`${path} is not a training checkpoint`);
    if (meta.seed !== this.cfg.seed) throw new TrainError(`checkpoint seed ${meta.seed} differs from config seed ${this.cfg.seed}`);
    for (const [name, v] of this.params) {
      for (const prefix of ["p", "m", "v"]) {
        const t = tensors.get(`${prefix}:${name}`);
        if (!t) throw new TrainError(`checkpoint lacks ${prefix}:${name}`);
        if (t.shape.join(",") !== v.shape.join(",")) throw new TrainError(`checkpoint shape of ${name} [${t.shape}] differs from [${v.shape}]`);
      }
    }
    if (meta.names.length !== this.params.size) throw new TrainError("checkpoint parameter set differs");
    for (const [name, v] of this.params) {
      v.assign(tf.tensor(tensors.get(`p:${name}`)!.data, v.shape));
      this.#m.get(name)!.assign(tf.tensor(tensors.get(`m:${name}`)!.data, v.shape));
      this.#v.get(name)!.assign(tf.tensor(tensors.get(`v:${name}`)!.data, v.shape));
    }
    this.#step = meta.step;
    this.#tokens = meta.tokens;
    this.#bestEval = meta.bestEvalLoss ?? undefined;
    this.#badEvals = meta.badEvals;
  }

  dispose(): void {
    for (const v of [...this.#m.values(), ...this.#v.values()]) v.dispose();
    this.#m.clear();
    this.#v.clear();
  }
}
