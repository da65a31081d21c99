// SPDX-License-Identifier: MIT
/**
 * Span attribution for any model (no gradients): a suffix array over the tokenized corpus of a Datanet version,
 * maximal matching spans between an output and the corpus, scored by length and rarity, mapped back to the
 * contributions that hold them.
 *
 * Layout: every contribution's records are tokenized and concatenated, each record followed by a separator symbol
 * (= vocabSize, never produced by the tokenizer), so no match crosses a record. Stored per token: the symbol
 * (2 bytes when the vocabulary fits in 16 bits, else 4) and its suffix-array entry (4 bytes).
 */
import { type Symbols, suffixArray } from "./sais.ts";
import type { ScoredContribution } from "../shares.ts";

export { suffixArray } from "./sais.ts";

export interface SpanDoc {
  contributionId: bigint;
  /** Token sequences (records) of the contribution. */
  sequences: readonly (readonly number[])[];
}

export interface SpanMatchOptions {
  /** Shortest span reported, in tokens (default 6). */
  minLength?: number;
  /** Spans occurring more often than this in the corpus are too common to credit anyone (default 1024). */
  maxOccurrences?: number;
  /** Contributions that earn nothing: they are left out when a span's holders are counted and credited. */
  flagged?: ReadonlySet<bigint>;
}

/** A maximal span of the output found in the corpus: output tokens [start, end). */
export interface MatchedSpan {
  start: number;
  end: number;
  /** Occurrences in the whole corpus. */
  occurrences: number;
  /** Contributions holding it (unflagged), ascending; empty when the span is too common. */
  contributions: bigint[];
  score: number;
}

export interface SpanAttribution {
  spans: MatchedSpan[];
  scores: ScoredContribution[];
}

export class SpanIndexError extends Error {
  override name = "SpanIndexError";
}

const MAGIC = 0x5850534c; // "LSPX"
const FORMAT = 1;

export class SpanIndex {
  readonly vocabSize: number;
  readonly separator: number;
  readonly tokens: Uint16Array | Uint32Array;
  readonly sa: Int32Array;
  /** Start offset (in `tokens`) of each contribution, ascending. */
  readonly docStarts: Int32Array;
  readonly docIds: readonly bigint[];

  private constructor(vocabSize: number, tokens: Uint16Array | Uint32Array, sa: Int32Array, docStarts: Int32Array, docIds: bigint[]) {
    this.vocabSize = vocabSize;
    this.separator = vocabSize;
    this.tokens = tokens;
    this.sa = sa;
    this.docStarts = docStarts;
    this.docIds = docIds;
  }

  /** Build from tokenized contributions (ids must be distinct; symbols in [0, vocabSize)). */
  static build(docs: readonly SpanDoc[], vocabSize: number): SpanIndex {
    if (!Number.isInteger(vocabSize) || vocabSize <= 0) throw new SpanIndexError(`vocabSize must be a positive integer, got ${vocabSize}`);
    const sorted = [...docs].sort((a, b) => (a.contributionId < b.contributionId ? -1 : a.contributionId > b.contributionId ? 1 : 0));
    for (let i = 1; i < sorted.length; i++) if (sorted[i]!.contributionId === sorted[i - 1]!.contributionId) throw new SpanIndexError(`contribution ${sorted[i]!.contributionId} listed twice`);
    let n = 0;
    for (const d of sorted) for (const s of d.sequences) n += s.length + 1;
    const tokens = vocabSize < 0xffff ? new Uint16Array(n) : new Uint32Array(n);
    const docStarts = new Int32Array(sorted.length);
    let p = 0;
    sorted.forEach((d, i) => {
      docStarts[i] = p;
      for (const s of d.sequences) {
        for (const t of s) {
          if (!Number.isInteger(t) || t < 0 || t >= vocabSize) throw new SpanIndexError(`contribution ${d.contributionId}: token ${t} out of range [0, ${vocabSize})`);
          tokens[p++] = t;
        }
        tokens[p++] = vocabSize;
      }
    });
    const sa = suffixArray(tokens as Symbols, vocabSize);
    return new SpanIndex(vocabSize, tokens, sa, docStarts, sorted.map((d) => d.contributionId));
  }

  get length(): number {
    return this.tokens.length;
  }

  /** Bytes held by the index (symbols + suffix array + document table). */
  get byteLength(): number {
    return this.tokens.byteLength + this.sa.byteLength + this.docStarts.byteLength + this.docIds.length * 8;
  }

  /** The contribution holding corpus position p. */
  docAt(p: number): number {
    let lo = 0;
    let hi = this.docStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.docStarts[mid]! <= p) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * For every output position i: the length L of the longest prefix of output[i..] found in the corpus and the
   * suffix-array interval [lo, hi) of its occurrences.
   */
  matchingStatistics(output: readonly number[]): { len: Int32Array; lo: Int32Array; hi: Int32Array } {
    const m = output.length;
    const len = new Int32Array(m);
    const los = new Int32Array(m);
    const his = new Int32Array(m);
    const t = this.tokens;
    const sa = this.sa;
    const n = t.length;
    const sym = (j: number, k: number): number => {
      const p = sa[j]! + k;
      return p < n ? t[p]! : -1;
    };
    for (let i = 0; i < m; i++) {
      let lo = 0;
      let hi = n;
      let k = 0;
      while (i + k < m) {
        const c = output[i + k]!;
        if (c < 0 || c >= this.vocabSize) break;
        // first j in [lo, hi) with sym >= c
        let a = lo;
        let b = hi;
        while (a < b) {
          const mid = (a + b) >>> 1;
          if (sym(mid, k) < c) a = mid + 1;
          else b = mid;
        }
        const nlo = a;
        b = hi;
        while (a < b) {
          const mid = (a + b) >>> 1;
          if (sym(mid, k) <= c) a = mid + 1;
          else b = mid;
        }
        if (nlo >= a) break;
        lo = nlo;
        hi = a;
        k++;
      }
      len[i] = k;
      los[i] = lo;
      his[i] = hi;
    }
    return { len, lo: los, hi: his };
  }

