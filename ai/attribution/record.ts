// SPDX-License-Identifier: MIT
/**
 * The attribution record and the quality document (PROTOCOL.md, "Attribution records"): zod schemas, RFC 8785
 * canonical JSON (the bytes keepers publish and compare), sha2-256 digests.
 *
 * Integers that may exceed 2^53 (ids) are decimal strings; every number in a record or quality document is an
 * integer, so the canonical bytes never depend on float formatting.
 */
import canonicalize from "canonicalize";
import { z } from "zod";
import { type Hex32, sha256Hex } from "../../sdk/content/index.ts";
import { MAX_SHARES, PPM_TOTAL, type Share } from "./shares.ts";

export const RECORD_KIND = "lineage.attribution";
export const QUALITY_KIND = "lineage.quality";

export class RecordError extends Error {
  override name = "RecordError";
}

const hex32 = z.string().regex(/^0x[0-9a-f]{64}$/, "lower-case 0x-prefixed 32-byte hex");
const uint = z.string().regex(/^(0|[1-9]\d*)$/, "decimal integer string");
const int = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const paramValue = z.union([z.string(), z.number().int(), z.boolean()]);

export const methodSchema = z
  .object({
    /** e.g. "datainf", "trak", "spans", "rag" or a combination "spans+rag". */
    name: z.string().regex(/^[a-z0-9+-]{1,64}$/),
    version: z.number().int().positive(),
    /** Every parameter that changes the result; integers, strings or booleans (floats written as strings). */
    params: z.record(z.string(), paramValue),
  })
  .strict();
export type AttributionMethod = z.infer<typeof methodSchema>;

export const datanetVersionSchema = z.object({ datanetId: uint, versionId: uint, root: hex32 }).strict();
export type DatanetVersionRef = z.infer<typeof datanetVersionSchema>;

export const shareSchema = z.object({ contributionId: uint, ppm: z.number().int().min(1).max(PPM_TOTAL) }).strict();

/** A span of the output (token offsets [start, end)) found verbatim in a contribution. */
export const spanSchema = z.object({ contributionId: uint, start: int, end: int, occurrences: int }).strict();
export type RecordSpan = z.infer<typeof spanSchema>;

/** A RAG citation: a retrieved passage of a contribution put in the prompt (character offsets in its text). */
export const citationSchema = z.object({ contributionId: uint, start: int, end: int, quoted: z.boolean() }).strict();
export type RecordCitation = z.infer<typeof citationSchema>;

const byUint = (a: string, b: string): number => {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

export const recordSchema = z
  .object({
    kind: z.literal(RECORD_KIND),
    version: z.literal(1),
    /** EIP-712 digest of the usage receipt. */
    receipt: hex32,
    modelId: uint,
    adapterDigest: hex32,
    method: methodSchema,
    datanetVersions: z.array(datanetVersionSchema).min(1),
    /** Digest of the quality document used. */
    quality: hex32,
    shares: z.array(shareSchema).max(MAX_SHARES),
    spans: z.array(spanSchema).optional(),
    citations: z.array(citationSchema).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.shares.length > 0) {
      const sum = r.shares.reduce((a, s) => a + s.ppm, 0);
      if (sum !== PPM_TOTAL) ctx.addIssue({ code: "custom", path: ["shares"], message: `shares sum to ${sum}, not ${PPM_TOTAL}` });
    }
    for (let i = 1; i < r.shares.length; i++) {
      if (byUint(r.shares[i - 1]!.contributionId, r.shares[i]!.contributionId) >= 0) ctx.addIssue({ code: "custom", path: ["shares", i], message: "shares must be sorted by contribution id, without repeats" });
    }
    for (const [i, s] of (r.spans ?? []).entries()) if (s.end <= s.start) ctx.addIssue({ code: "custom", path: ["spans", i], message: "span end must be after its start" });
    for (const [i, c] of (r.citations ?? []).entries()) if (c.end < c.start) ctx.addIssue({ code: "custom", path: ["citations", i], message: "citation end before its start" });
    const seen = new Set<string>();
    for (const v of r.datanetVersions) {
      const k = `${v.datanetId}/${v.versionId}`;
      if (seen.has(k)) ctx.addIssue({ code: "custom", path: ["datanetVersions"], message: `version ${k} listed twice` });
      seen.add(k);
    }
  });
export type AttributionRecord = z.infer<typeof recordSchema>;

export const QUALITY_REASONS = ["mislabel", "harmful", "near-duplicate", "spam"] as const;
export type QualityReason = (typeof QUALITY_REASONS)[number];

export const flaggedSchema = z
  .object({
    contributionId: uint,
    reason: z.enum(QUALITY_REASONS),
    /** The suspicion score in millionths (integer, so the bytes are exact). */
    scoreMicros: z.number().int().safe(),
    /** For near-duplicates: the contribution it duplicates (the lower id, which keeps earning). */
    of: uint.optional(),
  })
  .strict();
export type FlaggedContribution = z.infer<typeof flaggedSchema>;

export const qualitySchema = z
  .object({
    kind: z.literal(QUALITY_KIND),
    version: z.literal(1),
    modelId: uint,
    adapterDigest: hex32,
    datanet: datanetVersionSchema,
    method: methodSchema,
    /** Sorted by (contribution id, reason); a contribution may be flagged for several reasons. */
    flagged: z.array(flaggedSchema),
  })
  .strict()
  .superRefine((q, ctx) => {
    for (let i = 1; i < q.flagged.length; i++) {
      const a = q.flagged[i - 1]!;
      const b = q.flagged[i]!;
      const c = byUint(a.contributionId, b.contributionId) || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0);
      if (c >= 0) ctx.addIssue({ code: "custom", path: ["flagged", i], message: "flagged must be sorted by (contribution id, reason), without repeats" });
    }
  });
