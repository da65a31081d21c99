// SPDX-License-Identifier: MIT
/**
 * A generated question/answer domain for fine-tuning demos and the learning test: a fictional Datanet registry.
 * Every datanet has a colour class; the steward, hosting region and fee of a datanet follow from its class.
 * Questions come in several phrasings with random datanet names. Held-out questions use names never seen in
 * training, so exact-match accuracy on them measures whether the model learned the domain's rules, not whether
 * it memorised strings. The base model has never seen these rules (near-0 accuracy before fine-tuning).
 */
import { Rng } from "../model/sampling.ts";
import type { PromptRecord } from "../templates/index.ts";

export const CLASSES = ["red", "blue", "green", "amber", "violet", "white", "black", "orange"] as const;
// Answers are single tokens of the shipped base's vocabulary, so exact match tests the rule, not spelling.
const STEWARD: Record<string, string> = { red: "Treasury", blue: "Congress", green: "State", amber: "Union", violet: "Federal", white: "Republic", black: "Nation", orange: "Department" };
const REGION: Record<string, string> = { red: "Europe", blue: "Mexico", green: "North", amber: "South", violet: "island", white: "coast", black: "city", orange: "land" };
const FEE: Record<string, string> = { red: "one", blue: "two", green: "three", amber: "four", violet: "one", white: "two", black: "three", orange: "four" };

const KINDS = [
  { answer: STEWARD, q: ["Who stewards datanet {n}, class {c}?", "Name the steward of datanet {n}, class {c}.", "Datanet {n} has a steward. Which one, for class {c}?"] },
  { answer: REGION, q: ["Where is datanet {n} hosted, class {c}?", "Name the region of datanet {n}, class {c}.", "Datanet {n} is hosted somewhere. Where, for class {c}?"] },
  { answer: FEE, q: ["What fee in percent does datanet {n} charge, class {c}?", "Name the fee in percent of datanet {n}, class {c}.", "Datanet {n} charges a fee. How many percent, for class {c}?"] },
];

const SYL = ["ka", "lo", "mi", "ren", "sa", "tu", "vex", "zor", "qui", "bel", "dan", "fio", "gar", "hul", "jin", "nox", "pra", "ruv", "sel", "tam"];

function name(rng: Rng): string {
  const n = 2 + rng.int(2);
  let s = "";
  for (let i = 0; i < n; i++) s += SYL[rng.int(SYL.length)];
  return s[0]!.toUpperCase() + s.slice(1);
}

/** Train and held-out records (held-out names never appear in training). Deterministic in `seed`. */
export function generateDomainQa(seed: number, nTrain: number, nEval: number, opts: { kinds?: number } = {}): { train: PromptRecord[]; eval: PromptRecord[] } {
  const kinds = KINDS.slice(0, opts.kinds ?? KINDS.length);
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
      const kind = kinds[rng.int(kinds.length)]!;
      const c = CLASSES[rng.int(CLASSES.length)]!;
      const q = kind.q[rng.int(kind.q.length)]!.replace("{c}", c).replace("{n}", fresh());
      return { prompt: q, response: kind.answer[c]! };
    });
  return { train: make(nTrain), eval: make(nEval) };
}
