// SPDX-License-Identifier: MIT
/**
 * The local engine: one llama.cpp base model (node-llama-cpp) shared by every adapter, in ONE context with several
 * sequences. llama.cpp applies LoRA adapters per context, not per sequence, and cannot mix adapters in one forward
 * pass; so the engine hooks node-llama-cpp's batch builder (its `itemPrioritizationStrategy`, called under the
 * context lock right before each `llama_decode`): each batch takes the queued tokens of ONE adapter set (every
 * sequence running that adapter decodes together), switches the context's adapters with `llama_set_adapters_lora`
 * (a pointer swap, ~10 us) when the set changes, and rotates to the least recently served adapter set next, so
 * adapters share the engine fairly. Adapters load once into the model (a few hundred KB each for our tiny base) and
 * stay hot in an LRU bounded by count; cold ones are validated (our GGUF reader) and loaded just in time.
 *
 * node-llama-cpp internals used (pinned 3.22.1): `LlamaModel._getOrLoadLora`, `_loraAdapters`,
 * `LlamaContext._ctx.setLoras` and `_queuedDecodes` (read-only, to map batch items to sequences).
 */
import { resolve as resolvePath } from "node:path";
import { LlamaCppModel } from "../../llamacpp/index.ts";
import { overloaded, ServeError } from "../errors.ts";
import type { AdapterUse, Engine, EngineStats, FinishReason, GenerateRequest, GenerateResult } from "./types.ts";
import { TextStream } from "./text.ts";

type NodeLlama = typeof import("node-llama-cpp");
type LlamaModel = LlamaCppModel["model"];
type LlamaContext = Awaited<ReturnType<LlamaModel["createContext"]>>;
type LlamaSequence = ReturnType<LlamaContext["getSequence"]>;
type Token = Parameters<LlamaModel["detokenize"]>[0][number];
type PrioritizationStrategy = Extract<NonNullable<NonNullable<Parameters<LlamaModel["createContext"]>[0]>["batching"]>["itemPrioritizationStrategy"], (...a: never[]) => unknown>;
type BatchItem = Parameters<PrioritizationStrategy>[0]["items"][number];

/** node-llama-cpp's native LoRA handle. */
interface AddonLora {
  dispose(): Promise<void>;
}
interface ModelInternals {
  _getOrLoadLora(filePath: string): Promise<AddonLora>;
  _loraAdapters: Map<string, AddonLora>;
}
interface ContextInternals {
  _ctx: { setLoras(loras: AddonLora[], scales: number[]): void };
  _queuedDecodes: ReadonlyArray<{ sequenceId: number }>;
}

export interface LocalEngineOptions {
  /** The base model GGUF (validated before llama.cpp sees it). */
  basePath: string;
  /** Sequences decoded together (slots). */
  sequences?: number;
  /** Tokens per request (prompt + output); at most the model's context length. */
  contextSize?: number;
  /** Hot adapters kept loaded (LRU by count). */
  maxHotAdapters?: number;
  /** Requests waiting for a slot before 429. */
  maxQueue?: number;
  /** Where validated adapters are copied under their content digest. */
  adapterDir?: string;
}

interface HotAdapter {
  lora: AddonLora;
  resolved: string;
  active: number;
}

interface Waiter {
  key: string;
  start: (seq: LlamaSequence) => void;
  cancel: () => void;
}

const BASE_KEY = "base";

export class LocalEngine implements Engine {
  readonly kind = "local" as const;
  private readonly free: LlamaSequence[] = [];
  private readonly waiting = new Map<string, Waiter[]>();
  private queuedCount = 0;
  private running = 0;
  private readonly hot = new Map<string, HotAdapter>();
  private readonly loading = new Map<string, Promise<HotAdapter>>();
  private readonly seqKey = new Map<number, { key: string; loras: AddonLora[]; scales: number[] }>();
  private readonly lastServed = new Map<string, number>();
  private batchCounter = 0;
  private currentLoras: AddonLora[] = [];
  private currentKey = BASE_KEY;
  private readonly deferredDispose = new Set<AddonLora>();
  private readonly counters = { adapterLoads: 0, adapterHits: 0, adapterEvictions: 0, adapterSwitches: 0 };
  private closed = false;

  private constructor(
    readonly base: LlamaCppModel,
    private readonly context: LlamaContext,
    readonly contextSize: number,
    private readonly maxHot: number,
    private readonly maxQueue: number,
  ) {}

