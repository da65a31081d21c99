// SPDX-License-Identifier: MIT
/**
 * The remote engine: an OpenAI-compatible upstream with LoRA enabled, such as a vLLM GPU node started with
 * `--enable-lora` and `VLLM_ALLOW_RUNTIME_LORA_UPDATING=True`. Adapters are loaded at run time with vLLM's documented
 * `POST /v1/load_lora_adapter {lora_name, lora_path}` and dropped with `POST /v1/unload_lora_adapter {lora_name}`
 * (an LRU bounded by count); a request names the adapter as `model`. `lora_path` is `<loraRoot>/<adapter digest>` on
 * the upstream's file system, where the operator places the adapter's PEFT export. Token counts come from the
 * upstream's `usage` (the served model's tokenizer). vLLM cannot run on this project's machines: the tests run this
 * engine against a stand-in server written to vLLM's documented API.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { overloaded, ServeError } from "../errors.ts";
import type { AdapterUse, Engine, EngineStats, FinishReason, GenerateRequest, GenerateResult } from "./types.ts";

export interface RemoteEngineOptions {
  baseUrl: string;
  apiKey?: string;
  /** The base model's name at the upstream (requests without an adapter). */
  baseModel?: string;
  /** Where the upstream finds adapters: `lora_path = <loraRoot>/<digest hex>`. */
  loraRoot?: string;
  /** Local copy of the base (its digest is checked against nothing remote; used for naming only). */
  basePath?: string;
  maxLoaded?: number;
  maxPending?: number;
  contextSize?: number;
}

const chunkSchema = z.object({
  choices: z.array(z.object({ text: z.string().optional(), finish_reason: z.string().nullable().optional() }).loose()).default([]),
  usage: z.object({ prompt_tokens: z.number().int().nonnegative(), completion_tokens: z.number().int().nonnegative() }).loose().nullable().optional(),
}).loose();

export class RemoteEngine implements Engine {
  readonly kind = "remote" as const;
  readonly contextSize: number;
  private readonly loaded = new Map<string, string>(); // lora_name -> digest, LRU order
  private pending = 0;
  private running = 0;
  private readonly counters = { adapterLoads: 0, adapterHits: 0, adapterEvictions: 0, adapterSwitches: 0 };

  private constructor(private readonly o: RemoteEngineOptions & { baseModel: string }) {
    this.contextSize = o.contextSize ?? 4096;
  }

  static async create(o: RemoteEngineOptions): Promise<RemoteEngine> {
    const baseModel = o.baseModel ?? (o.basePath ? `sha256-${createHash("sha256").update(await readFile(o.basePath)).digest("hex").slice(0, 16)}` : "base");
    const e = new RemoteEngine({ ...o, baseModel });
    return e;
  }

  private async post(path: string, body: unknown, signal?: AbortSignal): Promise<Response> {
    const res = await fetch(new URL(path, this.o.baseUrl), {
      method: "POST",
      headers: { "content-type": "application/json", ...(this.o.apiKey ? { authorization: `Bearer ${this.o.apiKey}` } : {}) },
      body: JSON.stringify(body),
      ...(signal ? { signal } : {}),
    }).catch((e: Error) => {
      if (signal?.aborted) throw e;
      throw new ServeError(502, `upstream ${this.o.baseUrl} unreachable: ${e.message}`, "server_error", "upstream_unreachable");
    });
    return res;
  }

  async countTokens(prompt: string): Promise<number> {
    // an upper bound (byte-level BPE: at most one token per byte, plus BOS); the upstream's usage meters exactly
    return Buffer.byteLength(prompt) + 1;
  }

  private loraName(a: AdapterUse): string {
    return a.name ?? a.digest;
  }

