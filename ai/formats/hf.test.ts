// SPDX-License-Identifier: MIT
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Tensor, TensorMap } from "../tensors/index.ts";
import {
  decodeSafetensors,
  encodeSafetensors,
  fromPeft,
  type HfArchitecture,
  HfFormatError,
  type LoraAdapter,
  mergeLora,
  permuteRopeRows,
  randomLlamaWeights,
  readHfModel,
  readPeftAdapter,
  seededRandom,
  tinyLlamaConfig,
  toHfTensors,
  toPeft,
  writeHfModel,
  writePeftAdapter,
} from "./index.ts";

const config = tinyLlamaConfig({ tiedEmbeddings: false });
const weights = randomLlamaWeights(config, 9);

function adapter(seed: number): LoraAdapter {
  const r = seededRandom(seed);
  const mk = (shape: number[]): Tensor => ({ shape, data: Float32Array.from({ length: shape[0]! * shape[1]! }, () => r() - 0.5) });
  return {
    alpha: 16,
    rank: 4,
    tensors: new Map([
      ["blk.0.attn_q.weight.lora_a", mk([4, 64])],
      ["blk.0.attn_q.weight.lora_b", mk([64, 4])],
      ["blk.1.attn_k.weight.lora_a", mk([4, 64])],
      ["blk.1.attn_k.weight.lora_b", mk([32, 4])],
      ["blk.1.ffn_up.weight.lora_a", mk([4, 64])],
      ["blk.1.ffn_up.weight.lora_b", mk([128, 4])],
    ]),
  };
}

/** q·k score after RoPE at positions (p, s) with llama.cpp's interleaved pairs (GGUF rows). */
function scoreInterleaved(q: Float32Array, k: Float32Array, p: number, s: number, theta = 10000): number {
  const d = q.length;
  let acc = 0;
  for (let j = 0; j < d / 2; j++) {
    const f = theta ** ((-2 * j) / d);
    const [qc, qs, kc, ks] = [Math.cos(p * f), Math.sin(p * f), Math.cos(s * f), Math.sin(s * f)];
    const q0 = q[2 * j]! * qc - q[2 * j + 1]! * qs;
    const q1 = q[2 * j]! * qs + q[2 * j + 1]! * qc;
    const k0 = k[2 * j]! * kc - k[2 * j + 1]! * ks;
    const k1 = k[2 * j]! * ks + k[2 * j + 1]! * kc;
    acc += q0 * k0 + q1 * k1;
  }
  return acc;
}
/** The same with Hugging Face's rotate_half (pairs j, j + d/2) on HF rows. */
function scoreRotateHalf(q: Float32Array, k: Float32Array, p: number, s: number, theta = 10000): number {
  const d = q.length;
  let acc = 0;
  for (let j = 0; j < d / 2; j++) {
    const f = theta ** ((-2 * j) / d);
    const [qc, qs, kc, ks] = [Math.cos(p * f), Math.sin(p * f), Math.cos(s * f), Math.sin(s * f)];
    const q0 = q[j]! * qc - q[j + d / 2]! * qs;
    const q1 = q[j + d / 2]! * qc + q[j]! * qs;
    const k0 = k[j]! * kc - k[j + d / 2]! * ks;
    const k1 = k[j + d / 2]! * kc + k[j]! * ks;
    acc += q0 * k0 + q1 * k1;
  }
  return acc;
}
const matvec = (w: Tensor, x: Float32Array, row0: number, rows: number): Float32Array => {
  const cols = w.shape[1]!;
  return Float32Array.from({ length: rows }, (_, r) => x.reduce((a, v, c) => a + v * w.data[(row0 + r) * cols + c]!, 0));
};

