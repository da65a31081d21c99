// SPDX-License-Identifier: MIT
/**
 * The training manifest: what was trained from what (base digest, data root and digests, hyper-parameters),
 * how well (metrics), and which files came out (GGUF adapter, PEFT export: digests and CIDs). It is serialised as
 * RFC 8785 canonical JSON (JCS); the sha2-256 of those bytes is the `manifestDigest` stored in the model NFT, and
 * the manifest file on disk / in the content store is exactly those bytes.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import canonicalize from "canonicalize";
import { z } from "zod";
import { writeFileAtomic } from "../formats/atomic.ts";
import { cidFromDigest, type Hex32, sha256Hex } from "../../sdk/content/index.ts";

export const MANIFEST_SCHEMA = "lineage.training-manifest/1";

export class ManifestError extends Error {
  override name = "ManifestError";
}

const hex32 = z.string().regex(/^0x[0-9a-f]{64}$/, "lower-case 0x-prefixed 32-byte hex");
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/);
const uintString = z.string().regex(/^\d+$/, "decimal string");
const num = z.number().finite();

export const fileRefSchema = z.object({ name: z.string().min(1), digest: hex32, cid: z.string().startsWith("bafk"), size: z.number().int().nonnegative() });
export type FileRef = z.infer<typeof fileRefSchema>;

export const manifestSchema = z
  .object({
    schema: z.literal(MANIFEST_SCHEMA),
    createdAt: z.string().datetime(),
    base: z.object({
      digest: hex32,
      name: z.string().optional(),
      config: z.object({
        vocabSize: z.number().int(),
        contextLength: z.number().int(),
        dim: z.number().int(),
        nLayers: z.number().int(),
        nHeads: z.number().int(),
        nKvHeads: z.number().int(),
        ffnDim: z.number().int(),
        rmsNormEps: num,
        ropeTheta: num,
        tiedEmbeddings: z.boolean(),
      }),
    }),
    data: z.object({
      source: z.enum(["datanet", "jsonl"]),
      chainId: z.number().int().optional(),
      registry: address.optional(),
      datanetId: uintString.optional(),
      versionId: uintString.optional(),
      /** The on-chain version root the contribution set was checked against. */
      root: hex32.optional(),
      /** (contributionId, digest, contributor) of every contribution used, in id order. */
      contributions: z.array(z.object({ id: uintString, digest: hex32, contributor: address })).optional(),
      /** Digest of the local JSONL file when trained offline. */
      fileDigest: hex32.optional(),
      records: z.number().int().nonnegative(),
      trainRecords: z.number().int().nonnegative(),
      evalRecords: z.number().int().nonnegative(),
      template: z.string(),
    }),
    lora: z.object({
      rank: z.number().int().positive(),
      alpha: num,
      dropout: num,
      targets: z.array(z.string()).min(1),
      layers: z.array(z.number().int()).optional(),
      quantization: z.enum(["none", "Q8_0", "Q4_0"]),
    }),
    training: z.record(z.string(), z.union([num, z.string(), z.boolean(), z.null()])),
    metrics: z.record(z.string(), z.union([num, z.null()])),
    files: z.object({ adapterGguf: fileRefSchema, peftAdapterModel: fileRefSchema, peftAdapterConfig: fileRefSchema }),
    software: z.record(z.string(), z.string()),
  })
  .strict();
export type TrainingManifest = z.infer<typeof manifestSchema>;

/** Validate a manifest (throws ManifestError with the failing paths). */
export function validateManifest(m: unknown): TrainingManifest {
  const r = manifestSchema.safeParse(m);
  if (!r.success) throw new ManifestError(`invalid manifest: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  if (r.data.data.source === "datanet" && (!r.data.data.root || !r.data.data.contributions || !r.data.data.datanetId || !r.data.data.versionId))
    throw new ManifestError("a Datanet manifest needs datanetId, versionId, root and contributions");
  return r.data;
}

/** RFC 8785 canonical JSON bytes of a (validated) manifest. */
export function canonicalManifestBytes(m: TrainingManifest): Uint8Array {
  const text = canonicalize(validateManifest(m));
  if (text === undefined) throw new ManifestError("manifest cannot be canonicalised");
  return new TextEncoder().encode(text);
}

/** sha2-256 of the canonical bytes: the `manifestDigest` of the model NFT. */
export function manifestDigest(m: TrainingManifest): Hex32 {
  return sha256Hex(canonicalManifestBytes(m));
}

/** A file reference (digest, CID, size) for bytes. */
export function fileRef(name: string, bytes: Uint8Array): FileRef {
  const digest = sha256Hex(bytes);
  return { name, digest, cid: cidFromDigest(digest), size: bytes.length };
}

/** Write the manifest as its canonical bytes (atomically); returns its digest. */
export async function writeManifest(path: string, m: TrainingManifest): Promise<Hex32> {
  const bytes = canonicalManifestBytes(m);
  await writeFileAtomic(path, bytes);
  return sha256Hex(bytes);
}

/** Read a manifest; refuses a file that is not in canonical form (its digest would not be the manifest's). */
export async function readManifest(path: string): Promise<{ manifest: TrainingManifest; digest: Hex32 }> {
  const bytes = new Uint8Array(await readFile(path));
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (e) {
    throw new ManifestError(`${path} is not JSON: ${(e as Error).message}`);
  }
  const manifest = validateManifest(json);
  const canonical = canonicalManifestBytes(manifest);
  if (Buffer.compare(Buffer.from(canonical), Buffer.from(bytes)) !== 0) throw new ManifestError(`${path} is not in RFC 8785 canonical form`);
  return { manifest, digest: sha256Hex(bytes) };
}

/** Check that the files a manifest lists, found in `dir` by name, have the listed digests and sizes. */
export async function verifyManifestFiles(m: TrainingManifest, dir: string): Promise<void> {
  for (const ref of Object.values(m.files)) {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(join(dir, ref.name)));
    } catch {
      throw new ManifestError(`file ${ref.name} listed in the manifest is missing from ${dir}`);
    }
    const d = sha256Hex(bytes);
    if (d !== ref.digest || bytes.length !== ref.size) throw new ManifestError(`file ${ref.name} fails its digest: manifest ${ref.digest}, file ${d}`);
  }
}