  static async create(o: LocalEngineOptions): Promise<LocalEngine> {
    const sequences = o.sequences ?? 8;
    if (!Number.isInteger(sequences) || sequences < 1 || sequences > 64) throw new Error(`sequences must be 1..64, got ${sequences}`);
    const base = await LlamaCppModel.load(o.basePath, { ...(o.adapterDir ? { adapterDir: o.adapterDir } : {}), contextSize: o.contextSize ?? 256 });
    const contextSize = Math.min(o.contextSize ?? base.config.contextLength, base.config.contextLength);
    let engine: LocalEngine | undefined;
    const strategy: PrioritizationStrategy = (args) => engine!.pickBatch(args.items);
    const context = await base.model.createContext({
      contextSize: contextSize * sequences,
      sequences,
      threads: 1,
      batchSize: Math.max(contextSize, 256),
      batching: { itemPrioritizationStrategy: strategy },
    });
    engine = new LocalEngine(base, context, contextSize, o.maxHotAdapters ?? 1000, o.maxQueue ?? 64);
    for (let i = 0; i < sequences; i++) engine.free.push(context.getSequence());
    return engine;
  }

  private get model(): LlamaModel {
    return this.base.model;
  }

  async countTokens(prompt: string): Promise<number> {
    return this.tokenize(prompt).length;
  }

  private tokenize(prompt: string): Token[] {
    const bos = this.model.tokens.bos;
    const toks = this.model.tokenize(prompt, false);
    return bos === null ? toks : [bos, ...toks];
  }

  /* ADAPTERS */

  async warm(adapter: AdapterUse): Promise<number> {
    const t0 = performance.now();
    const had = this.hot.has(adapter.digest);
    await this.acquire(adapter, false);
    return had ? 0 : performance.now() - t0;
  }

  /** The hot adapter for `a` (loaded if cold), touched as most recently used; `pin` counts an active use. */
  private async acquire(a: AdapterUse, pin: boolean): Promise<HotAdapter> {
    let h = this.hot.get(a.digest);
    if (h) {
      this.counters.adapterHits++;
      this.hot.delete(a.digest);
      this.hot.set(a.digest, h);
    } else {
      let p = this.loading.get(a.digest);
      if (!p) {
        p = (async () => {
          const resolved = await this.base.prepareAdapter(a.path);
          const lora = await (this.model as unknown as ModelInternals)._getOrLoadLora(resolved);
          const loaded: HotAdapter = { lora, resolved, active: 0 };
          this.hot.set(a.digest, loaded);
          this.counters.adapterLoads++;
          return loaded;
        })().finally(() => this.loading.delete(a.digest));
        this.loading.set(a.digest, p);
      }
      h = await p;
    }
    if (pin) h.active++;
    await this.evict();
    return h;
  }

  private async evict(): Promise<void> {
    if (this.hot.size <= this.maxHot) return;
    for (const [digest, h] of this.hot) {
      if (this.hot.size <= this.maxHot) break;
      if (h.active > 0) continue;
      this.hot.delete(digest);
      (this.model as unknown as ModelInternals)._loraAdapters.delete(resolvePath(process.cwd(), h.resolved));
      this.counters.adapterEvictions++;
      if (this.currentLoras.includes(h.lora)) this.deferredDispose.add(h.lora);
      else await h.lora.dispose();
    }
  }

  /* SCHEDULING */

  /**
   * node-llama-cpp's batch builder hook (synchronous, under the context lock, right before a decode): take the
   * queued items of the least recently served adapter set, and switch the context's adapters to that set.
   */
  private pickBatch(items: readonly BatchItem[]): Array<{ item: BatchItem; processAmount: number }> {
    const queued = (this.context as unknown as ContextInternals)._queuedDecodes;
    const groups = new Map<string, number[]>();
    items.forEach((_, i) => {
      const key = this.seqKey.get(queued[i]?.sequenceId ?? -1)?.key ?? BASE_KEY;
      const g = groups.get(key);
      if (g) g.push(i);
      else groups.set(key, [i]);
    });
    let chosen: string | undefined;
    let oldest = Infinity;
    for (const key of groups.keys()) {
      const served = this.lastServed.get(key) ?? -1;
      if (served < oldest) {
        oldest = served;
        chosen = key;
      }
    }
    if (chosen === undefined) return [];
    const idx = groups.get(chosen)!;
    this.lastServed.set(chosen, ++this.batchCounter);
    if (chosen !== this.currentKey) {
      const use = this.seqKey.get(queued[idx[0]!]!.sequenceId);
      const loras = use?.loras ?? [];
      (this.context as unknown as ContextInternals)._ctx.setLoras(loras, use?.scales ?? []);
      this.currentKey = chosen;
      this.currentLoras = loras;
      this.counters.adapterSwitches++;
      for (const l of this.deferredDispose) {
        if (!loras.includes(l)) {
          this.deferredDispose.delete(l);
          void l.dispose();
        }
      }
    }
    return idx.map((i) => ({ item: items[i]!, processAmount: items[i]!.tokens.length }));
  }

