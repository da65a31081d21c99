// SPDX-License-Identifier: MIT
/** The local engine on the shipped tiny base: batching across adapters keeps each adapter's greedy tokens. */
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BASE_PATH } from "../../base/index.ts";
import { decodeLlamaGguf, mergeLora, readLoraGguf, writeLlamaGguf } from "../../formats/index.ts";
import { readFileSync } from "node:fs";
import { writeSeededAdapter } from "../testing.ts";
import { LocalEngine } from "./local.ts";
import type { AdapterUse, GenerateRequest } from "./types.ts";

const PROMPTS = ["Question: What is the law?\nAnswer:", "The people of the United States", "Question: Who pays taxes?\nAnswer:"];

describe("local engine", () => {
  let dir: string;
  let engine: LocalEngine;
  const adapters: AdapterUse[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "serve-engine-"));
    engine = await LocalEngine.create({ basePath: BASE_PATH, sequences: 6, adapterDir: join(dir, "cache"), maxHotAdapters: 3 });
    for (const seed of [1, 2, 3, 4]) {
      const { path, bytes } = await writeSeededAdapter(engine.base.config, seed, dir);
      adapters.push({ digest: `0x${createHash("sha256").update(bytes).digest("hex")}`, path, scale: 1 });
    }
  }, 60_000);
  afterAll(async () => {
    await engine?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const req = (prompt: string, a: AdapterUse[], maxTokens = 12): GenerateRequest => ({ adapters: a, prompt, maxTokens, temperature: 0, stop: [], signal: new AbortController().signal });

  it("concurrent requests for different adapters give the tokens each adapter gives alone", async () => {
    const cases = [...PROMPTS.flatMap((p) => adapters.slice(0, 3).map((a) => ({ p, a: [a] }))), { p: PROMPTS[0]!, a: [] as AdapterUse[] }];
    const alone: string[] = [];
    for (const c of cases) alone.push((await engine.generate(req(c.p, c.a))).text);
    // adapters change the output (otherwise this test proves nothing)
    expect(new Set(alone.slice(0, 3)).size).toBeGreaterThan(1);
    expect(alone[0]).not.toBe(alone[alone.length - 1]);
    const together = await Promise.all(cases.map((c) => engine.generate(req(c.p, c.a))));
    expect(together.map((r) => r.text)).toEqual(alone);
    expect(together.every((r) => r.tokensOut === 12 || r.finishReason === "stop")).toBe(true);
    expect(engine.stats().adapterSwitches).toBeGreaterThan(3);
  }, 120_000);

  it("evicts the least recently used adapter beyond the bound and reloads it on demand", async () => {
    const before = (await engine.generate(req(PROMPTS[1]!, [adapters[0]!]))).text;
    await engine.generate(req(PROMPTS[1]!, [adapters[3]!]));
    const s = engine.stats();
    expect(s.hotAdapters).toBeLessThanOrEqual(3);
    expect(s.adapterEvictions).toBeGreaterThan(0);
    await engine.generate(req(PROMPTS[1]!, [adapters[1]!]));
    await engine.generate(req(PROMPTS[1]!, [adapters[2]!]));
    expect((await engine.generate(req(PROMPTS[1]!, [adapters[0]!]))).text).toBe(before);
  }, 60_000);

  it("stops at a stop string, at max_tokens, and when cancelled", async () => {
    const full = await engine.generate(req(PROMPTS[0]!, [], 20));
    const cut = full.text.slice(3, 5);
    const stopped = await engine.generate({ ...req(PROMPTS[0]!, [], 20), stop: [cut] });
    expect(stopped.finishReason).toBe("stop");
    expect(full.text.startsWith(stopped.text)).toBe(true);
    expect(stopped.text.includes(cut)).toBe(false);
    const ac = new AbortController();
    const pieces: string[] = [];
    const r = await engine.generate({ ...req(PROMPTS[0]!, [], 40), signal: ac.signal, onText: (t) => { pieces.push(t); if (pieces.length === 3) ac.abort(); } });
    expect(r.finishReason).toBe("cancelled");
    expect(r.tokensOut).toBeLessThan(40);
    expect(r.text).toBe(pieces.join(""));
  }, 60_000);

  it("an adapter merged into the base by our engine gives the tokens llama.cpp gives applying it at run time", async () => {
    const base = decodeLlamaGguf(new Uint8Array(readFileSync(BASE_PATH)));
    const lora = await readLoraGguf(adapters[1]!.path, base.config);
    await writeLlamaGguf(join(dir, "merged.gguf"), base.config, mergeLora(base.tensors, lora), base.tokenizer);
    const merged = await LocalEngine.create({ basePath: join(dir, "merged.gguf"), sequences: 1 });
    try {
      for (const p of PROMPTS) {
        const runtime = (await engine.generate(req(p, [adapters[1]!], 16))).text;
        expect((await merged.generate(req(p, [], 16))).text).toBe(runtime);
      }
    } finally {
      await merged.close();
    }
  }, 60_000);
});
