// SPDX-License-Identifier: MIT
/** The inference engine behind the HTTP API: local llama.cpp (one base, many adapters) or a remote OpenAI upstream. */

/** One LoRA adapter applied to a request (local mode may mix several with scales; paid requests name one). */
export interface AdapterUse {
  /** A stable key naming the adapter (its content digest, `0x...`). */
  digest: `0x${string}`;
  /** Local: the validated adapter GGUF file. Remote: unused. */
  path: string;
  /** Remote: the adapter's name at the upstream. */
  name?: string;
  scale: number;
}

export interface GenerateRequest {
  /** Adapters to apply (empty: the base model). */
  adapters: readonly AdapterUse[];
  /** The prompt text (chat already rendered with the model's template). */
  prompt: string;
  /** The most output tokens to generate. */
  maxTokens: number;
  /** 0 = greedy. */
  temperature: number;
  topP?: number;
  seed?: number;
  /** Stop strings (the output ends before the first match). */
  stop: readonly string[];
  /** Aborts generation (client disconnect, timeout). */
  signal: AbortSignal;
  /** Called with each new piece of output text, in order. */
  onText?: (text: string) => void;
}

export type FinishReason = "stop" | "length" | "cancelled";

export interface GenerateResult {
  /** The output text sent (stop string excluded). */
  text: string;
  tokensIn: number;
  tokensOut: number;
  finishReason: FinishReason;
  /** Milliseconds from accepting the request to the first output token. */
  ttftMs: number | undefined;
}

/** Counters an engine exposes for metrics and limits. */
export interface EngineStats {
  queued: number;
  running: number;
  hotAdapters: number;
  adapterLoads: number;
  adapterHits: number;
  adapterEvictions: number;
  adapterSwitches: number;
}

export interface Engine {
  readonly kind: "local" | "remote";
  /** The number of prompt tokens the engine will count for `prompt` (an upper bound for remote engines). */
  countTokens(prompt: string): Promise<number>;
  /** The most tokens one request may hold (prompt + output). */
  readonly contextSize: number;
  /** Generates; rejects with a `ServeError` when overloaded. Resolves with what was sent even when cancelled. */
  generate(req: GenerateRequest): Promise<GenerateResult>;
  /** Loads an adapter ahead of use (validated); returns milliseconds spent (0 when already hot). */
  warm(adapter: AdapterUse): Promise<number>;
  stats(): EngineStats;
  close(): Promise<void>;
}
