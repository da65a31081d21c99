// SPDX-License-Identifier: MIT
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { encodeLlamaGguf, encodeSafetensors, GgufError, randomLlamaWeights, tinyGpt2Tokenizer, tinyLlamaConfig } from "../ai/formats/index.ts";
import { sha256Hex } from "../sdk/content/index.ts";
import { inspectFile } from "./inspect.ts";

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
