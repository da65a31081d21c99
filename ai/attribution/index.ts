// SPDX-License-Identifier: MIT
/**
 * Proof of Attribution (issue 22): records and quality documents (PROTOCOL.md), span attribution (suffix array),
 * gradient influence (DataInf, projected gradients) for adapters trained here, quality governance, and the keepers'
 * batch API. RAG lives in ai/retrieval.
 */
export * from "./attribute.ts";
export * from "./batch.ts";
export * from "./corpus.ts";
export * from "./record.ts";
export * from "./shares.ts";
export { SpanIndex, SpanIndexError, type MatchedSpan, type SpanAttribution, type SpanDoc, type SpanMatchOptions, suffixArray } from "./spans/index.ts";
export { buildSpanIndex, spanDocs } from "./spans/build.ts";
export { GradientAttributor, type GradientAttributorOptions, type GradientMethod, sumByContribution } from "./gradient/index.ts";
export { assessQuality, qualityDocument, QUALITY_DEFAULTS, type QualityOptions, type Suspicion, nearDuplicates } from "./quality/index.ts";
