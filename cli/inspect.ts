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
  const st = decodeSafetensors(bytes);
  return { format: "safetensors", ...head, metadata: st.metadata, tensors: [...st.tensors].map(([name, t]) => ({ name, shape: t.shape, type: st.dtypes.get(name)! })) };
}
