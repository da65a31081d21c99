// SPDX-License-Identifier: MIT
/**
 * GGUF v3 reader and writer (the file format of llama.cpp / ggml).
 *
 * Layout: magic "GGUF", u32 version, u64 tensor count, u64 metadata count, the metadata key/values, the tensor
 * infos (name, n_dims, dims fastest-varying first, ggml type, offset relative to the data section), padding to
 * `general.alignment` (default 32), then the tensor data, each tensor's offset a multiple of the alignment.
 *
 * The reader validates everything (magic, version, counts against the bytes left, string and array lengths,
 * dims, types, offsets, sizes, overlaps, duplicate names) before returning: a corrupt header must never reach
 * llama.cpp (a garbage tensor count there spins and allocates gigabytes).
 */
import { numel, type Tensor } from "../tensors/index.ts";
import {
  dequantizeQ4_0,
  dequantizeQ8_0,
  f16BitsToF32,
  f32ToF16Bits,
  Q4_0_BLOCK_BYTES,
  Q8_0_BLOCK_BYTES,
  QK,
  quantizeQ4_0,
  quantizeQ8_0,
} from "./numeric.ts";

export const GGUF_MAGIC = 0x46554747; // "GGUF" little-endian
export const GGUF_VERSION = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;
/** Hard bounds that keep a hostile header from making us (or llama.cpp) allocate absurdly. */
export const GGUF_MAX_DIMS = 4;
export const GGUF_MAX_STRING_BYTES = 1 << 24;

/** Error raised for every malformed or unsupported GGUF input. */
export class GgufError extends Error {
  override name = "GgufError";
}

/** Metadata value types, with their GGUF codes. */
export const GGUF_VALUE_TYPES = {
  u8: 0,
  i8: 1,
  u16: 2,
  i16: 3,
  u32: 4,
  i32: 5,
  f32: 6,
  bool: 7,
  string: 8,
  array: 9,
  u64: 10,
  i64: 11,
  f64: 12,
} as const;
export type GgufScalarType = Exclude<keyof typeof GGUF_VALUE_TYPES, "array">;
const TYPE_BY_CODE = new Map<number, keyof typeof GGUF_VALUE_TYPES>(
  Object.entries(GGUF_VALUE_TYPES).map(([k, v]) => [v, k as keyof typeof GGUF_VALUE_TYPES]),
);

type ScalarJs<T extends GgufScalarType> = T extends "string" ? string : T extends "bool" ? boolean : T extends "u64" | "i64" ? bigint : number;

/** A typed metadata value: the type travels with the value so that read -> write is the identity. */
export type GgufValue =
  | { [T in GgufScalarType]: { type: T; value: ScalarJs<T> } }[GgufScalarType]
  | { type: "array"; itemType: GgufScalarType; value: Array<string | number | bigint | boolean> };
export type GgufMetadata = Map<string, GgufValue>;

/** Constructors for metadata values. */
export const gv = {
  u8: (v: number): GgufValue => ({ type: "u8", value: v }),
  i8: (v: number): GgufValue => ({ type: "i8", value: v }),
  u16: (v: number): GgufValue => ({ type: "u16", value: v }),
  i16: (v: number): GgufValue => ({ type: "i16", value: v }),
  u32: (v: number): GgufValue => ({ type: "u32", value: v }),
  i32: (v: number): GgufValue => ({ type: "i32", value: v }),
  f32: (v: number): GgufValue => ({ type: "f32", value: v }),
  f64: (v: number): GgufValue => ({ type: "f64", value: v }),
  u64: (v: bigint): GgufValue => ({ type: "u64", value: v }),
  i64: (v: bigint): GgufValue => ({ type: "i64", value: v }),
  bool: (v: boolean): GgufValue => ({ type: "bool", value: v }),
  str: (v: string): GgufValue => ({ type: "string", value: v }),
  arr: (itemType: GgufScalarType, value: Array<string | number | bigint | boolean>): GgufValue => ({ type: "array", itemType, value }),
};

