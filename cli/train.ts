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
import { decodeLlamaGguf, encodeLlamaGguf, readHfModel, writeLoraGguf, writePeftAdapter, writeFileAtomic } from "../ai/formats/index.ts";
import { fileRef, MANIFEST_SCHEMA, type TrainingManifest, writeManifest } from "../ai/manifest/index.ts";
import { initBackend } from "../ai/backend/index.ts";
import { BASE_PATH } from "../ai/base/index.ts";
import { fineTuneLora, type FineTuneResult } from "../ai/train/finetune.ts";
import type { Progress } from "../ai/train/index.ts";
import { getTemplate, parseJsonl, type PromptRecord } from "../ai/templates/index.ts";
import { ByteBpeTokenizer } from "../ai/tokenizer/index.ts";
import type { LlamaConfig, TensorMap } from "../ai/tensors/index.ts";
import { accessHeaderProvider, type ContentStore, FsContentStore, type Hex32, HttpContentStore, sha256Hex } from "../sdk/content/index.ts";

export class TrainCliError extends Error {
  override name = "TrainCliError";
}

const targets = ["q", "k", "v", "o", "gate", "up", "down"] as const;

/** Everything `lineage train` accepts (config file keys = long flag names in camelCase). */
export const trainOptionsSchema = z
  .object({
    out: z.string().min(1),
    base: z.string().optional(),
    data: z.string().optional(),
    datanet: z.coerce.bigint().optional(),
    version: z.coerce.bigint().optional(),
    rpc: z.string().url().optional(),
    registry: z.string().regex(/^0x[0-9a-fA-F]{40}$/).optional(),
    fromBlock: z.coerce.bigint().optional(),
    gateway: z.string().url().optional(),
    dataDir: z.string().optional(),
    root: z.string().regex(/^0x[0-9a-fA-F]{64}$/).optional(),
    contributions: z.string().optional(),
    template: z.string().default("lineage"),
    rank: z.coerce.number().int().positive().default(8),
    alpha: z.coerce.number().positive().default(16),
    dropout: z.coerce.number().min(0).max(0.99).default(0),
    targets: z.union([z.string().transform((s) => s.split(",").map((x) => x.trim())), z.array(z.string())]).pipe(z.array(z.enum(targets)).min(1)).default(["q", "v"]),
    quantize: z.enum(["none", "Q8_0", "Q4_0"]).default("none"),
    steps: z.coerce.number().int().positive().default(100),
    lr: z.coerce.number().positive().default(2e-3),
    minLr: z.coerce.number().positive().optional(),
    warmup: z.coerce.number().int().nonnegative().default(0),
    weightDecay: z.coerce.number().nonnegative().default(0),
    gradClip: z.coerce.number().nonnegative().default(1),
    gradAccum: z.coerce.number().int().positive().default(1),
    batchSize: z.coerce.number().int().positive().default(8),
    evalFraction: z.coerce.number().gt(0).lt(1).default(0.1),
    evalEvery: z.coerce.number().int().nonnegative().default(0),
    earlyStop: z.coerce.number().int().nonnegative().default(0),
    exactMatchLimit: z.coerce.number().int().positive().optional(),
    seed: z.coerce.number().int().nonnegative().default(1),
    name: z.string().default("lineage-lora"),
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
  if (!file.endsWith(".gguf")) throw new TrainCliError(`--base must be a .gguf file or a Hugging Face model directory, got ${file}`);
  const bytes = new Uint8Array(await readFile(file).catch((e: Error) => {
    throw new TrainCliError(`cannot read base ${file}: ${e.message}`);
  }));
  const m = decodeLlamaGguf(bytes);
  if (m.tokenizer.padId === undefined) throw new TrainCliError(`${file}: the tokenizer has no padding token id`);
  const tokenizer = ByteBpeTokenizer.fromVocabMerges(m.tokenizer.tokens, m.tokenizer.merges, { bos: m.tokenizer.bosId, eos: m.tokenizer.eosId, pad: m.tokenizer.padId });
  return { config: m.config, weights: m.tensors, tokenizer, ggufBytes: bytes, name: basename(file, ".gguf"), converted: false };
}

interface Records {
  records: PromptRecord[];
  data: TrainingManifest["data"];
}

async function loadRecords(o: ParsedTrainOptions, onFetched?: (done: number, total: number) => void): Promise<Records> {
  if (o.data && o.datanet !== undefined) throw new TrainCliError("give either --data (local JSONL) or --datanet, not both");
  if (o.data) {
    const { text, digest } = await loadJsonlFile(o.data);
    const records = parseJsonl(text);
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
export async function runTrain(input: TrainOptions, hooks: { onProgress?: (p: Progress) => void; onFetched?: (done: number, total: number) => void; log?: (msg: string) => void } = {}): Promise<TrainOutput> {
  const parsed = trainOptionsSchema.safeParse(input);
  if (!parsed.success) throw new TrainCliError(`invalid options: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
  const o = parsed.data;
  const outDir = resolve(o.out);
  await ensureEmptyOrAbsent(outDir);
  const template = getTemplate(o.template);
  const log = hooks.log ?? (() => undefined);

  await initBackend("wasm");
  const base = await loadBaseModel(o.base);
  const baseDigest = sha256Hex(base.ggufBytes);
  log(`base ${base.name}: ${base.config.nLayers} layers, dim ${base.config.dim}, digest ${baseDigest}`);
  const { records, data } = await loadRecords(o, hooks.onFetched);
  if (records.length < 2) throw new TrainCliError(`need at least 2 records, got ${records.length}`);
  log(`${records.length} records (${data.source})`);

  const result = fineTuneLora({
    config: base.config,
    weights: base.weights,
    tokenizer: base.tokenizer,
    template,
    train: records,
    evalFraction: o.evalFraction,
    lora: { rank: o.rank, alpha: o.alpha, dropout: o.dropout, targets: o.targets },
    ...(o.quantize !== "none" ? { quantize: o.quantize === "Q8_0" ? ("q8_0" as const) : ("q4_0" as const) } : {}),
    trainConfig: {
      steps: o.steps,
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
  try {
    const stage = join(dirname(outDir), `.${basename(outDir)}.partial-${randomBytes(6).toString("hex")}`);
    try {
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
        lora: { rank: o.rank, alpha: o.alpha, dropout: o.dropout, targets: o.targets, quantization: o.quantize },
        training: {
          steps: o.steps,
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
          evalLossBefore: finite(result.before.loss.loss),
          evalLossAfter: finite(result.after.loss.loss),
          perplexityBefore: finite(result.before.loss.perplexity),
          perplexityAfter: finite(result.after.loss.perplexity),
          exactMatchBefore: em(result.before.exactMatch),
          exactMatchAfter: em(result.after.exactMatch),
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
    result.lora.dispose();
    result.model.dispose();
  }
}

function finite(x: number | undefined): number | null {
  return x !== undefined && Number.isFinite(x) ? x : null;
}
