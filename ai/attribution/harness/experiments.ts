// SPDX-License-Identifier: MIT
/**
 * The gradient experiments of the harness, on the shipped tiny base: a LoRA adapter is fine-tuned on a generated
 * data set (every record its own contribution), the gradient attributor is built, and the literature's metrics are
 * computed.
 * - Class identification (DataInf's protocol): for each test record, do the most helpful training records come from
 *   its own task? AUC and recall at the number of same-task records, averaged over test records.
 * - Mislabel detection: a fraction of responses flipped; rank training records by suspicion (negative helpfulness for
 *   a clean held-out set; self-influence); AUC of the flipped ones.
 */
import type { LoadedBase } from "../../base/index.ts";
import { LoraAdapter, type LoraConfig } from "../../lora/index.ts";
import type { LlamaModel } from "../../model/index.ts";
import { TEMPLATES, type PromptRecord, tokenizeRecord } from "../../templates/index.ts";
import { fineTuneLora } from "../../train/finetune.ts";
import type { AttributionCorpus } from "../corpus.ts";
import { GradientAttributor, type GradientMethod } from "../gradient/index.ts";
import { auc, recallAtPositives, spearman } from "./metrics.ts";
import { heldOutLoss } from "../../eval/index.ts";
import { ExampleData } from "../../train/data.ts";
import { Rng } from "../../model/sampling.ts";
import { flipLabels, sentenceTasks, TASKS } from "./tasks.ts";

export const HARNESS_LORA: LoraConfig = { rank: 4, alpha: 8, dropout: 0, targets: ["q", "v"] };
const ZERO = `0x${"0".repeat(64)}` as const;

export interface TrainedSetup {
  model: LlamaModel;
  lora: LoraAdapter;
  trainMs: number;
  dispose(): void;
}

export function trainAdapter(base: LoadedBase, train: PromptRecord[], held: PromptRecord[], steps: number, opts: { seed?: number; lora?: LoraConfig; batchSize?: number } = {}): TrainedSetup {
  const t0 = performance.now();
  const r = fineTuneLora({
    config: base.config,
    weights: base.weights,
    tokenizer: base.tokenizer,
    template: TEMPLATES.lineage!,
    train,
    eval: held,
    lora: opts.lora ?? HARNESS_LORA,
    trainConfig: { steps, lr: 3e-3, minLr: 1e-3, warmupSteps: Math.min(10, steps >> 2), gradClip: 1, evalEvery: 0, seed: opts.seed ?? 1 },
    batchSize: opts.batchSize ?? 16,
    exactMatch: false,
  });
  return {
    model: r.model,
    lora: r.lora,
    trainMs: performance.now() - t0,
    dispose: () => {
      r.lora.dispose();
      r.model.dispose();
    },
  };
}

export function corpusOf(records: readonly PromptRecord[], root = ZERO): AttributionCorpus {
  return { datanetId: 0n, versionId: 0n, root, contributions: records.map((r, i) => ({ contributionId: BigInt(i + 1), records: [{ prompt: r.prompt, response: r.response }] })) };
}

export async function attributorFor(base: LoadedBase, setup: TrainedSetup, corpus: AttributionCorpus, opts: { cacheDir?: string; trakK?: number } = {}): Promise<GradientAttributor> {
  return GradientAttributor.build({
    model: setup.model,
    lora: setup.lora,
    tokenizer: base.tokenizer,
    template: TEMPLATES.lineage!,
    corpus,
    adapterDigest: ZERO,
    baseDigest: ZERO,
    trak: { k: opts.trakK ?? 256, seed: 1 },
    ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}),
  });
}

export interface ClassIdResult {
  tasks: number;
  train: number;
  test: number;
  steps: number;
  methods: Record<GradientMethod, { auc: number; recall: number; queryMs: number }>;
  trainMs: number;
  cacheBuildMs: number;
  bytesPerContribution: number;
}

export async function classIdentification(base: LoadedBase, o: { perTaskTrain: number; perTaskTest: number; nTasks?: number; steps: number; seed?: number }): Promise<ClassIdResult> {
  const nTasks = o.nTasks ?? TASKS.length;
  const { train, test } = sentenceTasks(o.seed ?? 1, o.perTaskTrain, o.perTaskTest, nTasks);
  const setup = trainAdapter(base, train, test.slice(0, 16), o.steps, { seed: o.seed ?? 1 });
  try {
    const attr = await attributorFor(base, setup, corpusOf(train));
    const methods = {} as ClassIdResult["methods"];
    for (const m of ["datainf", "trak"] as const) {
      let a = 0;
      let rc = 0;
      let ms = 0;
      for (const t of test) {
        const t0 = performance.now();
        const s = attr.exampleScores(m, attr.testGradient(t));
        ms += performance.now() - t0;
        const pos = train.map((r) => r.task === t.task);
        a += auc(s, pos);
        rc += recallAtPositives(s, pos);
      }
      methods[m] = { auc: a / test.length, recall: rc / test.length, queryMs: ms / test.length };
    }
    return { tasks: nTasks, train: train.length, test: test.length, steps: o.steps, methods, trainMs: setup.trainMs, cacheBuildMs: attr.buildMs, bytesPerContribution: attr.bytesPerContribution() };
  } finally {
    setup.dispose();
  }
}

