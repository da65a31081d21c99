// SPDX-License-Identifier: MIT
/**
 * The demo fine-tune (`npx tsx bench/ai-demo.ts [--base file.gguf] [--qlora q4_0] [--no-write]`): LoRA on the shipped base over the generated
 * Datanet-registry Q/A domain (ai/eval/domain.ts); reports wall time, exact match before/after on held-out questions,
 * held-out loss/perplexity, and the plain-JS (tfjs cpu backend) time of the same steps, measured in the same run.
 * Appends to bench/RESULTS.md.
 */
import { appendFileSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { initBackend, tf } from "../ai/backend/index.ts";
import { loadBase } from "../ai/base/index.ts";
import { LoraAdapter } from "../ai/lora/index.ts";
import { LlamaModel, trainingContext, type QuantType } from "../ai/model/index.ts";
import { TEMPLATES, tokenizeRecord } from "../ai/templates/index.ts";
import { ExampleData } from "../ai/train/data.ts";
import { DEMO, demoFineTuneOptions, fineTuneLora } from "../ai/train/finetune.ts";

const { values } = parseArgs({ options: { base: { type: "string" }, qlora: { type: "string" }, lr: { type: "string" }, "lr-b-scale": { type: "string" }, "no-write": { type: "boolean", default: false } } });
const lrBScale = Number(values["lr-b-scale"] ?? 1);
const trainCfg = { ...DEMO.train, ...(values.lr ? { lr: Number(values.lr) } : {}), ...(lrBScale !== 1 ? { lrScale: (n: string) => (n.endsWith("lora_b") ? lrBScale : 1) } : {}) };
const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const load0 = loadavg();
await initBackend("wasm");
const base = loadBase(values.base);
const quant = values.qlora as QuantType | undefined;
let lastLog = 0;
const options = demoFineTuneOptions(base, {
  ...(quant ? { quantize: quant } : {}),
  trainConfig: trainCfg,
  onProgress: (p) => {
    if (p.evalLoss !== undefined || performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      console.log(`step ${p.step}/${p.totalSteps} loss ${p.loss.toFixed(3)}${p.evalLoss !== undefined ? ` eval ${p.evalLoss.toFixed(3)}` : ""} ${p.tokensPerSec.toFixed(0)} tok/s eta ${p.etaSec.toFixed(0)} s`);
    }
  },
});
const { train } = options;
const t0 = performance.now();
const r = fineTuneLora(options);
const wall = (performance.now() - t0) / 1000;
const load1 = loadavg();
const stepsRun = r.result.steps;
const tokPerStep = r.result.tokens / stepsRun;
r.model.dispose();
r.lora?.dispose();

// plain-JS baseline: the same LoRA training step (same batch shape) on tfjs's cpu backend, 2 steps, extrapolated
await initBackend("cpu");
const m = LlamaModel.fromWeights(base.config, base.weights, { trainable: false });
const ad = LoraAdapter.create(m, DEMO.lora, 1);
const toks = train.map((x) => tokenizeRecord(base.tokenizer, TEMPLATES.lineage!, x, base.config.contextLength));
const seqLen = Math.max(...toks.map((e) => e.ids.length)) - 1;
const data = new ExampleData(toks, [], { batchSize: DEMO.batchSize, seqLen, padId: base.tokenizer.padId });
const vars = [...ad.namedVariables().values()];
const c0 = performance.now();
for (let s = 0; s < 2; s++) {
  const b = data.trainBatch(1, s, 0);
  const ids = tf.tensor2d(b.ids, [b.b, b.t], "int32");
  const tg = tf.tensor2d(b.targets, [b.b, b.t], "int32");
  const w = tf.tensor2d(b.weights, [b.b, b.t]);
  const { value, grads } = tf.variableGrads(() => m.loss(ids, tg, w, trainingContext(s)), vars);
  value.dataSync();
  tf.dispose([value, ids, tg, w, ...Object.values(grads)]);
}
const cpuStepSec = (performance.now() - c0) / 1000 / 2;
const wasmStepSec = r.result.seconds / stepsRun;

const em0 = r.before.exactMatch!;
const em1 = r.after.exactMatch!;
const lines = [
  `\nDemo fine-tune (${quant ? `QLoRA ${quant.toUpperCase()}` : "LoRA"} r=${DEMO.lora.rank}, alpha ${DEMO.lora.alpha}, targets ${DEMO.lora.targets.join(",")}; ${r.trainRecords} generated training questions, ${r.evalRecords} held-out questions with unseen names; ${stepsRun} steps of batch ${DEMO.batchSize} (~${tokPerStep.toFixed(0)} tokens/step), lr ${trainCfg.lr} cosine to ${trainCfg.minLr}${lrBScale !== 1 ? ` (x${lrBScale} for lora_b)` : ""}; base ${values.base ?? "ai/base/lineage-tiny.gguf"} (${String(base.info.steps ?? "?")} pre-training steps, eval loss ${typeof base.info.evalLoss === "number" ? base.info.evalLoss.toFixed(3) : "?"}); ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), load average ${load0} at start, ${load1} after training; ${new Date().toISOString()}):\n`,
  `| measurement | value | target | met? |`,
  `|---|---|---|---|`,
  `| exact match on held-out questions, base -> fine-tuned | ${(100 * em0.accuracy).toFixed(1)}% -> ${(100 * em1.accuracy).toFixed(1)}% (${em1.correct}/${em1.total}) | >= 90% | ${em1.accuracy >= 0.9 ? "yes" : "no"} |`,
  `| held-out answer loss / perplexity, base -> fine-tuned | ${r.before.loss!.loss.toFixed(3)} / ${r.before.loss!.perplexity.toFixed(1)} -> ${r.after.loss!.loss.toFixed(3)} / ${r.after.loss!.perplexity.toFixed(2)} | - | - |`,
  `| wall time, end to end (load, eval before, train, eval after) | ${wall.toFixed(0)} s | < 300 s | ${wall < 300 ? "yes" : "no"} |`,
  `| training step time: wasm vs plain-JS (cpu backend, measured on 2 steps) | ${wasmStepSec.toFixed(2)} s vs ${cpuStepSec.toFixed(1)} s (${(cpuStepSec / wasmStepSec).toFixed(1)}x); the plain-JS run would need ~${((cpuStepSec * stepsRun) / 60).toFixed(0)} min of training | >= 5x | ${cpuStepSec / wasmStepSec >= 5 ? "yes" : "no"} |`,
];
console.log(lines.join("\n"));
console.log(em1.samples.slice(0, 5));
if (!values["no-write"]) appendFileSync(new URL("./RESULTS.md", import.meta.url), `${lines.join("\n")}\n`);
