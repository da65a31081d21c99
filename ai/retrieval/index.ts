// SPDX-License-Identifier: MIT
/**
 * RAG over the Datanet versions a model NFT lists (PROTOCOL.md, "RAG"): a BM25 index (MiniSearch 7.2, BM25+ scoring,
 * the well-kept library; see bench/RESULTS.md for its figures) over passages of the contributions, the passages put
 * into the prompt, and citations (contribution ids and the cited character spans) beside the answer. Text of a
 * Datanet whose rules do not allow quoting (gated) is never put in the prompt nor returned: such passages are cited
 * by contribution id alone.
 *
 * Surface for the serving API's `lineage` chat extension (ai/serve):
 *   const index = RagIndex.build([{ corpus, quotable }]);      // once per (model, Datanet versions)
 *   const passages = index.retrieve(question, { k: 4 });        // RetrievedPassage[]
 *   const { prompt, citations } = buildRagPrompt(question, passages);
 *   // generate from `prompt`; return `citations` (Citation[]) beside the answer; the keeper credits them
 *   // (citationsForRecord -> AttributionRecord.citations).
 */
import MiniSearch from "minisearch";
import { z } from "zod";
import { type AttributionCorpus, recordText } from "../attribution/corpus.ts";

export interface RagSource {
  corpus: AttributionCorpus;
  /** Whether the Datanet's rules allow quoting its text to users of the model (open Datanets: true; gated: false). */
  quotable: boolean;
}

export interface Passage {
  /** Index-wide passage number. */
  id: number;
  datanetId: bigint;
  versionId: bigint;
  contributionId: bigint;
  /** Character offsets [start, end) in the contribution's text (records joined by "\n"). */
  start: number;
  end: number;
  quotable: boolean;
}

export interface RetrievedPassage extends Passage {
  score: number;
  /** The passage text, present only when quotable. */
  text?: string;
}

/** A citation as returned beside an answer (stable JSON shape: ids as decimal strings). */
export const citationSchema = z
  .object({
    datanetId: z.string().regex(/^\d+$/),
    versionId: z.string().regex(/^\d+$/),
    contributionId: z.string().regex(/^\d+$/),
    start: z.number().int().nonnegative(),
    end: z.number().int().nonnegative(),
    quoted: z.boolean(),
    /** The quoted text (only when quoted). */
    text: z.string().optional(),
  })
  .strict();
export type Citation = z.infer<typeof citationSchema>;

export interface RagIndexOptions {
  /** Longest passage in words (records longer than this are cut into windows). Default 80. */
  passageWords?: number;
}

export class RagError extends Error {
  override name = "RagError";
}

export class RagIndex {
  readonly #search: MiniSearch<{ id: number; text: string }>;
  readonly #passages: Passage[] = [];
  readonly #texts: string[] = [];

  private constructor() {
    this.#search = new MiniSearch<{ id: number; text: string }>({ fields: ["text"], idField: "id", storeFields: [] });
  }

  static build(sources: readonly RagSource[], o: RagIndexOptions = {}): RagIndex {
    const maxWords = o.passageWords ?? 80;
    if (!Number.isInteger(maxWords) || maxWords < 4) throw new RagError(`passageWords must be an integer >= 4, got ${maxWords}`);
    const idx = new RagIndex();
    const docs: { id: number; text: string }[] = [];
    for (const src of sources) {
      for (const c of src.corpus.contributions) {
        let offset = 0;
        for (const r of c.records) {
          const text = recordText(r);
          // windows of at most maxWords words, cut at whitespace, offsets into the contribution text
          const words = [...text.matchAll(/\S+/g)];
          for (let w = 0; w < words.length; w += maxWords) {
            const first = words[w]!;
            const last = words[Math.min(w + maxWords, words.length) - 1]!;
            const start = first.index!;
            const end = last.index! + last[0].length;
            const id = idx.#passages.length;
            idx.#passages.push({ id, datanetId: src.corpus.datanetId, versionId: src.corpus.versionId, contributionId: c.contributionId, start: offset + start, end: offset + end, quotable: src.quotable });
            const ptext = text.slice(start, end);
            idx.#texts.push(ptext);
            docs.push({ id, text: ptext });
          }
          offset += text.length + 1;
        }
      }
    }
    idx.#search.addAll(docs);
    return idx;
  }

  get size(): number {
    return this.#passages.length;
  }

  /** The k best passages for `query` (BM25+; ties to the lower passage id, so results are deterministic). */
  retrieve(query: string, o: { k?: number } = {}): RetrievedPassage[] {
    const k = o.k ?? 4;
    if (!Number.isInteger(k) || k < 1 || k > 64) throw new RagError(`k must be an integer in [1, 64], got ${k}`);
    if (typeof query !== "string") throw new RagError("query must be a string");
    const hits = this.#search.search(query, { combineWith: "OR" });
    return hits
      .map((h) => ({ id: h.id as number, score: h.score }))
      .sort((a, b) => b.score - a.score || a.id - b.id)
      .slice(0, k)
      .map((h) => {
        const p = this.#passages[h.id]!;
        return { ...p, score: h.score, ...(p.quotable ? { text: this.#texts[h.id]! } : {}) };
      });
  }
}

/** The prompt with the quotable passages as context, and the citations of every passage used. */
export function buildRagPrompt(question: string, passages: readonly RetrievedPassage[], o: { maxContextChars?: number } = {}): { prompt: string; citations: Citation[] } {
  const max = o.maxContextChars ?? 1200;
  const lines: string[] = [];
  let used = 0;
  const citations: Citation[] = [];
  passages.forEach((p) => {
    const quoted = p.quotable && p.text !== undefined && used + p.text.length <= max;
    if (quoted) {
      lines.push(`[${p.contributionId}] ${p.text}`);
      used += p.text!.length;
    }
    citations.push({
      datanetId: p.datanetId.toString(),
      versionId: p.versionId.toString(),
      contributionId: p.contributionId.toString(),
      start: p.start,
      end: p.end,
      quoted,
      ...(quoted ? { text: p.text! } : {}),
    });
  });
  const prompt = lines.length ? `Context:\n${lines.join("\n")}\n\n${question}` : question;
  return { prompt, citations };
}

/** Citations in the attribution record's form (PROTOCOL.md: contribution id, span, quoted). */
export function citationsForRecord(citations: readonly Citation[]): { contributionId: bigint; start: number; end: number; quoted: boolean }[] {
  return citations.map((c) => ({ contributionId: BigInt(citationSchema.parse(c).contributionId), start: c.start, end: c.end, quoted: c.quoted }));
}
