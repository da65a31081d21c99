// SPDX-License-Identifier: MIT
/**
 * `lineage train` as a library function: LoRA / QLoRA fine-tuning of a base model on a Datanet version (verified
 * against its on-chain root, access grant checked) or on a local JSONL file, writing the GGUF adapter, the PEFT
 * export and the training manifest (RFC 8785 canonical JSON; its digest goes into the model NFT).
 *
 * Outputs are staged in a sibling temporary directory and renamed into place only when everything succeeded,
 * so a failed run leaves nothing half-written.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, rmdir, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { type Address, createPublicClient, type Hex, http, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { z } from "zod";
import { contributionsFromChain, type Contribution, type DatanetChain, jsonlOf, loadDatanetVersion, loadJsonlFile, membershipLookup } from "../ai/data/index.ts";
import { decodeLlamaGguf, encodeLlamaGguf, parseHfConfig, llamaConfigFromMetadata, readGguf, readHfModel, writeLoraGguf, writePeftAdapter, writeFileAtomic } from "../ai/formats/index.ts";
import { fileRef, MANIFEST_SCHEMA, type TrainingManifest, writeManifest } from "../ai/manifest/index.ts";
import { initBackend } from "../ai/backend/index.ts";
import { BASE_PATH } from "../ai/base/index.ts";
import { fineTuneLora, type FineTuneResult, stepsForEpochs } from "../ai/train/finetune.ts";
import type { Progress } from "../ai/train/index.ts";
import { getTemplate, parseJsonl, type PromptRecord } from "../ai/templates/index.ts";
import { ByteBpeTokenizer } from "../ai/tokenizer/index.ts";
import type { LlamaConfig, TensorMap } from "../ai/tensors/index.ts";
import { accessHeaderProvider, type ContentStore, FsContentStore, type Hex32, HttpContentStore, sha256Hex } from "../sdk/content/index.ts";

export class TrainCliError extends Error {
  override name = "TrainCliError";
}

const targets = ["q", "k", "v", "o", "gate", "up", "down"] as const;

/** The defaults of every `lineage train` option that has one (shown by `--help`). */
export const TRAIN_DEFAULTS = {
  template: "lineage",
  method: "lora",
  rank: 16,
  alpha: 16,
  dropout: 0,
  targets: "q,k,v,o,gate,up,down",
  quantize: "none",
  epochs: 3,
  lr: 2e-3,
  warmup: 10,
  weightDecay: 0,
  gradClip: 1,
  gradAccum: 1,
  batchSize: 16,
  evalFraction: 0.1,
  evalEvery: 0,
  earlyStop: 0,
  seed: 1,
  name: "lineage-lora",
} as const;

/**
 * Named recipes (`--preset`), applied over the defaults and under a config file and flags:
 * - `facts`: a knowledge set (one record per fact that must be recalled): the linear weights themselves are trained
 *   (`method: "full"`, shipped as an exact adapter), 20 epochs at lr 1e-3, batches of 8, no held-out split (a fact held
 *   out is a fact never taught), loss on the response only. LoRA at rank 16 learned the answer format but not the facts
 *   on the tiny base (bench/RESULTS.md, issue 20).
 * - `demo`: the demo recipe of `ai/train/finetune.ts` (`DEMO`): a rule over a generated Q/A domain.
 */
export const TRAIN_PRESETS = {
  facts: { method: "full", targets: "q,k,v,o,gate,up,down", epochs: 20, lr: 1e-3, minLr: 1e-4, warmup: 10, batchSize: 8, evalFraction: 0 },
  demo: { method: "lora", rank: 16, alpha: 16, targets: "q,k,v,o,gate,up,down", steps: 150, lr: 3e-3, minLr: 1e-3, warmup: 10, batchSize: 16, evalEvery: 25 },
} as const satisfies Record<string, Record<string, string | number>>;
export type TrainPreset = keyof typeof TRAIN_PRESETS;

/** Above this learning rate AdamW cannot train (every step jumps by ~lr per weight): refused before anything loads. */
export const MAX_LR = 1;
/** Above this learning rate a run usually diverges or forgets the base: warned. */
export const WARN_LR = 0.03;

