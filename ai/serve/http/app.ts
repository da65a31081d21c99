// SPDX-License-Identifier: MIT
/**
 * The OpenAI-compatible HTTP API (hono): `/v1/models`, `/v1/chat/completions`, `/v1/completions` (SSE streaming,
 * `usage`), `/v1/receipts` (NDJSON feed), `/v1/transcripts/<receipt digest>`, `/metrics`, `/health`. Every error is
 * OpenAI-shaped. Paid models pass the payment gate; their signed receipt is journaled durably before the response's
 * last byte and sent as `lineage_receipt` (JSON body, or the final SSE chunk with `usage`).
 */
import { randomUUID } from "node:crypto";
import { Hono, type Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { Logger } from "pino";
import { isHex } from "viem";
import { RECEIPT_FIELD, MAX_PRICE_HEADER, VOUCHER_HEADER, priceOf, receiptToWire, requestHash, type ServedReceipt } from "../../../sdk/serving/index.ts";
import { renderChat } from "../engine/chat.ts";
import type { AdapterUse, Engine, GenerateResult } from "../engine/types.ts";
import { badRequest, notFound, overloaded, ServeError, tooLarge } from "../errors.ts";
import type { FileJournal } from "../journal/journal.ts";
import type { ServeMetrics } from "../metrics.ts";
import type { Admission, PaymentGate } from "../payment/gate.ts";
import type { ModelSource, ServedModel } from "../registry/types.ts";
import { chatBody, completionBody, textOf, type ChatBody, type CompletionBody } from "./schemas.ts";

export interface ServeLimits {
  /** Largest request body (bytes) before 413. */
  maxBodyBytes: number;
  maxPromptTokens: number;
  maxOutputTokens: number;
  defaultMaxTokens: number;
  /** Requests queued or running before 429. */
  maxPending: number;
  requestTimeoutMs: number;
}

export const DEFAULT_LIMITS: ServeLimits = { maxBodyBytes: 256 * 1024, maxPromptTokens: 192, maxOutputTokens: 128, defaultMaxTokens: 64, maxPending: 64, requestTimeoutMs: 120_000 };

export interface AppDeps {
  engine: Engine;
  models: ModelSource;
  limits: ServeLimits;
  metrics: ServeMetrics;
  log: Logger;
  /** Present when serving paid models. */
  gate?: PaymentGate;
  journal?: FileJournal;
  /** The node address (shown by /health). */
  node?: string;
}

interface Job {
  route: "chat" | "completions";
  body: Record<string, unknown>;
  model: ServedModel;
  adapters: AdapterUse[];
  prompt: string;
  maxTokens: number;
  temperature: number;
  topP: number | undefined;
  stop: string[];
  stream: boolean;
  includeUsage: boolean;
  admission: Admission | undefined;
  id: string;
  created: number;
}

export function createApp(d: AppDeps): Hono {
  const app = new Hono();
  let pending = 0;

  app.onError((err, c) => {
    const e = err instanceof ServeError ? err : new ServeError(500, "internal error", "server_error");
    if (!(err instanceof ServeError)) d.log.error({ err }, "unhandled error");
    if (e.retryAfter !== undefined) c.header("Retry-After", String(e.retryAfter));
    return c.json(e.body(), e.status as 400);
  });
  app.notFound((c) => c.json(new ServeError(404, `no route ${c.req.method} ${c.req.path}`, "not_found_error", "unknown_route").body(), 404));

  app.get("/health", (c) => c.json({ status: "ok", node: d.node ?? null, engine: d.engine.kind, models: d.models.list().length, ...d.engine.stats() }));
  app.get("/metrics", async (c) => c.body(await d.metrics.registry.metrics(), 200, { "content-type": d.metrics.registry.contentType }));

  app.get("/v1/models", (c) =>
    c.json({
      object: "list",
      data: d.models.list().map((m) => ({
        id: m.name,
        object: "model",
        created: m.created,
        owned_by: "lineage",
        lineage: { modelId: m.modelId?.toString() ?? null, adapterDigest: m.adapterDigest, pricePer1kTokens: m.pricePer1k.toString() },
      })),
    }),
  );

  app.get("/v1/receipts", async (c) => {
    if (!d.journal) throw notFound("this node meters nothing (local free mode)", "no_receipts", null);
    const after = intParam(c.req.query("after"), 0, "after");
    const limit = Math.min(intParam(c.req.query("limit"), 100, "limit"), 1000);
    const rows = await d.journal.entries(after, limit);
    const text = rows.map((e) => JSON.stringify({ cursor: e.cursor, time: e.time, receipt: receiptToWire(e.receipt) })).join("\n");
    return c.body(text ? `${text}\n` : "", 200, { "content-type": "application/x-ndjson" });
  });

  app.get("/v1/transcripts/:digest", async (c) => {
    const digest = c.req.param("digest");
    if (!isHex(digest, { strict: true }) || digest.length !== 66) throw badRequest("a receipt digest is 0x + 64 hex digits", "digest");
    const text = await d.journal?.transcriptText(digest);
    if (text === undefined) throw notFound(`no transcript for receipt ${digest}`, "transcript_not_found", "digest");
    return c.body(text, 200, { "content-type": "application/json" });
  });

  const handle = (route: Job["route"]) => async (c: Context) => {
    const t0 = performance.now();
    const job = await prepare(c, route);
    if (pending >= d.limits.maxPending) {
      job.admission?.release();
      throw overloaded(`the node is at its limit of ${d.limits.maxPending} requests`, 1);
    }
    pending++;
    const done = () => {
      pending--;
      job.admission?.release();
      d.metrics.duration.observe({ route }, (performance.now() - t0) / 1000);
    };
    try {
      return job.stream ? streamJob(c, job, done) : await jsonJob(c, job).finally(done);
    } catch (e) {
      if (!job.stream) throw e;
      done();
      throw e;
    }
  };
  app.post("/v1/chat/completions", handle("chat"));
  app.post("/v1/completions", handle("completions"));

  /** Parses, validates, resolves the model, checks limits and payment. Nothing is metered on any failure here. */
  async function prepare(c: Context, route: Job["route"]): Promise<Job> {
    const declared = Number(c.req.header("content-length") ?? "0");
    if (declared > d.limits.maxBodyBytes) throw tooLarge(`request body of ${declared} bytes exceeds ${d.limits.maxBodyBytes}`);
    const raw = await c.req.text();
    if (Buffer.byteLength(raw) > d.limits.maxBodyBytes) throw tooLarge(`request body exceeds ${d.limits.maxBodyBytes} bytes`);
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw badRequest("the body is not valid JSON");
    }
    const fail = (e: { issues: Array<{ path: PropertyKey[]; message: string }> }): never => {
      const i = e.issues[0]!;
      throw badRequest(`${i.path.join(".") || "body"}: ${i.message}`, i.path.join(".") || null);
    };
    let b: ChatBody | CompletionBody;
    let prompt: string;
    let maxTokens: number;
    if (route === "chat") {
      const r = chatBody.safeParse(json);
      if (!r.success) return fail(r.error);
      b = r.data;
      prompt = renderChat(r.data.messages.map((m) => ({ role: m.role, content: textOf(m.content) })));
      maxTokens = r.data.max_completion_tokens ?? r.data.max_tokens ?? d.limits.defaultMaxTokens;
    } else {
      const r = completionBody.safeParse(json);
      if (!r.success) return fail(r.error);
      b = r.data;
      prompt = Array.isArray(r.data.prompt) ? r.data.prompt[0]! : r.data.prompt;
      maxTokens = r.data.max_tokens ?? d.limits.defaultMaxTokens;
    }
    const model = d.models.get(b.model);
    if (!model) throw notFound(`the model \`${b.model}\` does not exist on this node`);
    const paid = model.pricePer1k > 0n && model.modelId !== undefined;
    if (b.lineage_adapters && paid) throw badRequest("a paid request names one model; weighted adapter mixes are for free local models", "lineage_adapters");
    let adapters: AdapterUse[];
    try {
      adapters = b.lineage_adapters ? await mix(b.lineage_adapters) : await model.adapters();
    } catch (e) {
      if (e instanceof ServeError) throw e;
      d.log.error({ err: e, model: model.name }, "adapter unavailable");
      throw new ServeError(503, `the adapter of ${model.name} is unavailable: ${(e as Error).message}`, "server_error", "adapter_unavailable", null, 5);
    }
    if (maxTokens > d.limits.maxOutputTokens) throw badRequest(`max_tokens ${maxTokens} is above this node's maximum of ${d.limits.maxOutputTokens}`, "max_tokens");
    const tokensIn = await d.engine.countTokens(prompt);
    if (tokensIn > d.limits.maxPromptTokens) throw tooLarge(`the prompt has ${tokensIn} tokens, above this node's maximum of ${d.limits.maxPromptTokens}`, "messages");
    if (tokensIn + maxTokens > d.engine.contextSize) throw tooLarge(`prompt (${tokensIn} tokens) + max_tokens (${maxTokens}) exceed the context of ${d.engine.contextSize}`, "max_tokens");
    if (pending >= d.limits.maxPending) throw overloaded(`the node is at its limit of ${d.limits.maxPending} requests`, 1);
    let admission: Admission | undefined;
    if (paid) {
      if (!d.gate) throw new ServeError(503, "paid models need the payment gate (start with a chain)", "server_error", "no_gate");
      admission = await d.gate.admit({
        voucherHeader: c.req.header(VOUCHER_HEADER),
        maxPriceHeader: c.req.header(MAX_PRICE_HEADER),
        model: { modelId: model.modelId!, adapterDigest: model.adapterDigest, pricePer1k: model.pricePer1k },
        tokensIn,
        maxTokens,
      });
    }
    const stop = b.stop === undefined ? [] : typeof b.stop === "string" ? [b.stop] : b.stop;
    return {
      route,
      body: json as Record<string, unknown>,
      model,
      adapters,
      prompt,
      maxTokens,
      temperature: b.temperature ?? 1,
      topP: b.top_p ?? undefined,
      stop,
      stream: b.stream === true,
      includeUsage: b.stream_options?.include_usage === true,
      admission,
      id: `${route === "chat" ? "chatcmpl" : "cmpl"}-${randomUUID()}`,
      created: Math.floor(Date.now() / 1000),
    };
  }

  async function mix(parts: Array<{ model: string; scale: number }>): Promise<AdapterUse[]> {
    if (d.engine.kind !== "local") throw badRequest("weighted adapter mixes need the local engine", "lineage_adapters");
    const out: AdapterUse[] = [];
    for (const p of parts) {
      const m = d.models.get(p.model);
      if (!m) throw notFound(`the model \`${p.model}\` does not exist on this node`, "model_not_found", "lineage_adapters");
      if (m.pricePer1k > 0n) throw badRequest(`\`${p.model}\` is paid: mixes are for free local models`, "lineage_adapters");
      for (const a of await m.adapters()) out.push({ ...a, scale: a.scale * p.scale });
    }
    return out;
  }

  function signalFor(c: Context): { signal: AbortSignal; clear: () => void; abort: () => void } {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(new Error("timeout")), d.limits.requestTimeoutMs);
    const onAbort = () => ac.abort(new Error("client disconnected"));
    const clientSignal = c.req.raw.signal;
    if (clientSignal.aborted) ac.abort();
    else clientSignal.addEventListener("abort", onAbort, { once: true });
    return { signal: ac.signal, clear: () => { clearTimeout(timer); clientSignal.removeEventListener("abort", onAbort); }, abort: () => ac.abort() };
  }

  /** Meters the result (paid models): the receipt, journaled durably, or undefined when nothing was sent. */
  async function meter(job: Job, r: GenerateResult): Promise<ServedReceipt | undefined> {
    d.metrics.completed(r.tokensIn, r.tokensOut);
    if (r.ttftMs !== undefined) d.metrics.ttft.observe(r.ttftMs / 1000);
    if (!job.admission || !d.gate) return undefined;
    if (r.finishReason === "cancelled" && r.tokensOut === 0) return undefined; // nothing was delivered
    const transcript = { request: job.body, response: r.text };
    const receipt = await d.gate.settle(job.admission, { tokensIn: r.tokensIn, tokensOut: r.tokensOut, transcript, requestHash: requestHash(job.body, r.text) });
    d.metrics.receipts.inc();
    d.metrics.metered.inc(Number(priceOf(r.tokensIn, r.tokensOut, job.model.pricePer1k)));
    return receipt;
  }

  const usageOf = (r: GenerateResult) => ({ prompt_tokens: r.tokensIn, completion_tokens: r.tokensOut, total_tokens: r.tokensIn + r.tokensOut });
  const finishOf = (r: GenerateResult) => (r.finishReason === "cancelled" ? "stop" : r.finishReason);

  async function jsonJob(c: Context, job: Job): Promise<Response> {
    const s = signalFor(c);
    try {
      const r = await d.engine.generate({ adapters: job.adapters, prompt: job.prompt, maxTokens: job.maxTokens, temperature: job.temperature, ...(job.topP === undefined ? {} : { topP: job.topP }), stop: job.stop, signal: s.signal });
      if (r.finishReason === "cancelled" && s.signal.reason instanceof Error && s.signal.reason.message === "timeout" && r.tokensOut === 0) {
        throw new ServeError(504, `no output within ${d.limits.requestTimeoutMs} ms`, "timeout_error", "timeout");
      }
      const receipt = await meter(job, r);
      d.metrics.requests.inc({ route: job.route, status: "200" });
      const base = { id: job.id, created: job.created, model: job.model.name, usage: usageOf(r), ...(receipt ? { [RECEIPT_FIELD]: receiptToWire(receipt) } : {}) };
      if (job.route === "chat") {
        return c.json({ ...base, object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content: r.text }, finish_reason: finishOf(r), logprobs: null }] });
      }
      return c.json({ ...base, object: "text_completion", choices: [{ index: 0, text: r.text, finish_reason: finishOf(r), logprobs: null }] });
    } finally {
      s.clear();
    }
  }

  function streamJob(c: Context, job: Job, done: () => void): Response {
    const s = signalFor(c);
    const chunk = (delta: string | undefined, finish: string | null, extra: Record<string, unknown> = {}) =>
      JSON.stringify(
        job.route === "chat"
          ? { id: job.id, object: "chat.completion.chunk", created: job.created, model: job.model.name, choices: finish === "usage" ? [] : [{ index: 0, delta: delta === undefined ? {} : { ...(delta === "" ? { role: "assistant" } : {}), content: delta }, finish_reason: finish, logprobs: null }], ...extra }
          : { id: job.id, object: "text_completion", created: job.created, model: job.model.name, choices: finish === "usage" ? [] : [{ index: 0, text: delta ?? "", finish_reason: finish, logprobs: null }], ...extra },
      );
    return streamSSE(
      c,
      async (stream) => {
        stream.onAbort(() => s.abort());
        let writes = Promise.resolve();
        const send = (data: string) => {
          writes = writes.then(() => stream.writeSSE({ data })).catch(() => s.abort());
        };
        try {
          send(chunk("", null));
          const r = await d.engine.generate({
            adapters: job.adapters,
            prompt: job.prompt,
            maxTokens: job.maxTokens,
            temperature: job.temperature,
            ...(job.topP === undefined ? {} : { topP: job.topP }),
            stop: job.stop,
            signal: s.signal,
            onText: (t) => send(chunk(t, null)),
          });
          await writes;
          // the receipt is journaled (durable) before the final chunk: it is the last byte's precondition
          const receipt = await meter(job, r);
          if (s.signal.aborted) return;
          const receiptField = receipt ? { [RECEIPT_FIELD]: receiptToWire(receipt) } : {};
          send(chunk(undefined, finishOf(r)));
          // the final chunk carries `usage` (and the receipt); sent even without include_usage when metered
          if (job.includeUsage || receipt) send(chunk(undefined, "usage", { usage: usageOf(r), ...receiptField }));
          send("[DONE]");
          await writes;
          d.metrics.requests.inc({ route: job.route, status: "200" });
        } catch (e) {
          const err = e instanceof ServeError ? e : new ServeError(500, "internal error", "server_error");
          if (!(e instanceof ServeError)) d.log.error({ err: e }, "stream failed");
          d.metrics.requests.inc({ route: job.route, status: String(err.status) });
          send(JSON.stringify(err.body()));
          await writes;
        } finally {
          s.clear();
          done();
        }
      },
      async (err) => {
        d.log.error({ err }, "stream error");
      },
    );
  }

  return app;
}

function intParam(v: string | undefined, dflt: number, name: string): number {
  if (v === undefined || v === "") return dflt;
  if (!/^[0-9]{1,15}$/.test(v)) throw badRequest(`${name} must be a non-negative integer`, name);
  return Number(v);
}
