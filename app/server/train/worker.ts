// SPDX-License-Identifier: MIT
/**
 * One fine-tune run in its own process (so a cancel is a kill and a crash cannot take the app server down): reads the
 * runTrain options from LINEAGE_TRAIN_OPTIONS, prints one JSON event per line on stdout (progress, log, done, error).
 */
import { runTrain, type TrainOptions } from "../../../cli/train.ts";
import type { TrainEvent } from "../../src/lib/training.ts";

const emit = (e: TrainEvent) => process.stdout.write(`${JSON.stringify(e)}\n`);

try {
  const options = JSON.parse(process.env.LINEAGE_TRAIN_OPTIONS ?? "{}") as TrainOptions;
  const out = await runTrain(options, {
    onProgress: (p) => emit({ type: "progress", progress: { step: p.step, totalSteps: p.totalSteps, loss: p.loss, ...(p.evalLoss !== undefined ? { evalLoss: p.evalLoss } : {}), tokensPerSec: p.tokensPerSec, etaSec: p.etaSec, elapsedSec: p.elapsedSec } }),
    onFetched: (done, total) => emit({ type: "log", message: `fetched ${done}/${total} contributions` }),
    log: (message) => emit({ type: "log", message }),
  });
  emit({ type: "done", result: { adapterDigest: out.adapterDigest, manifestDigest: out.manifestDigest, baseDigest: out.baseDigest, finalLoss: out.result.result.finalLoss, published: out.published } });
  process.exit(0);
} catch (e) {
  emit({ type: "error", message: (e as Error).message });
  process.exit(1);
}
