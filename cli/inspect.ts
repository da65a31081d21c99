// SPDX-License-Identifier: MIT
/** `lineage inspect <file>`: a validated summary of a GGUF or safetensors file (metadata, tensors, digest). */
import { readFile } from "node:fs/promises";
import { decodeSafetensors, readGguf } from "../ai/formats/index.ts";
import { cidOf, sha256Hex } from "../sdk/content/index.ts";

const LONG_ARRAY = 8;

export interface InspectReport {
  format: "gguf" | "safetensors";
  digest: string;
  cid: string;
  bytes: number;
  metadata: Record<string, unknown>;
  tensors: Array<{ name: string; shape: number[]; type: string }>;
}

export class InspectError extends Error {
  override name = "InspectError";
}

/**
 * A safetensors file starts with a u64 header length that fits the file, then a JSON object (`{`). Anything else is
 * neither of the two formats: say so, instead of reporting a "header length" read from arbitrary bytes.
 */
function notSafetensors(path: string, bytes: Uint8Array): void {
  const what = `${path} is not a model file: neither GGUF (no "GGUF" magic) nor safetensors`;
  if (bytes.length < 10) throw new InspectError(`${what} (${bytes.length} bytes is too short)`);
  const n = new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true);
  if (n < 2n || n > BigInt(bytes.length - 8) || bytes[8] !== 0x7b) throw new InspectError(`${what} (no JSON header after a length that fits the file)`);
}

export async function inspectFile(path: string): Promise<InspectReport> {
  const bytes = new Uint8Array(await readFile(path));
  const head = { digest: sha256Hex(bytes), cid: cidOf(bytes), bytes: bytes.length };
  if (bytes.length >= 4 && new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true) === 0x46554747) {
    const f = readGguf(bytes);
    const metadata: Record<string, unknown> = {};
    for (const [k, v] of f.metadata) {
      if (v.type === "array") metadata[k] = v.value.length > LONG_ARRAY ? `[${v.itemType} x ${v.value.length}]` : v.value.map(String);
      else metadata[k] = typeof v.value === "bigint" ? v.value.toString() : v.value;
    }
    return { format: "gguf", ...head, metadata, tensors: f.tensors.map((t) => ({ name: t.name, shape: t.shape, type: t.type })) };
  }
  notSafetensors(path, bytes);
  const st = decodeSafetensors(bytes);
  return { format: "safetensors", ...head, metadata: st.metadata, tensors: [...st.tensors].map(([name, t]) => ({ name, shape: t.shape, type: st.dtypes.get(name)! })) };
}
