// SPDX-License-Identifier: MIT
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { encodeLlamaGguf, encodeSafetensors, GgufError, randomLlamaWeights, tinyGpt2Tokenizer, tinyLlamaConfig } from "../ai/formats/index.ts";
import { sha256Hex } from "../sdk/content/index.ts";
import { InspectError, inspectFile } from "./inspect.ts";

it("inspects GGUF and safetensors files, and refuses corrupt ones", async () => {
  const dir = await mkdtemp(join(tmpdir(), "inspect-"));
  const c = tinyLlamaConfig();
  const gguf = encodeLlamaGguf(c, randomLlamaWeights(c), tinyGpt2Tokenizer(), { fileType: "Q8_0" });
  await writeFile(join(dir, "m.gguf"), gguf);
  const r = await inspectFile(join(dir, "m.gguf"));
  expect(r).toMatchObject({ format: "gguf", digest: sha256Hex(gguf), bytes: gguf.length });
  expect(r.metadata["general.architecture"]).toBe("llama");
  expect(r.metadata["tokenizer.ggml.tokens"]).toBe("[string x 263]");
  expect(r.tensors.find((t) => t.name === "blk.0.attn_q.weight")).toEqual({ name: "blk.0.attn_q.weight", shape: [64, 64], type: "Q8_0" });
  await writeFile(join(dir, "w.safetensors"), encodeSafetensors(new Map([["x", { shape: [2], data: new Float32Array([1, 2]) }]]), { dtype: "F16" }));
  expect((await inspectFile(join(dir, "w.safetensors"))).tensors).toEqual([{ name: "x", shape: [2], type: "F16" }]);
  await writeFile(join(dir, "bad.gguf"), gguf.subarray(0, 100));
  await expect(inspectFile(join(dir, "bad.gguf"))).rejects.toBeInstanceOf(GgufError);
});

it("says a non-model file is neither GGUF nor safetensors (no header length read from text)", async () => {
  const dir = await mkdtemp(join(tmpdir(), "inspect-"));
  for (const [name, body] of [["notes.txt", "hello, this is a plain text file and not a model at all\n"], ["tiny", "x"], ["data.jsonl", '{"prompt":"a","response":"b"}\n']] as const) {
    await writeFile(join(dir, name), body);
    const err = await inspectFile(join(dir, name)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InspectError);
    expect((err as Error).message).toMatch(/is not a model file: neither GGUF .* nor safetensors/);
    expect((err as Error).message).not.toMatch(/\d{12,}/);
  }
});