  /** Waits for a free sequence, admitting queued requests fairly (round-robin over adapter sets). */
  private slot(key: string, signal: AbortSignal): Promise<LlamaSequence | undefined> {
    const seq = this.free.length > 0 && this.queuedCount === 0 ? this.free.pop() : undefined;
    if (seq) return Promise.resolve(seq);
    if (this.queuedCount >= this.maxQueue) return Promise.reject(overloaded(`the engine's queue is full (${this.maxQueue} waiting)`, 1));
    return new Promise((resolve) => {
      const w: Waiter = {
        key,
        start: (s) => {
          signal.removeEventListener("abort", onAbort);
          resolve(s);
        },
        cancel: () => resolve(undefined),
      };
      const onAbort = () => {
        const list = this.waiting.get(key);
        const i = list?.indexOf(w) ?? -1;
        if (list && i >= 0) {
          list.splice(i, 1);
          this.queuedCount--;
          if (list.length === 0) this.waiting.delete(key);
        }
        w.cancel();
      };
      signal.addEventListener("abort", onAbort, { once: true });
      const list = this.waiting.get(key);
      if (list) list.push(w);
      else this.waiting.set(key, [w]);
      this.queuedCount++;
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.free.length > 0 && this.queuedCount > 0) {
      // round-robin: the first adapter set in the map, moved to the back after it is served
      const [key, list] = this.waiting.entries().next().value as [string, Waiter[]];
      const w = list.shift()!;
      this.waiting.delete(key);
      if (list.length > 0) this.waiting.set(key, list);
      this.queuedCount--;
      w.start(this.free.pop()!);
    }
  }

  private release(seq: LlamaSequence): void {
    this.seqKey.delete(seqId(seq));
    this.free.push(seq);
    this.dispatch();
  }

  /* GENERATION */

  async generate(req: GenerateRequest): Promise<GenerateResult> {
    if (this.closed) throw new ServeError(503, "the engine is shutting down", "server_error", "shutting_down");
    const t0 = performance.now();
    const promptTokens = this.tokenize(req.prompt);
    if (promptTokens.length + req.maxTokens > this.contextSize) {
      throw new ServeError(413, `prompt (${promptTokens.length} tokens) + max_tokens (${req.maxTokens}) exceed the context of ${this.contextSize}`, "invalid_request_error", "context_length_exceeded", "messages");
    }
    const hot = await Promise.all(req.adapters.map((a) => this.acquire(a, true)));
    const key = req.adapters.length === 0 ? BASE_KEY : req.adapters.map((a) => `${a.digest}@${a.scale}`).join("+");
    const text = new TextStream(this.model, req.stop, req.onText);
    let tokensOut = 0;
    let finishReason: FinishReason = "length";
    let ttftMs: number | undefined;
    let seq: LlamaSequence | undefined;
    try {
      seq = await this.slot(key, req.signal);
      if (!seq) return { text: "", tokensIn: promptTokens.length, tokensOut: 0, finishReason: "cancelled", ttftMs };
      this.running++;
      this.seqKey.set(seqId(seq), { key, loras: hot.map((h) => h.lora), scales: req.adapters.map((a) => a.scale) });
      if (req.maxTokens === 0) return { text: "", tokensIn: promptTokens.length, tokensOut: 0, finishReason: "length", ttftMs };
      const options = { temperature: req.temperature, ...(req.topP === undefined ? {} : { topP: req.topP }) };
      for await (const token of seq.evaluate(promptTokens, options)) {
        if (req.signal.aborted) {
          finishReason = "cancelled";
          break;
        }
        if (this.model.isEogToken(token)) {
          finishReason = "stop";
          break;
        }
        ttftMs ??= performance.now() - t0;
        tokensOut++;
        if (text.push(token)) {
          finishReason = "stop";
          break;
        }
        if (tokensOut >= req.maxTokens) break;
      }
      if (req.signal.aborted) finishReason = "cancelled";
      return { text: text.finish(finishReason !== "cancelled"), tokensIn: promptTokens.length, tokensOut, finishReason, ttftMs };
    } finally {
      for (const h of hot) h.active--;
      if (seq) {
        this.running = Math.max(0, this.running - 1);
        this.seqKey.delete(seqId(seq));
        await seq.clearHistory().catch(() => undefined);
        this.release(seq);
      }
    }
  }

  stats(): EngineStats {
    return { queued: this.queuedCount, running: this.running, hotAdapters: this.hot.size, ...this.counters };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const list of this.waiting.values()) for (const w of list) w.cancel();
    this.waiting.clear();
    await this.context.dispose().catch(() => undefined);
    await this.base.dispose().catch(() => undefined);
  }
}

export type { NodeLlama };

/** node-llama-cpp's sequence id (internal `_sequenceId`, the id its queued decodes carry). */
function seqId(seq: LlamaSequence): number {
  return (seq as unknown as { _sequenceId: number })._sequenceId;
}
