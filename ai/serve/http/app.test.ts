// SPDX-License-Identifier: MIT
/** The HTTP API in local free mode, driven by the official `openai` client over real loopback HTTP. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BASE_PATH, BASE_CONFIG } from "../../base/index.ts";
import { startServe, type ServeHandle } from "../server.ts";
import { writeSeededAdapter } from "../testing.ts";

const errOf = async (r: Response) => ((await r.json()) as { error: Record<string, unknown> }).error;

describe("lineage serve: OpenAI API (local free mode)", () => {
  let dir: string;
  let s: ServeHandle;
  let client: OpenAI;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "serve-http-"));
    const a1 = await writeSeededAdapter(BASE_CONFIG, 11, dir);
    const a2 = await writeSeededAdapter(BASE_CONFIG, 12, dir);
    s = await startServe({ basePath: BASE_PATH, dataDir: dir, adapters: [`alpha=${a1.path}`, `beta=${a2.path}`], sequences: 4, limits: { maxPending: 4, maxBodyBytes: 8192 }, log: (await import("pino")).pino({ level: "silent" }) });
    client = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: "unused", maxRetries: 0 });
  }, 60_000);
  afterAll(async () => {
    await s?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("lists the adapters and the base as models", async () => {
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids.sort()).toEqual(["alpha", "base", "beta"]);
  });

  it("answers chat and completions, streaming and not, with usage; streaming equals non-streaming", async () => {
    const messages = [{ role: "user" as const, content: "What is the law?" }];
    const full = await client.chat.completions.create({ model: "alpha", messages, max_tokens: 12, temperature: 0 });
    expect(full.object).toBe("chat.completion");
    expect(full.choices[0]!.message.content!.length).toBeGreaterThan(0);
    expect(full.usage!.completion_tokens).toBeGreaterThan(0);
    expect(full.usage!.total_tokens).toBe(full.usage!.prompt_tokens + full.usage!.completion_tokens);
    const stream = await client.chat.completions.create({ model: "alpha", messages, max_tokens: 12, temperature: 0, stream: true, stream_options: { include_usage: true } });
    let text = "";
    let usage: OpenAI.CompletionUsage | undefined;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.choices[0]?.finish_reason) finish = chunk.choices[0].finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(full.choices[0]!.message.content);
    expect(usage).toEqual(full.usage);
    expect(finish).toBe(full.choices[0]!.finish_reason);
    const other = await client.chat.completions.create({ model: "beta", messages, max_tokens: 12, temperature: 0 });
    expect(other.choices[0]!.message.content).not.toBe(full.choices[0]!.message.content);
    const cmpl = await client.completions.create({ model: "base", prompt: "The people of the United States", max_tokens: 8, temperature: 0 });
    expect(cmpl.choices[0]!.text.length).toBeGreaterThan(0);
    expect(cmpl.usage!.completion_tokens).toBeLessThanOrEqual(8);
    // a weighted mix of local adapters (local mode only)
    const mixed = await client.chat.completions.create({ model: "alpha", messages, max_tokens: 12, temperature: 0, lineage_adapters: [{ model: "alpha", scale: 0.5 }, { model: "beta", scale: 0.5 }] } as never);
    expect(mixed.choices[0]!.message.content!.length).toBeGreaterThan(0);
  }, 60_000);

  it("answers every error in OpenAI's shape: 404, 400, 413, 429", async () => {
    const err = await client.chat.completions.create({ model: "nope", messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect((err as InstanceType<typeof OpenAI.NotFoundError>).code).toBe("model_not_found");
    const post = (body: string) => fetch(`${s.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body });
    const bad = await post("{not json");
    expect(bad.status).toBe(400);
    expect((await errOf(bad))).toMatchObject({ type: "invalid_request_error", param: null, code: null });
    const noMessages = await post(JSON.stringify({ model: "alpha", messages: [] }));
    expect(noMessages.status).toBe(400);
    expect((await errOf(noMessages)).param).toBe("messages");
    const tooMany = await post(JSON.stringify({ model: "alpha", messages: [{ role: "user", content: "hi" }], max_tokens: 10_000 }));
    expect(tooMany.status).toBe(400);
    const big = await post(JSON.stringify({ model: "alpha", messages: [{ role: "user", content: "x".repeat(10_000) }] }));
    expect(big.status).toBe(413);
    expect((await errOf(big)).code).toBe("request_too_large");
    const longPrompt = await post(JSON.stringify({ model: "alpha", messages: [{ role: "user", content: "the law of the land ".repeat(200) }] }));
    expect(longPrompt.status).toBe(413);
    const route = await fetch(`${s.url}/v1/nothing`);
    expect(route.status).toBe(404);
    expect((await errOf(route)).type).toBe("not_found_error");
    // overload: more concurrent requests than the node admits
    const body = JSON.stringify({ model: "alpha", messages: [{ role: "user", content: "Tell me" }], max_tokens: 40, temperature: 0 });
    const answers = await Promise.all(Array.from({ length: 12 }, () => post(body)));
    const statuses = answers.map((r) => r.status);
    expect(statuses).toContain(200);
    expect(statuses).toContain(429);
    const limited = answers.find((r) => r.status === 429)!;
    expect(limited.headers.get("retry-after")).toBe("1");
    expect((await errOf(limited))).toMatchObject({ type: "rate_limit_error", code: "overloaded" });
    await Promise.all(answers.filter((r) => r !== limited).map((r) => r.arrayBuffer()));
  }, 60_000);

  it("serves /health and Prometheus /metrics, and has no receipts in free mode", async () => {
    expect(((await (await fetch(`${s.url}/health`)).json()) as { status: string }).status).toBe("ok");
    const m = await (await fetch(`${s.url}/metrics`)).text();
    expect(m).toMatch(/lineage_serve_queue_depth \d+/);
    expect(m).toMatch(/lineage_serve_tokens_total\{kind="completion"\} [1-9]/);
    expect(m).toMatch(/lineage_serve_adapter_loads [1-9]/);
    expect(m).toContain("lineage_serve_time_to_first_token_seconds_bucket");
    expect((await fetch(`${s.url}/v1/receipts`)).status).toBe(404);
  });
});
