// SPDX-License-Identifier: MIT
/**
 * Generated data sets for the attribution harness (bench/attribution and the quick tests):
 * - `sentenceTasks`: DataInf's class-identification protocol on our own tasks: 10 sentence transformations
 *   (reverse, upper-case, first word, last word, count, double, sort, drop first, dashes, repeat) over random words.
 * - `flipLabels`: a copy of a data set with a seeded fraction of responses replaced by another record's response.
 */
import { Rng } from "../../model/sampling.ts";
import type { PromptRecord } from "../../templates/index.ts";

/** Each task draws its words from its own theme, as DataInf's tasks differ in content as well as instruction. */
const THEMES = [
  ["horse", "tiger", "mouse", "eagle", "sheep", "whale", "camel", "snake", "otter", "zebra", "goose", "bison"],
  ["red", "green", "blue", "yellow", "purple", "orange", "brown", "white", "black", "pink", "gray", "gold"],
  ["bread", "apple", "cheese", "rice", "soup", "honey", "lemon", "bean", "salt", "sugar", "melon", "onion"],
  ["hammer", "wrench", "saw", "drill", "chisel", "pliers", "shovel", "rake", "axe", "file", "clamp", "level"],
  ["Paris", "London", "Rome", "Berlin", "Madrid", "Vienna", "Prague", "Dublin", "Oslo", "Athens", "Lisbon", "Warsaw"],
  ["hand", "foot", "head", "knee", "elbow", "neck", "shoulder", "ankle", "wrist", "chin", "thumb", "heel"],
  ["rain", "snow", "wind", "storm", "cloud", "fog", "hail", "frost", "thunder", "sun", "mist", "breeze"],
  ["piano", "guitar", "violin", "drum", "flute", "trumpet", "harp", "cello", "banjo", "organ", "horn", "bell"],
  ["chair", "table", "sofa", "bed", "desk", "shelf", "lamp", "stool", "bench", "couch", "cabinet", "dresser"],
  ["iron", "copper", "silver", "zinc", "nickel", "lead", "tin", "cobalt", "carbon", "oxygen", "helium", "sodium"],
];
const COUNTS = ["zero", "one", "two", "three", "four", "five", "six"];

export const TASKS: { name: string; prompt: string; apply: (w: string[]) => string }[] = [
  { name: "reverse", prompt: "Reverse the words", apply: (w) => [...w].reverse().join(" ") },
  { name: "upper", prompt: "Write in capitals", apply: (w) => w.join(" ").toUpperCase() },
  { name: "first", prompt: "Give the first word", apply: (w) => w[0]! },
  { name: "last", prompt: "Give the last word", apply: (w) => w[w.length - 1]! },
  { name: "count", prompt: "Count the words", apply: (w) => COUNTS[w.length]! },
  { name: "double", prompt: "Say every word twice", apply: (w) => w.flatMap((x) => [x, x]).join(" ") },
  { name: "sort", prompt: "Sort the words", apply: (w) => [...w].sort().join(" ") },
  { name: "drop", prompt: "Drop the first word", apply: (w) => w.slice(1).join(" ") },
  { name: "dashes", prompt: "Join the words with dashes", apply: (w) => w.join("-") },
  { name: "repeat", prompt: "Repeat the sentence", apply: (w) => w.join(" ") },
];

export interface TaskRecord extends PromptRecord {
  task: number;
}

/** `perTaskTrain` training and `perTaskTest` test records for each of `nTasks` tasks (deterministic in seed). */
export function sentenceTasks(seed: number, perTaskTrain: number, perTaskTest: number, nTasks = TASKS.length): { train: TaskRecord[]; test: TaskRecord[] } {
  const rng = new Rng(seed);
  const make = (t: number): TaskRecord => {
    const n = 3 + rng.int(3);
    const pool = THEMES[t % THEMES.length]!;
    const w = Array.from({ length: n }, () => pool[rng.int(pool.length)]!);
    return { task: t, prompt: `${TASKS[t]!.prompt}: ${w.join(" ")}`, response: TASKS[t]!.apply(w) };
  };
  const train: TaskRecord[] = [];
  const test: TaskRecord[] = [];
  for (let t = 0; t < nTasks; t++) {
    for (let i = 0; i < perTaskTrain; i++) train.push(make(t));
    for (let i = 0; i < perTaskTest; i++) test.push(make(t));
  }
  return { train, test };
}

/** Replace the response of a seeded `fraction` of records by a different response drawn from `labels`. */
export function flipLabels<T extends PromptRecord>(records: readonly T[], fraction: number, seed: number, labels: readonly string[]): { records: T[]; flipped: boolean[] } {
  const rng = new Rng(seed);
  const n = records.length;
  const idx = records.map((_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  const flip = new Set(idx.slice(0, Math.round(n * fraction)));
  const flipped = records.map((_, i) => flip.has(i));
  const out = records.map((r, i) => {
    if (!flip.has(i)) return { ...r };
    const others = labels.filter((l) => l !== r.response);
    return { ...r, response: others[rng.int(others.length)]! };
  });
  return { records: out, flipped };
}
