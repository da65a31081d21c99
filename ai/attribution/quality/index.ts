// SPDX-License-Identifier: MIT
/**
 * Quality governance: per contribution, suspicion scores, and the quality document of PROTOCOL.md (one per model and
 * Datanet version) listing the flagged contributions, which earn nothing and are listed for the Datanet's validators.
 *
 * Reasons:
 * - near-duplicate: MinHash (token 5-shingles) estimated Jaccard >= 0.8 with a lower contribution id.
 * - spam: text the model's tokenizer cannot compress (tokens per byte >= 0.55; English text is ~0.25-0.3 with the
 *   shipped tokenizer, random strings ~0.7-1): random or junk text.
 * - harmful (gradient methods): helpfulness for a clean held-out set far below the rest (robust z-score <= -z).
 * - mislabel (gradient methods): self-influence far above the rest (robust z-score >= z).
 */
import type { Hex32 } from "../../../sdk/content/index.ts";
import type { PromptRecord } from "../../templates/index.ts";
import type { ByteBpeTokenizer } from "../../tokenizer/index.ts";
import { type AttributionCorpus, contributionText } from "../corpus.ts";
import type { GradientAttributor, GradientMethod } from "../gradient/index.ts";
import { sumByContribution } from "../gradient/index.ts";
import { buildQuality, floatParam, type QualityDocument, type QualityReason } from "../record.ts";
import { MINHASH_DEFAULTS, nearDuplicates } from "./minhash.ts";

export * from "./minhash.ts";

export interface QualityOptions {
  nearDuplicateThreshold?: number;
  spamTokensPerByte?: number;
  /** Robust z-score beyond which gradient suspicion flags (default 3.5). */
  z?: number;
}

export const QUALITY_DEFAULTS = { nearDuplicateThreshold: 0.8, spamTokensPerByte: 0.55, z: 3.5 } as const;

export interface Suspicion {
  contributionId: bigint;
  reason: QualityReason;
  score: number;
  of?: bigint;
}

/** Median and scaled MAD (robust location and scale). */
function robust(x: readonly number[]): { med: number; scale: number } {
  const s = [...x].sort((a, b) => a - b);
  const med = s.length ? (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2 : 0;
  const dev = s.map((v) => Math.abs(v - med)).sort((a, b) => a - b);
  const mad = dev.length ? (dev[(dev.length - 1) >> 1]! + dev[dev.length >> 1]!) / 2 : 0;
  return { med, scale: Math.max(1.4826 * mad, 1e-30) };
}

export interface GradientQualityInput {
  attributor: GradientAttributor;
  method: GradientMethod;
  /** A clean held-out set (the model's evaluation records). */
  heldOut: readonly PromptRecord[];
}

/** Every suspicion found (a contribution may appear under several reasons). Sorted by (id, reason). */
export function assessQuality(corpus: AttributionCorpus, tokenizer: ByteBpeTokenizer, o: QualityOptions & { gradient?: GradientQualityInput } = {}): Suspicion[] {
  const cfg = { ...QUALITY_DEFAULTS, ...o };
  const out: Suspicion[] = [];
  const enc = new TextEncoder();
  const docs = corpus.contributions.map((c) => {
    const text = contributionText(c);
    return { contributionId: c.contributionId, tokens: tokenizer.encode(text), bytes: enc.encode(text).length };
  });
  for (const d of nearDuplicates(docs, cfg.nearDuplicateThreshold)) out.push({ contributionId: d.contributionId, reason: "near-duplicate", score: d.similarity, of: d.of });
  for (const d of docs) {
    const tpb = d.bytes ? d.tokens.length / d.bytes : 0;
    if (tpb >= cfg.spamTokensPerByte) out.push({ contributionId: d.contributionId, reason: "spam", score: tpb });
  }
  if (o.gradient) {
    const { attributor, method, heldOut } = o.gradient;
    if (heldOut.length > 0) {
      const held = attributor.contributionScores(method, attributor.meanGradient(heldOut));
      const { med, scale } = robust(held.map((h) => h.score));
      for (const h of held) {
        const z = (h.score - med) / scale;
        if (z <= -cfg.z && h.score < 0) out.push({ contributionId: h.contributionId, reason: "harmful", score: z });
      }
    }
    // self-influence: the largest of a contribution's records (a sum would flag long contributions for their length)
    const selfByExample = attributor.selfInfluence();
    const maxSelf = new Map<bigint, number>();
    attributor.examples.forEach((e, i) => maxSelf.set(e.contributionId, Math.max(maxSelf.get(e.contributionId) ?? -Infinity, selfByExample[i]!)));
    const self = [...maxSelf].map(([contributionId, score]) => ({ contributionId, score }));
    if (self.length > 0) {
      const { med, scale } = robust(self.map((s) => s.score));
      for (const s of self) {
        const z = (s.score - med) / scale;
        if (z >= cfg.z) out.push({ contributionId: s.contributionId, reason: "mislabel", score: z });
      }
    }
  }
  return out.sort((a, b) => (a.contributionId < b.contributionId ? -1 : a.contributionId > b.contributionId ? 1 : a.reason < b.reason ? -1 : 1));
}

/** The quality document of a (model, Datanet version) from the suspicions found. */
export function qualityDocument(i: { modelId: bigint; adapterDigest: Hex32; corpus: AttributionCorpus; suspicions: readonly Suspicion[]; options?: QualityOptions; gradientMethod?: GradientMethod }): QualityDocument {
  const cfg = { ...QUALITY_DEFAULTS, ...i.options };
  return buildQuality({
    modelId: i.modelId,
    adapterDigest: i.adapterDigest,
    datanet: { datanetId: i.corpus.datanetId, versionId: i.corpus.versionId, root: i.corpus.root },
    method: {
      name: i.gradientMethod ? `quality-${i.gradientMethod}` : "quality",
      version: 1,
      params: {
        shingle: MINHASH_DEFAULTS.shingle,
        hashes: MINHASH_DEFAULTS.hashes,
        rows: MINHASH_DEFAULTS.rows,
        seed: MINHASH_DEFAULTS.seed,
        nearDuplicate: floatParam(cfg.nearDuplicateThreshold),
        spamTokensPerByte: floatParam(cfg.spamTokensPerByte),
        z: floatParam(cfg.z),
      },
    },
    flagged: i.suspicions.map((s) => ({ contributionId: s.contributionId, reason: s.reason, score: s.score, ...(s.of !== undefined ? { of: s.of } : {}) })),
  });
}
