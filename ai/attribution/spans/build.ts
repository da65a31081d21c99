// SPDX-License-Identifier: MIT
/** A span index of a corpus, tokenized with the served model's tokenizer. */
import type { ByteBpeTokenizer } from "../../tokenizer/index.ts";
import { type AttributionCorpus, recordText } from "../corpus.ts";
import { type SpanDoc, SpanIndex } from "./index.ts";

export function spanDocs(corpus: AttributionCorpus, tokenizer: ByteBpeTokenizer): SpanDoc[] {
  return corpus.contributions.map((c) => ({ contributionId: c.contributionId, sequences: c.records.map((r) => tokenizer.encode(recordText(r))) }));
}

export function buildSpanIndex(corpus: AttributionCorpus, tokenizer: ByteBpeTokenizer): SpanIndex {
  return SpanIndex.build(spanDocs(corpus, tokenizer), tokenizer.vocabSize);
}
