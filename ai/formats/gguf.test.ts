// SPDX-License-Identifier: MIT
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { TensorMap } from "../tensors/index.ts";
import {
  decodeLlamaGguf,
  decodeLoraGguf,
  dequantizeQ4_0,
  dequantizeQ8_0,
  encodeLlamaGguf,
  encodeLoraGguf,
  f16BitsToF32,
  f32ToF16Bits,
  GgufError,
  type GgufMetadata,
  gv,
  mergeLora,
  quantizeQ4_0,
  quantizeQ8_0,
  randomLlamaWeights,
  readGguf,
  readGgufTensor,
  readLlamaGguf,
  roundToF16,
  seededRandom,
  tinyGpt2Tokenizer,
  tinyLlamaConfig,
  writeGguf,
  writeLlamaGguf,
} from "./index.ts";

const rand = (n: number, seed: number, s = 1): Float32Array => {
  const r = seededRandom(seed);
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * s);
};

function allTypesMetadata(): GgufMetadata {
  return new Map([
    ["general.architecture", gv.str("llama")],
    ["t.u8", gv.u8(255)],
    ["t.i8", gv.i8(-128)],
    ["t.u16", gv.u16(65535)],
    ["t.i16", gv.i16(-32768)],
    ["t.u32", gv.u32(4294967295)],
    ["t.i32", gv.i32(-2147483648)],
    ["t.f32", gv.f32(Math.fround(3.25))],
    ["t.f64", gv.f64(Math.PI)],
    ["t.u64", gv.u64(2n ** 64n - 1n)],
    ["t.i64", gv.i64(-(2n ** 63n))],
    ["t.bool", gv.bool(true)],
    ["t.str", gv.str("héllo ✓ 世界")],
    ["t.arr.str", gv.arr("string", ["a", "", "Ġthe"])],
    ["t.arr.i32", gv.arr("i32", [1, -2, 3])],
    ["t.arr.f32", gv.arr("f32", [0.5, -1.5])],
    ["t.arr.bool", gv.arr("bool", [true, false])],
    ["t.arr.u64", gv.arr("u64", [1n, 2n ** 40n])],
    ["t.arr.empty", gv.arr("u8", [])],
  ]);
}

describe("GGUF metadata", () => {
  it("round-trips every value type and re-encodes to identical bytes", () => {
    const md = allTypesMetadata();
    const bytes = writeGguf(md, []);
    const f = readGguf(bytes);
    expect(f.version).toBe(3);
    expect([...f.metadata.entries()]).toEqual([...md.entries()]);
    expect(writeGguf(f.metadata, [])).toEqual(bytes);
  });

  it("refuses values that do not fit their type", () => {
    expect(() => writeGguf(new Map([["x", gv.u8(256)]]), [])).toThrow(GgufError);
    expect(() => writeGguf(new Map([["x", gv.i32(1.5)]]), [])).toThrow(/does not fit/);
    expect(() => writeGguf(new Map([["x", gv.arr("string", [1])]]), [])).toThrow(GgufError);
  });
});