export interface MislabelResult {
  train: number;
  flipped: number;
  steps: number;
  auc: { heldOutDataInf: number; heldOutTrak: number; selfInfluenceDataInf: number; selfInfluenceTrak: number };
}

/** Mislabel detection on a task set: responses of `fraction` of the records replaced by another task's answer. */
export async function mislabelDetection(base: LoadedBase, o: { perTaskTrain: number; nTasks?: number; fraction?: number; steps: number; seed?: number; heldOut?: number }): Promise<MislabelResult> {
  const nTasks = o.nTasks ?? TASKS.length;
  const { train, test } = sentenceTasks(o.seed ?? 2, o.perTaskTrain, Math.max(1, Math.ceil((o.heldOut ?? 40) / nTasks)), nTasks);
  const labels = [...new Set(train.map((r) => r.response))];
  const { records, flipped } = flipLabels(train, o.fraction ?? 0.2, (o.seed ?? 2) + 7, labels);
  const setup = trainAdapter(base, records, test.slice(0, 16), o.steps, { seed: o.seed ?? 2 });
  try {
    const attr = await attributorFor(base, setup, corpusOf(records));
    const vHeld = attr.meanGradient(test);
    const neg = (x: Float64Array) => Float64Array.from(x, (v) => -v);
    return {
      train: records.length,
      flipped: flipped.filter(Boolean).length,
      steps: o.steps,
      auc: {
        heldOutDataInf: auc(neg(attr.exampleScores("datainf", vHeld)), flipped),
        heldOutTrak: auc(neg(attr.exampleScores("trak", vHeld)), flipped),
        selfInfluenceDataInf: auc(attr.selfInfluence("datainf"), flipped),
        selfInfluenceTrak: auc(attr.selfInfluence("trak"), flipped),
      },
    };
  } finally {
    setup.dispose();
  }
}

export { LoraAdapter };

export interface LdsResult {
  subsets: number;
  train: number;
  test: number;
  steps: number;
  lds: Record<GradientMethod, number>;
  retrainMs: number;
}

/**
 * Linear datamodeling score (TRAK's LDS): retrain on `subsets` random halves of the training set; for each test
 * record, the Spearman correlation across subsets between the predicted effect (sum of the full model's
 * helpfulness scores over the subset) and the actual test-loss reduction of the retrained adapter; averaged.
 */
export async function linearDatamodelingScore(base: LoadedBase, o: { perTaskTrain: number; nTasks: number; perTaskTest: number; steps: number; subsets: number; seed?: number }): Promise<LdsResult> {
  const seed = o.seed ?? 3;
  const { train, test } = sentenceTasks(seed, o.perTaskTrain, o.perTaskTest, o.nTasks);
  const full = trainAdapter(base, train, test, o.steps, { seed, batchSize: 8 });
  let predicted: Record<GradientMethod, Float64Array[]>;
  try {
    const attr = await attributorFor(base, full, corpusOf(train), { trakK: 64 });
    predicted = { datainf: test.map((t) => attr.exampleScores("datainf", attr.testGradient(t))), trak: test.map((t) => attr.exampleScores("trak", attr.testGradient(t))) };
  } finally {
    full.dispose();
  }
  const rng = new Rng(seed * 31 + 1);
  const actual: number[][] = test.map(() => []);
  const pred: Record<GradientMethod, number[][]> = { datainf: test.map(() => []), trak: test.map(() => []) };
  const tok = base.tokenizer;
  const tpl = TEMPLATES.lineage!;
  const t0 = performance.now();
  for (let s = 0; s < o.subsets; s++) {
    const pick = train.map(() => rng.next() < 0.5);
    const sub = train.filter((_, i) => pick[i]);
    const m = trainAdapter(base, sub, test, o.steps, { seed, batchSize: 8 });
    try {
      test.forEach((t, j) => {
        const ex = tokenizeRecord(tok, tpl, t, base.config.contextLength);
        const data = new ExampleData([ex], [ex], { batchSize: 1, seqLen: ex.ids.length - 1, padId: tok.padId });
        actual[j]!.push(-heldOutLoss(m.model, data.evalBatches()).loss);
        for (const meth of ["datainf", "trak"] as const) {
          let p = 0;
          predicted[meth][j]!.forEach((v, i) => {
            if (pick[i]) p += v;
          });
          pred[meth][j]!.push(p);
        }
      });
    } finally {
      m.dispose();
    }
  }
  const retrainMs = performance.now() - t0;
  const mean = (meth: GradientMethod) => test.reduce((a, _, j) => a + spearman(pred[meth][j]!, actual[j]!), 0) / test.length;
  return { subsets: o.subsets, train: train.length, test: test.length, steps: o.steps, lds: { datainf: mean("datainf"), trak: mean("trak") }, retrainMs };
}