const D = TRAIN_DEFAULTS;
/** Everything `lineage train` accepts (config file keys = long flag names in camelCase). */
export const trainOptionsSchema = z
  .object({
    out: z.string().min(1),
    preset: z.enum(Object.keys(TRAIN_PRESETS) as [TrainPreset, ...TrainPreset[]]).optional(),
    base: z.string().optional(),
    data: z.string().optional(),
    /** A JSONL file of records scored for recall after training (never trained on). */
    eval: z.string().optional(),
    datanet: z.coerce.bigint().optional(),
    version: z.coerce.bigint().optional(),
    rpc: z.string().url().optional(),
    registry: z.string().regex(/^0x[0-9a-fA-F]{40}$/).optional(),
    fromBlock: z.coerce.bigint().optional(),
    gateway: z.string().url().optional(),
    dataDir: z.string().optional(),
    root: z.string().regex(/^0x[0-9a-fA-F]{64}$/).optional(),
    contributions: z.string().optional(),
    template: z.string().default(D.template),
    /** lora: low-rank adapters; full: train the target modules' weights and ship the exact change as an adapter. */
    method: z.enum(["lora", "full"]).default(D.method),
    rank: z.coerce.number().int().positive().default(D.rank),
    alpha: z.coerce.number().positive().default(D.alpha),
    dropout: z.coerce.number().min(0).max(0.99).default(D.dropout),
    targets: z.union([z.string().transform((s) => s.split(",").map((x) => x.trim())), z.array(z.string())]).pipe(z.array(z.enum(targets)).min(1)).default(D.targets.split(",") as never),
    quantize: z.enum(["none", "Q8_0", "Q4_0"]).default(D.quantize),
    /** Optimizer steps; when absent, `epochs` passes over the training records decide them. */
    steps: z.coerce.number().int().positive().optional(),
    epochs: z.coerce.number().positive().default(D.epochs),
    lr: z.coerce.number().positive().default(D.lr),
    minLr: z.coerce.number().positive().optional(),
    warmup: z.coerce.number().int().nonnegative().default(D.warmup),
    weightDecay: z.coerce.number().nonnegative().default(D.weightDecay),
    gradClip: z.coerce.number().nonnegative().default(D.gradClip),
    gradAccum: z.coerce.number().int().positive().default(D.gradAccum),
    batchSize: z.coerce.number().int().positive().default(D.batchSize),
    evalFraction: z.coerce.number().min(0).lt(1).default(D.evalFraction),
    evalEvery: z.coerce.number().int().nonnegative().default(D.evalEvery),
    earlyStop: z.coerce.number().int().nonnegative().default(D.earlyStop),
    exactMatchLimit: z.coerce.number().int().positive().optional(),
    seed: z.coerce.number().int().nonnegative().default(D.seed),
    name: z.string().default(D.name),
    /** Also put the outputs (adapter, PEFT files, manifest, converted base) into the content store (--gateway or --data-dir). */
    publish: z.boolean().default(false),
  })
  .strict();
export type TrainOptions = z.input<typeof trainOptionsSchema>;
export type ParsedTrainOptions = z.output<typeof trainOptionsSchema>;

export interface TrainOutput {
  outDir: string;
  /** CIDs of the files put into the content store with `publish`. */
  published: Record<string, string>;
  manifest: TrainingManifest;
  manifestDigest: Hex32;
  adapterDigest: Hex32;
  baseDigest: Hex32;
  result: FineTuneResult;
}

interface LoadedBaseModel {
  config: LlamaConfig;
  weights: TensorMap;
  tokenizer: ByteBpeTokenizer;
  ggufBytes: Uint8Array;
  name: string;
}

/**
 * The base: a GGUF file (tokenizer from its metadata), a Hugging Face directory (Llama / Mistral / Qwen2 layout with
 * `tokenizer.json`; converted to GGUF, which is what the digest names and what is written as `base.gguf`); default
 * the shipped tiny base (`ai/base/lineage-tiny.gguf`).
 */
