// SPDX-License-Identifier: MIT
/**
 * Checkpoint files: `LNCK` magic, u32 header length, a JSON header (meta + tensor index), then float32 data.
 * Written to a temporary file and renamed, so a crash never leaves a half-written checkpoint behind.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Tensor, TensorMap } from "../tensors/index.ts";
import { numel } from "../tensors/index.ts";

const MAGIC = 0x4b434e4c; // "LNCK" little-endian

export class CheckpointError extends Error {
  constructor(message: string) {
    super(`checkpoint: ${message}`);
    this.name = "CheckpointError";
  }
}

/** Serialise tensors + JSON metadata to bytes. */
export function encodeCheckpoint(meta: unknown, tensors: TensorMap): Uint8Array {
  const index: { name: string; shape: number[]; offset: number }[] = [];
  let off = 0;
  for (const [name, t] of tensors) {
    index.push({ name, shape: t.shape, offset: off });
    off += t.data.length;
  }
  const header = new TextEncoder().encode(JSON.stringify({ meta, index }));
  const pad = (4 - ((8 + header.length) % 4)) % 4;
  const start = 8 + header.length + pad;
  const buf = new Uint8Array(start + off * 4);
  const dv = new DataView(buf.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, header.length + pad, true);
  buf.set(header, 8);
  buf.fill(0x20, 8 + header.length, start);
  const f = new Float32Array(buf.buffer, start, off);
  let o = 0;
  for (const t of tensors.values()) {
    f.set(t.data, o);
    o += t.data.length;
  }
  return buf;
}

/** Parse bytes written by `encodeCheckpoint`; validates sizes. */
export function decodeCheckpoint<M = unknown>(bytes: Uint8Array): { meta: M; tensors: TensorMap } {
  if (bytes.length < 8) throw new CheckpointError("file too short");
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== MAGIC) throw new CheckpointError("bad magic: not a lineage checkpoint");
  const hlen = dv.getUint32(4, true);
  if (8 + hlen > bytes.length) throw new CheckpointError("header length exceeds file size");
  let parsed: { meta: M; index: { name: string; shape: number[]; offset: number }[] };
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + hlen)));
  } catch {
    throw new CheckpointError("corrupt header JSON");
  }
  const start = 8 + hlen;
  const nFloats = (bytes.length - start) / 4;
  if (!Number.isInteger(nFloats)) throw new CheckpointError("data section is not a whole number of float32 values");
  const data = new Float32Array(bytes.slice(start).buffer);
  const tensors: TensorMap = new Map();
  for (const e of parsed.index ?? []) {
    const n = numel(e.shape);
    if (!Number.isInteger(e.offset) || e.offset < 0 || e.offset + n > nFloats) throw new CheckpointError(`tensor ${e.name} out of bounds`);
    tensors.set(e.name, { shape: e.shape, data: data.slice(e.offset, e.offset + n) } satisfies Tensor);
  }
  return { meta: parsed.meta, tensors };
}

/** Atomically write a checkpoint file. */
export function saveCheckpointFile(path: string, meta: unknown, tensors: TensorMap): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, encodeCheckpoint(meta, tensors));
  renameSync(tmp, path);
}

export function loadCheckpointFile<M = unknown>(path: string): { meta: M; tensors: TensorMap } {
  return decodeCheckpoint<M>(new Uint8Array(readFileSync(path)));
}
