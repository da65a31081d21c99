// SPDX-License-Identifier: MIT
/** The invented-facts knowledge set, the scoring rule, and recall through llama.cpp on the shipped base. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BASE_PATH, baseAvailable, loadBase } from "../base/index.ts";
import { LlamaCppModel } from "../llamacpp/index.ts";
import { TEMPLATES } from "../templates/index.ts";
import { FACT_ATTRIBUTES, generateFactSet, mentions, scoreAnswer } from "./facts.ts";
import { recallLlamaCpp } from "./recall.ts";

describe("generateFactSet", () => {
  const set = generateFactSet({ entities: 200, seed: 3 });

  it("has one record per fact, ~5% deliberately wrong, and asks only the right facts", () => {
    expect(set.facts).toHaveLength(800);
    expect(set.records).toHaveLength(800);
    const wrong = set.facts.filter((f) => f.wrong);
    expect(wrong).toHaveLength(40);
    expect(new Set(set.facts.map((f) => f.entity)).size).toBe(200);
    for (const qs of [set.training, set.perturbed, set.heldOut]) expect(qs).toHaveLength(760);
    const asked = new Set(set.training.map((q) => `${q.entity}/${q.attribute}`));
    for (const f of wrong) expect(asked.has(`${f.entity}/${f.attribute}`)).toBe(false);
    // a wrong record states another value of the attribute than the fact's
    for (const f of wrong) {
      const rec = set.records.find((r) => r.prompt.includes(f.entity) && FACT_ATTRIBUTES.find((a) => a.name === f.attribute)!.trainQuestions.some((t) => r.prompt === t.replace("{n}", f.entity)));
      expect(rec).toBeDefined();
      expect(mentions(rec!.response, f.value)).toBe(false);
    }
  });

  it("is deterministic in the seed", () => {
    expect(generateFactSet({ entities: 200, seed: 3 })).toEqual(set);
    expect(generateFactSet({ entities: 200, seed: 4 }).records).not.toEqual(set.records);
  });

  it("training questions are the records' prompts; perturbations change them; held-out wordings never occur in training", () => {
    const prompts = new Set(set.records.map((r) => r.prompt));
    for (const q of set.training) expect(prompts.has(q.prompt)).toBe(true);
    set.perturbed.forEach((q, i) => {
      expect(q.prompt).not.toBe(set.training[i]!.prompt);
      expect(q.prompt.toLowerCase()).toContain(set.training[i]!.entity.toLowerCase());
    });
    expect(new Set(set.perturbed.map((q) => q.kind))).toEqual(new Set(["prefix", "suffix", "case", "punctuation"]));
    for (const q of set.heldOut) {
      expect(prompts.has(q.prompt)).toBe(false);
      const a = FACT_ATTRIBUTES.find((x) => x.name === q.attribute)!;
      expect(a.trainQuestions.some((t) => t.replace("{n}", q.entity) === q.prompt)).toBe(false);
    }
  });
});

describe("scoreAnswer", () => {
  const cities = FACT_ATTRIBUTES[0]!.values;
  it("needs the right value on the first line, as a whole word, and no other value of the attribute", () => {
    expect(scoreAnswer(" Oslo.", "Oslo", cities)).toBe(true);
    expect(scoreAnswer(" Kiran lives in oslo", "Oslo", cities)).toBe(true);
    expect(scoreAnswer(" Oslo or Lima", "Oslo", cities)).toBe(false);
    expect(scoreAnswer(" Lima\nOslo", "Oslo", cities)).toBe(false);
    expect(scoreAnswer(" Osloville", "Oslo", cities)).toBe(false);
    expect(scoreAnswer("", "Oslo", cities)).toBe(false);
  });
});

describe.skipIf(!baseAvailable())("recall through llama.cpp", () => {
  let m: LlamaCppModel;
  beforeAll(async () => {
    m = await LlamaCppModel.load(BASE_PATH);
  }, 120_000);
  afterAll(async () => {
    await m?.dispose();
  });

  it("scores greedy first-line answers of the base (which knows none of the facts) by question kind", { timeout: 120_000 }, async () => {
    const set = generateFactSet({ entities: 4, seed: 1, wrongFraction: 0 });
    const r = await recallLlamaCpp({ model: m, tokenizer: loadBase().tokenizer, template: TEMPLATES.lineage!, questions: set.perturbed, values: set.values, keepSamples: 16 });
    expect(r.total).toBe(16);
    expect(Object.values(r.byKind).reduce((n, k) => n + k.total, 0)).toBe(16);
    expect(r.accuracy).toBeLessThanOrEqual(0.25);
    for (const s of r.samples) expect(s.ok).toBe(scoreAnswer(s.got, s.expected, set.values[s.attribute]!));
  });
});
