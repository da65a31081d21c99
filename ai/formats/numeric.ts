// SPDX-License-Identifier: MIT
/**
 * Half-precision conversions (IEEE binary16 and bfloat16) and ggml's Q8_0 / Q4_0 block quantisation,
 * bit-for-bit as ggml's reference code (`ggml-quants.c`: quantize_row_q8_0_ref, quantize_row_q4_0_ref).
 */

const f32Box = new Float32Array(1);
const u32Box = new Uint32Array(f32Box.buffer);

/** float32 -> IEEE half bits, round to nearest even (as ggml's GGML_FP32_TO_FP16 on x86 F16C). */
export function f32ToF16Bits(x: number): number {
  f32Box[0] = x;
  const b = u32Box[0]!;
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1) === 1)) half++;
  return sign | half;
}

const F16_TABLE = (() => {
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const e = (h >>> 10) & 0x1f;
    const m = h & 0x3ff;
    if (e === 0) t[h] = sign * m * 2 ** -24;
    else if (e === 0x1f) t[h] = m ? Number.NaN : sign * Number.POSITIVE_INFINITY;
    else t[h] = sign * (1 + m / 1024) * 2 ** (e - 15);
  }
  return t;
})();

/** IEEE half bits -> float32 value. */
export function f16BitsToF32(h: number): number {
  return F16_TABLE[h & 0xffff]!;
}

/** float32 -> bfloat16 bits, round to nearest even (NaN kept quiet). */
export function f32ToBf16Bits(x: number): number {
  f32Box[0] = x;
  const b = u32Box[0]!;
  if ((b & 0x7fffffff) > 0x7f800000) return ((b >>> 16) | 0x40) & 0xffff;
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

/** bfloat16 bits -> float32 value. */
export function bf16BitsToF32(h: number): number {
  u32Box[0] = (h & 0xffff) << 16;
  return f32Box[0]!;
}

/** Round a Float32Array through half precision (what writing F16 and reading back gives). */
export function roundToF16(data: Float32Array): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = F16_TABLE[f32ToF16Bits(data[i]!)]!;
  return out;
}

export const QK = 32; // elements per Q8_0 / Q4_0 block
export const Q8_0_BLOCK_BYTES = 34; // f16 scale + 32 int8
export const Q4_0_BLOCK_BYTES = 18; // f16 scale + 16 bytes of nibbles

const fr = Math.fround;

/** Quantise to Q8_0 blocks (length must be a multiple of 32). */
export function quantizeQ8_0(x: Float32Array): Uint8Array {
  if (x.length % QK !== 0) throw new Error(`Q8_0 needs a multiple of ${QK} elements, got ${x.length}`);
  const nb = x.length / QK;
  const out = new Uint8Array(nb * Q8_0_BLOCK_BYTES);
  const dv = new DataView(out.buffer);
  for (let b = 0; b < nb; b++) {
    let amax = 0;
    for (let j = 0; j < QK; j++) amax = Math.max(amax, Math.abs(x[b * QK + j]!));
    const d = fr(amax / 127);
    const id = d !== 0 ? fr(1 / d) : 0;
    const o = b * Q8_0_BLOCK_BYTES;
    dv.setUint16(o, f32ToF16Bits(d), true);
    for (let j = 0; j < QK; j++) dv.setInt8(o + 2 + j, roundHalfAway(fr(x[b * QK + j]! * id)));
  }
  return out;
}

/** C's roundf: halves away from zero. */
function roundHalfAway(v: number): number {
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

/** Dequantise Q8_0 blocks into `n` floats. */
export function dequantizeQ8_0(bytes: Uint8Array, n: number): Float32Array {
  const out = new Float32Array(n);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let b = 0; b < n / QK; b++) {
    const o = b * Q8_0_BLOCK_BYTES;
    const d = f16BitsToF32(dv.getUint16(o, true));
    for (let j = 0; j < QK; j++) out[b * QK + j] = fr(dv.getInt8(o + 2 + j) * d);
  }
  return out;
}

/** Quantise to Q4_0 blocks (length must be a multiple of 32). */
export function quantizeQ4_0(x: Float32Array): Uint8Array {
  if (x.length % QK !== 0) throw new Error(`Q4_0 needs a multiple of ${QK} elements, got ${x.length}`);
  const nb = x.length / QK;
  const out = new Uint8Array(nb * Q4_0_BLOCK_BYTES);
  const dv = new DataView(out.buffer);
  for (let b = 0; b < nb; b++) {
    let amax = 0;
    let max = 0;
    for (let j = 0; j < QK; j++) {
      const v = x[b * QK + j]!;
      if (amax < Math.abs(v)) {
        amax = Math.abs(v);
        max = v;
      }
    }
    const d = fr(max / -8);
    const id = d !== 0 ? fr(1 / d) : 0;
    const o = b * Q4_0_BLOCK_BYTES;
    dv.setUint16(o, f32ToF16Bits(d), true);
    for (let j = 0; j < QK / 2; j++) {
      const x0 = fr(x[b * QK + j]! * id);
      const x1 = fr(x[b * QK + QK / 2 + j]! * id);
      const xi0 = Math.min(15, Math.trunc(fr(x0 + 8.5)));
      const xi1 = Math.min(15, Math.trunc(fr(x1 + 8.5)));
      out[o + 2 + j] = xi0 | (xi1 << 4);
    }
  }
  return out;
}

/** Dequantise Q4_0 blocks into `n` floats. */
export function dequantizeQ4_0(bytes: Uint8Array, n: number): Float32Array {
  const out = new Float32Array(n);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let b = 0; b < n / QK; b++) {
    const o = b * Q4_0_BLOCK_BYTES;
    const d = f16BitsToF32(dv.getUint16(o, true));
    for (let j = 0; j < QK / 2; j++) {
      const q = bytes[o + 2 + j]!;
      out[b * QK + j] = fr(((q & 0x0f) - 8) * d);
      out[b * QK + QK / 2 + j] = fr(((q >> 4) - 8) * d);
    }
  }
  return out;
}
