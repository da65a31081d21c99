// SPDX-License-Identifier: MIT
/**
 * A generated question/answer domain for fine-tuning demos and the learning test: a fictional Datanet registry.
 * Every datanet has a colour class; the steward, hosting city and fee of a datanet follow from its class.
 * Questions come in several phrasings with random datanet names. Held-out questions use names never seen in
 * training, so exact-match accuracy on them measures whether the model learned the domain's rules, not whether
 * it memorised strings. The base model has never seen these rules (near-0 accuracy before fine-tuning).
 */
import { Rng } from "../model/sampling.ts";
import type { PromptRecord } from "../templates/index.ts";

export const CLASSES = ["red", "blue", "green", "amber", "violet", "white", "black", "orange"] as const;
const STEWARD: Record<string, string> = { red: "Adams", blue: "Jefferson", green: "Madison", amber: "Monroe", violet: "Jackson", white: "Lincoln", black: "Grant", orange: "Wilson" };
const CITY: Record<string, string> = { red: "Boston", blue: "Chicago", green: "Denver", amber: "Paris", violet: "London", white: "Tokyo", black: "Berlin", orange: "Madrid" };
const FEE: Record<string, string> = { red: "one percent", blue: "two percent", green: "three percent", amber: "four percent", violet: "five percent", white: "six percent", black: "seven percent", orange: "eight percent" };

const KINDS = [
  { answer: STEWARD, q: ["Who stewards datanet {n} of class {c}?", "Name the steward of datanet {n}, class {c}.", "Datanet {n} is class {c}. Who is its steward?"] },
  { answer: CITY, q: ["Where is datanet {n} of class {c} hosted?", "In which city is datanet {n}, class {c}, hosted?", "Datanet {n} is class {c}. Where is it hosted?"] },
  { answer: FEE, q: ["What fee does datanet {n} of class {c} charge?", "How much does datanet {n}, class {c}, charge?", "Datanet {n} is class {c}. What is its fee?"] },
];

const SYL = ["ka", "lo", "mi", "ren", "sa", "tu", "vex", "zor", "qui", "bel", "dan", "fio", "gar", "hul", "jin", "nox", "pra", "ruv", "sel", "tam"];

function name(rng: Rng): string {
  const n = 2 + rng.int(2);
  let s = "";
  for (let i = 0; i < n; i++) s += SYL[rng.int(SYL.length)];
  return s[0]!.toUpperCase() + s.slice(1);
}

/** Train and held-out records (held-out names never appear in training). Deterministic in `seed`. */
export function generateDomainQa(seed: number, nTrain: number, nEval: number): { train: PromptRecord[]; eval: PromptRecord[] } {
  const rng = new Rng(seed);
  const used = new Set<string>();
  const fresh = () => {
    for (;;) {
      const n = name(rng);
      if (!used.has(n)) {
        used.add(n);
        return n;
      }
    }
  };
  const make = (count: number): PromptRecord[] =>
    Array.from({ length: count }, () => {
      const kind = KINDS[rng.int(KINDS.length)]!;
      const c = CLASSES[rng.int(CLASSES.length)]!;
      const q = kind.q[rng.int(kind.q.length)]!.replace("{c}", c).replace("{n}", fresh());
      return { prompt: q, response: kind.answer[c]! };
    });
  return { train: make(nTrain), eval: make(nEval) };
}