  /**
   * Maximal matching spans of `output` (not contained in the span starting one token earlier), at least
   * `minLength` tokens, each scored length x ln(1 + corpus tokens / occurrences) and split among its holders by occurrences (flagged
   * holders' occurrences are left out).
   */
  attribute(output: readonly number[], opts: SpanMatchOptions = {}): SpanAttribution {
    const minLength = opts.minLength ?? 6;
    const maxOcc = opts.maxOccurrences ?? 1024;
    if (!Number.isInteger(minLength) || minLength < 1) throw new SpanIndexError(`minLength must be a positive integer, got ${minLength}`);
    const { len, lo, hi } = this.matchingStatistics(output);
    const spans: MatchedSpan[] = [];
    const byDoc = new Map<bigint, number>();
    const n = this.tokens.length;
    let prevEnd = 0;
    for (let i = 0; i < output.length; i++) {
      const L = len[i]!;
      const end = i + L;
      if (end <= prevEnd) continue; // contained in the previous span
      prevEnd = end;
      if (L < minLength) continue;
      const occ = hi[i]! - lo[i]!;
      // occurrences per holder (flagged holders dropped): credit is split by occurrences, so splitting or merging
      // contributions never changes what a contributor's text earns
      const perDoc = new Map<number, number>();
      if (occ <= maxOcc) for (let j = lo[i]!; j < hi[i]!; j++) {
        const d = this.docAt(this.sa[j]!);
        if (!opts.flagged?.has(this.docIds[d]!)) perDoc.set(d, (perDoc.get(d) ?? 0) + 1);
      }
      const counted = [...perDoc.values()].reduce((a, x) => a + x, 0);
      const holders = [...perDoc.keys()].sort((a, b) => a - b).map((d) => this.docIds[d]!);
      const score = counted ? L * Math.log(1 + n / counted) : 0;
      spans.push({ start: i, end, occurrences: occ, contributions: holders, score });
      for (const [d, cnt] of perDoc) byDoc.set(this.docIds[d]!, (byDoc.get(this.docIds[d]!) ?? 0) + (score * cnt) / counted);
    }
    const scores = [...byDoc].map(([contributionId, score]) => ({ contributionId, score })).sort((a, b) => (a.contributionId < b.contributionId ? -1 : 1));
    return { spans, scores };
  }

  /** Binary form: header (magic, format, sizes) + symbols + suffix array + document table. */
  serialize(): Uint8Array {
    const idsText = new TextEncoder().encode(this.docIds.map(String).join(","));
    const wide = this.tokens instanceof Uint32Array ? 1 : 0;
    const header = new Uint32Array([MAGIC, FORMAT, this.vocabSize, this.tokens.length, this.docStarts.length, idsText.length, wide, 0]);
    const tokBytes = this.tokens.byteLength;
    const pad = (x: number) => (x + 3) & ~3;
    const total = header.byteLength + pad(tokBytes) + this.sa.byteLength + this.docStarts.byteLength + idsText.length;
    const out = new Uint8Array(total);
    let o = 0;
    const put = (v: ArrayBufferView, len = v.byteLength) => {
      out.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), o);
      o += len;
    };
    put(header);
    put(this.tokens, pad(tokBytes));
    put(this.sa);
    put(this.docStarts);
    put(idsText);
    return out;
  }

  static deserialize(bytes: Uint8Array): SpanIndex {
    if (bytes.byteLength < 32) throw new SpanIndexError("span index too short");
    const copy = new Uint8Array(bytes); // aligned
    const h = new Uint32Array(copy.buffer, 0, 8);
    if (h[0] !== MAGIC || h[1] !== FORMAT) throw new SpanIndexError("not a span index (bad magic or format)");
    const [vocab, n, nDocs, idsLen, wide] = [h[2]!, h[3]!, h[4]!, h[5]!, h[6]!];
    const pad = (x: number) => (x + 3) & ~3;
    const tokBytes = n * (wide ? 4 : 2);
    const need = 32 + pad(tokBytes) + 4 * n + 4 * nDocs + idsLen;
    if (copy.byteLength !== need) throw new SpanIndexError(`span index size ${copy.byteLength} != ${need}`);
    let o = 32;
    const tokens = wide ? new Uint32Array(copy.buffer, o, n) : new Uint16Array(copy.buffer, o, n);
    o += pad(tokBytes);
    const sa = new Int32Array(copy.buffer, o, n);
    o += 4 * n;
    const docStarts = new Int32Array(copy.buffer, o, nDocs);
    o += 4 * nDocs;
    const ids = new TextDecoder().decode(copy.subarray(o, o + idsLen));
    const docIds = ids ? ids.split(",").map((s) => BigInt(s)) : [];
    if (docIds.length !== nDocs) throw new SpanIndexError("span index document table is inconsistent");
    for (let i = 0; i < n; i++) if (sa[i]! < 0 || sa[i]! >= n) throw new SpanIndexError("span index suffix array out of range");
    return new SpanIndex(vocab, tokens, sa, docStarts, docIds);
  }
}