/** ggml tensor types this module reads and writes. */
export const GGML_TYPES = { F32: 0, F16: 1, Q4_0: 2, Q8_0: 8 } as const;
export type GgmlType = keyof typeof GGML_TYPES;
const GGML_BY_CODE = new Map<number, GgmlType>(Object.entries(GGML_TYPES).map(([k, v]) => [v, k as GgmlType]));

/** Bytes a tensor of `n` elements takes in `type` (quantised types need n % 32 == 0). */
export function ggmlByteSize(type: GgmlType, n: number): number {
  switch (type) {
    case "F32":
      return n * 4;
    case "F16":
      return n * 2;
    case "Q8_0":
      return (n / QK) * Q8_0_BLOCK_BYTES;
    case "Q4_0":
      return (n / QK) * Q4_0_BLOCK_BYTES;
  }
}

/** A tensor as described in the header. `shape` is row-major (outermost first); GGUF's `dims` is its reverse. */
export interface GgufTensorInfo {
  name: string;
  shape: number[];
  type: GgmlType;
  /** Offset relative to the start of the data section. */
  offset: number;
  byteLength: number;
}

/** A parsed GGUF file: the header plus a view of the whole file for tensor access. */
export interface GgufFile {
  version: number;
  metadata: GgufMetadata;
  tensors: GgufTensorInfo[];
  alignment: number;
  /** Absolute offset of the data section in `bytes`. */
  dataOffset: number;
  bytes: Uint8Array;
}

/** A tensor to write: float data, stored as `type` (default F32). */
export interface GgufTensorInput {
  name: string;
  shape: number[];
  data: Float32Array;
  type?: GgmlType;
}

/* ------------------------------------------------------------------ WRITER */

