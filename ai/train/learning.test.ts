// SPDX-License-Identifier: MIT
/**
 * Learning: a LoRA fine-tune of the shipped base on the generated Datanet-registry Q/A domain lifts exact-match
 * accuracy on held-out questions (names never seen in training) from near 0 to a high level.
 * Default `npm test`: a shorter real run (fewer steps, a subset of held-out questions; asserts >= 50%).
 * LINEAGE_FULL=1: the full demo recipe (asserts >= 90%), the same run bench/ai-demo.ts times.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend/index.ts";
import { baseAvailable, loadBase } from "../base/index.ts";
import { generateDomainQa } from "../eval/domain.ts";
import { TEMPLATES } from "../templates/index.ts";
import { DEMO, fineTuneLora } from "./finetune.ts";

const full = Boolean(process.env.LINEAGE_FULL);

beforeAll(async () => {
  await initBackend("wasm");
});

describe.skipIf(!baseAvailable())("LoRA fine-tune learns a generated Q/A domain", () => {
  it(full ? "full demo recipe: >= 90% exact match on held-out questions" : "short run (LINEAGE_FULL=1 runs the full >= 90% demo)", { timeout: 900_000 }, () => {
    const base = loadBase();
    const { train, eval: ev } = generateDomainQa(DEMO.dataSeed, DEMO.nTrain, DEMO.nEval);
    const steps = full ? DEMO.train.steps : DEMO.shortSteps;
    const r = fineTuneLora({
      config: base.config,
      weights: base.weights,
      tokenizer: base.tokenizer,
      template: TEMPLATES.lineage!,
      train,
      eval: full ? ev : ev.slice(0, 24),
      lora: DEMO.lora,
      trainConfig: { ...DEMO.train, steps, evalEvery: 0 },
      batchSize: DEMO.batchSize,
    });
    r.model.dispose();
    r.lora.dispose();
    expect(r.before.exactMatch!.accuracy).toBeLessThanOrEqual(0.1);
    expect(r.after.loss.loss).toBeLessThan(r.before.loss.loss / 2);
    expect(r.after.exactMatch!.accuracy).toBeGreaterThanOrEqual(full ? 0.9 : 0.5);
  });
});
