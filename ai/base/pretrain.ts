// SPDX-License-Identifier: MIT
/**
 * Reproducible pre-training of the shipped tiny base (`npx tsx ai/base/pretrain.ts`).
 * Seeded end to end: tokenizer training (deterministic), batches (a function of seed and step), init, dropout-free.
 * Resumable: a checkpoint in --work is picked up on restart and continues bit-identically.
 * Output: ai/base/lineage-tiny.lnck (weights + config + tokenizer); see ai/base/index.ts for loading.
 */
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { initBackend } from "../backend/index.ts";
import { LlamaModel, paramCount } from "../model/index.ts";
import { ByteBpeTokenizer } from "../tokenizer/index.ts";
import { TokenStreamData, Trainer } from "../train/index.ts";
import { CORPUS_LICENCES, sotuTexts, wordnetGlosses } from "./corpus.ts";
import { BASE_CONFIG, BASE_TRAIN, saveBase } from "./index.ts";

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    steps: { type: "string", default: String(BASE_TRAIN.steps) },
    "stop-at": { type: "string", default: String(BASE_TRAIN.stopAtStep) },
    out: { type: "string", default: join(here, "lineage-tiny.gguf") },
    work: { type: "string", default: join(here, "../../.lineage/pretrain") },
  },
});
const steps = Number(values.steps);
await initBackend("wasm");
mkdirSync(values.work!, { recursive: true });
const log = (...a: unknown[]) => console.log(new Date().toISOString(), ...a);

const sotu = sotuTexts();
const glosses = wordnetGlosses();
log(`corpus: ${sotu.length} SOTU addresses, ${glosses.length} WordNet glosses`, CORPUS_LICENCES);
// tokenizer on a deterministic third of the corpus
const tok = ByteBpeTokenizer.train([...sotu.filter((_, i) => i % 3 === 0), glosses.filter((_, i) => i % 3 === 0).join("\n")], { vocabSize: BASE_CONFIG.vocabSize });
log(`tokenizer: ${tok.vocabSize} tokens, ${tok.merges().length} merges`);
// interleave documents deterministically: SOTU addresses and blocks of 500 glosses, each ending in eos
const docs: string[] = [...sotu];
for (let i = 0; i < glosses.length; i += 500) docs.push(glosses.slice(i, i + 500).join("\n"));
const order = docs.map((_, i) => i).sort((a, b) => ((a * 2654435761) >>> 0) - ((b * 2654435761) >>> 0));
const ids: number[] = [];
for (const i of order) ids.push(...tok.encode(docs[i]!, { eos: true }));
log(`tokens: ${ids.length}`);
const data = new TokenStreamData(Int32Array.from(ids), { batchSize: BASE_TRAIN.batchSize, seqLen: BASE_TRAIN.seqLen, evalFraction: 0.01, evalBatches: 4 });

const model = LlamaModel.create(BASE_CONFIG, { seed: BASE_TRAIN.seed });
log(`model: ${paramCount(BASE_CONFIG)} params`, BASE_CONFIG);
const trainer = new Trainer(model, model.namedVariables(), data, {
  steps,
  stopAtStep: Number(values["stop-at"]),
  lr: BASE_TRAIN.lr,
  minLr: BASE_TRAIN.minLr,
  warmupSteps: BASE_TRAIN.warmupSteps,
  weightDecay: BASE_TRAIN.weightDecay,
  beta2: 0.95,
  gradClip: 1,
  evalEvery: 50,
  seed: BASE_TRAIN.seed,
  checkpointEvery: 10,
  checkpointPath: join(values.work!, "pretrain.ckpt"),
});
if (existsSync(join(values.work!, "pretrain.ckpt"))) {
  trainer.loadCheckpoint(join(values.work!, "pretrain.ckpt"));
  log(`resumed at step ${trainer.step}`);
}
trainer.on("progress", (p) => {
  if (p.step % 5 === 0 || p.evalLoss !== undefined) {
    log(`step ${p.step}/${p.totalSteps} loss ${p.loss.toFixed(3)}${p.evalLoss !== undefined ? ` eval ${p.evalLoss.toFixed(3)}` : ""} lr ${p.lr.toExponential(2)} ${p.tokensPerSec.toFixed(0)} tok/s eta ${(p.etaSec / 60).toFixed(1)} min`);
  }
});
const r = trainer.run();
log(`done: ${r.steps} steps, final loss ${r.finalLoss.toFixed(3)}, eval ${r.bestEvalLoss?.toFixed(3)}`);
await saveBase(values.out!, model.config, model.exportWeights(), tok, { steps: r.steps, evalLoss: r.bestEvalLoss ?? null, tokens: ids.length, corpus: CORPUS_LICENCES, train: { ...BASE_TRAIN, steps, stopAtStep: Number(values["stop-at"]) } });
log(`wrote ${values.out}`);