  async warm(a: AdapterUse): Promise<number> {
    const t0 = performance.now();
    const name = this.loraName(a);
    if (this.loaded.has(name)) {
      this.counters.adapterHits++;
      this.loaded.delete(name);
      this.loaded.set(name, a.digest);
      return 0;
    }
    const res = await this.post("/v1/load_lora_adapter", { lora_name: name, lora_path: `${this.o.loraRoot ?? "/adapters"}/${a.digest.slice(2)}` });
    if (!res.ok) {
      const text = await res.text();
      if (!(res.status === 400 && /already (been )?loaded/i.test(text))) throw new ServeError(502, `upstream refused to load adapter ${name}: ${res.status} ${text.slice(0, 200)}`, "server_error", "upstream_error");
    } else await res.arrayBuffer();
    this.loaded.set(name, a.digest);
    this.counters.adapterLoads++;
    while (this.loaded.size > (this.o.maxLoaded ?? 64)) {
      const [oldest] = this.loaded.keys();
      this.loaded.delete(oldest!);
      const r = await this.post("/v1/unload_lora_adapter", { lora_name: oldest });
      await r.arrayBuffer();
      this.counters.adapterEvictions++;
    }
    return performance.now() - t0;
  }

  async generate(req: GenerateRequest): Promise<GenerateResult> {
    if (req.adapters.length > 1) throw new ServeError(400, "the remote engine applies one adapter per request", "invalid_request_error", null, "lineage_adapters");
    if (this.pending >= (this.o.maxPending ?? 64)) throw overloaded("the upstream queue is full", 1);
    this.pending++;
    const t0 = performance.now();
    try {
      const adapter = req.adapters[0];
      if (adapter) await this.warm(adapter);
      const model = adapter ? this.loraName(adapter) : this.o.baseModel;
      this.running++;
      const res = await this.post(
        "/v1/completions",
        { model, prompt: req.prompt, max_tokens: req.maxTokens, temperature: req.temperature, ...(req.topP === undefined ? {} : { top_p: req.topP }), ...(req.stop.length ? { stop: req.stop } : {}), stream: true, stream_options: { include_usage: true } },
        req.signal,
      ).catch((e) => {
        if (req.signal.aborted) return undefined;
        throw e;
      });
      let text = "";
      let tokensIn = 0;
      let tokensOut = 0;
      let finishReason: FinishReason = "length";
      let ttftMs: number | undefined;
      if (!res) return { text, tokensIn: await this.countTokens(req.prompt), tokensOut, finishReason: "cancelled", ttftMs };
      if (!res.ok || !res.body) throw new ServeError(502, `upstream answered ${res.status}: ${(await res.text()).slice(0, 200)}`, "server_error", "upstream_error");
      const decoder = new TextDecoder();
      let buf = "";
      try {
        for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
          buf += decoder.decode(part, { stream: true });
          let nl: number;
          while ((nl = buf.indexOf("\n\n")) >= 0) {
            const event = buf.slice(0, nl);
            buf = buf.slice(nl + 2);
            const data = event.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("");
            if (!data || data === "[DONE]") continue;
            const chunk = chunkSchema.parse(JSON.parse(data));
            for (const ch of chunk.choices) {
              if (ch.text) {
                ttftMs ??= performance.now() - t0;
                text += ch.text;
                req.onText?.(ch.text);
              }
              if (ch.finish_reason) finishReason = ch.finish_reason === "length" ? "length" : "stop";
            }
            if (chunk.usage) {
              tokensIn = chunk.usage.prompt_tokens;
              tokensOut = chunk.usage.completion_tokens;
            }
          }
        }
      } catch (e) {
        if (!req.signal.aborted) throw new ServeError(502, `upstream stream failed: ${(e as Error).message}`, "server_error", "upstream_error");
      }
      if (req.signal.aborted) {
        // metered on what was sent: the upstream's usage never came; count the prompt bound and one token per piece
        return { text, tokensIn: tokensIn || (await this.countTokens(req.prompt)), tokensOut: tokensOut || (text ? Math.max(1, Math.ceil(Buffer.byteLength(text) / 4)) : 0), finishReason: "cancelled", ttftMs };
      }
      if (tokensIn === 0 && tokensOut === 0 && text) throw new ServeError(502, "the upstream sent no usage: cannot meter", "server_error", "upstream_error");
      if (tokensOut > req.maxTokens) throw new ServeError(502, `the upstream reported ${tokensOut} tokens for max_tokens ${req.maxTokens}`, "server_error", "upstream_error");
      return { text, tokensIn, tokensOut, finishReason, ttftMs };
    } finally {
      this.pending--;
      this.running = Math.max(0, this.running - 1);
    }
  }

  stats(): EngineStats {
    return { queued: Math.max(0, this.pending - this.running), running: this.running, hotAdapters: this.loaded.size, ...this.counters };
  }

  async close(): Promise<void> {}
}
