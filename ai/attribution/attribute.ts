// SPDX-License-Identifier: MIT
/**
 * One record per receipt: the method the settlement policy chose for the model (gradient methods for adapters
 * trained here with a manifest, spans otherwise), RAG citations credited on top, flagged contributions removed,
 * shares by largest remainder (PROTOCOL.md, "Attribution records").
 */
import type { Hex32 } from "../../sdk/content/index.ts";
import type { ByteBpeTokenizer } from "../tokenizer/index.ts";
import type { AttributionCorpus } from "./corpus.ts";
import type { GradientAttributor, GradientMethod } from "./gradient/index.ts";
import { type AttributionMethod, type AttributionRecord, buildRecord, flaggedIds, floatParam, type QualityDocument, qualityDigest, type RecordCitation } from "./record.ts";
import { computeShares, MAX_SHARES, type ScoredContribution } from "./shares.ts";
import type { SpanIndex } from "./spans/index.ts";

export type MethodName = GradientMethod | "spans";

/** The settlement policy's attribution part. */
export interface AttributionPolicy {
  /** Method per model: gradient methods need an adapter trained here with a manifest (and its cache). */
  choose(model: { hasManifest: boolean; hasGradientCache: boolean }): MethodName;
  /** Shortest span credited (tokens). */
  minSpanLength: number;
  /** Spans occurring more often than this are too common to credit. */
  maxSpanOccurrences: number;
  /** Drop scores below this fraction of the largest one. */
  minRelative: number;
  /** Fraction of a record's weight that goes to RAG-cited contributions when the exchange used RAG. */
  ragWeight: number;
  /** Most spans listed in a record. */
  maxRecordSpans: number;
}

export const DEFAULT_POLICY: AttributionPolicy = {
  choose: (m) => (m.hasManifest && m.hasGradientCache ? "datainf" : "spans"),
  minSpanLength: 6,
  maxSpanOccurrences: 1024,
  minRelative: 0.01,
  ragWeight: 0.5,
  maxRecordSpans: 64,
};

/** What a keeper holds per model (built once, then used for every receipt of the model). */
export interface ModelContext {
  modelId: bigint;
  adapterDigest: Hex32;
  corpus: AttributionCorpus;
  /** The quality document of (model, version); its flagged contributions earn nothing. */
  quality: QualityDocument;
  tokenizer: ByteBpeTokenizer;
  method: MethodName;
  spanIndex?: SpanIndex;
  gradient?: GradientAttributor;
  policy?: AttributionPolicy;
}

export interface Exchange {
  /** EIP-712 digest of the usage receipt. */
  receipt: Hex32;
  prompt: string;
  response: string;
  /** RAG citations returned with the answer (record form). */
  citations?: RecordCitation[] | { contributionId: bigint; start: number; end: number; quoted: boolean }[];
}

export class AttributionError extends Error {
  override name = "AttributionError";
}

/** The method descriptor written in records (every parameter that changes the result). */
export function methodDescriptor(ctx: ModelContext, withRag: boolean): AttributionMethod {
  const p = ctx.policy ?? DEFAULT_POLICY;
  const params: Record<string, string | number | boolean> = { minRelative: floatParam(p.minRelative), maxEntries: MAX_SHARES };
  if (ctx.method === "spans") {
    params.minSpanLength = p.minSpanLength;
    params.maxSpanOccurrences = p.maxSpanOccurrences;
  } else {
    const g = ctx.gradient;
    if (!g) throw new AttributionError(`model ${ctx.modelId}: method ${ctx.method} needs a gradient attributor`);
    params.cache = g.key;
    if (ctx.method === "datainf") params.damping = floatParam(g.params.datainfDamping);
    else {
      params.k = g.params.trakK;
      params.seed = g.params.trakSeed;
      params.damping = floatParam(g.params.trakDamping);
    }
  }
  if (withRag) params.ragWeight = floatParam(p.ragWeight);
  return { name: withRag ? `${ctx.method}+rag` : ctx.method, version: 1, params };
}