describe("Hugging Face layouts", () => {
  it.each(["llama", "mistral", "qwen2"] as HfArchitecture[])("%s: write -> read gives identical weights and config", async (arch) => {
    const dir = await mkdtemp(join(tmpdir(), `hf-${arch}-`));
    await writeHfModel(dir, config, weights, { arch, tokenizerJson: '{"version":"1.0"}' });
    expect((await readdir(dir)).sort()).toEqual(["config.json", "model.safetensors", "tokenizer.json"]);
    const cfg = JSON.parse(await readFile(join(dir, "config.json"), "utf8"));
    expect(cfg.model_type).toBe(arch);
    const back = await readHfModel(dir);
    expect(back.arch).toBe(arch);
    expect(back.config).toEqual(config);
    expect(back.tensors).toEqual(weights);
    const st = decodeSafetensors(new Uint8Array(await readFile(join(dir, "model.safetensors"))));
    expect(st.tensors.has("model.layers.1.self_attn.k_proj.weight")).toBe(true);
    expect(st.tensors.has("lm_head.weight")).toBe(true);
    expect(st.tensors.has("model.layers.0.self_attn.q_proj.bias")).toBe(arch === "qwen2");
  });

  it("permutes q/k rows so that HF's rotate_half RoPE computes what llama.cpp's interleaved RoPE computes", () => {
    const hf = toHfTensors(config, weights, "llama");
    const x = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i * 1.7));
    const y = Float32Array.from({ length: 64 }, (_, i) => Math.cos(i * 0.3));
    const hd = 16;
    const qG = matvec(weights.get("blk.0.attn_q.weight")!, x, 2 * hd, hd); // head 2
    const kG = matvec(weights.get("blk.0.attn_k.weight")!, y, 1 * hd, hd); // kv head 1 (its group)
    const qH = matvec(hf.get("model.layers.0.self_attn.q_proj.weight")!, x, 2 * hd, hd);
    const kH = matvec(hf.get("model.layers.0.self_attn.k_proj.weight")!, y, 1 * hd, hd);
    for (const [p, s] of [[5, 3], [17, 0], [40, 39]] as const) expect(scoreRotateHalf(qH, kH, p, s)).toBeCloseTo(scoreInterleaved(qG, kG, p, s), 4);
    // and it is not the identity: without the permutation the scores differ
    expect(Math.abs(scoreRotateHalf(qG, kG, 17, 0) - scoreInterleaved(qG, kG, 17, 0))).toBeGreaterThan(1e-3);
    // llama.cpp's converter permute() is the inverse
    const w = weights.get("blk.1.attn_q.weight")!;
    expect(permuteRopeRows(permuteRopeRows(w, 4, true), 4, false)).toEqual(w);
  });

  it("refuses a wrong architecture, a shape mismatch, non-zero Qwen2 biases and a missing config", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hf-bad-"));
    await writeHfModel(dir, config, weights, { arch: "qwen2" });
    const cfg = JSON.parse(await readFile(join(dir, "config.json"), "utf8"));
    await writeFile(join(dir, "config.json"), JSON.stringify({ ...cfg, model_type: "gpt_neox" }));
    await expect(readHfModel(dir)).rejects.toThrow(/wrong architecture: model_type "gpt_neox"/);
    await writeFile(join(dir, "config.json"), JSON.stringify({ ...cfg, intermediate_size: 96 }));
    await expect(readHfModel(dir)).rejects.toThrow(/shape mismatch for blk.0.ffn_gate.weight/);
    await writeFile(join(dir, "config.json"), JSON.stringify(cfg));
    const st = decodeSafetensors(new Uint8Array(await readFile(join(dir, "model.safetensors"))));
    st.tensors.get("model.layers.1.self_attn.v_proj.bias")!.data[0] = 0.5;
    await writeFile(join(dir, "model.safetensors"), encodeSafetensors(st.tensors));
    await expect(readHfModel(dir)).rejects.toThrow(/v_proj.bias is non-zero/);
    await expect(readHfModel(join(dir, "nope"))).rejects.toThrow(HfFormatError);
  });
});