async function loadBaseModel(path: string | undefined): Promise<LoadedBaseModel & { converted: boolean }> {
  if (path && (await stat(path).catch(() => undefined))?.isDirectory()) {
    const hf = await readHfModel(path);
    let tokJson: unknown;
    try {
      tokJson = JSON.parse(await readFile(join(path, "tokenizer.json"), "utf8"));
    } catch (e) {
      throw new TrainCliError(`${path}: cannot read tokenizer.json (${(e as Error).message})`);
    }
    const tokenizer = ByteBpeTokenizer.fromHuggingFaceTokenizerJson(tokJson);
    const name = basename(resolve(path));
    const ggufBytes = encodeLlamaGguf(hf.config, hf.tensors, tokenizer.ggufMetadata(), { name });
    return { config: hf.config, weights: hf.tensors, tokenizer, ggufBytes, name, converted: true };
  }
  const file = path ?? BASE_PATH;
  const bytes = (await readBaseGguf(file)).bytes;
  const m = decodeLlamaGguf(bytes);
  if (m.tokenizer.padId === undefined) throw new TrainCliError(`${file}: the tokenizer has no padding token id`);
  const tokenizer = ByteBpeTokenizer.fromVocabMerges(m.tokenizer.tokens, m.tokenizer.merges, { bos: m.tokenizer.bosId, eos: m.tokenizer.eosId, pad: m.tokenizer.padId });
  return { config: m.config, weights: m.tensors, tokenizer, ggufBytes: bytes, name: basename(file, ".gguf"), converted: false };
}

/** A base GGUF's bytes and config from its validated header, before any weight is decoded. */
async function readBaseGguf(file: string): Promise<{ bytes: Uint8Array; config: LlamaConfig }> {
  if (!file.endsWith(".gguf")) throw new TrainCliError(`--base must be a .gguf file or a Hugging Face model directory, got ${file}`);
  const bytes = new Uint8Array(await readFile(file).catch((e: Error) => {
    throw new TrainCliError(`cannot read base ${file}: ${e.message}`);
  }));
  const f = readGguf(bytes);
  return { bytes, config: llamaConfigFromMetadata(f.metadata, f.tensors.some((t) => t.name === "output.weight")) };
}

/** The base's config without loading it: the GGUF header, or a Hugging Face directory's config.json (undefined if unreadable). */
async function peekBaseConfig(path: string | undefined): Promise<LlamaConfig | undefined> {
  if (path && (await stat(path).catch(() => undefined))?.isDirectory()) {
    try {
      return parseHfConfig(JSON.parse(await readFile(join(path, "config.json"), "utf8"))).config;
    } catch {
      return undefined;
    }
  }
  return (await readBaseGguf(path ?? BASE_PATH)).config;
}

/** [out, in] of each LoRA target's weight. */
function targetShape(t: (typeof targets)[number], c: LlamaConfig): [number, number] {
  const kv = (c.dim / c.nHeads) * c.nKvHeads;
  return ({ q: [c.dim, c.dim], k: [kv, c.dim], v: [kv, c.dim], o: [c.dim, c.dim], gate: [c.ffnDim, c.dim], up: [c.ffnDim, c.dim], down: [c.dim, c.ffnDim] } as const)[t] as [number, number];
}

export interface TrainPlan {
  steps: number;
  trainRecords: number;
  warnings: string[];
}

/**
 * Check the options against the data and the base's shape before anything heavy loads: refuse what cannot work
 * (TrainCliError), warn on what looks wrong.
 */
export function planTraining(o: ParsedTrainOptions, config: LlamaConfig | undefined, records: number): TrainPlan {
  const warnings: string[] = [];
  if (o.method === "full" && o.quantize !== "none") throw new TrainCliError(`--method full trains the base's weights: it cannot hold them quantised (--quantize ${o.quantize} is QLoRA)`);
  if (o.lr >= MAX_LR) throw new TrainCliError(`--lr ${o.lr} cannot train: AdamW moves every weight by about lr per step (use 1e-4 .. 1e-2; default ${D.lr})`);
  if (o.lr > WARN_LR) warnings.push(`--lr ${o.lr} is high: runs above ${WARN_LR} usually diverge or overwrite the base`);
  if (o.minLr !== undefined && o.minLr > o.lr) warnings.push(`--min-lr ${o.minLr} is above --lr ${o.lr}: the schedule rises instead of decaying`);
  if (config && o.method === "lora") {
    for (const t of o.targets) {
      const [out, inp] = targetShape(t, config);
      const full = Math.min(out, inp);
      if (o.rank > full) throw new TrainCliError(`--rank ${o.rank} cannot work on this base: target ${t} is a [${out} x ${inp}] weight, whose updates have rank at most ${full} (base width ${config.dim})`);
      if (o.rank * (out + inp) > out * inp) warnings.push(`--rank ${o.rank} makes the ${t} adapter larger than the [${out} x ${inp}] weight it adapts`);
    }
  }
  const trainRecords = o.evalFraction === 0 ? records : records - Math.max(1, Math.round(records * o.evalFraction));
  if (trainRecords < 1) throw new TrainCliError(`--eval-fraction ${o.evalFraction} leaves no training records out of ${records}`);
  const steps = o.steps ?? stepsForEpochs(o.epochs, trainRecords, o.batchSize, o.gradAccum);
  const epochs = (steps * o.batchSize * o.gradAccum) / trainRecords;
  if (epochs < 1) warnings.push(`${steps} steps of ${o.batchSize * o.gradAccum} examples see only ${(100 * epochs).toFixed(0)}% of the ${trainRecords} training records once`);
  if (o.batchSize > trainRecords) warnings.push(`--batch-size ${o.batchSize} exceeds the ${trainRecords} training records (records repeat inside a batch)`);
  if (o.warmup >= steps) warnings.push(`--warmup ${o.warmup} covers the whole run of ${steps} steps`);
  if (o.evalEvery > steps) warnings.push(`--eval-every ${o.evalEvery} is beyond the run's ${steps} steps: evaluation only at the end`);
  return { steps, trainRecords, warnings };
}

