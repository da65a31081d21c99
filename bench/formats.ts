// SPDX-License-Identifier: MIT
/**
 * Benchmarks for issue 7 part B (formats and serving files): GGUF and safetensors encode/decode throughput per
 * dtype, llama.cpp model load and adapter-switch time on our files, content store and gateway throughput.
 * Run: `npx tsx bench/formats.ts` (prints a markdown section for bench/RESULTS.md).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { encodeLlamaGguf, decodeLlamaGguf, encodeSafetensors, decodeSafetensors, type LlamaFileType, randomLlamaWeights, tinyGpt2Tokenizer, tinyLlamaConfig, writeLlamaGguf, writeLoraGguf, seededRandom, type LoraAdapter } from "../ai/formats/index.ts";
import { getRuntime, LlamaCppModel } from "../ai/llamacpp/index.ts";
import { FsContentStore, HttpContentStore, startGateway } from "../sdk/content/index.ts";
import { numel, type TensorMap } from "../ai/tensors/index.ts";

const now = () => performance.now();
function best(n: number, f: () => void): number {
  let b = Infinity;
  for (let i = 0; i < n; i++) {
    const t = now();
    f();
    b = Math.min(b, now() - t);
  }
  return b;
}
async function bestAsync(n: number, f: () => Promise<unknown>): Promise<number> {
  let b = Infinity;
  for (let i = 0; i < n; i++) {
    const t = now();
    await f();
    b = Math.min(b, now() - t);
  }
  return b;
}
const mbps = (bytes: number, ms: number) => (bytes / 1e6 / (ms / 1000)).toFixed(0);

// a ~25M-parameter llama (vocab 263, dim 512, 8 layers, ffn 1408): ~100 MB as F32
const config = tinyLlamaConfig({ dim: 512, nLayers: 8, nHeads: 8, nKvHeads: 4, ffnDim: 1408, contextLength: 256 });
const weights = randomLlamaWeights(config, 1);
const floats = [...weights.values()].reduce((a, t) => a + numel(t.shape), 0);
const tok = tinyGpt2Tokenizer();
const lines: string[] = [];
const row = (...c: (string | number)[]) => lines.push(`| ${c.join(" | ")} |`);

lines.push(`Model: ${(floats / 1e6).toFixed(1)}M parameters (${((floats * 4) / 1e6).toFixed(0)} MB as F32). Best of 3; throughput counted on F32-equivalent bytes (4 B/param).`, "");
lines.push("| operation | dtype | file MB | ms | MB/s (F32-equiv.) |", "|---|---|---|---|---|");
for (const ft of ["F32", "F16", "Q8_0", "Q4_0"] as LlamaFileType[]) {
  let bytes: Uint8Array = new Uint8Array();
  const w = best(3, () => (bytes = encodeLlamaGguf(config, weights, tok, { fileType: ft })));
  const r = best(3, () => decodeLlamaGguf(bytes));
  row("GGUF encode", ft, (bytes.length / 1e6).toFixed(1), w.toFixed(0), mbps(floats * 4, w));
  row("GGUF decode (validate + dequantise)", ft, (bytes.length / 1e6).toFixed(1), r.toFixed(0), mbps(floats * 4, r));
}
const hfLike: TensorMap = weights;
for (const dt of ["F32", "F16", "BF16"] as const) {
  let bytes: Uint8Array = new Uint8Array();
  const w = best(3, () => (bytes = encodeSafetensors(hfLike, { dtype: dt })));
  const r = best(3, () => decodeSafetensors(bytes));
  row("safetensors encode", dt, (bytes.length / 1e6).toFixed(1), w.toFixed(0), mbps(floats * 4, w));
  row("safetensors decode", dt, (bytes.length / 1e6).toFixed(1), r.toFixed(0), mbps(floats * 4, r));
}

// llama.cpp: load time and adapter switching on the tiny model (dim 64)
const dir = await mkdtemp(join(tmpdir(), "bench-formats-"));
const small = tinyLlamaConfig();
await writeLlamaGguf(join(dir, "base.gguf"), small, randomLlamaWeights(small, 2), tok);
await writeLlamaGguf(join(dir, "big.gguf"), config, weights, tok, { fileType: "F16" });
const adapter = (seed: number): LoraAdapter => {
  const r = seededRandom(seed);
  const t: TensorMap = new Map();
  for (let l = 0; l < small.nLayers; l++) {
    t.set(`blk.${l}.attn_q.weight.lora_a`, { shape: [8, 64], data: Float32Array.from({ length: 512 }, () => r() - 0.5) });
    t.set(`blk.${l}.attn_q.weight.lora_b`, { shape: [64, 8], data: Float32Array.from({ length: 512 }, () => r() - 0.5) });
  }
  return { alpha: 16, rank: 8, tensors: t };
};
for (let i = 0; i < 8; i++) await writeLoraGguf(join(dir, `a${i}.gguf`), small, adapter(i));
let t0 = now();
await getRuntime();
const runtime = now() - t0;
t0 = now();
const m = await LlamaCppModel.load(join(dir, "base.gguf"));
const loadSmall = now() - t0;
t0 = now();
const big = await LlamaCppModel.load(join(dir, "big.gguf"));
const loadBig = now() - t0;
await big.dispose();
const prompt = [72, 101, 108, 108, 111];
await m.nextTokenLogits(prompt);
const baseEval = await bestAsync(5, () => m.nextTokenLogits(prompt));
// first use of each adapter: validate + content-address + new context + evaluate
const switches: number[] = [];
for (let i = 0; i < 8; i++) {
  const t = now();
  await m.nextTokenLogits(prompt, { path: join(dir, `a${i}.gguf`) });
  switches.push(now() - t);
}
const warm = await bestAsync(5, () => m.nextTokenLogits(prompt, { path: join(dir, "a3.gguf") }));
await m.dispose();
switches.sort((a, b) => a - b);
lines.push("", "| llama.cpp (node-llama-cpp 3.22.1, CPU, 1 thread) | ms |", "|---|---|");
lines.push(`| load the llama.cpp runtime (getLlama, prebuilt CPU binary) | ${runtime.toFixed(0)} |`);
lines.push(`| load tiny base GGUF (dim 64, 2 layers), incl. our validation | ${loadSmall.toFixed(0)} |`);
lines.push(`| load ${(floats / 1e6).toFixed(0)}M-param F16 GGUF | ${loadBig.toFixed(0)} |`);
lines.push(`| next-token logits, 5-token prompt, base context (warm) | ${baseEval.toFixed(1)} |`);
lines.push(`| adapter switch: first use of a new adapter (validate + digest + new context + eval), median of 8 | ${switches[4]!.toFixed(1)} |`);
lines.push(`| same adapter again (cached validation and context) + eval | ${warm.toFixed(1)} |`);

// content store and gateway
const store = new FsContentStore(join(dir, "data"));
const blob = new Uint8Array(16 * 1024 * 1024).map((_, i) => (i * 2654435761) >>> 24);
const variants = [1, 2, 3].map((k) => {
  const v = blob.slice();
  v[0] = k;
  return v;
});
let vi = 0;
const put = await bestAsync(3, () => store.put(variants[vi++]!));
const { cid } = await store.put(blob);
const get = await bestAsync(3, () => store.get(cid));
const gw = await startGateway({ store });
const http = new HttpContentStore(gw.url);
const hget = await bestAsync(3, () => http.get(cid));
const small1k = await store.put(new Uint8Array(1024).fill(7));
const n = 200;
t0 = now();
for (let i = 0; i < n; i++) await http.get(small1k.cid);
const perReq = (now() - t0) / n;
await gw.close();
lines.push("", "| content store | result |", "|---|---|");
lines.push(`| put 16 MiB (hash + fsync + rename) | ${mbps(blob.length, put)} MB/s |`);
lines.push(`| get 16 MiB (read + verify sha2-256) | ${mbps(blob.length, get)} MB/s |`);
lines.push(`| gateway GET 16 MiB over loopback, client-verified | ${mbps(blob.length, hget)} MB/s |`);
lines.push(`| gateway GET 1 KiB, sequential | ${perReq.toFixed(2)} ms/request |`);
await rm(dir, { recursive: true, force: true });

console.log(`### Issue 7: formats and serving files\n\nMachine: ${cpus().length} x ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}. Date: ${new Date().toISOString().slice(0, 16)} UTC. Command: \`npx tsx bench/formats.ts\`.\n\n${lines.join("\n")}\n`);