/** Scores of the model's method for one exchange (contribution id -> score, unflagged or not). */
export function methodScores(ctx: ModelContext, ex: Pick<Exchange, "prompt" | "response">): { scores: ScoredContribution[]; spans?: { contributionId: bigint; start: number; end: number; occurrences: number }[] } {
  const p = ctx.policy ?? DEFAULT_POLICY;
  const flagged = flaggedIds(ctx.quality);
  if (ctx.method === "spans") {
    if (!ctx.spanIndex) throw new AttributionError(`model ${ctx.modelId}: the spans method needs a span index`);
    const a = ctx.spanIndex.attribute(ctx.tokenizer.encode(ex.response), { minLength: p.minSpanLength, maxOccurrences: p.maxSpanOccurrences, flagged });
    const spans = a.spans.flatMap((s) => s.contributions.map((id) => ({ contributionId: id, start: s.start, end: s.end, occurrences: s.occurrences })));
    return { scores: a.scores, spans };
  }
  if (!ctx.gradient) throw new AttributionError(`model ${ctx.modelId}: method ${ctx.method} needs a gradient attributor`);
  const v = ctx.gradient.testGradient({ prompt: ex.prompt, response: ex.response });
  return { scores: ctx.gradient.contributionScores(ctx.method, v) };
}

/** Blend method scores with RAG citations: (1 - w) of the weight by method score, w split equally among cited. */
export function blendCitations(scores: readonly ScoredContribution[], cited: readonly bigint[], ragWeight: number, flagged: ReadonlySet<bigint>): ScoredContribution[] {
  const pos = scores.filter((s) => s.score > 0 && !flagged.has(s.contributionId));
  const total = pos.reduce((a, s) => a + s.score, 0);
  const citedSet = [...new Set(cited)].filter((id) => !flagged.has(id));
  const m = new Map<bigint, number>();
  const wMethod = citedSet.length ? 1 - ragWeight : 1;
  const wRag = total > 0 ? ragWeight : 1;
  if (total > 0) for (const s of pos) m.set(s.contributionId, (s.score / total) * wMethod);
  for (const id of citedSet) m.set(id, (m.get(id) ?? 0) + wRag / citedSet.length);
  return [...m].map(([contributionId, score]) => ({ contributionId, score }));
}

/** The record of one exchange. */
export function attributeExchange(ctx: ModelContext, ex: Exchange, cache?: Map<string, ReturnType<typeof methodScores>>): AttributionRecord {
  const p = ctx.policy ?? DEFAULT_POLICY;
  const flagged = flaggedIds(ctx.quality);
  const inCorpus = new Set(ctx.corpus.contributions.map((c) => c.contributionId));
  const citations = (ex.citations ?? []).map((c) => ({ contributionId: BigInt(c.contributionId), start: c.start, end: c.end, quoted: c.quoted }));
  for (const c of citations) if (!inCorpus.has(c.contributionId)) throw new AttributionError(`citation of contribution ${c.contributionId}, which is not in the model's Datanet versions`);
  // identical (model, prompt, response) exchanges are computed once (PROTOCOL.md, "Sampling")
  const key = JSON.stringify([ex.prompt, ex.response]);
  let ms = cache?.get(key);
  if (!ms) {
    ms = methodScores(ctx, ex);
    cache?.set(key, ms);
  }
  const scores = citations.length ? blendCitations(ms.scores, citations.map((c) => c.contributionId), p.ragWeight, flagged) : ms.scores;
  const shares = computeShares(scores, { flagged, minRelative: p.minRelative });
  const paid = new Set(shares.map((s) => s.contributionId));
  const spans = ms.spans ? ms.spans.filter((s) => paid.has(s.contributionId)).slice(0, p.maxRecordSpans) : undefined;
  return buildRecord({
    receipt: ex.receipt,
    modelId: ctx.modelId,
    adapterDigest: ctx.adapterDigest,
    method: methodDescriptor(ctx, citations.length > 0),
    datanetVersions: [{ datanetId: ctx.corpus.datanetId, versionId: ctx.corpus.versionId, root: ctx.corpus.root }],
    quality: qualityDigest(ctx.quality),
    shares,
    ...(spans ? { spans } : {}),
    ...(citations.length ? { citations } : {}),
  });
}