describe("PEFT LoRA export / import", () => {
  it("round-trips an adapter through adapter_config.json + adapter_model.safetensors with PEFT names", async () => {
    const a = adapter(4);
    const dir = await mkdtemp(join(tmpdir(), "peft-"));
    await writePeftAdapter(dir, config, a, { baseModel: "lineage/tiny", dropout: 0.05 });
    const cfg = JSON.parse(await readFile(join(dir, "adapter_config.json"), "utf8"));
    expect(cfg).toMatchObject({ peft_type: "LORA", task_type: "CAUSAL_LM", r: 4, lora_alpha: 16, lora_dropout: 0.05, target_modules: ["q_proj", "k_proj", "up_proj"], bias: "none" });
    const st = decodeSafetensors(new Uint8Array(await readFile(join(dir, "adapter_model.safetensors"))));
    expect([...st.tensors.keys()].sort()).toEqual([
      "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight",
      "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight",
      "base_model.model.model.layers.1.mlp.up_proj.lora_A.weight",
      "base_model.model.model.layers.1.mlp.up_proj.lora_B.weight",
      "base_model.model.model.layers.1.self_attn.k_proj.lora_A.weight",
      "base_model.model.model.layers.1.self_attn.k_proj.lora_B.weight",
    ]);
    expect(await readPeftAdapter(dir, config)).toEqual(a);
  });

  it("permutes lora_B of q/k so that merging in HF layout equals the HF layout of the merged model", () => {
    const a = adapter(5);
    const { tensors: peft } = toPeft(config, a);
    const hfBase = toHfTensors(config, weights, "llama");
    const hfMergedExpected = toHfTensors(config, mergeLora(weights, a), "llama");
    for (const mod of ["model.layers.0.self_attn.q_proj", "model.layers.1.self_attn.k_proj"]) {
      const w = hfBase.get(`${mod}.weight`)!;
      const A = peft.get(`base_model.model.${mod}.lora_A.weight`)!;
      const B = peft.get(`base_model.model.${mod}.lora_B.weight`)!;
      const [out, inp] = w.shape as [number, number];
      const merged = w.data.slice();
      for (let o = 0; o < out; o++) for (let i = 0; i < inp; i++) for (let k = 0; k < 4; k++) merged[o * inp + i] = merged[o * inp + i]! + 4 * B.data[o * 4 + k]! * A.data[k * inp + i]!;
      const exp = hfMergedExpected.get(`${mod}.weight`)!.data;
      let maxDiff = 0;
      for (let i = 0; i < merged.length; i++) maxDiff = Math.max(maxDiff, Math.abs(merged[i]! - exp[i]!));
      expect(maxDiff).toBeLessThan(1e-5);
    }
  });

  it("folds rsLoRA scaling into alpha and refuses what llama.cpp cannot run", () => {
    const { tensors, adapterConfig } = toPeft(config, adapter(6));
    expect(fromPeft(config, { ...adapterConfig, use_rslora: true }, tensors).alpha).toBeCloseTo(16 * 2, 6);
    expect(() => fromPeft(config, { ...adapterConfig, peft_type: "IA3" }, tensors)).toThrow(/peft_type/);
    expect(() => fromPeft(config, { ...adapterConfig, use_dora: true }, tensors)).toThrow(/DoRA/);
    expect(() => fromPeft(config, { ...adapterConfig, r: 8 }, tensors)).toThrow(/shape mismatch/);
    const extra: TensorMap = new Map(tensors);
    extra.set("base_model.model.lm_head.lora_A.weight", { shape: [4, 64], data: new Float32Array(256) });
    expect(() => fromPeft(config, adapterConfig, extra)).toThrow(/unexpected PEFT tensor/);
    expect(() => fromPeft(tinyLlamaConfig({ dim: 128, ffnDim: 256 }), adapterConfig, tensors)).toThrow(/shape mismatch/);
  });
});
