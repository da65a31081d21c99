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

/**
 * Dequantise into `out` (row-major [rows, cols] when `transposed` is false, [cols, rows] when true).
 * Returns `out` (allocated when not given).
 */
export function dequantize(q: QuantMatrix, transposed = false, out?: Float32Array): Float32Array {
  const n = q.rows * q.cols;
  const o = out && out.length >= n ? out.subarray(0, n) : new Float32Array(n);
  const bb = BLOCK_BYTES[q.type];
  const data = q.data;
  const blocksPerRow = q.cols / QK;
  for (let r = 0; r < q.rows; r++) {
    for (let bi = 0; bi < blocksPerRow; bi++) {
      const off = (r * blocksPerRow + bi) * bb;
      const d = HALF_TABLE[data[off]! | (data[off + 1]! << 8)]!;
      const c0 = bi * QK;
      if (q.type === "q8_0") {
        for (let j = 0; j < QK; j++) {
          const s = data[off + 2 + j]!;
          const v = (s > 127 ? s - 256 : s) * d;
          if (transposed) o[(c0 + j) * q.rows + r] = v;
          else o[r * q.cols + c0 + j] = v;
        }
      } else {
        for (let j = 0; j < QK / 2; j++) {
          const byte = data[off + 2 + j]!;
          const lo = ((byte & 0xf) - 8) * d;
          const hi = ((byte >> 4) - 8) * d;
          if (transposed) {
            o[(c0 + j) * q.rows + r] = lo;
            o[(c0 + j + QK / 2) * q.rows + r] = hi;
          } else {
            o[r * q.cols + c0 + j] = lo;
            o[r * q.cols + c0 + j + QK / 2] = hi;
          }
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
