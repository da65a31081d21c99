// SPDX-License-Identifier: MIT
/**
 * Issue 7 model-engine benchmarks (`npx tsx bench/ai-engine.ts [--quick]`), appended to bench/RESULTS.md:
 * 1. Training throughput (tokens/s) of LoRA and QLoRA (Q8_0, Q4_0) steps on the shipped base shape, on the wasm
 *    backend (with the matmul fix) vs tfjs's plain-JavaScript `cpu` backend, same shapes, same run.
 * 2. Forward tokens/s: wasm vs the plain-JS reference forward (ai/model/reference.ts) and the cpu backend.
 * 3. Peak memory (max RSS, separate child processes) of LoRA vs QLoRA on a generated ~60M-parameter base.
 * 4. The demo fine-tune (bench/ai-demo.ts writes its own section).
 */
import { spawnSync } from "node:child_process";
import { appendFileSync, readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { initBackend, tf } from "../ai/backend/index.ts";
import { LoraAdapter } from "../ai/lora/index.ts";
import { LlamaModel, Rng, expectedShapes, paramCount, trainingContext, type QuantType } from "../ai/model/index.ts";
import { referenceForward } from "../ai/model/reference.ts";
import type { LlamaConfig, Tensor, TensorMap } from "../ai/tensors/index.ts";
import { BASE_CONFIG } from "../ai/base/index.ts";

const args = process.argv.slice(2);
const child = args[0] === "--child" ? args[1] : undefined;

/** A TensorMap that generates each tensor on demand (seeded), so at most one float tensor lives in JS at a time. */
class GeneratedWeights extends Map<string, Tensor> {
  readonly #shapes: Map<string, number[]>;
  constructor(c: LlamaConfig) {
    super();
    this.#shapes = expectedShapes(c);
  }
  override keys(): MapIterator<string> {
    return this.#shapes.keys();
  }
  override get(name: string): Tensor | undefined {
    const shape = this.#shapes.get(name);
    if (!shape) return undefined;
    const n = shape.reduce((a, b) => a * b, 1);
    const rng = new Rng(name.length * 7919 + n);
    const data = new Float32Array(n);
    const norm = name.endsWith("norm.weight");
    for (let i = 0; i < n; i++) data[i] = norm ? 1 : (rng.next() - 0.5) * 0.04;
    return { shape, data };
  }
  override get size(): number {
    return this.#shapes.size;
  }
}

const BIG: LlamaConfig = { vocabSize: 4096, contextLength: 256, dim: 1024, nLayers: 5, nHeads: 16, nKvHeads: 4, ffnDim: 2816, rmsNormEps: 1e-5, ropeTheta: 10000, tiedEmbeddings: true };
const TARGETS = ["q", "k", "v", "o", "gate", "up", "down"] as const;

function batch(c: LlamaConfig, b: number, t: number, seed: number) {
  const rng = new Rng(seed);
  const ids = Int32Array.from({ length: b * t }, () => rng.int(c.vocabSize));
  return { ids: tf.tensor2d(ids, [b, t], "int32"), tg: tf.tensor2d(ids.map((x) => (x + 1) % c.vocabSize), [b, t], "int32") };
}

/** tokens/s of LoRA training steps (forward + backward + an SGD-style update of the adapters). */
function loraStepsPerSec(c: LlamaConfig, weights: TensorMap, quant: QuantType | undefined, b: number, t: number, steps: number): number {
  const m = LlamaModel.fromWeights(c, weights, { trainable: false, ...(quant ? { quantize: quant } : {}) });
  const ad = LoraAdapter.create(m, { rank: 8, alpha: 16, targets: [...TARGETS] }, 1);
  const vars = [...ad.namedVariables().values()];
  const { ids, tg } = batch(c, b, t, 3);
  const step = (s: number) => {
    const { value, grads } = tf.variableGrads(() => m.loss(ids, tg, undefined, trainingContext(s)), vars);
    for (const v of vars) v.assign(tf.tidy(() => tf.sub(v, tf.mul(grads[v.name]!, 1e-3))));
    value.dataSync();
    value.dispose();
    tf.dispose(grads);
  };
  step(0); // warm-up
  const t0 = performance.now();
  for (let s = 1; s <= steps; s++) step(s);
  const sec = (performance.now() - t0) / 1000;
  ad.dispose();
  m.dispose();
  return (steps * b * t) / sec;
}

function forwardTokPerSec(c: LlamaConfig, weights: TensorMap, t: number, reps: number): number {
  const m = LlamaModel.fromWeights(c, weights, { trainable: false });
  const toks = Array.from({ length: t }, (_, i) => (i * 31) % c.vocabSize);
  m.forwardLogits(toks);
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) m.forwardLogits(toks);
  const sec = (performance.now() - t0) / 1000;
  m.dispose();
  return (reps * t) / sec;
}