describe("GGUF tensors", () => {
  it("round-trips F32 exactly, F16 as half-rounded, Q8_0/Q4_0 as their dequantised blocks; offsets aligned to 32", () => {
    const a = rand(3 * 64, 1);
    const tensors = [
      { name: "f32", shape: [3, 64], data: a, type: "F32" as const },
      { name: "f16", shape: [3, 64], data: a, type: "F16" as const },
      { name: "q8", shape: [3, 64], data: a, type: "Q8_0" as const },
      { name: "q4", shape: [3, 64], data: a, type: "Q4_0" as const },
      { name: "vec", shape: [5], data: rand(5, 2) },
    ];
    const bytes = writeGguf(new Map([["general.alignment", gv.u32(32)]]), tensors);
    const f = readGguf(bytes);
    expect(f.dataOffset % 32).toBe(0);
    for (const t of f.tensors) expect(t.offset % 32).toBe(0);
    expect(f.tensors.map((t) => [t.name, t.type, t.shape])).toEqual(tensors.map((t) => [t.name, t.type ?? "F32", t.shape]));
    expect(readGgufTensor(f, "f32").data).toEqual(a);
    expect(readGgufTensor(f, "f16").data).toEqual(roundToF16(a));
    expect(readGgufTensor(f, "q8").data).toEqual(dequantizeQ8_0(quantizeQ8_0(a), a.length));
    expect(readGgufTensor(f, "q4").data).toEqual(dequantizeQ4_0(quantizeQ4_0(a), a.length));
    // re-writing what was read gives the same bytes (quantised data re-quantises to itself)
    const again = writeGguf(f.metadata, f.tensors.map((t) => ({ name: t.name, shape: t.shape, type: t.type, data: readGgufTensor(f, t.name).data })));
    expect(again).toEqual(bytes);
  });

  it("quantises like ggml's reference: Q8_0 error <= d/2, Q4_0 error <= |d| with d = max/-8", () => {
    const a = rand(32 * 8, 7, 3);
    const q8 = dequantizeQ8_0(quantizeQ8_0(a), a.length);
    const q4 = dequantizeQ4_0(quantizeQ4_0(a), a.length);
    for (let b = 0; b < 8; b++) {
      const blk = a.subarray(b * 32, b * 32 + 32);
      const amax = Math.max(...blk.map(Math.abs));
      for (let j = 0; j < 32; j++) {
        expect(Math.abs(q8[b * 32 + j]! - blk[j]!)).toBeLessThanOrEqual((amax / 127) * 0.5 + 1e-3 * amax);
        // the code for +|max| saturates at 7: error up to d there, d/2 elsewhere
        expect(Math.abs(q4[b * 32 + j]! - blk[j]!)).toBeLessThanOrEqual(amax / 8 + 1e-3 * amax);
      }
    }
    // a hand-checked Q4_0 block: max-magnitude value -8 gives d = 1, codes = round-half-up(x) + 8
    const blk = Float32Array.from({ length: 32 }, (_, i) => (i === 0 ? -8 : (i % 16) - 8));
    const q = quantizeQ4_0(blk);
    expect(f16BitsToF32(q[0]! | (q[1]! << 8))).toBe(1);
    expect(dequantizeQ4_0(q, 32)).toEqual(Float32Array.from(blk, (v) => Math.min(7, v)));
  });

  it("converts half floats with round-to-nearest-even, subnormals and infinities", () => {
    expect(f32ToF16Bits(1)).toBe(0x3c00);
    expect(f32ToF16Bits(-2)).toBe(0xc000);
    expect(f32ToF16Bits(65504)).toBe(0x7bff);
    expect(f32ToF16Bits(70000)).toBe(0x7c00);
    expect(f32ToF16Bits(2 ** -24)).toBe(0x0001);
    expect(f32ToF16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie -> even
    expect(f32ToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    for (let h = 0; h < 0x7c00; h += 37) expect(f32ToF16Bits(f16BitsToF32(h))).toBe(h);
  });
});

describe("GGUF validation (bad input never reaches llama.cpp)", () => {
  const good = encodeLlamaGguf(tinyLlamaConfig(), randomLlamaWeights(tinyLlamaConfig()), tinyGpt2Tokenizer());
  const patch = (off: number, write: (dv: DataView) => void): Uint8Array => {
    const b = good.slice();
    write(new DataView(b.buffer, off));
    return b;
  };

  it("rejects a bad magic, version, and garbage counts quickly", () => {
    expect(() => readGguf(patch(0, (d) => d.setUint32(0, 0x12345678, true)))).toThrow(/bad magic/);
    expect(() => readGguf(patch(4, (d) => d.setUint32(0, 2, true)))).toThrow(/version 2/);
    const t0 = Date.now();
    expect(() => readGguf(patch(8, (d) => d.setBigUint64(0, 0xffff_ffff_ffffn, true)))).toThrow(/tensor count .* is impossible/);
    expect(() => readGguf(patch(16, (d) => d.setBigUint64(0, 1n << 60n, true)))).toThrow(/metadata count .* is impossible/);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it("rejects every truncation of a valid file", () => {
    for (const cut of [0, 10, 23, 24, 100, 1000, good.length / 2, good.length - 1]) {
      expect(() => decodeLlamaGguf(good.subarray(0, Math.floor(cut)))).toThrow(GgufError);
    }
  });

  it("rejects random corruption of the header with a GgufError (never a crash or hang)", () => {
    const r = seededRandom(99);
    const headerEnd = readGguf(good).dataOffset;
    let rejected = 0;
    for (let i = 0; i < 300; i++) {
      const b = good.slice();
      const pos = Math.floor(r() * headerEnd);
      b[pos] = Math.floor(r() * 256);
      try {
        decodeLlamaGguf(b);
      } catch (e) {
        expect(e).toBeInstanceOf(GgufError);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(0);
  });

  it("rejects misaligned and overlapping tensor offsets", () => {
    const md = new Map([["general.alignment", gv.u32(32)]]);
    const bytes = writeGguf(md, [
      { name: "a", shape: [32], data: rand(32, 1) },
      { name: "b", shape: [32], data: rand(32, 2) },
    ]);
    const f = readGguf(bytes);
    // the offset of "b" is the last u64 of the header before padding: find it by value 128
    const dv = new DataView(bytes.buffer);
    let pos = -1;
    for (let p = 24; p < f.dataOffset - 8; p++) if (dv.getBigUint64(p, true) === 128n && dv.getUint32(p - 4, true) === 0) pos = p;
    expect(pos).toBeGreaterThan(0);
    const mis = bytes.slice();
    new DataView(mis.buffer).setBigUint64(pos, 129n, true);
    expect(() => readGguf(mis)).toThrow(/not aligned/);
    const ovl = bytes.slice();
    new DataView(ovl.buffer).setBigUint64(pos, 96n, true);
    expect(() => readGguf(ovl)).toThrow(/overlaps/);
  });
});

describe("llama base model GGUF", () => {
  const config = tinyLlamaConfig({ tiedEmbeddings: false });
  const weights = randomLlamaWeights(config, 5);
  const tok = tinyGpt2Tokenizer();

  it("writes llama.* keys and gpt2 tokenizer metadata and reads the same model back", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gguf-"));
    await writeLlamaGguf(join(dir, "m.gguf"), config, weights, tok, { name: "t" });
    const m = await readLlamaGguf(join(dir, "m.gguf"));
    expect(m.config).toEqual(config);
    expect(m.tokenizer).toEqual(tok);
    for (const [n, t] of weights) expect(m.tensors.get(n)).toEqual(t);
    const md = m.file.metadata;
    expect(md.get("tokenizer.ggml.model")).toEqual(gv.str("gpt2"));
    expect(md.get("tokenizer.ggml.pre")).toEqual(gv.str("gpt-2"));
    expect(md.get("llama.rope.dimension_count")).toEqual(gv.u32(16));
    // GGUF stores dims fastest-varying first: token_embd [vocab, dim] is ne = [dim, vocab]
    const info = m.file.tensors.find((t) => t.name === "blk.0.attn_k.weight")!;
    expect(info.shape).toEqual([32, 64]);
  });

  it("stores norms as F32 and matrices in the chosen type", () => {
    for (const fileType of ["F16", "Q8_0", "Q4_0"] as const) {
      const f = readGguf(encodeLlamaGguf(config, weights, tok, { fileType }));
      expect(f.tensors.find((t) => t.name === "blk.1.ffn_norm.weight")!.type).toBe("F32");
      expect(f.tensors.find((t) => t.name === "blk.1.ffn_down.weight")!.type).toBe(fileType);
    }
  });

  it("rejects a wrong architecture, a missing tensor, a shape mismatch and a tokenizer of the wrong size", () => {
    const bytes = encodeLlamaGguf(config, weights, tok);
    const f = readGguf(bytes);
    const md = new Map(f.metadata);
    md.set("general.architecture", gv.str("gpt2"));
    const re = writeGguf(md, f.tensors.map((t) => ({ ...t, data: readGgufTensor(f, t.name).data })));
    expect(() => decodeLlamaGguf(re)).toThrow(/wrong architecture "gpt2"/);
    const missing: TensorMap = new Map(weights);
    missing.delete("blk.1.ffn_up.weight");
    expect(() => encodeLlamaGguf(config, missing, tok)).toThrow(/missing tensor blk.1.ffn_up.weight/);
    const bad: TensorMap = new Map(weights);
    bad.set("blk.0.attn_q.weight", { shape: [64, 32], data: new Float32Array(64 * 32) });
    expect(() => encodeLlamaGguf(config, bad, tok)).toThrow(/shape mismatch for blk.0.attn_q.weight/);
    expect(() => encodeLlamaGguf({ ...config, vocabSize: 300 }, randomLlamaWeights({ ...config, vocabSize: 300 }), tok)).toThrow(/tokenizer has 263 tokens/);
  });

  it("leaves nothing half-written when a write fails", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gguf-"));
    const bad: TensorMap = new Map(weights);
    bad.set("token_embd.weight", { shape: [1, 1], data: new Float32Array(1) });
    await expect(writeLlamaGguf(join(dir, "m.gguf"), config, bad, tok)).rejects.toThrow(GgufError);
    await writeLlamaGguf(join(dir, "ok.gguf"), config, weights, tok);
    const before = await readFile(join(dir, "ok.gguf"));
    await expect(writeLlamaGguf(join(dir, "ok.gguf"), config, bad, tok)).rejects.toThrow(GgufError);
    expect(await readdir(dir)).toEqual(["ok.gguf"]);
    expect(await readFile(join(dir, "ok.gguf"))).toEqual(before);
  });
});

describe("LoRA adapter GGUF", () => {
  const config = tinyLlamaConfig();
  const r = 4;
  const adapter = {
    alpha: 8,
    rank: r,
    tensors: new Map([
      ["blk.0.attn_q.weight.lora_a", { shape: [r, 64], data: rand(r * 64, 1) }],
      ["blk.0.attn_q.weight.lora_b", { shape: [64, r], data: rand(64 * r, 2) }],
      ["blk.1.ffn_down.weight.lora_a", { shape: [r, 128], data: rand(r * 128, 3) }],
      ["blk.1.ffn_down.weight.lora_b", { shape: [64, r], data: rand(64 * r, 4) }],
    ]),
  };

  it("writes general.type=adapter, adapter.type=lora, alpha, and lora_a as ne [n_in, r]; reads it back", () => {
    const bytes = encodeLoraGguf(config, adapter);
    const back = decodeLoraGguf(bytes, config);
    expect(back.alpha).toBe(8);
    expect(back.rank).toBe(r);
    expect(back.tensors).toEqual(adapter.tensors);
    const md = back.file.metadata;
    expect(md.get("general.type")).toEqual(gv.str("adapter"));
    expect(md.get("adapter.type")).toEqual(gv.str("lora"));
    expect(md.get("adapter.lora.alpha")).toEqual(gv.f32(8));
  });

  it("rejects adapters that do not fit the base", () => {
    const wrong = { ...adapter, tensors: new Map(adapter.tensors) };
    wrong.tensors.set("blk.0.attn_q.weight.lora_b", { shape: [32, r], data: rand(32 * r, 2) });
    expect(() => encodeLoraGguf(config, wrong)).toThrow(/shape mismatch for blk.0.attn_q.weight.lora_b/);
    const orphan = { ...adapter, tensors: new Map(adapter.tensors) };
    orphan.tensors.delete("blk.0.attn_q.weight.lora_b");
    expect(() => encodeLoraGguf(config, orphan)).toThrow(/has no blk.0.attn_q.weight.lora_b/);
    const bytes = encodeLoraGguf(config, adapter);
    expect(() => decodeLoraGguf(bytes, tinyLlamaConfig({ dim: 128, ffnDim: 256 }))).toThrow(/shape mismatch/);
    expect(() => decodeLoraGguf(encodeLlamaGguf(config, randomLlamaWeights(config), tinyGpt2Tokenizer()))).toThrow(/not an adapter/);
  });

  it("merges W + (alpha/r) B A", () => {
    const base = randomLlamaWeights(config, 2);
    const merged = mergeLora(base, adapter);
    const w = base.get("blk.0.attn_q.weight")!;
    const a = adapter.tensors.get("blk.0.attn_q.weight.lora_a")!.data;
    const b = adapter.tensors.get("blk.0.attn_q.weight.lora_b")!.data;
    let expected = w.data[3 * 64 + 5]!;
    for (let k = 0; k < r; k++) expected += (8 / r) * b[3 * r + k]! * a[k * 64 + 5]!;
    expect(merged.get("blk.0.attn_q.weight")!.data[3 * 64 + 5]).toBeCloseTo(expected, 5);
    expect(merged.get("blk.0.attn_k.weight")).toEqual(base.get("blk.0.attn_k.weight"));
    expect(mergeLora(base, adapter, 0).get("blk.0.attn_q.weight")).toEqual(w);
  });
});
