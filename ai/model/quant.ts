// SPDX-License-Identifier: MIT
/**
 * GGUF block quantisation (ggml's reference algorithms, byte-exact block layout):
 * - Q8_0: 32 values per block, f16 scale d = amax/127, int8 q = round(x/d); 34 bytes per block.
 * - Q4_0: 32 values per block, f16 scale d = max/-8 (max = the value of largest magnitude, signed),
 *   q = min(15, trunc(x/d + 8.5)); byte j holds q[j] (low nibble) and q[j+16] (high nibble); 18 bytes per block.
 * Matrices are GGUF/row-major [rows=out, cols=in]; blocks run along each row (cols must be a multiple of 32).
 */
export type QuantType = "q8_0" | "q4_0";
export const QK = 32;
export const BLOCK_BYTES: Record<QuantType, number> = { q8_0: 2 + QK, q4_0: 2 + QK / 2 };

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 -> IEEE half bits (round to nearest even). */
export function toHalf(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1))) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++;
  return sign | h;
}

/** IEEE half bits -> float32 value. */
export function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** A quantised row-major matrix in GGUF block layout. */
export interface QuantMatrix {
  type: QuantType;
  rows: number;
  cols: number;
  data: Uint8Array;
}

export class QuantError extends Error {
  constructor(message: string) {
    super(`quant: ${message}`);
    this.name = "QuantError";
  }
}

/** Quantise a row-major [rows, cols] float matrix. */
export function quantize(values: Float32Array, rows: number, cols: number, type: QuantType): QuantMatrix {
  if (cols % QK !== 0) throw new QuantError(`row length ${cols} is not a multiple of ${QK}`);
  if (values.length !== rows * cols) throw new QuantError(`expected ${rows * cols} values, got ${values.length}`);
  const nb = (rows * cols) / QK;
  const bb = BLOCK_BYTES[type];
  const data = new Uint8Array(nb * bb);
  const dv = new DataView(data.buffer);
  for (let b = 0; b < nb; b++) {
    const x0 = b * QK;
    const o = b * bb;
    if (type === "q8_0") {
      let amax = 0;
      for (let j = 0; j < QK; j++) amax = Math.max(amax, Math.abs(values[x0 + j]!));
      const d = amax / 127;
      const id = d ? 1 / d : 0;
      dv.setUint16(o, toHalf(d), true);
      for (let j = 0; j < QK; j++) dv.setInt8(o + 2 + j, Math.round(values[x0 + j]! * id));
    } else {
      let amax = 0;
      let max = 0;
      for (let j = 0; j < QK; j++) {
        const v = values[x0 + j]!;
        if (Math.abs(v) > amax) {
          amax = Math.abs(v);
          max = v;
        }
      }
      const d = max / -8;
      const id = d ? 1 / d : 0;
      dv.setUint16(o, toHalf(d), true);
      for (let j = 0; j < QK / 2; j++) {
        const a = Math.min(15, Math.trunc(values[x0 + j]! * id + 8.5));
        const c = Math.min(15, Math.trunc(values[x0 + QK / 2 + j]! * id + 8.5));
        data[o + 2 + j] = a | (c << 4);
      }
    }
  }
  return { type, rows, cols, data };
}

const HALF_TABLE = (() => {
  const t = new Float32Array(65536);
  for (let i = 0; i < 65536; i++) t[i] = fromHalf(i);
  return t;
})();

/** Rows dequantised together in the transposed layout, so each write run covers TILE contiguous floats. */
const TILE = 16;

/**
 * Dequantise into `out` (row-major [rows, cols] when `transposed` is false, [cols, rows] when true).
 * Returns `out` (allocated when not given). One tight loop per (type, layout); the transposed layout walks tiles of
 * TILE rows so its writes stay contiguous (QLoRA dequantises every frozen weight twice per training step).
 */
export function dequantize(q: QuantMatrix, transposed = false, out?: Float32Array): Float32Array {
  const n = q.rows * q.cols;
  const o = out && out.length >= n ? out.subarray(0, n) : new Float32Array(n);
  const { rows, cols, data } = q;
  const bpr = cols / QK;
  if (q.type === "q8_0") {
    const i8 = new Int8Array(data.buffer, data.byteOffset, data.byteLength);
    const bb = BLOCK_BYTES.q8_0;
    if (!transposed) {
      for (let r = 0, off = 0, dst = 0; r < rows; r++) {
        for (let bi = 0; bi < bpr; bi++, off += bb, dst += QK) {
          const d = HALF_TABLE[data[off]! | (data[off + 1]! << 8)]!;
          for (let j = 0; j < QK; j++) o[dst + j] = i8[off + 2 + j]! * d;
        }
      }
      return o;
    }
    for (let r0 = 0; r0 < rows; r0 += TILE) {
      const r1 = Math.min(rows, r0 + TILE);
      for (let bi = 0; bi < bpr; bi++) {
        const c0 = bi * QK;
        for (let r = r0; r < r1; r++) {
          const off = (r * bpr + bi) * bb;
          const d = HALF_TABLE[data[off]! | (data[off + 1]! << 8)]!;
          for (let j = 0, dst = c0 * rows + r; j < QK; j++, dst += rows) o[dst] = i8[off + 2 + j]! * d;
        }
      }
    }
    return o;
  }
  const bb = BLOCK_BYTES.q4_0;
  const H = QK / 2;
  if (!transposed) {
    for (let r = 0, off = 0, dst = 0; r < rows; r++) {
      for (let bi = 0; bi < bpr; bi++, off += bb, dst += QK) {
        const d = HALF_TABLE[data[off]! | (data[off + 1]! << 8)]!;
        for (let j = 0; j < H; j++) {
          const byte = data[off + 2 + j]!;
          o[dst + j] = ((byte & 0xf) - 8) * d;
          o[dst + j + H] = ((byte >> 4) - 8) * d;
        }
      }
    }
    return o;
  }
  for (let r0 = 0; r0 < rows; r0 += TILE) {
    const r1 = Math.min(rows, r0 + TILE);
    for (let bi = 0; bi < bpr; bi++) {
      const c0 = bi * QK;
      for (let r = r0; r < r1; r++) {
        const off = (r * bpr + bi) * bb;
        const d = HALF_TABLE[data[off]! | (data[off + 1]! << 8)]!;
        for (let j = 0, lo = c0 * rows + r, hi = (c0 + H) * rows + r; j < H; j++, lo += rows, hi += rows) {
          const byte = data[off + 2 + j]!;
          o[lo] = ((byte & 0xf) - 8) * d;
          o[hi] = ((byte >> 4) - 8) * d;
        }
      }
    }
  }
  return o;
}

/** Bytes used by a quantised matrix. */
export function quantBytes(q: QuantMatrix): number {
  return q.data.byteLength;
}
