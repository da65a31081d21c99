// SPDX-License-Identifier: MIT
/** Generated facts for the RAG harness: one contribution per fictional archive and the city that keeps it. */
import { Rng } from "../../model/sampling.ts";
import type { AttributionCorpus } from "../corpus.ts";

const SYL = ["ka", "lo", "mi", "ren", "sa", "tu", "vex", "zor", "qui", "bel", "dan", "fio"];
const CITIES = ["Lisbon", "Oslo", "Quito", "Lima", "Hanoi", "Accra", "Riga", "Baku"];

export function factCorpus(seed: number, n: number, datanetId = 1n): { corpus: AttributionCorpus; facts: { name: string; city: string; id: bigint }[] } {
  const rng = new Rng(seed);
  const facts: { name: string; city: string; id: bigint }[] = [];
  const used = new Set<string>();
  while (facts.length < n) {
    const name = SYL[rng.int(SYL.length)]! + SYL[rng.int(SYL.length)]! + SYL[rng.int(SYL.length)]!;
    if (used.has(name)) continue;
    used.add(name);
    facts.push({ name: name[0]!.toUpperCase() + name.slice(1), city: CITIES[rng.int(CITIES.length)]!, id: BigInt(100 + facts.length) });
  }
  const corpus: AttributionCorpus = {
    datanetId,
    versionId: 1n,
    root: `0x${"1".repeat(64)}`,
    contributions: facts.map((f) => ({ contributionId: f.id, records: [{ prompt: `Where is the archive of ${f.name} kept?`, response: `The archive of ${f.name} is kept in ${f.city}.` }] })),
  };
  return { corpus, facts };
}

