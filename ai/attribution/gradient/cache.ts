// SPDX-License-Identifier: MIT
/**
 * Training-side caches of the gradient methods, stored by digest: one file per (Datanet version, adapter, base,
 * template, examples, method parameters), named by the sha2-256 of that descriptor's canonical JSON. A file holds a
 * JSON header (the descriptor, the gradient layout, the example -> contribution map) and float32 arrays; it is
 * written atomically and checked on read (header digest, sizes), so a crash or a corrupt file never yields a wrong
 * cache: it is rebuilt.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { type Hex32, sha256Hex } from "../../../sdk/content/index.ts";
import { writeFileAtomic } from "../../formats/atomic.ts";
import { canonicalBytes } from "../record.ts";
import type { GradientLayout } from "./grads.ts";

export interface CacheDescriptor {
  kind: "lineage.gradient-cache";
  version: 1;
  root: string;
  adapterDigest: string;
  baseDigest: string;
  template: string;
  /** sha2-256 of the canonical JSON of the (contributionId, prompt, response) examples. */
  examples: string;
  datainf: boolean;
  trak: { k: number; seed: number } | null;
}

export function cacheKey(d: CacheDescriptor): Hex32 {
  return sha256Hex(canonicalBytes(d));
}

const headerSchema = z.object({
  key: z.string(),
  descriptor: z.record(z.string(), z.unknown()),
  layout: z.object({ modules: z.array(z.string()), offsets: z.array(z.number().int().nonnegative()), dim: z.number().int().positive() }),
  n: z.number().int().positive(),
  ids: z.array(z.string().regex(/^\d+$/)),
  grads: z.boolean(),
  k: z.number().int().nonnegative(),
  buildMs: z.number().nonnegative(),
});

export interface CacheContents {
  key: Hex32;
  layout: GradientLayout;
  ids: bigint[];
  grads?: Float32Array;
  phi?: Float32Array;
  k: number;
  buildMs: number;
}

const MAGIC = "LGC1";

export function cachePath(dir: string, key: Hex32): string {
  return join(dir, `${key.slice(2)}.lgc`);
}

export async function writeCache(dir: string, d: CacheDescriptor, c: CacheContents): Promise<{ path: string; bytes: number }> {
  const header = new TextEncoder().encode(
    JSON.stringify({ key: c.key, descriptor: d, layout: c.layout, n: c.ids.length, ids: c.ids.map(String), grads: Boolean(c.grads), k: c.phi ? c.k : 0, buildMs: c.buildMs }),
  );
  const headLen = (header.length + 3) & ~3;
  const arrays = [c.grads, c.phi].filter((a): a is Float32Array => Boolean(a));
  const total = 8 + headLen + arrays.reduce((a, x) => a + x.byteLength, 0);
  const out = new Uint8Array(total);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(4, header.length, true);
  out.set(header, 8);
  let o = 8 + headLen;
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), o);
    o += a.byteLength;
  }
  const path = cachePath(dir, c.key);
  await writeFileAtomic(path, out);
  return { path, bytes: total };
}

/** The cache of `key`, or undefined when absent or unusable (wrong key, truncated, malformed). */
export async function readCache(dir: string, key: Hex32): Promise<CacheContents | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(cachePath(dir, key)));
  } catch {
    return undefined;
  }
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) return undefined;
  const hl = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
  if (8 + hl > bytes.length) return undefined;
  let header: z.infer<typeof headerSchema>;
  try {
    const p = headerSchema.safeParse(JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + hl))));
    if (!p.success) return undefined;
    header = p.data;
  } catch {
    return undefined;
  }
  if (header.key !== key || cacheKey(header.descriptor as unknown as CacheDescriptor) !== key || header.ids.length !== header.n) return undefined;
  const d = header.layout.dim;
  let o = 8 + ((hl + 3) & ~3);
  const need = o + (header.grads ? header.n * d * 4 : 0) + header.n * header.k * 4;
  if (bytes.length !== need) return undefined;
  const aligned = new Uint8Array(bytes.length);
  aligned.set(bytes);
  let grads: Float32Array | undefined;
  if (header.grads) {
    grads = new Float32Array(aligned.buffer, o, header.n * d);
    o += header.n * d * 4;
  }
  const phi = header.k ? new Float32Array(aligned.buffer, o, header.n * header.k) : undefined;
  return { key, layout: header.layout, ids: header.ids.map((s) => BigInt(s)), ...(grads ? { grads } : {}), ...(phi ? { phi } : {}), k: header.k, buildMs: header.buildMs };
}