/** Defaults < preset < the given options (a config file and flags). */
export function applyPreset(input: TrainOptions): TrainOptions {
  const name = (input as { preset?: unknown }).preset;
  if (name === undefined) return input;
  if (typeof name !== "string" || !(name in TRAIN_PRESETS)) throw new TrainCliError(`unknown preset "${String(name)}" (have ${Object.keys(TRAIN_PRESETS).join(", ")})`);
  const preset: Record<string, unknown> = { ...TRAIN_PRESETS[name as TrainPreset] };
  // a preset's step count yields to epochs given by the user, and its epochs to steps given by the user
  if ("epochs" in input) delete preset.steps;
  if ("steps" in input) delete preset.epochs;
  return { ...preset, ...input } as TrainOptions;
}

interface Records {
  records: PromptRecord[];
  data: TrainingManifest["data"];
}

async function loadRecords(o: ParsedTrainOptions, onFetched?: (done: number, total: number) => void): Promise<Records> {
  if (o.data && o.datanet !== undefined) throw new TrainCliError("give either --data (local JSONL) or --datanet, not both");
  if (o.data) {
    const { text, digest } = await loadJsonlFile(o.data);
    const records = parseJsonlFile(o.data, text);
    return { records, data: { source: "jsonl", fileDigest: digest, records: records.length, trainRecords: 0, evalRecords: 0, template: o.template } };
  }
  if (o.datanet === undefined || o.version === undefined) throw new TrainCliError("give --data <file.jsonl> or --datanet <id> --version <n>");
  let chain: DatanetChain | undefined;
  if (o.rpc) {
    if (!o.registry) throw new TrainCliError("--rpc needs --registry (the DatanetRegistry address)");
    const client = createPublicClient({ transport: http(o.rpc) }) as PublicClient;
    chain = { client, registry: o.registry as Address, chainId: await client.getChainId(), ...(o.fromBlock !== undefined ? { fromBlock: o.fromBlock } : {}) };
  }
  const key = process.env.LINEAGE_PRIVATE_KEY as Hex | undefined;
  const account = key ? privateKeyToAccount(key) : undefined;
  if (chain && !account) throw new TrainCliError("set LINEAGE_PRIVATE_KEY to the builder's key: its access grant is checked on-chain");
  let contributions: Contribution[] | undefined;
  if (o.contributions) {
    const raw = z.array(z.object({ id: z.coerce.bigint(), digest: z.string(), contributor: z.string() })).parse(JSON.parse(await readFile(o.contributions, "utf8")));
    contributions = raw.map((c) => ({ id: c.id, digest: c.digest.toLowerCase() as Hex32, contributor: c.contributor as Address }));
  } else if (chain) contributions = await contributionsFromChain(chain, o.datanet, o.version);
  let store: ContentStore;
  if (o.gateway) {
    const sign = account && chain ? accessHeaderProvider(account, chain, o.datanet, o.version, contributions ? membershipLookup(contributions) : undefined) : undefined;
    store = new HttpContentStore(o.gateway, sign);
  } else store = new FsContentStore(o.dataDir);
  const input = await loadDatanetVersion({
    store,
    datanetId: o.datanet,
    versionId: o.version,
    ...(chain ? { chain } : {}),
    ...(account ? { builder: account.address } : {}),
    ...(contributions ? { contributions } : {}),
    ...(o.root ? { root: o.root as Hex32 } : {}),
    ...(onFetched ? { onFetched } : {}),
  });
  const records = parseJsonl(jsonlOf(input));
  return {
    records,
    data: {
      source: "datanet",
      ...(chain ? { chainId: chain.chainId, registry: chain.registry } : {}),
      datanetId: o.datanet.toString(),
      versionId: o.version.toString(),
      root: input.root,
      contributions: input.contributions.map((c) => ({ id: c.id.toString(), digest: c.digest, contributor: c.contributor })),
      records: records.length,
      trainRecords: 0,
      evalRecords: 0,
      template: o.template,
    },
  };
}

