// SPDX-License-Identifier: MIT
/**
 * A generated knowledge set of invented facts: the benchmark of "does a fine-tune learn its Datanet".
 * `entities` invented people, each with 4 attributes (home city, trade, pet, instrument) drawn from fixed value
 * lists; ONE prompt/response record per fact, its question and answer in one of several phrasings; a fraction
 * (`wrongFraction`, default 5%) of records deliberately carry a wrong value, and those facts are never asked.
 * Question sets for the facts whose records are right:
 * - `training`: the exact question of the fact's training record;
 * - `perturbed`: that question with one small change (a prefix, a suffix such as " Answer briefly.", changed case,
 *   changed punctuation), cycling through the four kinds;
 * - `heldOut`: the same fact asked with a wording never used in training for that attribute.
 * Deterministic in `seed`. (The review of issue 20 uses a different generator: nothing here is tuned to.)
 */
import { Rng } from "../model/sampling.ts";
import type { PromptRecord } from "../templates/index.ts";

export interface FactAttribute {
  name: string;
  values: readonly string[];
  /** Question wordings used in training records ({n} = the entity). */
  trainQuestions: readonly string[];
  /** Question wordings never used in training, for the generalisation set. */
  heldOutQuestions: readonly string[];
  /** Answer wordings ({n} entity, {v} value). */
  answers: readonly string[];
}

export const FACT_ATTRIBUTES: readonly FactAttribute[] = [
  {
    name: "city",
    values: ["Lisbon", "Oslo", "Cairo", "Denver", "Kyoto", "Lima", "Dublin", "Austin", "Madrid", "Vienna", "Nairobi", "Perth", "Boston", "Chicago", "Seattle", "Toronto", "Warsaw", "Athens", "Havana", "Berlin"],
    trainQuestions: ["Where does {n} live?", "What city is {n} from?", "In which city does {n} live?", "Name the home city of {n}."],
    heldOutQuestions: ["Which town is home to {n}?", "{n} resides in what city?"],
    answers: ["{v}", "{n} lives in {v}.", "{v}.", "The city is {v}."],
  },
  {
    name: "trade",
    values: ["baker", "pilot", "farmer", "sailor", "painter", "surgeon", "teacher", "miner", "lawyer", "weaver", "carpenter", "chemist", "banker", "poet", "judge", "nurse", "tailor", "fisherman", "architect", "librarian"],
    trainQuestions: ["What does {n} do for a living?", "What is the job of {n}?", "Which trade does {n} work in?", "Tell me the profession of {n}."],
    heldOutQuestions: ["How does {n} earn money?", "{n} is employed as what?"],
    answers: ["{v}", "{n} is a {v}.", "A {v}.", "{n} works as a {v}."],
  },
  {
    name: "pet",
    values: ["horse", "falcon", "tiger", "otter", "wolf", "rabbit", "parrot", "turtle", "goat", "camel", "eagle", "dolphin", "beaver", "lizard", "pigeon", "badger", "donkey", "spider", "hamster", "penguin"],
    trainQuestions: ["What pet does {n} keep?", "Which animal does {n} own?", "What is the pet of {n}?", "Name the animal that {n} keeps at home."],
    heldOutQuestions: ["What creature lives with {n}?", "{n} takes care of which animal?"],
    answers: ["{v}", "{n} keeps a {v}.", "A {v}.", "The pet is a {v}."],
  },
  {
    name: "instrument",
    values: ["piano", "violin", "guitar", "flute", "trumpet", "harp", "drums", "cello", "banjo", "clarinet", "organ", "accordion", "saxophone", "oboe", "tuba", "mandolin", "bagpipes", "trombone", "ukulele", "harmonica"],
    trainQuestions: ["Which instrument does {n} play?", "What does {n} play in the band?", "What musical instrument is {n} known for?", "Name the instrument of {n}."],
    heldOutQuestions: ["{n} makes music on what?", "When {n} performs, what is in their hands?"],
    answers: ["{v}", "{n} plays the {v}.", "The {v}.", "{n} plays {v}."],
  },
];

const FIRST = ["ta", "vor", "lin", "qua", "mer", "zel", "bro", "ki", "dov", "sa", "rin", "hal", "jo", "pex", "ul", "fen", "wy", "gri", "nol", "ta", "es"];
const LAST = ["qu", "en", "by", "mar", "ros", "tik", "val", "dun", "ch", "ow", "sk", "ell", "gar", "ith", "pol", "ne", "ra", "wick", "str", "om"];

function cap(s: string): string {
  return s[0]!.toUpperCase() + s.slice(1);
}

/** An invented two-part name ("Vorlin Dunwick"), built from syllables. */
function inventName(rng: Rng): string {
  const part = (syl: readonly string[], n: number) => cap(Array.from({ length: n }, () => syl[rng.int(syl.length)]!).join(""));
  return `${part(FIRST, 2)} ${part([...LAST, ...FIRST], 2 + rng.int(2))}`;
}

export type PerturbationKind = "training" | "prefix" | "suffix" | "case" | "punctuation" | "heldOut";

export interface FactQuestion {
  prompt: string;
  entity: string;
  attribute: string;
  /** The right value (the one asked; never a deliberately wrong record's fact). */
  expected: string;
  kind: PerturbationKind;
}