class ByteSink {
  private buf = new Uint8Array(1 << 16);
  private dv = new DataView(this.buf.buffer);
  len = 0;
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
    this.dv = new DataView(nb.buffer);
  }
  u8(v: number): void {
    this.ensure(1);
    this.dv.setUint8(this.len, v);
    this.len += 1;
  }
  i8(v: number): void {
    this.ensure(1);
    this.dv.setInt8(this.len, v);
    this.len += 1;
  }
  u16(v: number): void {
    this.ensure(2);
    this.dv.setUint16(this.len, v, true);
    this.len += 2;
  }
  i16(v: number): void {
    this.ensure(2);
    this.dv.setInt16(this.len, v, true);
    this.len += 2;
  }
  u32(v: number): void {
    this.ensure(4);
    this.dv.setUint32(this.len, v, true);
    this.len += 4;
  }
  i32(v: number): void {
    this.ensure(4);
    this.dv.setInt32(this.len, v, true);
    this.len += 4;
  }
  f32(v: number): void {
    this.ensure(4);
    this.dv.setFloat32(this.len, v, true);
    this.len += 4;
  }
  f64(v: number): void {
    this.ensure(8);
    this.dv.setFloat64(this.len, v, true);
    this.len += 8;
  }
  u64(v: bigint): void {
    this.ensure(8);
    this.dv.setBigUint64(this.len, v, true);
    this.len += 8;
  }
  i64(v: bigint): void {
    this.ensure(8);
    this.dv.setBigInt64(this.len, v, true);
    this.len += 8;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  str(s: string): void {
    const b = new TextEncoder().encode(s);
    this.u64(BigInt(b.length));
    this.bytes(b);
  }
  pad(align: number): void {
    const p = (align - (this.len % align)) % align;
    this.ensure(p);
    this.buf.fill(0, this.len, this.len + p);
    this.len += p;
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

function checkInt(v: number, lo: number, hi: number, what: string): void {
  if (!Number.isInteger(v) || v < lo || v > hi) throw new GgufError(`${what}: ${v} is not an integer in [${lo}, ${hi}]`);
}

function writeScalar(s: ByteSink, type: GgufScalarType, v: unknown, key: string): void {
  const bad = (): never => {
    throw new GgufError(`metadata ${key}: value ${String(v)} does not fit type ${type}`);
  };
  switch (type) {
    case "string":
      if (typeof v !== "string") bad();
      return s.str(v as string);
    case "bool":
      if (typeof v !== "boolean") bad();
      return s.u8(v ? 1 : 0);
    case "u64":
    case "i64": {
      if (typeof v !== "bigint") bad();
      const b = v as bigint;
      if (type === "u64" ? b < 0n || b >= 1n << 64n : b < -(1n << 63n) || b >= 1n << 63n) bad();
      return type === "u64" ? s.u64(b) : s.i64(b);
    }
    case "f32":
    case "f64":
      if (typeof v !== "number") bad();
      return type === "f32" ? s.f32(v as number) : s.f64(v as number);
    default: {
      if (typeof v !== "number") bad();
      const n = v as number;
      const range: Record<string, [number, number]> = {
        u8: [0, 0xff],
        i8: [-128, 127],
        u16: [0, 0xffff],
        i16: [-32768, 32767],
        u32: [0, 0xffffffff],
        i32: [-(2 ** 31), 2 ** 31 - 1],
      };
      const [lo, hi] = range[type]!;
      if (!Number.isInteger(n) || n < lo || n > hi) bad();
      (s[type as "u8"] as (x: number) => void).call(s, n);
    }
  }
}

/** Encode tensor data in its ggml type. */
export function encodeTensorData(t: GgufTensorInput): Uint8Array {
  const type = t.type ?? "F32";
  const n = numel(t.shape);
  if (t.data.length !== n) throw new GgufError(`tensor ${t.name}: shape [${t.shape}] needs ${n} values, got ${t.data.length}`);
  switch (type) {
    case "F32":
      return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    case "F16": {
      const out = new Uint16Array(n);
      for (let i = 0; i < n; i++) out[i] = f32ToF16Bits(t.data[i]!);
      return new Uint8Array(out.buffer);
    }
    case "Q8_0":
    case "Q4_0": {
      const inner = t.shape[t.shape.length - 1] ?? 1;
      if (inner % QK !== 0) throw new GgufError(`tensor ${t.name}: ${type} needs the row length (${inner}) to be a multiple of ${QK}`);
      return type === "Q8_0" ? quantizeQ8_0(t.data) : quantizeQ4_0(t.data);
    }
  }
}

/** Serialise a GGUF v3 file. `general.alignment` in `metadata` (u32) sets the alignment; default 32. */
export function writeGguf(metadata: GgufMetadata, tensors: readonly GgufTensorInput[]): Uint8Array {
  const alignValue = metadata.get("general.alignment");
  let alignment = GGUF_DEFAULT_ALIGNMENT;
  if (alignValue) {
    if (alignValue.type !== "u32") throw new GgufError("general.alignment must be u32");
    alignment = alignValue.value;
    if (alignment <= 0 || (alignment & (alignment - 1)) !== 0) throw new GgufError(`general.alignment ${alignment} is not a power of two`);
  }
  const names = new Set<string>();
  const encoded: Uint8Array[] = [];
  for (const t of tensors) {
    if (names.has(t.name)) throw new GgufError(`duplicate tensor name ${t.name}`);
    names.add(t.name);
    if (t.shape.length < 1 || t.shape.length > GGUF_MAX_DIMS) throw new GgufError(`tensor ${t.name}: ${t.shape.length} dims (1..${GGUF_MAX_DIMS})`);
    for (const d of t.shape) checkInt(d, 1, 2 ** 40, `tensor ${t.name} dim`);
    encoded.push(encodeTensorData(t));
  }
  const s = new ByteSink();
  s.u32(GGUF_MAGIC);
  s.u32(GGUF_VERSION);
  s.u64(BigInt(tensors.length));
  s.u64(BigInt(metadata.size));
  for (const [key, val] of metadata) {
    s.str(key);
    s.u32(GGUF_VALUE_TYPES[val.type]);
    if (val.type === "array") {
      s.u32(GGUF_VALUE_TYPES[val.itemType]);
      s.u64(BigInt(val.value.length));
      for (const item of val.value) writeScalar(s, val.itemType, item, key);
    } else writeScalar(s, val.type, val.value, key);
  }
  let offset = 0;
  tensors.forEach((t, i) => {
    s.str(t.name);
    s.u32(t.shape.length);
    for (const d of [...t.shape].reverse()) s.u64(BigInt(d));
    s.u32(GGML_TYPES[t.type ?? "F32"]);
    s.u64(BigInt(offset));
    offset += encoded[i]!.length;
    offset += (alignment - (offset % alignment)) % alignment;
  });
  s.pad(alignment);
  // header built; the data section is placed into one exactly-sized buffer (no growth copies)
  const header = s.result();
  const out = new Uint8Array(header.length + offset);
  out.set(header, 0);
  let p = header.length;
  for (const e of encoded) {
    out.set(e, p);
    p += e.length + ((alignment - (e.length % alignment)) % alignment);
  }
  return out;
}

/* ------------------------------------------------------------------ READER */

class ByteSource {
  pos = 0;
  private dv: DataView;
  constructor(private readonly b: Uint8Array) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  get remaining(): number {
    return this.b.length - this.pos;
  }
  private need(n: number, what: string): void {
    if (this.pos + n > this.b.length) throw new GgufError(`truncated file: ${what} needs ${n} bytes at offset ${this.pos}, file has ${this.b.length}`);
  }
  u8(w = "u8"): number {
    this.need(1, w);
    return this.dv.getUint8(this.pos++);
  }
  i8(w = "i8"): number {
    this.need(1, w);
    return this.dv.getInt8(this.pos++);
  }
  u16(w = "u16"): number {
    this.need(2, w);
    const v = this.dv.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }
  i16(w = "i16"): number {
    this.need(2, w);
    const v = this.dv.getInt16(this.pos, true);
    this.pos += 2;
    return v;
  }
  u32(w = "u32"): number {
    this.need(4, w);
    const v = this.dv.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  i32(w = "i32"): number {
    this.need(4, w);
    const v = this.dv.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }
  f32(w = "f32"): number {
    this.need(4, w);
    const v = this.dv.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }
  f64(w = "f64"): number {
    this.need(8, w);
    const v = this.dv.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }
  u64(w = "u64"): bigint {
    this.need(8, w);
    const v = this.dv.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }
  i64(w = "i64"): bigint {
    this.need(8, w);
    const v = this.dv.getBigInt64(this.pos, true);
    this.pos += 8;
    return v;
  }
  /** A u64 that must be a safe count no larger than `max`. */
  count(max: number, what: string): number {
    const v = this.u64(what);
    if (v > BigInt(max)) throw new GgufError(`${what} ${v} is impossible: at most ${max} fit in the ${this.remaining} bytes left`);
    return Number(v);
  }
  str(what: string): string {
    const len = this.count(Math.min(this.remaining - 8, GGUF_MAX_STRING_BYTES), `${what} length`);
    this.need(len, what);
    const bytes = this.b.subarray(this.pos, this.pos + len);
    this.pos += len;
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new GgufError(`${what} is not valid UTF-8`);
    }
  }
}

const SCALAR_MIN_BYTES: Record<GgufScalarType, number> = {
  u8: 1,
  i8: 1,
  bool: 1,
  u16: 2,
  i16: 2,
  u32: 4,
  i32: 4,
  f32: 4,
  u64: 8,
  i64: 8,
  f64: 8,
  string: 8,
};

/** The shortest decimal that is the same float32 (so 1e-5 written as f32 reads back as 1e-5). */
export function shortestF32(v: number): number {
  if (!Number.isFinite(v)) return v;
  for (let p = 1; p <= 9; p++) {
    const d = Number(v.toPrecision(p));
    if (Math.fround(d) === v) return d;
  }
  return v;
}

function readScalar(src: ByteSource, type: GgufScalarType, key: string): string | number | bigint | boolean {
  switch (type) {
    case "f32":
      return shortestF32(src.f32(key));
    case "string":
      return src.str(`value of ${key}`);
    case "bool": {
      const b = src.u8(key);
      if (b > 1) throw new GgufError(`metadata ${key}: bool byte ${b}`);
      return b === 1;
    }
    default:
      return src[type](key);
  }
}

function scalarTypeOf(code: number, key: string): GgufScalarType {
  const t = TYPE_BY_CODE.get(code);
  if (t === undefined || t === "array") throw new GgufError(`metadata ${key}: unknown value type ${code}`);
  return t;
}

/** Parse and fully validate a GGUF file held in memory. Tensor data stays in `bytes` (see `readGgufTensor`). */
export function readGguf(bytes: Uint8Array): GgufFile {
  const src = new ByteSource(bytes);
  if (bytes.length < 24) throw new GgufError(`not a GGUF file: ${bytes.length} bytes is shorter than the header`);
  const magic = src.u32("magic");
  if (magic !== GGUF_MAGIC) throw new GgufError(`not a GGUF file: bad magic 0x${magic.toString(16)}`);
  const version = src.u32("version");
  if (version !== GGUF_VERSION) throw new GgufError(`unsupported GGUF version ${version} (only ${GGUF_VERSION})`);
  // Each tensor info needs >= 8 (name len) + 4 (n_dims) + 8 (dim) + 4 (type) + 8 (offset) bytes; each kv >= 8 + 4 + 1.
  const tensorCount = src.count(Math.floor((bytes.length - 24) / 32), "tensor count");
  const kvCount = src.count(Math.floor((bytes.length - 24) / 13), "metadata count");
  const metadata: GgufMetadata = new Map();
  for (let i = 0; i < kvCount; i++) {
    const key = src.str(`metadata key #${i}`);
    if (metadata.has(key)) throw new GgufError(`duplicate metadata key ${key}`);
    const code = src.u32(`type of ${key}`);
    if (code === GGUF_VALUE_TYPES.array) {
      const itemType = scalarTypeOf(src.u32(`item type of ${key}`), key);
      const n = src.count(Math.floor(src.remaining / SCALAR_MIN_BYTES[itemType]), `array length of ${key}`);
      const value: Array<string | number | bigint | boolean> = new Array(n);
      for (let j = 0; j < n; j++) value[j] = readScalar(src, itemType, key);
      metadata.set(key, { type: "array", itemType, value });
    } else {
      const type = scalarTypeOf(code, key);
      metadata.set(key, { type, value: readScalar(src, type, key) } as GgufValue);
    }
  }
  let alignment = GGUF_DEFAULT_ALIGNMENT;
  const al = metadata.get("general.alignment");
  if (al) {
    if (al.type !== "u32" || al.value === 0 || (al.value & (al.value - 1)) !== 0 || al.value > 1 << 20)
      throw new GgufError(`general.alignment must be a u32 power of two, got ${String(al.value)}`);
    alignment = al.value;
  }
  const tensors: GgufTensorInfo[] = [];
  const names = new Set<string>();
  for (let i = 0; i < tensorCount; i++) {
    const name = src.str(`tensor name #${i}`);
    if (names.has(name)) throw new GgufError(`duplicate tensor name ${name}`);
    names.add(name);
    const nDims = src.u32(`n_dims of ${name}`);
    if (nDims < 1 || nDims > GGUF_MAX_DIMS) throw new GgufError(`tensor ${name}: ${nDims} dims (1..${GGUF_MAX_DIMS})`);
    const dims: number[] = [];
    for (let d = 0; d < nDims; d++) {
      const v = src.u64(`dim of ${name}`);
      if (v < 1n || v > BigInt(bytes.length)) throw new GgufError(`tensor ${name}: dim ${v} is impossible for a ${bytes.length}-byte file`);
      dims.push(Number(v));
    }
    const code = src.u32(`type of ${name}`);
    const type = GGML_BY_CODE.get(code);
    if (type === undefined) throw new GgufError(`tensor ${name}: unsupported ggml type ${code}`);
    const offset = src.u64(`offset of ${name}`);
    if (offset > BigInt(bytes.length)) throw new GgufError(`tensor ${name}: offset ${offset} beyond the file`);
    const n = dims.reduce((a, b) => a * b, 1);
    if (n > bytes.length) throw new GgufError(`tensor ${name}: ${n} elements cannot fit in ${bytes.length} bytes`);
    if ((type === "Q8_0" || type === "Q4_0") && dims[0]! % QK !== 0) throw new GgufError(`tensor ${name}: ${type} row length ${dims[0]} not a multiple of ${QK}`);
    const off = Number(offset);
    if (off % alignment !== 0) throw new GgufError(`tensor ${name}: offset ${off} not aligned to ${alignment}`);
    tensors.push({ name, shape: dims.reverse(), type, offset: off, byteLength: ggmlByteSize(type, n) });
  }
  const dataOffset = src.pos + ((alignment - (src.pos % alignment)) % alignment);
  const dataSize = bytes.length - dataOffset;
  if (dataSize < 0 && tensorCount > 0) throw new GgufError("truncated file: no data section");
  const sorted = [...tensors].sort((a, b) => a.offset - b.offset);
  let end = 0;
  for (const t of sorted) {
    if (t.offset < end) throw new GgufError(`tensor ${t.name} overlaps the previous tensor`);
    end = t.offset + t.byteLength;
    if (end > dataSize) throw new GgufError(`truncated file: tensor ${t.name} ends at ${dataOffset + end}, file has ${bytes.length} bytes`);
  }
  return { version, metadata, tensors, alignment, dataOffset, bytes };
}

/** The raw stored bytes of one tensor (a view, no copy). */
export function ggufTensorBytes(file: GgufFile, name: string): Uint8Array {
  const info = file.tensors.find((t) => t.name === name);
  if (!info) throw new GgufError(`no tensor ${name} in the file`);
  const start = file.dataOffset + info.offset;
  return file.bytes.subarray(start, start + info.byteLength);
}

/** Decode bytes of a ggml type into float32. */
export function decodeTensorData(type: GgmlType, raw: Uint8Array, n: number): Float32Array {
  switch (type) {
    case "F32": {
      const copy = raw.slice();
      return new Float32Array(copy.buffer, 0, n);
    }
    case "F16": {
      const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = f16BitsToF32(dv.getUint16(i * 2, true));
      return out;
    }
    case "Q8_0":
      return dequantizeQ8_0(raw, n);
    case "Q4_0":
      return dequantizeQ4_0(raw, n);
  }
}

/** One tensor, decoded (dequantised) to float32, with its row-major shape. */
export function readGgufTensor(file: GgufFile, name: string): Tensor {
  const info = file.tensors.find((t) => t.name === name);
  if (!info) throw new GgufError(`no tensor ${name} in the file`);
  return { shape: [...info.shape], data: decodeTensorData(info.type, ggufTensorBytes(file, name), numel(info.shape)) };
}

/** Typed accessors for metadata with clear errors. */
export function metaNumber(md: GgufMetadata, key: string): number {
  const v = md.get(key);
  if (!v) throw new GgufError(`missing metadata ${key}`);
  if (v.type === "u64" || v.type === "i64") return Number(v.value);
  if (typeof v.value !== "number") throw new GgufError(`metadata ${key} is ${v.type}, expected a number`);
  return v.value;
}
export function metaString(md: GgufMetadata, key: string): string {
  const v = md.get(key);
  if (!v) throw new GgufError(`missing metadata ${key}`);
  if (v.type !== "string") throw new GgufError(`metadata ${key} is ${v.type}, expected a string`);
  return v.value;
}
export function metaArray(md: GgufMetadata, key: string): Array<string | number | bigint | boolean> {
  const v = md.get(key);
  if (!v) throw new GgufError(`missing metadata ${key}`);
  if (v.type !== "array") throw new GgufError(`metadata ${key} is ${v.type}, expected an array`);
  return v.value;
}