export type QualityDocument = z.infer<typeof qualitySchema>;

function issues(e: z.ZodError): string {
  return e.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
}

export function validateRecord(r: unknown): AttributionRecord {
  const p = recordSchema.safeParse(r);
  if (!p.success) throw new RecordError(`invalid attribution record: ${issues(p.error)}`);
  return p.data;
}

export function validateQuality(q: unknown): QualityDocument {
  const p = qualitySchema.safeParse(q);
  if (!p.success) throw new RecordError(`invalid quality document: ${issues(p.error)}`);
  return p.data;
}

/** RFC 8785 canonical JSON bytes of a value (no undefined, no non-finite numbers). */
export function canonicalBytes(value: unknown): Uint8Array {
  const text = canonicalize(value);
  if (text === undefined) throw new RecordError("value cannot be canonicalised");
  return new TextEncoder().encode(text);
}

export function recordBytes(r: AttributionRecord): Uint8Array {
  return canonicalBytes(validateRecord(r));
}
export function recordDigest(r: AttributionRecord): Hex32 {
  return sha256Hex(recordBytes(r));
}
export function qualityBytes(q: QualityDocument): Uint8Array {
  return canonicalBytes(validateQuality(q));
}
export function qualityDigest(q: QualityDocument): Hex32 {
  return sha256Hex(qualityBytes(q));
}

/** Parse canonical bytes back; refuses bytes that are not the canonical form of a valid record. */
export function parseRecordBytes(bytes: Uint8Array): AttributionRecord {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (e) {
    throw new RecordError(`record is not JSON: ${(e as Error).message}`);
  }
  const r = validateRecord(json);
  if (Buffer.compare(Buffer.from(canonicalBytes(r)), Buffer.from(bytes)) !== 0) throw new RecordError("record bytes are not in RFC 8785 canonical form");
  return r;
}

export interface BuildRecordInput {
  receipt: Hex32;
  modelId: bigint;
  adapterDigest: Hex32;
  method: AttributionMethod;
  datanetVersions: { datanetId: bigint; versionId: bigint; root: Hex32 }[];
  quality: Hex32;
  shares: readonly Share[];
  spans?: { contributionId: bigint; start: number; end: number; occurrences: number }[];
  citations?: { contributionId: bigint; start: number; end: number; quoted: boolean }[];
}

const ord = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

/** Assemble and validate a record (versions sorted by (datanet, version); spans by (start, end, id)). */
export function buildRecord(i: BuildRecordInput): AttributionRecord {
  const rec = {
    kind: RECORD_KIND,
    version: 1,
    receipt: i.receipt.toLowerCase(),
    modelId: i.modelId.toString(),
    adapterDigest: i.adapterDigest.toLowerCase(),
    method: i.method,
    datanetVersions: [...i.datanetVersions]
      .sort((a, b) => ord(a.datanetId, b.datanetId) || ord(a.versionId, b.versionId))
      .map((v) => ({ datanetId: v.datanetId.toString(), versionId: v.versionId.toString(), root: v.root.toLowerCase() })),
    quality: i.quality.toLowerCase(),
    shares: i.shares.map((s) => ({ contributionId: s.contributionId.toString(), ppm: s.ppm })),
    ...(i.spans
      ? { spans: [...i.spans].sort((a, b) => a.start - b.start || a.end - b.end || ord(a.contributionId, b.contributionId)).map((s) => ({ contributionId: s.contributionId.toString(), start: s.start, end: s.end, occurrences: s.occurrences })) }
      : {}),
    ...(i.citations
      ? { citations: [...i.citations].sort((a, b) => ord(a.contributionId, b.contributionId) || a.start - b.start || a.end - b.end).map((c) => ({ contributionId: c.contributionId.toString(), start: c.start, end: c.end, quoted: c.quoted })) }
      : {}),
  };
  return validateRecord(rec);
}

export interface BuildQualityInput {
  modelId: bigint;
  adapterDigest: Hex32;
  datanet: { datanetId: bigint; versionId: bigint; root: Hex32 };
  method: AttributionMethod;
  flagged: { contributionId: bigint; reason: QualityReason; score: number; of?: bigint }[];
}

/** Assemble and validate a quality document (scores to integer millionths; sorted by (id, reason)). */
export function buildQuality(i: BuildQualityInput): QualityDocument {
  const doc = {
    kind: QUALITY_KIND,
    version: 1,
    modelId: i.modelId.toString(),
    adapterDigest: i.adapterDigest.toLowerCase(),
    datanet: { datanetId: i.datanet.datanetId.toString(), versionId: i.datanet.versionId.toString(), root: i.datanet.root.toLowerCase() },
    method: i.method,
    flagged: [...i.flagged]
      .sort((a, b) => ord(a.contributionId, b.contributionId) || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0))
      .map((f) => ({ contributionId: f.contributionId.toString(), reason: f.reason, scoreMicros: Math.round(f.score * 1e6), ...(f.of !== undefined ? { of: f.of.toString() } : {}) })),
  };
  return validateQuality(doc);
}

/** The flagged contribution ids of a quality document (they earn nothing). */
export function flaggedIds(q: QualityDocument): Set<bigint> {
  return new Set(q.flagged.map((f) => BigInt(f.contributionId)));
}

/** Float parameters enter method params as fixed strings so records never hold floats. */
export function floatParam(x: number): string {
  if (!Number.isFinite(x)) throw new RecordError(`parameter must be finite, got ${x}`);
  return Number(x.toPrecision(12)).toString();
}
