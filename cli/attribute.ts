// SPDX-License-Identifier: MIT
/**
 * `lineage attribute` as a library function: which contributions shaped one exchange (prompt and response) of a
 * model, as a PROTOCOL.md attribution record plus a ranked, readable view (shares, scores, cited spans).
 *
 * Data: a local JSONL file (one contribution per line; `contributionId` field or the line number) or a Datanet
 * version from the content store (its contribution list and root given, every blob verified by ai/data). Method:
 * the policy's choice (`auto`: DataInf when an adapter and its training manifest are given, spans otherwise) or
 * forced. Gradient caches live under `<cacheDir>` by digest, so a second query on the same (version, adapter) costs
 * one backward pass.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Command, Option } from "commander";
import { z } from "zod";
import { attributeExchange, type AttributionRecord, assessQuality, corpusFromDatanet, corpusFromJsonl, DEFAULT_POLICY, GradientAttributor, type MethodName, type ModelContext, qualityDigest, qualityDocument, recordDigest, buildSpanIndex, type AttributionCorpus } from "../ai/attribution/index.ts";
import { initBackend } from "../ai/backend/index.ts";
import { BASE_PATH, loadBase } from "../ai/base/index.ts";
import { loadDatanetVersion, type Contribution } from "../ai/data/index.ts";
import { readLoraGguf } from "../ai/formats/index.ts";
import { readManifest } from "../ai/manifest/index.ts";
import { LoraAdapter } from "../ai/lora/index.ts";
import { LlamaModel } from "../ai/model/index.ts";
import { getTemplate } from "../ai/templates/index.ts";
import { FsContentStore, type Hex32, HttpContentStore, sha256Hex } from "../sdk/content/index.ts";

export class AttributeCliError extends Error {
  override name = "AttributeCliError";
}

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/);

export const attributeOptionsSchema = z
  .object({
    prompt: z.string(),
    response: z.string().min(1),
    data: z.string().optional(),
    datanet: z.coerce.bigint().optional(),
    version: z.coerce.bigint().optional(),
    root: hex32.optional(),
    contributions: z.string().optional(),
    gateway: z.string().url().optional(),
    dataDir: z.string().optional(),
    base: z.string().optional(),
    adapter: z.string().optional(),
    manifest: z.string().optional(),
    method: z.enum(["auto", "spans", "datainf", "trak"]).default("auto"),
    modelId: z.coerce.bigint().nonnegative().default(0n),
    receipt: hex32.optional(),
    template: z.string().default("lineage"),
    cacheDir: z.string().optional(),
    top: z.coerce.number().int().positive().default(10),
  })
  .strict();
export type AttributeOptions = z.input<typeof attributeOptionsSchema>;

export interface RankedContribution {
  contributionId: string;
  ppm: number;
  share: string;
  spans: { start: number; end: number; text: string }[];
}

export interface AttributeResult {
  record: AttributionRecord;
  recordDigest: Hex32;
  qualityDigest: Hex32;
  flagged: { contributionId: string; reason: string }[];
  method: MethodName;
  ranked: RankedContribution[];
  cache?: { key: Hex32; fromCache: boolean; buildMs: number; bytesPerContribution: number };
}

async function loadCorpus(o: z.output<typeof attributeOptionsSchema>): Promise<AttributionCorpus> {
  if (o.data) {
    if (o.datanet !== undefined) throw new AttributeCliError("give --data or --datanet, not both");
    let text: string;
    try {
      text = await readFile(o.data, "utf8");
    } catch (e) {
      throw new AttributeCliError(`cannot read ${o.data}: ${(e as Error).message}`);
    }
    return corpusFromJsonl(text, { root: sha256Hex(new TextEncoder().encode(text)) });
  }
  if (o.datanet === undefined || o.version === undefined || !o.root || !o.contributions) throw new AttributeCliError("give --data <jsonl>, or --datanet, --version, --root and --contributions");
  const listSchema = z.array(z.object({ id: z.coerce.bigint(), digest: hex32, contributor: z.string().regex(/^0x[0-9a-fA-F]{40}$/) }));
  let list: Contribution[];
  try {
    list = listSchema.parse(JSON.parse(await readFile(o.contributions, "utf8"))).map((c) => ({ id: c.id, digest: c.digest.toLowerCase() as Hex32, contributor: c.contributor as `0x${string}` }));
  } catch (e) {
    throw new AttributeCliError(`--contributions ${o.contributions}: ${(e as Error).message.split("\n")[0]}`);
  }
  const store = o.gateway ? new HttpContentStore(o.gateway) : new FsContentStore(o.dataDir);
  return corpusFromDatanet(await loadDatanetVersion({ store, datanetId: o.datanet, versionId: o.version, root: o.root.toLowerCase() as Hex32, contributions: list }));
}

/** Attribute one exchange; throws AttributeCliError (or the module's own error) on bad input, writing nothing but caches. */
export async function runAttribute(input: AttributeOptions): Promise<AttributeResult> {
  const parsed = attributeOptionsSchema.safeParse(input);
  if (!parsed.success) throw new AttributeCliError(`invalid options: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const o = parsed.data;
  const template = getTemplate(o.template);
  const corpus = await loadCorpus(o);
  const basePath = o.base ?? BASE_PATH;
  const base = loadBase(basePath);
  const tok = base.tokenizer;
  const hasManifest = Boolean(o.manifest);
  if (o.manifest) await readManifest(o.manifest); // validates (canonical form, schema)
  const method: MethodName = o.method === "auto" ? DEFAULT_POLICY.choose({ hasManifest, hasGradientCache: Boolean(o.adapter) }) : o.method;
  if (method !== "spans" && !o.adapter) throw new AttributeCliError(`method ${method} needs --adapter (a LoRA GGUF trained on this data)`);
  let adapterDigest = `0x${"0".repeat(64)}` as Hex32;
  let gradient: GradientAttributor | undefined;
  let model: LlamaModel | undefined;
  let lora: LoraAdapter | undefined;
  try {
    if (o.adapter) {
      const bytes = new Uint8Array(await readFile(o.adapter).catch((e: Error) => {
        throw new AttributeCliError(`cannot read ${o.adapter}: ${e.message}`);
      }));
      adapterDigest = sha256Hex(bytes);
      if (method !== "spans") {
        await initBackend("wasm");
        const a = await readLoraGguf(o.adapter, base.config);
        model = LlamaModel.fromWeights(base.config, base.weights, { trainable: false });
        lora = LoraAdapter.fromTensorMap(model, a.tensors, { alpha: a.alpha });
        gradient = await GradientAttributor.build({
          model,
          lora,
          tokenizer: tok,
          template,
          corpus,
          adapterDigest,
          baseDigest: sha256Hex(new Uint8Array(await readFile(basePath))),
          cacheDir: o.cacheDir ?? join(o.dataDir ?? ".lineage", "attribution"),
        });
      }
    }
    const suspicions = assessQuality(corpus, tok, gradient ? { gradient: { attributor: gradient, method: method === "trak" ? "trak" : "datainf", heldOut: [] } } : {});
    const quality = qualityDocument({ modelId: o.modelId, adapterDigest, corpus, suspicions, ...(gradient ? { gradientMethod: method === "trak" ? ("trak" as const) : ("datainf" as const) } : {}) });
    const ctx: ModelContext = { modelId: o.modelId, adapterDigest, corpus, quality, tokenizer: tok, method, ...(method === "spans" ? { spanIndex: buildSpanIndex(corpus, tok) } : {}), ...(gradient ? { gradient } : {}) };
    const receipt = (o.receipt ?? `0x${"0".repeat(64)}`).toLowerCase() as Hex32;
    const record = attributeExchange(ctx, { receipt, prompt: o.prompt, response: o.response });
    const outTokens = tok.encode(o.response);
    const ranked = [...record.shares]
      .sort((a, b) => b.ppm - a.ppm || (BigInt(a.contributionId) < BigInt(b.contributionId) ? -1 : 1))
      .slice(0, o.top)
      .map((s) => ({
        contributionId: s.contributionId,
        ppm: s.ppm,
        share: `${(s.ppm / 10_000).toFixed(2)}%`,
        spans: (record.spans ?? []).filter((x) => x.contributionId === s.contributionId).map((x) => ({ start: x.start, end: x.end, text: tok.decode(outTokens.slice(x.start, x.end)) })),
      }));
    return {
      record,
      recordDigest: recordDigest(record),
      qualityDigest: qualityDigest(quality),
      flagged: quality.flagged.map((f) => ({ contributionId: f.contributionId, reason: f.reason })),
      method,
      ranked,
      ...(gradient ? { cache: { key: gradient.key, fromCache: gradient.fromCache, buildMs: Math.round(gradient.buildMs), bytesPerContribution: Math.round(gradient.bytesPerContribution()) } } : {}),
    };
  } finally {
    lora?.dispose();
    model?.dispose();
  }
}

/** A readable table of the ranked contributions. */
export function formatTable(r: AttributeResult): string {
  const lines = [`method ${r.record.method.name}  record ${r.recordDigest}  quality ${r.qualityDigest}`];
  if (r.flagged.length) lines.push(`flagged (earn nothing): ${r.flagged.map((f) => `${f.contributionId} (${f.reason})`).join(", ")}`);
  if (r.ranked.length === 0) lines.push("no positive influence: no shares");
  else {
    lines.push("contribution        share      ppm  spans");
    for (const x of r.ranked) lines.push(`${x.contributionId.padEnd(14)} ${x.share.padStart(10)} ${String(x.ppm).padStart(8)}  ${x.spans.map((s) => JSON.stringify(s.text.length > 60 ? `${s.text.slice(0, 57)}...` : s.text)).join(" ")}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The `attribute` subcommand (added to the program by cli/bin.ts). */
export function attributeCommand(): Command {
  return new Command("attribute")
    .description("which contributions shaped one exchange: ranked contributions with shares and spans, and the attribution record")
    .requiredOption("--response <text>", "the model's response to attribute")
    .option("--prompt <text>", "the prompt of the exchange", "")
    .option("--data <file>", "local JSONL records (one contribution per line; optional contributionId field)")
    .option("--datanet <id>", "Datanet id (with --version, --root, --contributions; blobs from the content store)")
    .option("--version <n>", "Datanet version id")
    .option("--root <hex>", "the version root")
    .option("--contributions <file>", "JSON list of {id, digest, contributor}")
    .option("--gateway <url>", "content gateway URL (default: the local content store)")
    .option("--data-dir <dir>", "data directory (content store; caches under <dir>/attribution)")
    .option("--base <file>", "base model GGUF (default: the shipped tiny base)")
    .option("--adapter <file>", "LoRA adapter GGUF of the model (needed for gradient methods)")
    .option("--manifest <file>", "the adapter's training manifest (the policy uses gradient methods only with one)")
    .addOption(new Option("--method <m>", "attribution method").choices(["auto", "spans", "datainf", "trak"]).default("auto"))
    .option("--model-id <n>", "model NFT id written in the record", "0")
    .option("--receipt <hex>", "EIP-712 digest of the usage receipt (default zero)")
    .option("--template <name>", "prompt template the adapter was trained with", "lineage")
    .option("--cache-dir <dir>", "gradient cache directory")
    .option("--top <n>", "contributions shown", "10")
    .addOption(new Option("--format <f>", "output format").choices(["json", "table"]).default("json"))
    .action(async (flags: Record<string, string | undefined>) => {
      const { format, ...rest } = flags;
      const opts = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as AttributeOptions;
      const r = await runAttribute(opts);
      process.stdout.write(format === "table" ? formatTable(r) : `${JSON.stringify(r, null, 2)}\n`);
    });
}