if (child) {
  // peak-memory child: one configuration per process (wasm memory never shrinks)
  await initBackend("wasm");
  const quant = child === "lora" ? undefined : (child as QuantType);
  const tokps = loraStepsPerSec(BIG, new GeneratedWeights(BIG), quant, 1, 64, 2);
  const ru = process.resourceUsage();
  console.log(JSON.stringify({ child, maxRssMB: ru.maxRSS / 1024, tokps }));
  process.exit(0);
}

const quick = args.includes("--quick");
const lines: string[] = [];
const out = (s: string) => {
  console.log(s);
  lines.push(s);
};
const base = new GeneratedWeights(BASE_CONFIG);
const B = 4;
const T = 32;
out(`\n## Issue 7: model engine\n`);
out(`Machine: ${cpus().length} x ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, shared with other jobs (load ${readFileSync("/proc/loadavg", "utf8").split(" ")[0]}). Date: ${new Date().toISOString()}. tfjs 4.22, single thread.\n`);
out(`Base shape for throughput: ${paramCount(BASE_CONFIG).toLocaleString()} params (vocab ${BASE_CONFIG.vocabSize}, dim ${BASE_CONFIG.dim}, ${BASE_CONFIG.nLayers} layers, ${BASE_CONFIG.nHeads} heads / ${BASE_CONFIG.nKvHeads} kv, ffn ${BASE_CONFIG.ffnDim}); LoRA r=8 on q,k,v,o,gate,up,down; batch ${B} x ${T} tokens. Plain-JS baseline = tfjs's pure-JavaScript \`cpu\` backend running the identical computation, measured in the same run.\n`);
out(`| measurement | wasm (ours) | plain-JS baseline | speed-up | target | met? |`);
out(`|---|---|---|---|---|---|`);
const wasmSteps = quick ? 3 : 8;
const cpuSteps = quick ? 1 : 2;
for (const q of [undefined, "q8_0", "q4_0"] as const) {
  await initBackend("wasm");
  const w = loraStepsPerSec(BASE_CONFIG, base, q, B, T, wasmSteps);
  await initBackend("cpu");
  const c = loraStepsPerSec(BASE_CONFIG, base, q, B, T, cpuSteps);
  out(`| training ${q ? `QLoRA ${q.toUpperCase()}` : "LoRA fp32"} (tokens/s) | ${w.toFixed(0)} | ${c.toFixed(1)} | ${(w / c).toFixed(1)}x | >= 5x | ${w / c >= 5 ? "yes" : "no"} |`);
}
await initBackend("wasm");
const fw = forwardTokPerSec(BASE_CONFIG, base, 128, quick ? 3 : 10);
await initBackend("cpu");
const fc = forwardTokPerSec(BASE_CONFIG, base, 128, 1);
await initBackend("wasm");
const ft0 = performance.now();
const refW: TensorMap = new Map([...base.keys()].map((k) => [k, base.get(k)!]));
referenceForward(BASE_CONFIG, refW, Array.from({ length: 32 }, (_, i) => i));
const fr = 32 / ((performance.now() - ft0) / 1000);
out(`| forward, 128-token prompt (tokens/s) | ${fw.toFixed(0)} | ${fc.toFixed(1)} (cpu backend), ${fr.toFixed(1)} (scalar reference, 32 tokens) | ${(fw / fc).toFixed(1)}x / ${(fw / fr).toFixed(1)}x | - | - |`);

// peak memory on a generated base big enough for weights to dominate
const script = fileURLToPath(import.meta.url);
const mem: Record<string, { maxRssMB: number; tokps: number }> = {};
for (const c of ["lora", "q8_0", "q4_0"]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", script, "--child", c], { encoding: "utf8", maxBuffer: 1 << 24 });
  const line = r.stdout.split("\n").find((l) => l.startsWith("{"));
  if (!line) throw new Error(`bench child ${c} failed: ${r.stderr.slice(-2000)}`);
  mem[c] = JSON.parse(line);
}
out(`\nPeak memory (max RSS of a child process doing 3 LoRA/QLoRA training steps, batch 1 x 64) on a generated base of ${paramCount(BIG).toLocaleString()} params (dim ${BIG.dim}, ${BIG.nLayers} layers, ffn ${BIG.ffnDim}, vocab ${BIG.vocabSize}; fp32 weights ${(paramCount(BIG) * 4 / 2 ** 20).toFixed(0)} MiB):\n`);
out(`| base held as | peak RSS (MiB) | vs fp32 LoRA | target | met? | tokens/s |`);
out(`|---|---|---|---|---|---|`);
for (const c of ["lora", "q8_0", "q4_0"]) {
  const ratio = mem[c]!.maxRssMB / mem.lora!.maxRssMB;
  out(`| ${c === "lora" ? "fp32 (LoRA)" : `${c.toUpperCase()} (QLoRA)`} | ${mem[c]!.maxRssMB.toFixed(0)} | ${(100 * ratio).toFixed(0)}% | ${c === "lora" ? "-" : "<= 60%"} | ${c === "lora" ? "-" : ratio <= 0.6 ? "yes" : "no"} | ${mem[c]!.tokps.toFixed(1)} |`);
}
if (!quick) appendFileSync(new URL("./RESULTS.md", import.meta.url), `${lines.join("\n")}\n`);