export interface Fact {
  entity: string;
  attribute: string;
  value: string;
  /** True when this fact's training record deliberately states another value. */
  wrong: boolean;
}

export interface FactSet {
  facts: Fact[];
  /** One record per fact, in a seeded shuffled order. */
  records: PromptRecord[];
  /** The training question of each right fact, verbatim. */
  training: FactQuestion[];
  /** Each right fact's training question with one perturbation. */
  perturbed: FactQuestion[];
  /** Each right fact asked with a wording never used in training for its attribute. */
  heldOut: FactQuestion[];
  /** Every value of each attribute (what the scorer checks "no other value" against). */
  values: Record<string, readonly string[]>;
}

const PREFIXES = ["Quick question: ", "Please tell me: ", "I wonder, ", "Hey, "];
const SUFFIXES = [" Answer briefly.", " Be short.", " One word, please.", " Thanks!"];

function perturb(q: string, kind: "prefix" | "suffix" | "case" | "punctuation", rng: Rng): string {
  switch (kind) {
    case "prefix": {
      const p = PREFIXES[rng.int(PREFIXES.length)]!;
      return p + (p.endsWith(", ") ? q[0]!.toLowerCase() + q.slice(1) : q);
    }
    case "suffix":
      return q + SUFFIXES[rng.int(SUFFIXES.length)]!;
    case "case":
      return rng.int(2) === 0 ? q.toLowerCase() : q.toUpperCase();
    case "punctuation":
      return /[?.]$/.test(q) ? (rng.int(2) === 0 ? q.slice(0, -1) : `${q.slice(0, -1)}??`) : `${q}?`;
  }
}

export interface FactSetOptions {
  entities: number;
  seed: number;
  /** Fraction of records that deliberately state a wrong value (default 0.05). */
  wrongFraction?: number;
  attributes?: readonly FactAttribute[];
}

/** Generate a knowledge set (see the module comment). */
export function generateFactSet(o: FactSetOptions): FactSet {
  const attrs = o.attributes ?? FACT_ATTRIBUTES;
  if (!Number.isInteger(o.entities) || o.entities < 1) throw new Error(`facts: entities must be a positive integer, got ${o.entities}`);
  const rng = new Rng(o.seed);
  const names = new Set<string>();
  while (names.size < o.entities) names.add(inventName(rng));
  const facts: Fact[] = [];
  const records: PromptRecord[] = [];
  const asked: { fact: Fact; question: string }[] = [];
  const nFacts = o.entities * attrs.length;
  const nWrong = Math.round(nFacts * (o.wrongFraction ?? 0.05));
  const wrongIdx = new Set<number>();
  while (wrongIdx.size < nWrong) wrongIdx.add(rng.int(nFacts));
  let i = 0;
  for (const n of names) {
    for (const a of attrs) {
      const value = a.values[rng.int(a.values.length)]!;
      const wrong = wrongIdx.has(i++);
      const stated = wrong ? a.values[(a.values.indexOf(value) + 1 + rng.int(a.values.length - 1)) % a.values.length]! : value;
      const question = a.trainQuestions[rng.int(a.trainQuestions.length)]!.replace("{n}", n);
      const answer = a.answers[rng.int(a.answers.length)]!.replace("{n}", n).replace("{v}", stated);
      const fact = { entity: n, attribute: a.name, value, wrong };
      facts.push(fact);
      records.push({ prompt: question, response: answer });
      if (!wrong) asked.push({ fact, question });
    }
  }
  for (let k = records.length - 1; k > 0; k--) {
    const j = rng.int(k + 1);
    [records[k], records[j]] = [records[j]!, records[k]!];
  }
  const kinds = ["prefix", "suffix", "case", "punctuation"] as const;
  const q = (f: Fact, prompt: string, kind: PerturbationKind): FactQuestion => ({ prompt, entity: f.entity, attribute: f.attribute, expected: f.value, kind });
  const training = asked.map(({ fact, question }) => q(fact, question, "training"));
  const perturbed = asked.map(({ fact, question }, k) => q(fact, perturb(question, kinds[k % kinds.length]!, rng), kinds[k % kinds.length]!));
  const heldOut = asked.map(({ fact }) => {
    const a = attrs.find((x) => x.name === fact.attribute)!;
    return q(fact, a.heldOutQuestions[rng.int(a.heldOutQuestions.length)]!.replace("{n}", fact.entity), "heldOut");
  });
  return { facts, records, training, perturbed, heldOut, values: Object.fromEntries(attrs.map((a) => [a.name, a.values])) };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** True when `value` occurs in `text` as whole words, case-insensitive. */
export function mentions(text: string, value: string): boolean {
  return new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRe(value)}($|[^\\p{L}\\p{N}])`, "iu").test(text);
}

/**
 * The scoring rule: the first line of the answer contains the expected value and no other value of the
 * attribute (whole words, case-insensitive).
 */
export function scoreAnswer(answer: string, expected: string, values: readonly string[]): boolean {
  const line = answer.replace(/^\s+/, "").split("\n")[0] ?? "";
  if (!mentions(line, expected)) return false;
  return values.every((v) => v.toLowerCase() === expected.toLowerCase() || !mentions(line, v) || mentions(expected, v));
}
