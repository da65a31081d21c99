// SPDX-License-Identifier: MIT
/**
 * safetensors reader and writer (Hugging Face's format): u64 little-endian header length N, N bytes of JSON
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__": { string: string } }` (padded with spaces
 * to a multiple of 8), then the tensor bytes, contiguous, in offset order. Row-major shapes, as in `TensorMap`.
 */
import { readFile } from "node:fs/promises";
import { numel, type TensorMap } from "../tensors/index.ts";
import { writeFileAtomic } from "./atomic.ts";
import { f16BitsToF32, f32ToBf16Bits, f32ToF16Bits } from "./numeric.ts";

export class SafetensorsError extends Error {
  override name = "SafetensorsError";
}

export type SafetensorsDtype = "F32" | "F16" | "BF16";
const DTYPE_BYTES: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2 };
/** Upper bound on the JSON header (safetensors' own limit is 100 MB). */
export const SAFETENSORS_MAX_HEADER = 100_000_000;

export interface SafetensorsFile {
  tensors: TensorMap;
  dtypes: Map<string, SafetensorsDtype>;
  metadata: Record<string, string>;
}

/** Serialise tensors; `dtype` is one for all or chosen per tensor name. */
export function encodeSafetensors(
  tensors: TensorMap,
  opts: { dtype?: SafetensorsDtype | ((name: string) => SafetensorsDtype); metadata?: Record<string, string> } = {},
): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  if (opts.metadata && Object.keys(opts.metadata).length) {
    for (const [k, v] of Object.entries(opts.metadata)) if (typeof v !== "string") throw new SafetensorsError(`metadata ${k} must be a string`);
    header.__metadata__ = opts.metadata;
  }
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    if (name === "__metadata__") throw new SafetensorsError("a tensor may not be named __metadata__");
    const t = tensors.get(name)!;
    if (t.data.length !== numel(t.shape)) throw new SafetensorsError(`tensor ${name}: ${t.data.length} values for shape [${t.shape}]`);
    const dtype = typeof opts.dtype === "function" ? opts.dtype(name) : (opts.dtype ?? "F32");
    let bytes: Uint8Array;
    if (dtype === "F32") bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    else {
      const h = new Uint16Array(t.data.length);
      const conv = dtype === "F16" ? f32ToF16Bits : f32ToBf16Bits;
      for (let i = 0; i < h.length; i++) h[i] = conv(t.data[i]!);
      bytes = new Uint8Array(h.buffer);
    }
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    offset += bytes.length;
    chunks.push(bytes);
  }
  let json = JSON.stringify(header);
  const enc = new TextEncoder();
  while (enc.encode(json).length % 8 !== 0) json += " ";
  const hb = enc.encode(json);
  const out = new Uint8Array(8 + hb.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(hb.length), true);
  out.set(hb, 8);
  let p = 8 + hb.length;
  for (const c of chunks) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}

/** Parse and validate a safetensors file; tensors are decoded to float32. */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsFile {
  if (bytes.length < 8) throw new SafetensorsError(`truncated file: ${bytes.length} bytes`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  if (n > BigInt(Math.min(bytes.length - 8, SAFETENSORS_MAX_HEADER))) throw new SafetensorsError(`header length ${n} exceeds the ${bytes.length}-byte file`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + Number(n))));
  } catch (e) {
    throw new SafetensorsError(`header is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) throw new SafetensorsError("header is not a JSON object");
  const dataStart = 8 + Number(n);
  const dataLen = bytes.length - dataStart;
  const tensors: TensorMap = new Map();
  const dtypes = new Map<string, SafetensorsDtype>();
  let metadata: Record<string, string> = {};
  const spans: Array<[number, number, string]> = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (typeof raw !== "object" || raw === null || Object.values(raw).some((v) => typeof v !== "string"))
        throw new SafetensorsError("__metadata__ must map strings to strings");
      metadata = raw as Record<string, string>;
      continue;
    }
    const info = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof info !== "object" || info === null) throw new SafetensorsError(`tensor ${name}: entry is not an object`);
    if (info.dtype !== "F32" && info.dtype !== "F16" && info.dtype !== "BF16") throw new SafetensorsError(`tensor ${name}: unsupported dtype ${String(info.dtype)}`);
    const dtype = info.dtype;
    if (!Array.isArray(info.shape) || info.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new SafetensorsError(`tensor ${name}: bad shape`);
    const shape = info.shape as number[];
    const off = info.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((x) => Number.isSafeInteger(x) && x >= 0) || off[0] > off[1])
      throw new SafetensorsError(`tensor ${name}: bad data_offsets`);
    const [b, e] = off as [number, number];
    if (e > dataLen) throw new SafetensorsError(`truncated file: tensor ${name} ends at ${e}, data section has ${dataLen} bytes`);
    const count = numel(shape);
    if (e - b !== count * DTYPE_BYTES[dtype]) throw new SafetensorsError(`tensor ${name}: ${e - b} bytes for shape [${shape}] of ${dtype}`);
    spans.push([b, e, name]);
    const view = bytes.subarray(dataStart + b, dataStart + e);
    let data: Float32Array;
    if (dtype === "F32") data = new Float32Array(view.slice().buffer, 0, count);
    else {
      const dv = new DataView(view.buffer, view.byteOffset, view.byteLength);
      data = new Float32Array(count);
      if (dtype === "F16") for (let i = 0; i < count; i++) data[i] = f16BitsToF32(dv.getUint16(i * 2, true));
      else {
        const bits = new Uint32Array(data.buffer);
        for (let i = 0; i < count; i++) bits[i] = dv.getUint16(i * 2, true) << 16;
      }
    }
    tensors.set(name, { shape, data });
    dtypes.set(name, dtype);
  }
  spans.sort((x, y) => x[0] - y[0]);
  let end = 0;
  for (const [b, e, name] of spans) {
    if (b !== end) throw new SafetensorsError(`tensor ${name}: data is not contiguous (starts at ${b}, expected ${end})`);
    end = e;
  }
  if (end !== dataLen) throw new SafetensorsError(`data section has ${dataLen - end} trailing bytes`);
  return { tensors, dtypes, metadata };
}

export async function writeSafetensors(path: string, tensors: TensorMap, opts: Parameters<typeof encodeSafetensors>[1] = {}): Promise<Uint8Array> {
  const bytes = encodeSafetensors(tensors, opts);
  await writeFileAtomic(path, bytes);
  return bytes;
}

export async function readSafetensors(path: string): Promise<SafetensorsFile> {
  return decodeSafetensors(new Uint8Array(await readFile(path)));
}
