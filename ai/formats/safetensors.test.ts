// SPDX-License-Identifier: MIT
import { mkdtemp, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { TensorMap } from "../tensors/index.ts";
import { bf16BitsToF32, decodeSafetensors, encodeSafetensors, f32ToBf16Bits, readSafetensors, roundToF16, SafetensorsError, seededRandom, writeSafetensors } from "./index.ts";

const tensors = (): TensorMap => {
  const r = seededRandom(3);
  const mk = (shape: number[]) => ({ shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() * 2 - 1) });
  return new Map([
    ["model.embed_tokens.weight", mk([10, 8])],
    ["model.norm.weight", mk([8])],
    ["scalar", mk([])],
  ]);
};

describe("safetensors", () => {
  it("round-trips F32 exactly with metadata; F16 and BF16 as rounded", async () => {
    const t = tensors();
    const dir = await mkdtemp(join(tmpdir(), "st-"));
    await writeSafetensors(join(dir, "a.safetensors"), t, { metadata: { format: "pt" } });
    const back = await readSafetensors(join(dir, "a.safetensors"));
    expect(back.tensors).toEqual(t);
    expect(back.metadata).toEqual({ format: "pt" });
    const f16 = decodeSafetensors(encodeSafetensors(t, { dtype: "F16" }));
    for (const [n, v] of t) expect(f16.tensors.get(n)!.data).toEqual(roundToF16(v.data));
    const bf = decodeSafetensors(encodeSafetensors(t, { dtype: "BF16" }));
    const x = t.get("model.norm.weight")!.data;
    expect(bf.tensors.get("model.norm.weight")!.data).toEqual(Float32Array.from(x, (v) => bf16BitsToF32(f32ToBf16Bits(v))));
    expect(bf.dtypes.get("scalar")).toBe("BF16");
  });

  it("pads the header to 8 bytes and lays data out contiguously", () => {
    const bytes = encodeSafetensors(tensors());
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header["model.embed_tokens.weight"].data_offsets).toEqual([0, 320]);
    expect(header["model.norm.weight"].data_offsets).toEqual([320, 352]);
  });

  it("rejects corrupt, truncated and inconsistent files", () => {
    const good = encodeSafetensors(tensors());
    expect(() => decodeSafetensors(good.subarray(0, 5))).toThrow(/truncated/);
    expect(() => decodeSafetensors(good.subarray(0, good.length - 1))).toThrow(/truncated|trailing/);
    const huge = good.slice();
    new DataView(huge.buffer).setBigUint64(0, 1n << 50n, true);
    expect(() => decodeSafetensors(huge)).toThrow(/header length/);
    const garbage = good.slice();
    garbage[9] = 0x7b;
    garbage[10] = 0x7b;
    expect(() => decodeSafetensors(garbage)).toThrow(SafetensorsError);
    const withHeader = (h: object): Uint8Array => {
      const hb = new TextEncoder().encode(JSON.stringify(h));
      const out = new Uint8Array(8 + hb.length + 16);
      new DataView(out.buffer).setBigUint64(0, BigInt(hb.length), true);
      out.set(hb, 8);
      return out;
    };
    expect(() => decodeSafetensors(withHeader({ a: { dtype: "F32", shape: [3], data_offsets: [0, 16] } }))).toThrow(/16 bytes for shape \[3\]/);
    expect(() => decodeSafetensors(withHeader({ a: { dtype: "I64", shape: [2], data_offsets: [0, 16] } }))).toThrow(/unsupported dtype I64/);
    expect(() => decodeSafetensors(withHeader({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [2], data_offsets: [4, 12] } }))).toThrow(/contiguous/);
    expect(() => decodeSafetensors(withHeader({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }))).toThrow(/trailing/);
  });

  it("leaves nothing behind when encoding fails", async () => {
    const dir = await mkdtemp(join(tmpdir(), "st-"));
    const bad: TensorMap = new Map([["x", { shape: [4], data: new Float32Array(3) }]]);
    await expect(writeSafetensors(join(dir, "x.safetensors"), bad)).rejects.toThrow(/3 values for shape \[4\]/);
    expect(await readdir(dir)).toEqual([]);
  });
});
