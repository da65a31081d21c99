// SPDX-License-Identifier: MIT
/**
 * Keepers' figures: records per CPU-second for each method at 1,000 receipts (and the sample rate that lets one
 * machine attribute an epoch of 1,000,000 receipts within the epoch), determinism across two processes and two data
 * directories (byte-identical records), and RAG (the cited contribution holds the answer).
 *   npx tsx bench/attribution/keepers.ts [--receipts 1000] [--corpus-per 20] [--only throughput|determinism|rag]
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { attributeBatch, type MethodName, type ModelContext, qualityDocument, sampleRateFor, buildSpanIndex, GradientAttributor } from "../../ai/attribution/index.ts";
import { corpusOf, HARNESS_LORA } from "../../ai/attribution/harness/experiments.ts";
import { factCorpus } from "../../ai/attribution/harness/facts.ts";
import { sentenceTasks } from "../../ai/attribution/harness/tasks.ts";
import { initBackend, tf } from "../../ai/backend/index.ts";
import { loadBase } from "../../ai/base/index.ts";
import { writeLoraGguf } from "../../ai/formats/index.ts";
import { LoraAdapter } from "../../ai/lora/index.ts";
import { LlamaModel } from "../../ai/model/index.ts";
import { buildRagPrompt, RagIndex } from "../../ai/retrieval/index.ts";
import { TEMPLATES } from "../../ai/templates/index.ts";
import { arg, cpuMs, load } from "./util.ts";

await initBackend("wasm");
const only = arg("only", "all");
const base = loadBase();
const tok = base.tokenizer;
const ZERO = `0x${"0".repeat(64)}` as const;
const out: Record<string, unknown> = {};
// the corpus of the throughput run: 10 tasks x `corpus-per` records (900 = the class-identification size)
const { train, test } = sentenceTasks(5, Number(arg("corpus-per", "20")), 100);
const corpus = corpusOf(train);

function randomAdapter(): { model: LlamaModel; lora: LoraAdapter } {
  const model = LlamaModel.fromWeights(base.config, base.weights, { trainable: false });
  const lora = LoraAdapter.create(model, HARNESS_LORA, 5);
  for (const [name, v] of lora.namedVariables()) if (name.endsWith("lora_b")) v.assign(tf.randomNormal(v.shape, 0, 0.02, "float32", 9));
  return { model, lora };
}

if (only === "all" || only === "throughput") {
  const n = Number(arg("receipts", "1000"));
  const exchanges = Array.from({ length: n }, (_, i) => test[i % test.length]!);
  const { model, lora } = randomAdapter();
  const quality = qualityDocument({ modelId: 1n, adapterDigest: ZERO, corpus, suspicions: [] });
  const c0 = cpuMs();
  const gradient = await GradientAttributor.build({ model, lora, tokenizer: tok, template: TEMPLATES.lineage!, corpus, adapterDigest: ZERO, baseDigest: ZERO });
  const cacheCpuMs = cpuMs() - c0;
  const s0 = cpuMs();
  const spanIndex = buildSpanIndex(corpus, tok);
  const spanBuildCpuMs = cpuMs() - s0;
  const rates: Record<string, unknown> = {};
  for (const method of ["spans", "datainf", "trak"] as MethodName[]) {
    const ctx: ModelContext = { modelId: 1n, adapterDigest: ZERO, corpus, quality, tokenizer: tok, method, spanIndex, gradient };
    const jobs = exchanges.map((e, i) => ({ receipt: `0x${(i + 1).toString(16).padStart(64, "0")}` as `0x${string}`, modelId: 1n, exchange: { prompt: e.prompt, response: e.response } }));
    const l0 = load();
    const t0 = cpuMs();
    const w0 = performance.now();
    await attributeBatch(new Map([[1n, ctx]]), jobs, { concurrency: 4 });
    const cpu = cpuMs() - t0;
    const perSec = n / (cpu / 1000);
    rates[method] = {
      receipts: n,
      distinctExchanges: new Set(exchanges.map((e) => e.prompt)).size,
      cpuMs: Math.round(cpu),
      wallMs: Math.round(performance.now() - w0),
      recordsPerCpuSecond: +perSec.toFixed(1),
      sampleRateFor1MReceipts: { epochHour: +sampleRateFor(1_000_000, 3600, perSec).toFixed(4), epochDay: +sampleRateFor(1_000_000, 86_400, perSec).toFixed(4) },
      load: `${l0} -> ${load()}`,
    };
    console.error(method, JSON.stringify(rates[method]));
  }
  out.throughput = { corpusRecords: train.length, gradientCacheCpuMs: Math.round(cacheCpuMs), cacheBytesPerContribution: Math.round(gradient.bytesPerContribution()), spanIndexBuildCpuMs: Math.round(spanBuildCpuMs), methods: rates };
  lora.dispose();
  model.dispose();
}

if (only === "all" || only === "determinism") {
  const work = await mkdtemp(join(tmpdir(), "lineage-det-"));
  try {
    const small = sentenceTasks(9, 6, 1);
    await writeFile(join(work, "data.jsonl"), small.train.map((r) => JSON.stringify({ prompt: r.prompt, response: r.response })).join("\n"));
    const { model, lora } = randomAdapter();
    await writeLoraGguf(join(work, "adapter.gguf"), base.config, { alpha: HARNESS_LORA.alpha, rank: HARNESS_LORA.rank, tensors: lora.exportTensors() });
    lora.dispose();
    model.dispose();
    const exchanges = JSON.stringify(small.test.slice(0, 3).map((r) => ({ prompt: r.prompt, response: `${r.response} ${small.train[0]!.response}` })));
    const run = async (d: string) => {
      const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", join(import.meta.dirname, "child.ts"), "--dir", join(work, d), "--data", join(work, "data.jsonl"), "--adapter", join(work, "adapter.gguf"), "--exchanges", exchanges], { maxBuffer: 1 << 26 });
      return JSON.parse(stdout.trim().split("\n").pop()!) as string[];
    };
    const [a, b] = await Promise.all([run("dir-a"), run("dir-b")]);
    out.determinism = { records: a.length, identical: a.length === b.length && a.every((x, i) => x === b[i]), methods: ["spans", "datainf", "trak"] };
    console.error(JSON.stringify(out.determinism));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (only === "all" || only === "rag") {
  const { corpus: facts, facts: list } = factCorpus(11, 1000);
  const b0 = performance.now();
  const index = RagIndex.build([{ corpus: facts, quotable: true }]);
  const buildMs = performance.now() - b0;
  let hit = 0;
  const lat: number[] = [];
  const queries = list.slice(0, 300);
  for (const f of queries) {
    const q0 = performance.now();
    const passages = index.retrieve(`In which city is the archive of ${f.name} kept?`, { k: 4 });
    lat.push(performance.now() - q0);
    const { citations } = buildRagPrompt(`In which city is the archive of ${f.name} kept?`, passages);
    const top = citations[0];
    const c = facts.contributions.find((x) => x.contributionId === BigInt(top?.contributionId ?? -1));
    if (c && c.records.some((r) => r.response.includes(f.city) && r.response.includes(f.name))) hit++;
  }
  lat.sort((x, y) => x - y);
  out.rag = { library: "minisearch@7.2.0 (BM25+)", passages: index.size, buildMs: Math.round(buildMs), queries: queries.length, citedContainsAnswer: hit / queries.length, queryP50Ms: +lat[lat.length >> 1]!.toFixed(3), load: load() };
  console.error(JSON.stringify(out.rag));
}
console.log(JSON.stringify(out, null, 1));
