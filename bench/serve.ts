// SPDX-License-Identifier: MIT
/**
 * Benchmarks for issue 21 (OpenLoRA serving) on the shipped tiny base, all figures from ONE run (the machine is
 * shared; compare ratios): aggregate output tokens/s with 1, 10, 100 and 1,000 distinct adapters in the request mix
 * for our engine (one context, batches per adapter set) beside the naive server (one node-llama-cpp context per
 * adapter, one request at a time per context); warm and cold adapter switch; TTFT and inter-token latency at rising
 * concurrency; RSS per hot adapter; payment check + receipt signing + journal per request vs a 64-token response.
 * Run: `npx tsx bench/serve.ts [--quick]` (prints a markdown section for bench/RESULTS.md).
 */
import { execSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { privateKeyToAccount } from "viem/accounts";
import { BASE_PATH, BASE_CONFIG } from "../ai/base/index.ts";
import { LocalEngine } from "../ai/serve/engine/local.ts";
import type { AdapterUse } from "../ai/serve/engine/types.ts";
import { FileJournal } from "../ai/serve/journal/journal.ts";
import { writeSeededAdapter } from "../ai/serve/testing.ts";
import { LlamaCppModel } from "../ai/llamacpp/index.ts";
import { signUsageReceipt, signVoucher, usageReceiptDigest, verifyVoucher } from "../sdk/payout/index.ts";
import { decodeVoucherHeader, encodeVoucherHeader, priceOf, requestHash } from "../sdk/serving/index.ts";

const QUICK = process.argv.includes("--quick");
const STREAMS = 8;
const OUT_TOKENS = 32;
const REQUESTS = QUICK ? 32 : 64;
const PROMPTS = ["Question: What is the law?\nAnswer:", "Question: Who pays the taxes of the nation?\nAnswer:", "The people of the United States", "Question: What did the president say?\nAnswer:"];
const now = () => performance.now();
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const rssMb = () => process.memoryUsage().rss / 2 ** 20;
const load = () => loadavg().map((l) => l.toFixed(1)).join(" ");

const dir = await mkdtemp(join(tmpdir(), "bench-serve-"));
const N_ADAPTERS = QUICK ? 200 : 1000;
const adapters: AdapterUse[] = [];
for (let i = 0; i < N_ADAPTERS + 60; i++) {
  const { path, bytes } = await writeSeededAdapter(BASE_CONFIG, 1000 + i, dir);
  adapters.push({ digest: `0x${createHash("sha256").update(bytes).digest("hex")}`, path, scale: 1 });
}
const coldPool = adapters.slice(N_ADAPTERS); // never used before the cold-load measurement
const mixOf = (k: number) => Array.from({ length: REQUESTS }, (_, i) => ({ adapter: adapters[(i * 7919) % k]!, prompt: PROMPTS[i % PROMPTS.length]! }));

/** Runs `jobs` with `streams` workers; returns aggregate output tokens/s. */
async function drive(jobs: Array<{ adapter: AdapterUse; prompt: string }>, streams: number, run: (j: { adapter: AdapterUse; prompt: string }) => Promise<number>): Promise<number> {
  let next = 0;
  let tokens = 0;
  const t0 = now();
  await Promise.all(Array.from({ length: streams }, async () => {
    while (next < jobs.length) {
      const n = await run(jobs[next++]!);
      tokens += n;
    }
  }));
  return (tokens / (now() - t0)) * 1000;
}

/* NAIVE BASELINE: one context per adapter (LRU of 16 contexts), one request at a time per context */
async function naive(jobs: Array<{ adapter: AdapterUse; prompt: string }>): Promise<number> {
  const base = await LlamaCppModel.load(BASE_PATH, { adapterDir: join(dir, "naive-cache") });
  type Ctx = Awaited<ReturnType<typeof base.model.createContext>>;
  const ctxs = new Map<string, { ctx: Promise<Ctx>; busy: Promise<unknown> }>();
  const bos = base.model.tokens.bos!;
  const run = async (j: { adapter: AdapterUse; prompt: string }) => {
    let e = ctxs.get(j.adapter.digest);
    if (e) {
      ctxs.delete(j.adapter.digest);
      ctxs.set(j.adapter.digest, e);
    } else {
      const path = await base.prepareAdapter(j.adapter.path);
      e = { ctx: base.model.createContext({ contextSize: 256, sequences: 1, threads: 1, lora: { adapters: [{ filePath: path }] } }), busy: Promise.resolve() };
      ctxs.set(j.adapter.digest, e);
      while (ctxs.size > 16) {
        const [k, old] = ctxs.entries().next().value as [string, { ctx: Promise<Ctx>; busy: Promise<unknown> }];
        ctxs.delete(k);
        void old.busy.then(async () => (await old.ctx).dispose());
      }
    }
    const entry = e;
    const job = entry.busy.then(async () => {
      const ctx = await entry.ctx;
      const seq = ctx.getSequence();
      let n = 0;
      try {
        for await (const t of seq.evaluate([bos, ...base.model.tokenize(j.prompt)], { temperature: 0 })) {
          void t;
          if (++n >= OUT_TOKENS) break;
        }
      } finally {
        seq.dispose();
      }
      return n;
    });
    entry.busy = job.catch(() => undefined);
    return job;
  };
  const tps = await drive(jobs, STREAMS, run);
  for (const e of ctxs.values()) await (await e.ctx).dispose();
  await base.dispose();
  return tps;
}

async function ours(jobs: Array<{ adapter: AdapterUse; prompt: string }>, sequences = STREAMS): Promise<number> {
  const engine = await LocalEngine.create({ basePath: BASE_PATH, sequences, adapterDir: join(dir, "cache"), maxHotAdapters: 2000, maxQueue: 10_000 });
  const signal = new AbortController().signal;
  const tps = await drive(jobs, STREAMS, async (j) => (await engine.generate({ adapters: [j.adapter], prompt: j.prompt, maxTokens: OUT_TOKENS, temperature: 0, stop: [], signal })).tokensOut);
  await engine.close();
  return tps;
}

const rows: string[] = [];
const started = new Date().toISOString();
const commit = execSync("git rev-parse --short HEAD").toString().trim();
console.error(`bench/serve: ${N_ADAPTERS} adapters written; load ${load()}`);

// throughput, interleaved ours/naive per mix so both see the same load
const tput: Array<{ k: number; ours: number; naive: number; load: string }> = [];
for (const k of [1, 10, 100, N_ADAPTERS]) {
  const jobs = mixOf(k);
  const o = await ours(jobs);
  const n = await naive(jobs);
  tput.push({ k, ours: o, naive: n, load: load() });
  console.error(`mix ${k}: ours ${o.toFixed(0)} tok/s, naive ${n.toFixed(0)} tok/s (load ${load()})`);
}

// adapter switch, cold load, memory per hot adapter, latency
const engine = await LocalEngine.create({ basePath: BASE_PATH, sequences: 16, adapterDir: join(dir, "cache2"), maxHotAdapters: 5000, maxQueue: 10_000 });
const internals = engine as unknown as { context: { _ctx: { setLoras(l: unknown[], s: number[]): void } }; hot: Map<string, { lora: unknown }> };
const cold: number[] = [];
for (const a of coldPool.slice(0, 50)) cold.push(await engine.warm(a));
const [h1, h2] = [...internals.hot.values()];
const SW = 20_000;
let t = now();
for (let i = 0; i < SW; i++) internals.context._ctx.setLoras([i % 2 ? h1!.lora : h2!.lora], [1]);
const warmSwitchUs = ((now() - t) / SW) * 1000;
global.gc?.();
const rss0 = rssMb();
const HOT = QUICK ? 200 : 1000;
for (const a of adapters.slice(0, HOT)) await engine.warm(a);
global.gc?.();
const perHotKb = ((rssMb() - rss0) * 1024) / HOT;
const latency: Array<{ c: number; ttft50: number; ttft99: number; itl50: number; itl99: number; tps: number }> = [];
for (const c of [1, 4, 8, 16]) {
  const ttft: number[] = [];
  const itl: number[] = [];
  const jobs = mixOf(10).slice(0, Math.max(c * 3, 16));
  const tps = await drive(jobs, c, async (j) => {
    const t0 = now();
    let last: number | undefined;
    const r = await engine.generate({
      adapters: [j.adapter], prompt: j.prompt, maxTokens: OUT_TOKENS, temperature: 0, stop: [], signal: new AbortController().signal,
      onText: () => {
        const tt = now();
        if (last === undefined) ttft.push(tt - t0);
        else itl.push(tt - last);
        last = tt;
      },
    });
    return r.tokensOut;
  });
  latency.push({ c, ttft50: pct(ttft, 50), ttft99: pct(ttft, 99), itl50: pct(itl, 50), itl99: pct(itl, 99), tps });
}

// payment + receipt overhead vs a 64-token response (1 stream, the same engine)
const resp: number[] = [];
for (let i = 0; i < 10; i++) {
  const t0 = now();
  await engine.generate({ adapters: [adapters[1]!], prompt: PROMPTS[0]!, maxTokens: 64, temperature: 0, stop: [], signal: new AbortController().signal });
  resp.push(now() - t0);
}
await engine.close();
const payer = privateKeyToAccount("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a");
const nodeKey = privateKeyToAccount("0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6");
const target = { chainId: 31337, verifyingContract: "0x5FbDB2315678afecb367f032d93F642f64180aa3" as const };
const journal = await FileJournal.open(join(dir, "journal"));
const body = { model: "lineage/1", messages: [{ role: "user", content: PROMPTS[0] }], max_tokens: 64 };
const output = "x".repeat(300);
const pay: number[] = [];
const header = encodeVoucherHeader(await signVoucher(payer, { channelId: 1n, cumulativeAmount: 10n ** 18n }, target));
for (let i = 0; i < 100; i++) {
  const t0 = now();
  const v = decodeVoucherHeader(header);
  if (!(await verifyVoucher(v, payer.address, target))) throw new Error("voucher");
  const receipt = { channelId: 1n, seq: BigInt(i + 1), modelId: 1n, adapterDigest: adapters[0]!.digest, tokensIn: 20, tokensOut: 64, cumulativeAmount: BigInt(i + 1) * priceOf(20, 64, 10n ** 16n), requestHash: requestHash(body, output) };
  const signed = await signUsageReceipt(nodeKey, receipt, target);
  await journal.appendReceipt({ ...signed, digest: usageReceiptDigest(receipt, target), node: nodeKey.address }, { request: body, response: output });
  pay.push(now() - t0);
}
await journal.close();
const payMs = pct(pay, 50);
const respMs = pct(resp, 50);

const single = tput[0]!;
const mix = tput[tput.length - 1]!;
rows.push(
  `### Issue 21 serving (bench/serve.ts${QUICK ? " --quick" : ""}), ${started.slice(0, 16)} UTC, commit ${commit}`,
  "",
  `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), shared with other engineers' jobs: load averages shown per figure. Shipped tiny base (4 layers, dim 256, vocab 2048), ${STREAMS} concurrent streams, ${REQUESTS} requests of ${OUT_TOKENS} greedy output tokens per mix, seeded rank-4 adapters on q, v, ffn_down (~120 KB F32 each). Ours: one context, ${STREAMS} sequences, batches per adapter set. Naive: one node-llama-cpp context per adapter (LRU of 16), one request at a time per context. Ratios are from this one run.`,
  "",
  "| distinct adapters in the mix | ours tok/s | naive tok/s | ours / naive | load (1/5/15 min) |",
  "|---|---|---|---|---|",
  ...tput.map((r) => `| ${r.k} | ${r.ours.toFixed(0)} | ${r.naive.toFixed(0)} | ${(r.ours / r.naive).toFixed(2)}x | ${r.load} |`),
  "",
  `- mix/single (ours, ${mix.k} adapters vs 1): **${((mix.ours / single.ours) * 100).toFixed(0)}%**`,
  `- cold adapter load (validate GGUF + content-addressed copy + llama.cpp load), 50 never-seen adapters: p50 ${pct(cold, 50).toFixed(2)} ms, p99 ${pct(cold, 99).toFixed(2)} ms`,
  `- warm adapter switch (llama_set_adapters_lora between batches): ${warmSwitchUs.toFixed(1)} us`,
  `- RSS per hot adapter (${HOT} loaded): ${perHotKb.toFixed(0)} KB -> ~${Math.floor((2 * 1024 * 1024) / Math.max(1, perHotKb)).toLocaleString("en")} hot adapters within 2 GB`,
  `- payment check + receipt (voucher decode and ecrecover, price, requestHash, EIP-712 sign, journal append with fsync; the channel read is cached): p50 ${payMs.toFixed(2)} ms vs a 64-token response p50 ${respMs.toFixed(0)} ms = **${((payMs / respMs) * 100).toFixed(2)}%**`,
  "",
  "| concurrent streams (10-adapter mix) | TTFT p50 / p99 ms | inter-token p50 / p99 ms | tok/s |",
  "|---|---|---|---|",
  ...latency.map((l) => `| ${l.c} | ${l.ttft50.toFixed(1)} / ${l.ttft99.toFixed(1)} | ${l.itl50.toFixed(2)} / ${l.itl99.toFixed(2)} | ${l.tps.toFixed(0)} |`),
  "",
  `Load at the end: ${load()}.`,
);
console.log(rows.join("\n"));
await rm(dir, { recursive: true, force: true });
process.exit(0);