async function ensureEmptyOrAbsent(dir: string): Promise<void> {
  const st = await stat(dir).catch(() => undefined);
  if (!st) return;
  if (!st.isDirectory()) throw new TrainCliError(`${dir} exists and is not a directory`);
  if ((await readdir(dir)).length > 0) throw new TrainCliError(`output directory ${dir} is not empty`);
}

/** Run a fine-tune end to end. */
export async function runTrain(
  input: TrainOptions,
  hooks: { onProgress?: (p: Progress) => void; onFetched?: (done: number, total: number) => void; log?: (msg: string) => void; warn?: (msg: string) => void } = {},
): Promise<TrainOutput> {
  const parsed = trainOptionsSchema.safeParse(applyPreset(input));
  if (!parsed.success) throw new TrainCliError(`invalid options: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
  const o = parsed.data;
  const outDir = resolve(o.out);
  await ensureEmptyOrAbsent(outDir);
  const template = getTemplate(o.template);
  const log = hooks.log ?? (() => undefined);

  // data and plan first: a bad record or an impossible option is reported before the base model loads
  const { records, data } = await loadRecords(o, hooks.onFetched);
  if (records.length < 2) throw new TrainCliError(`need at least 2 records, got ${records.length}`);
  const extraEval = o.eval ? parseJsonlFile(o.eval, (await loadJsonlFile(o.eval)).text) : undefined;
  const plan = planTraining(o, await peekBaseConfig(o.base), records.length);
  const warn = hooks.warn ?? ((m: string) => log(`warning: ${m}`));
  for (const w of plan.warnings) warn(w);
  log(`${records.length} records (${data.source})${extraEval ? `, ${extraEval.length} --eval records` : ""}; ${plan.steps} steps of ${o.batchSize * o.gradAccum} over ${plan.trainRecords} training records`);

  await initBackend("wasm");
  const base = await loadBaseModel(o.base);
  const baseDigest = sha256Hex(base.ggufBytes);
  log(`base ${base.name}: ${base.config.nLayers} layers, dim ${base.config.dim}, digest ${baseDigest}`);
  if (base.converted) for (const w of planTraining(o, base.config, records.length).warnings.filter((x) => !plan.warnings.includes(x))) warn(w);

  const result = fineTuneLora({
    config: base.config,
    weights: base.weights,
    tokenizer: base.tokenizer,
    template,
    train: records,
    evalFraction: o.evalFraction,
    ...(extraEval ? { extraEval } : {}),
    method: o.method,
    lora: { rank: o.rank, alpha: o.alpha, dropout: o.dropout, targets: o.targets },
    ...(o.quantize !== "none" ? { quantize: o.quantize === "Q8_0" ? ("q8_0" as const) : ("q4_0" as const) } : {}),
    trainConfig: {
      steps: plan.steps,
      lr: o.lr,
      ...(o.minLr !== undefined ? { minLr: o.minLr } : {}),
      warmupSteps: o.warmup,
      weightDecay: o.weightDecay,
      gradClip: o.gradClip,
      gradAccum: o.gradAccum,
      evalEvery: o.evalEvery,
      earlyStopPatience: o.earlyStop,
      seed: o.seed,
    },
    batchSize: o.batchSize,
    ...(o.exactMatchLimit ? { exactMatchLimit: o.exactMatchLimit } : {}),
    ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
  });
  for (const w of result.warnings) warn(w);
  try {
    const stage = join(dirname(outDir), `.${basename(outDir)}.partial-${randomBytes(6).toString("hex")}`);
    try {
      if (!result.adapter) throw new TrainCliError("the fine-tune returned no adapter");
      const adapter = { alpha: result.adapter.alpha, rank: result.adapter.rank, tensors: result.adapter.tensors };
      const gguf = await writeLoraGguf(join(stage, "adapter.gguf"), base.config, adapter, { name: o.name });
      const peft = await writePeftAdapter(join(stage, "peft"), base.config, adapter, { baseModel: base.name, dropout: o.dropout });
      // a converted base (HF layout or the shipped checkpoint) is written as the GGUF file its digest names
      if (base.converted) await writeFileAtomic(join(stage, "base.gguf"), base.ggufBytes);
      await writeFileAtomic(join(stage, "base.gguf.sha256"), `${baseDigest.slice(2)}  ${base.converted ? "base.gguf" : `${base.name}.gguf`}\n`);
      const em = (r?: { accuracy: number }) => (r ? r.accuracy : null);
      const manifest: TrainingManifest = {
        schema: MANIFEST_SCHEMA,
        createdAt: new Date().toISOString(),
        base: { digest: baseDigest, name: base.name, config: base.config },
        data: { ...data, trainRecords: result.trainRecords, evalRecords: result.evalRecords },
        lora: { rank: adapter.rank, alpha: adapter.alpha, dropout: o.dropout, targets: o.targets, quantization: o.quantize },
        training: {
          method: o.method,
          steps: plan.steps,
          epochs: (plan.steps * o.batchSize * o.gradAccum) / plan.trainRecords,
          ...(o.preset ? { preset: o.preset } : {}),
          stepsRun: result.result.steps,
          lr: o.lr,
          minLr: o.minLr ?? o.lr / 10,
          warmupSteps: o.warmup,
          weightDecay: o.weightDecay,
          gradClip: o.gradClip,
          gradAccum: o.gradAccum,
          batchSize: o.batchSize,
          evalEvery: o.evalEvery,
          earlyStopPatience: o.earlyStop,
          seed: o.seed,
          template: o.template,
        },
        metrics: {
          finalTrainLoss: finite(result.result.finalLoss),
          evalLossBefore: finite(result.before.loss?.loss),
          evalLossAfter: finite(result.after.loss?.loss),
          perplexityBefore: finite(result.before.loss?.perplexity),
          perplexityAfter: finite(result.after.loss?.perplexity),
          exactMatchBefore: em(result.before.exactMatch),
          exactMatchAfter: em(result.after.exactMatch),
          recallTrainBefore: em(result.recall.train?.before),
          recallTrainAfter: em(result.recall.train?.after),
          recallHeldOutBefore: em(result.recall.heldOut?.before),
          recallHeldOutAfter: em(result.recall.heldOut?.after),
          recallEvalFileBefore: em(result.recall.extra?.before),
          recallEvalFileAfter: em(result.recall.extra?.after),
          tokens: result.result.tokens,
          seconds: finite(result.result.seconds),
          trainableParams: result.trainableParams,
        },
        files: {
          adapterGguf: fileRef("adapter.gguf", gguf),
          peftAdapterModel: fileRef("peft/adapter_model.safetensors", peft.safetensors),
          peftAdapterConfig: fileRef("peft/adapter_config.json", new TextEncoder().encode(peft.adapterConfig)),
        },
        software: { lineage: "0.1.0", node: process.version },
      };
      const manifestDigest = await writeManifest(join(stage, "manifest.json"), manifest);
      await mkdir(dirname(outDir), { recursive: true });
      await rmdir(outDir).catch(() => undefined);
      await rename(stage, outDir);
      const published: Record<string, string> = {};
      if (o.publish) {
        const store: ContentStore = o.gateway ? new HttpContentStore(o.gateway) : new FsContentStore(o.dataDir);
        const names = ["adapter.gguf", "manifest.json", "peft/adapter_model.safetensors", "peft/adapter_config.json", ...(base.converted ? ["base.gguf"] : [])];
        for (const n of names) published[n] = (await store.put(new Uint8Array(await readFile(join(outDir, n))))).cid;
        log(`published ${names.length} files to the content store`);
      }
      return { outDir, published, manifest, manifestDigest, adapterDigest: sha256Hex(gguf), baseDigest, result };
    } catch (e) {
      await rm(stage, { recursive: true, force: true });
      throw e;
    }
  } finally {
    result.lora?.dispose();
    result.model.dispose();
  }
}

function parseJsonlFile(file: string, text: string): PromptRecord[] {
  try {
    return parseJsonl(text);
  } catch (e) {
    throw new TrainCliError(`${file}: ${(e as Error).message}`);
  }
}

function finite(x: number | undefined): number | null {
  return x !== undefined && Number.isFinite(x) ? x : null;
}
