// SPDX-License-Identifier: MIT
import { describe, expect, it } from "vitest";
import type { AttributionCorpus } from "../attribution/corpus.ts";
import { factCorpus } from "../attribution/harness/facts.ts";
import { buildRagPrompt, citationSchema, citationsForRecord, RagError, RagIndex } from "./index.ts";

describe("RAG", () => {
  it("retrieves the contribution that holds the answer and cites it; the prompt quotes it", () => {
    const { corpus, facts } = factCorpus(1, 200);
    const index = RagIndex.build([{ corpus, quotable: true }]);
    let hits = 0;
    for (const f of facts.slice(0, 50)) {
      const top = index.retrieve(`Where is the archive of ${f.name}?`, { k: 3 });
      if (top[0]?.contributionId === f.id) hits++;
      const { prompt, citations } = buildRagPrompt(`Where is the archive of ${f.name}?`, top);
      if (top[0]?.contributionId === f.id) expect(prompt).toContain(`kept in ${f.city}`);
      for (const c of citations) citationSchema.parse(c);
    }
    expect(hits).toBe(50);
  });

  it("gated Datanets are cited by id alone, never quoted", () => {
    const { corpus, facts } = factCorpus(2, 30, 7n);
    const index = RagIndex.build([{ corpus, quotable: false }]);
    const top = index.retrieve(`archive of ${facts[3]!.name}`, { k: 2 });
    expect(top[0]!.contributionId).toBe(facts[3]!.id);
    expect(top.every((p) => p.text === undefined)).toBe(true);
    const { prompt, citations } = buildRagPrompt("q?", top);
    expect(prompt).toBe("q?");
    expect(citations.every((c) => !c.quoted && c.text === undefined)).toBe(true);
    expect(citationsForRecord(citations)[0]).toEqual({ contributionId: facts[3]!.id, start: top[0]!.start, end: top[0]!.end, quoted: false });
  });

  it("is deterministic and refuses bad k", () => {
    const { corpus } = factCorpus(3, 50);
    const a = RagIndex.build([{ corpus, quotable: true }]).retrieve("archive kept in Oslo", { k: 8 });
    const b = RagIndex.build([{ corpus, quotable: true }]).retrieve("archive kept in Oslo", { k: 8 });
    expect(b).toEqual(a);
    expect(() => RagIndex.build([{ corpus, quotable: true }]).retrieve("x", { k: 0 })).toThrow(RagError);
  });

  it("passage offsets point into the contribution text", () => {
    const corpus: AttributionCorpus = { datanetId: 1n, versionId: 1n, root: `0x${"1".repeat(64)}`, contributions: [{ contributionId: 5n, records: [{ prompt: "alpha beta", response: "gamma" }, { prompt: "delta epsilon", response: "zeta eta theta" }] }] };
    const index = RagIndex.build([{ corpus, quotable: true }], { passageWords: 4 });
    const text = "alpha beta\ngamma\ndelta epsilon\nzeta eta theta";
    for (const p of index.retrieve("theta alpha", { k: 5 })) expect(text.slice(p.start, p.end)).toBe(p.text);
  });
});
