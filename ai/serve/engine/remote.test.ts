// SPDX-License-Identifier: MIT
/**
 * The remote engine against a stand-in for a vLLM node, written to vLLM's documented API (vLLM needs a GPU and
 * cannot run here): `POST /v1/load_lora_adapter {lora_name, lora_path}` (400 when the name is already loaded),
 * `POST /v1/unload_lora_adapter {lora_name}`, and `POST /v1/completions` with `stream: true` and
 * `stream_options.include_usage` (SSE chunks, then one chunk with `usage` and empty `choices`, then `[DONE]`). The
 * stand-in generates with our real llama.cpp engine applying the adapter file found at `lora_path`.
 */
import { createHash } from "node:crypto";
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BASE_CONFIG, BASE_PATH } from "../../base/index.ts";
import { ServeError } from "../errors.ts";
import { writeSeededAdapter } from "../testing.ts";
import { LocalEngine } from "./local.ts";
import { RemoteEngine } from "./remote.ts";
import type { AdapterUse } from "./types.ts";

describe("remote engine (vLLM API stand-in)", () => {
  let dir: string;
  let local: LocalEngine;
  let server: Server;
  let url: string;
  const calls: string[] = [];
  const loaded = new Map<string, string>();
  const adapters: AdapterUse[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "serve-remote-"));
    await mkdir(join(dir, "lora"));
    for (const seed of [31, 32]) {
      const { path, bytes } = await writeSeededAdapter(BASE_CONFIG, seed, dir);
      const digest = `0x${createHash("sha256").update(bytes).digest("hex")}` as const;
      await copyFile(path, join(dir, "lora", digest.slice(2)));
      adapters.push({ digest, path, scale: 1, name: `adapter-${seed}` });
    }
    local = await LocalEngine.create({ basePath: BASE_PATH, sequences: 2, adapterDir: join(dir, "cache") });
    server = createServer((req, res) => {
      let raw = "";
      req.on("data", (d: Buffer) => (raw += d.toString()));
      req.on("end", () => {
        void (async () => {
          const body = JSON.parse(raw || "{}") as Record<string, unknown>;
          calls.push(`${req.url} ${String(body.lora_name ?? body.model ?? "")}`);
          const json = (status: number, v: unknown) => {
            res.writeHead(status, { "content-type": "application/json" });
            res.end(typeof v === "string" ? v : JSON.stringify(v));
          };
          if (req.url === "/v1/load_lora_adapter") {
            if (loaded.has(String(body.lora_name))) return json(400, { object: "error", message: `The lora adapter '${String(body.lora_name)}' has already been loaded.`, type: "InvalidUserInput", code: 400 });
            loaded.set(String(body.lora_name), String(body.lora_path));
            return json(200, `Success: LoRA adapter '${String(body.lora_name)}' added successfully.`);
          }
          if (req.url === "/v1/unload_lora_adapter") {
            if (!loaded.delete(String(body.lora_name))) return json(404, { object: "error", message: "not found", type: "NotFoundError", code: 404 });
            return json(200, `Success: LoRA adapter '${String(body.lora_name)}' removed successfully.`);
          }
          if (req.url === "/v1/completions") {
            const model = String(body.model);
            const path = loaded.get(model);
            if (!path && model !== "base") return json(404, { object: "error", message: `The model \`${model}\` does not exist.`, type: "NotFoundError", code: 404 });
            res.writeHead(200, { "content-type": "text/event-stream" });
            const r = await local.generate({
              adapters: path ? [{ digest: `0x${basename(path)}`, path, scale: 1 }] : [],
              prompt: String(body.prompt),
              maxTokens: Number(body.max_tokens),
              temperature: Number(body.temperature),
              stop: [],
              signal: new AbortController().signal,
              onText: (text) => res.write(`data: ${JSON.stringify({ id: "cmpl-1", object: "text_completion", model, choices: [{ index: 0, text, finish_reason: null }] })}\n\n`),
            });
            res.write(`data: ${JSON.stringify({ id: "cmpl-1", object: "text_completion", model, choices: [{ index: 0, text: "", finish_reason: r.finishReason === "stop" ? "stop" : "length" }] })}\n\n`);
            res.write(`data: ${JSON.stringify({ id: "cmpl-1", object: "text_completion", model, choices: [], usage: { prompt_tokens: r.tokensIn, completion_tokens: r.tokensOut, total_tokens: r.tokensIn + r.tokensOut } })}\n\n`);
            res.end("data: [DONE]\n\n");
            return;
          }
          json(404, { object: "error", message: "no route", type: "NotFoundError", code: 404 });
        })();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 60_000);
  afterAll(async () => {
    server?.close();
    await local?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const req = (a: AdapterUse[], prompt = "Question: What is the law?\nAnswer:") => ({ adapters: a, prompt, maxTokens: 10, temperature: 0, stop: [], signal: new AbortController().signal });

  it("loads adapters at run time, names them as model, streams text and meters the upstream's usage", async () => {
    const remote = await RemoteEngine.create({ baseUrl: url, baseModel: "base", loraRoot: join(dir, "lora"), maxLoaded: 1 });
    const pieces: string[] = [];
    const r = await remote.generate({ ...req([adapters[0]!]), onText: (t) => pieces.push(t) });
    const direct = await local.generate(req([adapters[0]!]));
    expect(r.text).toBe(direct.text);
    expect(pieces.join("")).toBe(r.text);
    expect([r.tokensIn, r.tokensOut]).toEqual([direct.tokensIn, direct.tokensOut]);
    expect(calls).toContain("/v1/load_lora_adapter adapter-31");
    expect(calls).toContain("/v1/completions adapter-31");
    // a second adapter evicts the first (maxLoaded 1) through unload_lora_adapter
    const r2 = await remote.generate(req([adapters[1]!]));
    expect(r2.text).toBe((await local.generate(req([adapters[1]!]))).text);
    expect(calls).toContain("/v1/unload_lora_adapter adapter-31");
    expect(remote.stats()).toMatchObject({ hotAdapters: 1, adapterLoads: 2, adapterEvictions: 1 });
    // an adapter the upstream already holds (e.g. after our restart) is accepted
    const again = await RemoteEngine.create({ baseUrl: url, baseModel: "base", loraRoot: join(dir, "lora") });
    expect((await again.generate(req([adapters[1]!]))).text).toBe(r2.text);
  }, 60_000);

  it("turns upstream failures into 502s and refuses adapter mixes", async () => {
    const remote = await RemoteEngine.create({ baseUrl: url, baseModel: "missing", loraRoot: join(dir, "lora") });
    await expect(remote.generate(req([]))).rejects.toMatchObject({ status: 502, code: "upstream_error" });
    await expect(remote.generate(req(adapters))).rejects.toBeInstanceOf(ServeError);
    const down = await RemoteEngine.create({ baseUrl: "http://127.0.0.1:9", baseModel: "base" });
    await expect(down.generate(req([]))).rejects.toMatchObject({ status: 502, code: "upstream_unreachable" });
  });
});
