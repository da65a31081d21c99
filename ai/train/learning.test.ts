// SPDX-License-Identifier: MIT
/**
 * Learning: a LoRA fine-tune of the shipped base on the generated Datanet-registry Q/A domain (held-out questions
 * use datanet names never seen in training).
 * Default `npm test`: a short real run (30 steps): exact match of the base is near 0 and the held-out answer loss
 * falls by more than half.
 * LINEAGE_FULL=1: the full demo recipe (`DEMO`) and the target, >= 90% exact match on held-out questions.
 * Measured on the shipped base (bench/RESULTS.md): 0% -> 100% (48/48) held-out exact match in 150 steps.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend/index.ts";
import { baseAvailable, loadBase } from "../base/index.ts";
import { DEMO, demoFineTuneOptions, fineTuneLora } from "./finetune.ts";

const full = Boolean(process.env.LINEAGE_FULL);

beforeAll(async () => {
  await initBackend("wasm");
});

describe.skipIf(!baseAvailable())("LoRA fine-tune learns a generated Q/A domain", () => {
  it.skipIf(full)("short run: base exact match near 0, held-out answer loss more than halves", { timeout: 300_000 }, () => {
    const r = fineTuneLora(
      demoFineTuneOptions(loadBase(), {
        nTrain: 240,
        nEval: 24,
        trainConfig: { ...DEMO.train, steps: DEMO.shortSteps, evalEvery: 0 },
        batchSize: 8,
        exactMatchLimit: 8,
      }),
    );
    r.model.dispose();
    r.lora?.dispose();
    expect(r.before.exactMatch!.accuracy).toBeLessThanOrEqual(0.125);
    expect(r.after.loss!.loss).toBeLessThan(r.before.loss!.loss / 2);
    expect(r.result.history.at(-1)!.loss).toBeLessThan(r.result.history[0]!.loss);
  });

  it.skipIf(!full)("full demo recipe: >= 90% exact match on held-out questions", { timeout: 1_800_000 }, () => {
    const r = fineTuneLora(demoFineTuneOptions(loadBase()));
    r.model.dispose();
    r.lora?.dispose();
    expect(r.before.exactMatch!.accuracy).toBeLessThanOrEqual(0.125);
    expect(r.after.exactMatch!.accuracy).toBeGreaterThanOrEqual(0.9);
  });
});
