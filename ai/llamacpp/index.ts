// SPDX-License-Identifier: MIT
/**
 * Our GGUF files in llama.cpp (node-llama-cpp's prebuilt CPU binary): load a base model and LoRA adapters and
 * read next-token logits / probabilities, or generate greedily.
 *
 * Every file is validated by our own reader first (a corrupt header can make llama.cpp spin and allocate
 * gigabytes). Adapters are handed to llama.cpp under a content-addressed path (`<sha256>.gguf`), because a
 * loaded model caches adapters by file path: rewriting a file in place would keep serving the old weights.
 */
import { createHash } from "node:crypto";
import { copyFile, mkdir, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { LlamaConfig } from "../tensors/index.ts";
import { GgufError, llamaConfigFromMetadata, readGguf, decodeLoraGguf, metaString } from "../formats/index.ts";

process.env.NODE_LLAMA_CPP_SKIP_DOWNLOAD ??= "true";

type NodeLlama = typeof import("node-llama-cpp");
type Llama = Awaited<ReturnType<NodeLlama["getLlama"]>>;
type LlamaModel = Awaited<ReturnType<Llama["loadModel"]>>;
type LlamaContext = Awaited<ReturnType<LlamaModel["createContext"]>>;

let llamaPromise: Promise<Llama> | undefined;

/** The process-wide llama.cpp runtime: prebuilt CPU binary, never built or downloaded, one thread. */
export function getRuntime(): Promise<Llama> {
  llamaPromise ??= (async () => {
    const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
    return getLlama({ gpu: false, build: "never", maxThreads: 1, logLevel: LlamaLogLevel.error, progressLogs: false });
  })();
  return llamaPromise;
}

export class LlamaCppError extends Error {
  override name = "LlamaCppError";
}

export interface AdapterRef {
  /** Path of a LoRA adapter GGUF. */
  path: string;
  /** llama.cpp's adapter scale (1 = as trained, 0 = base). */
  scale?: number;
}

const MAX_MODEL_BYTES = 4 * 1024 ** 3;

async function readValidated(path: string): Promise<Uint8Array> {
  const st = await stat(path).catch(() => {
    throw new LlamaCppError(`no such file: ${path}`);
  });
  if (st.size > MAX_MODEL_BYTES) throw new LlamaCppError(`${path}: ${st.size} bytes is larger than this loader accepts`);
  return new Uint8Array(await readFile(path));
}

/** A base model loaded in llama.cpp, with per-adapter contexts. */
export class LlamaCppModel {
  private contexts = new Map<string, LlamaContext>();
  private prepared = new Map<string, { stamp: string; resolved: string }>();
  private constructor(
    readonly model: LlamaModel,
    readonly config: LlamaConfig,
    private readonly adapterDir: string,
    private readonly contextSize: number,
  ) {}

  /** Validate `path` as a llama base-model GGUF, then load it in llama.cpp. */
  static async load(path: string, opts: { adapterDir?: string; contextSize?: number } = {}): Promise<LlamaCppModel> {
    const bytes = await readValidated(path);
    const file = readGguf(bytes);
    const type = file.metadata.get("general.type");
    if (type?.type === "string" && type.value === "adapter") throw new GgufError(`${path} is a LoRA adapter, not a base model`);
    const config = llamaConfigFromMetadata(file.metadata, file.tensors.some((t) => t.name === "output.weight"));
    if (metaString(file.metadata, "tokenizer.ggml.model") !== "gpt2") throw new GgufError(`${path}: tokenizer is not gpt2`);
    const llama = await getRuntime();
    const model = await llama.loadModel({ modelPath: path, gpuLayers: 0, useMmap: true });
    const dir = opts.adapterDir ?? join(tmpdir(), "lineage-adapters");
    return new LlamaCppModel(model, config, dir, Math.min(opts.contextSize ?? 256, config.contextLength));
  }

  /**
   * Validate an adapter against this base and return the content-addressed path llama.cpp will load it from
   * (`<adapterDir>/<sha256>.gguf`), copying it there if needed.
   */
  async prepareAdapter(path: string): Promise<string> {
    // re-validate only when the file changed (same path, same inode, size and mtime = same bytes)
    const st = await stat(path).catch(() => {
      throw new LlamaCppError(`no such file: ${path}`);
    });
    const stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
    const hit = this.prepared.get(path);
    if (hit?.stamp === stamp) return hit.resolved;
    const resolved = await this.prepareAdapterUncached(path);
    this.prepared.set(path, { stamp, resolved });
    return resolved;
  }

  private async prepareAdapterUncached(path: string): Promise<string> {
    const bytes = await readValidated(path);
    decodeLoraGguf(bytes, this.config);
    const digest = createHash("sha256").update(bytes).digest("hex");
    if (basename(path) === `${digest}.gguf`) return path;
    await mkdir(this.adapterDir, { recursive: true });
    const target = join(this.adapterDir, `${digest}.gguf`);
    const exists = await stat(target).then(() => true, () => false);
    if (!exists) await copyFile(path, target);
    return target;
  }

  private async context(adapter?: AdapterRef): Promise<LlamaContext> {
    const resolved = adapter ? await this.prepareAdapter(adapter.path) : undefined;
    const scale = adapter?.scale ?? 1;
    const key = resolved ? `${resolved}@${scale}` : "base";
    let ctx = this.contexts.get(key);
    if (!ctx) {
      ctx = await this.model.createContext({
        contextSize: this.contextSize,
        threads: 1,
        batchSize: this.contextSize,
        sequences: 1,
        ...(resolved ? { lora: { adapters: [{ filePath: resolved, scale }] } } : {}),
      });
      this.contexts.set(key, ctx);
    }
    return ctx;
  }

  /** Raw next-token logits (full vocabulary, by token id) after `tokens`. */
  async nextTokenLogits(tokens: readonly number[], adapter?: AdapterRef): Promise<Float32Array> {
    if (tokens.length === 0) throw new LlamaCppError("need at least one token");
    if (tokens.length > this.contextSize) throw new LlamaCppError(`${tokens.length} tokens exceed the context of ${this.contextSize}`);
    for (const t of tokens) if (!Number.isInteger(t) || t < 0 || t >= this.config.vocabSize) throw new LlamaCppError(`token id ${t} outside the vocabulary`);
    const ctx = await this.context(adapter);
    const seq = ctx.getSequence();
    try {
      const input = tokens.map((t, i) => (i === tokens.length - 1 ? ([t, { generateNext: { logits: true } }] as const) : t));
      const res = await seq.controlledEvaluate(input as Parameters<typeof seq.controlledEvaluate>[0]);
      const logits = res[tokens.length - 1]?.next.logits;
      if (!logits) throw new LlamaCppError("llama.cpp returned no logits");
      const out = new Float32Array(this.config.vocabSize);
      for (const [tok, v] of logits) out[tok as unknown as number] = v;
      return out;
    } finally {
      seq.dispose();
    }
  }

  /** Next-token probabilities (softmax of the logits, temperature 1). */
  async nextTokenProbs(tokens: readonly number[], adapter?: AdapterRef): Promise<Float32Array> {
    return softmax(await this.nextTokenLogits(tokens, adapter));
  }

  /** Greedy generation of up to `n` token ids after `tokens`; stops after emitting any of `stopIds` (included). */
  async generateGreedy(tokens: readonly number[], n: number, adapter?: AdapterRef, stopIds?: ReadonlySet<number>): Promise<number[]> {
    const ctx = await this.context(adapter);
    const seq = ctx.getSequence();
    const out: number[] = [];
    try {
      let input: number[] = [...tokens];
      for (let i = 0; i < n; i++) {
        const items = input.map((t, j) => (j === input.length - 1 ? ([t, { generateNext: { token: true } }] as const) : t));
        const res = await seq.controlledEvaluate(items as Parameters<typeof seq.controlledEvaluate>[0]);
        const next = res[input.length - 1]?.next.token;
        if (next === undefined || next === null) break;
        out.push(next as unknown as number);
        if (stopIds?.has(next as unknown as number)) break;
        input = [next as unknown as number];
      }
      return out;
    } finally {
      seq.dispose();
    }
  }

  /** Drop every context (and so the adapters they hold). */
  async disposeContexts(): Promise<void> {
    for (const c of this.contexts.values()) await c.dispose();
    this.contexts.clear();
  }

  async dispose(): Promise<void> {
    await this.disposeContexts();
    await this.model.dispose();
  }
}

/** Numerically stable softmax in float64, returned as float32. */
export function softmax(logits: Float32Array): Float32Array {
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  let sum = 0;
  const e = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) sum += e[i] = Math.exp(logits[i]! - max);
  const out = new Float32Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = e[i]! / sum;
  return out;
}
