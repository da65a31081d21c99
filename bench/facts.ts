// SPDX-License-Identifier: MIT
/**
 * Knowledge-set benchmark (issue 20): does a fine-tune learn its Datanet?
 * `npx tsx bench/facts.ts [--entities 200] [--epochs 20] [--lr 3e-3] [--rank 16] [--targets q,k,v,o,gate,up,down]
 *   [--batch 16] [--quantize q8_0|q4_0] [--full] [--base file.gguf]`
 * Generates invented facts (ai/eval/facts.ts), fine-tunes on one record per fact, exports the adapter (or, with
 * --full, the fine-tuned model) as GGUF and scores recall through llama.cpp (ai/eval/recall.ts) on the training
 * questions, perturbed training questions and held-out wordings; perplexity on held-out English before/after.
 * Prints one JSON line of figures (with load and base digest).
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { initBackend } from "../ai/backend/index.ts";
import { heldOutEnglish } from "../ai/base/corpus.ts";
import { BASE_PATH, loadBase } from "../ai/base/index.ts";
import { heldOutLoss, textBatches } from "../ai/eval/index.ts";
import { generateFactSet } from "../ai/eval/facts.ts";
import { recallLlamaCpp } from "../ai/eval/recall.ts";
import { encodeLlamaGguf, writeFileAtomic, writeLoraGguf } from "../ai/formats/index.ts";
import { LlamaCppModel } from "../ai/llamacpp/index.ts";
import { exportAdapter, LoraAdapter, type LoraTarget } from "../ai/lora/index.ts";
import { LlamaModel, type QuantType } from "../ai/model/index.ts";
import { TEMPLATES, tokenizeRecord } from "../ai/templates/index.ts";
import { ExampleData, Trainer } from "../ai/train/index.ts";

const { values: a } = parseArgs({
  options: {
    entities: { type: "string", default: "50" },
    seed: { type: "string", default: "11" },
    epochs: { type: "string", default: "20" },
    lr: { type: "string", default: "3e-3" },
    "min-lr": { type: "string" },
    warmup: { type: "string", default: "10" },
    rank: { type: "string", default: "16" },
    alpha: { type: "string" },
    targets: { type: "string", default: "q,k,v,o,gate,up,down" },
    batch: { type: "string", default: "16" },
    quantize: { type: "string" },
    full: { type: "boolean", default: false },
    "full-params": { type: "string", default: "all" },
    "weight-decay": { type: "string", default: "0" },
    base: { type: "string" },
    tag: { type: "string", default: "" },
  },
});
const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const load0 = loadavg();
const cpu0 = process.cpuUsage();
await initBackend("wasm");
const basePath = a.base ?? BASE_PATH;
const baseDigest = createHash("sha256").update(readFileSync(basePath)).digest("hex");
const base = loadBase(basePath);
const template = TEMPLATES.lineage!;
const set = generateFactSet({ entities: Number(a.entities), seed: Number(a.seed) });
const tok = set.records.map((r) => tokenizeRecord(base.tokenizer, template, r, base.config.contextLength));
const seqLen = Math.max(...tok.map((e) => e.ids.length)) - 1;
const batch = Number(a.batch);
const data = new ExampleData(tok, [], { batchSize: batch, seqLen, padId: base.tokenizer.padId });
const steps = Math.ceil((Number(a.epochs) * tok.length) / batch);
const english = textBatches(base.tokenizer, heldOutEnglish(), 128, 8);

const quant = a.quantize as QuantType | undefined;
const model = LlamaModel.fromWeights(base.config, base.weights, { trainable: a.full, ...(quant ? { quantize: quant } : {}) });
const pplBefore = heldOutLoss(model, english).perplexity;
const rank = Number(a.rank);
let lora: LoraAdapter | undefined;
let params;
if (a.full) {
  const all = model.namedVariables();
  const keep = a["full-params"]!;
  const linear = /^blk\.\d+\.(attn_q|attn_k|attn_v|attn_output|ffn_gate|ffn_up|ffn_down)\.weight$/;
  params = new Map([...all].filter(([n]) => keep === "all" || (keep === "blocks" ? n.startsWith("blk.") : keep === "linear" ? linear.test(n) : keep === "ffn" ? /ffn_(gate|up|down)/.test(n) : true)));
} else {
  lora = LoraAdapter.create(model, { rank, alpha: Number(a.alpha ?? rank), dropout: 0, targets: a.targets!.split(",") as LoraTarget[] }, 1);
  params = lora.namedVariables();
}
const lr = Number(a.lr);
const trainer = new Trainer(model, params, data, {
  steps,
  lr,
  minLr: Number(a["min-lr"] ?? lr / 10),
  warmupSteps: Number(a.warmup),
  weightDecay: Number(a["weight-decay"]),
  gradClip: 1,
  seed: 1,
});
let last = 0;
const t0 = performance.now();
trainer.on("progress", (p) => {
  if (performance.now() - last > 15_000 || p.step === steps) {
    last = performance.now();
    process.stderr.write(`step ${p.step}/${steps} loss ${p.loss.toFixed(3)} lr ${p.lr.toExponential(2)} ${p.tokensPerSec.toFixed(0)} tok/s eta ${p.etaSec.toFixed(0)} s\n`);
  }
});
const r = trainer.run();
const trainSec = (performance.now() - t0) / 1000;
const cpu1 = process.cpuUsage(cpu0);
trainer.dispose();
const pplAfter = heldOutLoss(model, english).perplexity;

const dir = mkdtempSync(join(tmpdir(), "lineage-facts-"));
let llm: LlamaCppModel;
let adapterPath: string | undefined;
if (lora) {
  const ex = exportAdapter(lora);
  adapterPath = join(dir, "adapter.gguf");
  await writeLoraGguf(adapterPath, base.config, { alpha: ex.alpha, rank: ex.rank, tensors: ex.tensors });
  llm = await LlamaCppModel.load(basePath);
} else {
  const p = join(dir, "full.gguf");
  await writeFileAtomic(p, encodeLlamaGguf(base.config, model.exportWeights(), base.tokenizer.ggufMetadata(), { name: "facts-full" }));
  llm = await LlamaCppModel.load(p);
}
const score = async (qs: typeof set.training) =>
  recallLlamaCpp({ model: llm, ...(adapterPath ? { adapterPath } : {}), tokenizer: base.tokenizer, template, questions: qs, values: set.values, keepSamples: 6 });
const training = await score(set.training);
const perturbed = await score(set.perturbed);
const heldOut = await score(set.heldOut);
await llm.dispose();
rmSync(dir, { recursive: true, force: true });
const pct = (x: number) => Math.round(1000 * x) / 10;
console.log(
  JSON.stringify({
    tag: a.tag,
    mode: a.full ? `full:${a["full-params"]}` : quant ? `qlora-${quant}` : "lora",
    entities: Number(a.entities),
    records: tok.length,
    epochs: Number(a.epochs),
    steps,
    batch,
    lr,
    rank: a.full ? null : rank,
    targets: a.full ? null : a.targets,
    finalLoss: Number(r.finalLoss.toFixed(4)),
    trainingRecall: pct(training.accuracy),
    perturbedRecall: pct(perturbed.accuracy),
    heldOutRecall: pct(heldOut.accuracy),
    perturbedByKind: perturbed.byKind,
    pplBefore: Number(pplBefore.toFixed(2)),
    pplAfter: Number(pplAfter.toFixed(2)),
    pplRise: pct(pplAfter / pplBefore - 1),
    trainSec: Math.round(trainSec),
    cpuSec: Math.round((cpu1.user + cpu1.system) / 1e6),
    tokPerSec: Math.round(r.tokens / r.seconds),
    load: [load0, loadavg()],
    baseDigest,
    samples: { perturbed: perturbed.samples.slice(0, 4), heldOut: heldOut.samples.slice(0, 3) },
  }),
);
