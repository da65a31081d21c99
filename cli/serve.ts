// SPDX-License-Identifier: MIT
/** `lineage serve`: the OpenLoRA serving node (ai/serve). */
import type { Command } from "commander";
import { createPublicClient, http, isHex, type Hex, type PublicClient } from "viem";
import { z } from "zod";
import { BASE_PATH } from "../ai/base/index.ts";
import { startServe, type ServeOptions } from "../ai/serve/index.ts";
import { loadDeployment, readDeployment } from "../sdk/addresses/index.ts";
import { FsContentStore, HttpContentStore } from "../sdk/content/index.ts";

export class ServeCliError extends Error {
  override name = "ServeCliError";
}

const int = (name: string, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).optional().describe(name);

const flagsSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535),
  host: z.string().min(1),
  base: z.string().min(1),
  dataDir: z.string().min(1),
  adapter: z.array(z.string()).default([]),
  rpc: z.string().url().optional(),
  deployment: z.string().optional(),
  gateway: z.string().url().optional(),
  remote: z.string().url().optional(),
  remoteLoraRoot: z.string().optional(),
  remoteModel: z.string().optional(),
  sequences: int("sequences", 1, 64),
  maxHotAdapters: int("max-hot-adapters", 1, 1_000_000),
  maxPending: int("max-pending", 1, 100_000),
  maxPromptTokens: int("max-prompt-tokens", 1, 1_000_000),
  maxOutputTokens: int("max-output-tokens", 1, 1_000_000),
  timeoutMs: int("timeout-ms", 100, 3_600_000),
  maxInFlightPerChannel: int("max-in-flight-per-channel", 1, 1000),
});

/** Adds `serve` to the program (kept in its own file so bin.ts needs one line). */
export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("serve LoRA adapters on one base model behind an OpenAI-compatible API; paid by voucher, metered by signed receipts when --rpc is given")
    .option("--port <n>", "port (0 = any free port)", "8091")
    .option("--host <host>", "listen address", "127.0.0.1")
    .option("--base <file>", "base model GGUF", BASE_PATH)
    .option("--data-dir <dir>", "data directory: journal and adapter cache under <dir>/serve, content store under <dir>/content", ".lineage")
    .option("--adapter <name=path.gguf>", "serve a local adapter file for free (repeatable; no chain needed)", (v: string, prev: string[] = []) => [...prev, v])
    .option("--rpc <url>", "JSON-RPC URL: serve the model NFTs on this base, paid (node key from LINEAGE_NODE_KEY)")
    .option("--deployment <file>", "deployment JSON (default deployments/<chainId>.json)")
    .option("--gateway <url>", "content gateway to fetch adapters from (default: the local content store)")
    .option("--remote <url>", "an OpenAI-compatible upstream with LoRA (vLLM) instead of local llama.cpp (API key from LINEAGE_REMOTE_KEY)")
    .option("--remote-lora-root <dir>", "where the upstream finds adapters (lora_path = <dir>/<digest>)")
    .option("--remote-model <name>", "the base model's name at the upstream")
    .option("--sequences <n>", "sequences decoded together (local engine)")
    .option("--max-hot-adapters <n>", "adapters kept loaded (LRU)")
    .option("--max-pending <n>", "requests queued or running before 429")
    .option("--max-prompt-tokens <n>", "largest prompt before 413")
    .option("--max-output-tokens <n>", "largest max_tokens before 400")
    .option("--timeout-ms <n>", "request timeout")
    .option("--max-in-flight-per-channel <n>", "requests in flight per payment channel (the node's risk; default 1)")
    .action(async (raw: Record<string, unknown>) => {
      const parsed = flagsSchema.safeParse(raw);
      if (!parsed.success) throw new ServeCliError(parsed.error.issues.map((i) => `--${String(i.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${i.message}`).join("; "));
      const f = parsed.data;
      const limits = {
        ...(f.maxPending ? { maxPending: f.maxPending } : {}),
        ...(f.maxPromptTokens ? { maxPromptTokens: f.maxPromptTokens } : {}),
        ...(f.maxOutputTokens ? { maxOutputTokens: f.maxOutputTokens } : {}),
        ...(f.timeoutMs ? { requestTimeoutMs: f.timeoutMs } : {}),
      };
      const opts: ServeOptions = {
        host: f.host,
        port: f.port,
        basePath: f.base,
        dataDir: f.dataDir,
        adapters: f.adapter,
        limits,
        ...(f.sequences ? { sequences: f.sequences } : {}),
        ...(f.maxHotAdapters ? { maxHotAdapters: f.maxHotAdapters } : {}),
        ...(f.remote ? { remote: { baseUrl: f.remote, ...(process.env.LINEAGE_REMOTE_KEY ? { apiKey: process.env.LINEAGE_REMOTE_KEY } : {}) } } : {}),
      };
      if (f.rpc) {
        if (f.adapter.length > 0) throw new ServeCliError("--adapter (free local mode) and --rpc (paid model NFTs) do not mix");
        const key = process.env.LINEAGE_NODE_KEY;
        if (!key || !isHex(key) || key.length !== 66) throw new ServeCliError("paid serving needs the node's staking key in LINEAGE_NODE_KEY (0x + 64 hex digits); it signs receipts");
        const client = createPublicClient({ transport: http(f.rpc) }) as PublicClient;
        const chainId = await client.getChainId().catch((e: Error) => {
          throw new ServeCliError(`cannot reach ${f.rpc}: ${e.message}`);
        });
        const deployment = f.deployment ? readDeployment(f.deployment) : loadDeployment(chainId);
        const store = f.gateway ? new HttpContentStore(f.gateway) : new FsContentStore(f.dataDir);
        opts.chain = { rpcUrl: f.rpc, deployment, nodeKey: key as Hex, store, ...(f.maxInFlightPerChannel ? { maxInFlightPerChannel: f.maxInFlightPerChannel } : {}) };
      }
      const h = await startServe(opts);
      process.stdout.write(`${JSON.stringify({ url: h.url, engine: h.engine.kind, models: h.models.list().map((m) => m.name), node: h.node ?? null, staking: h.staking?.message ?? null })}\n`);
      const stop = () => void h.close().then(() => process.exit(0));
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
}
