// SPDX-License-Identifier: MIT
/**
 * The attribution harness, small and fast (the full protocol runs in bench/attribution/gradient.ts): a LoRA adapter
 * fine-tuned on generated tasks, DataInf and the projected method attribute held-out test records; the most helpful
 * training records must come from the test record's own task far more often than chance. Metrics are checked
 * against hand-computed values.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../backend/index.ts";
import { baseAvailable, loadBase } from "../../base/index.ts";
import { classIdentification } from "./experiments.ts";
import { auc, recallAtPositives, spearman } from "./metrics.ts";
import { flipLabels, sentenceTasks, TASKS } from "./tasks.ts";

beforeAll(async () => {
  await initBackend("wasm");
});

describe("harness metrics and data", () => {
  it("AUC, recall at positives, Spearman", () => {
    expect(auc([0.9, 0.8, 0.1, 0.2], [true, true, false, false])).toBe(1);
    expect(auc([0.1, 0.2, 0.9, 0.8], [true, true, false, false])).toBe(0);
    expect(auc([1, 1, 1, 1], [true, false, true, false])).toBe(0.5);
    expect(recallAtPositives([5, 4, 3, 2], [true, false, true, false])).toBe(0.5);
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1);
  });
  it("tasks are deterministic and labelled; flips change exactly the chosen fraction", () => {
    const a = sentenceTasks(1, 5, 2);
    expect(sentenceTasks(1, 5, 2)).toEqual(a);
    expect(a.train).toHaveLength(5 * TASKS.length);
    expect(a.train[0]!.response).toBe(TASKS[0]!.apply(a.train[0]!.prompt.split(": ")[1]!.split(" ")));
    const labels = [...new Set(a.train.map((r) => r.response))];
    const f = flipLabels(a.train, 0.2, 3, labels);
    expect(f.flipped.filter(Boolean)).toHaveLength(10);
    f.records.forEach((r, i) => expect(r.response !== a.train[i]!.response).toBe(f.flipped[i]));
  });
});

describe.skipIf(!baseAvailable())("class identification on the tiny base (small)", () => {
  it("same-task training records rank first far more often than chance", { timeout: 900_000 }, async () => {
    const r = await classIdentification(loadBase(), { perTaskTrain: 8, perTaskTest: 2, nTasks: 3, steps: 20 });
    // chance: AUC 0.5, recall 1/3
    expect(r.methods.datainf.auc).toBeGreaterThan(0.7);
    expect(r.methods.datainf.recall).toBeGreaterThan(0.5);
    expect(r.methods.trak.auc).toBeGreaterThan(0.6);
  });
});
