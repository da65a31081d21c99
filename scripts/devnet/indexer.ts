// SPDX-License-Identifier: MIT
/**
 * Runs the Ponder indexer (`indexer/`) as a child process: `ponder start --schema <schema> -p <port>` with the
 * deployment, RPC and database passed through the environment, and waits until it has caught up (`/ready`).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { createWriteStream, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { createPublicClient, http } from "viem";
import { REPO_ROOT, type Deployment } from "../../sdk/addresses/index.ts";
import { indexerNode, indexerNodeArgs } from "./indexer-node.ts";
import { freePort, OutputTail, stopChild, waitFor } from "./net.ts";

export const PONDER_BIN = join(REPO_ROOT, "node_modules", "ponder", "dist", "esm", "bin", "ponder.js");
export const INDEXER_ROOT = join(REPO_ROOT, "indexer");

export interface IndexerOptions {
  deploymentFile: string;
  deployment: Deployment;
  rpcUrl: string;
  /** Port of the GraphQL server (default: a free port). */
  port?: number;
  /** PGlite directory (ignored with `databaseUrl`). */
  pgliteDir: string;
  /** Postgres connection string; PGlite when absent. */
  databaseUrl?: string;
  /** Database schema (default {@link indexerSchemaName}). */
  schema?: string;
  /** File to append Ponder's log to. */
  logFile?: string;
  /** Wait for `/ready` (caught up with the chain); default true. */
  waitReady?: boolean;
  readyTimeoutMs?: number;
  pollingIntervalMs?: number;
  /** The Ponder app's directory (default {@link INDEXER_ROOT}; benchmarks run variants of it). */
  root?: string;
  /** The content gateway the merit route reads payout-tree documents from (default: the indexer's, the devnet's). */
  contentUrl?: string;
  /** Called with Ponder's process as soon as it is spawned (benchmarks sample its CPU time). */
  onSpawn?: (child: ChildProcess) => void;
}

export interface Indexer {
  url: string;
  graphqlUrl: string;
  schema: string;
  process: ChildProcess;
  output: () => string;
  /** Resolves once `/ready` answers 200 and the indexer has processed the chain's head block of that moment. */
  ready: () => Promise<void>;
  /** The last block the indexer has processed (from `/status`), or undefined before its first checkpoint. */
  indexedBlock: () => Promise<number | undefined>;
  /** Waits until the indexer has processed `block` (default: the chain's current head). */
  synced: (block?: bigint) => Promise<void>;
  stop: () => Promise<void>;
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith(".") || name === "generated" || name === "node_modules") continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else if (name.endsWith(".ts")) out.push(p);
  }
  return out;
}

/**
 * The schema an indexer writes for a deployment: a hash of the deployment (chain, deploy block hash, addresses, ABIs)
 * and of the indexer's code. Same deployment and code: the same schema, so a restart resumes (Ponder's crash
 * recovery). A new chain, deployment or indexer version gets a fresh schema and indexes from the deploy block.
 */
export function indexerSchemaName(deployment: Deployment): string {
  const h = createHash("sha256");
  h.update(JSON.stringify(deployment));
  for (const f of filesUnder(INDEXER_ROOT)) h.update(f.slice(INDEXER_ROOT.length)).update(readFileSync(f));
  return `lineage_${deployment.chainId}_${h.digest("hex").slice(0, 12)}`;
}

/** Starts the indexer; by default waits until it has caught up with the chain. */
export async function startIndexer(opts: IndexerOptions): Promise<Indexer> {
  const port = opts.port ?? (await freePort());
  const schema = opts.schema ?? indexerSchemaName(opts.deployment);
  const root = opts.root ?? INDEXER_ROOT;
  mkdirSync(opts.pgliteDir, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PONDER_TELEMETRY_DISABLED: "1",
    NO_COLOR: "1",
    FORCE_COLOR: "0",
    LINEAGE_DEPLOYMENT_FILE: opts.deploymentFile,
    LINEAGE_RPC_URL: opts.rpcUrl,
    LINEAGE_PGLITE_DIR: opts.pgliteDir,
    LINEAGE_POLLING_MS: String(opts.pollingIntervalMs ?? 250),
    DATABASE_URL: opts.databaseUrl ?? "",
    DATABASE_PRIVATE_URL: "",
  };
  if (opts.contentUrl) env.LINEAGE_CONTENT_URL = opts.contentUrl;
  delete env.PORT; // Ponder lets PORT override -p

  const child = spawn(
    indexerNode(),
    [...indexerNodeArgs(process.env), PONDER_BIN, "--root", root, "--log-format", "json", "start", "--schema", schema, "-p", String(port), "-H", "127.0.0.1"],
    // cwd: Ponder writes generated/schema.graphql into its working directory.
    { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  opts.onSpawn?.(child);
  const tail = new OutputTail(30_000);
  let log: ReturnType<typeof createWriteStream> | undefined;
  if (opts.logFile) {
    mkdirSync(dirname(opts.logFile), { recursive: true });
    log = createWriteStream(opts.logFile, { flags: "a" });
  }
  const onData = (d: Buffer) => {
    tail.push(d);
    log?.write(d);
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  let exited: string | undefined;
  child.once("exit", (code, sig) => {
    exited = `indexer exited (${code ?? sig}): ${lastErrors(tail.toString())}`;
    log?.end();
  });
  child.once("error", (e) => (exited = `indexer failed to start: ${e.message}`));

  const url = `http://127.0.0.1:${port}`;
  const timeoutMs = opts.readyTimeoutMs ?? 120_000;
  const client = createPublicClient({ transport: http(opts.rpcUrl) });
  const indexedBlock = async (): Promise<number | undefined> => {
    const res = await fetch(`${url}/status`);
    if (!res.ok) return undefined;
    const status = (await res.json()) as Record<string, { block?: { number?: number } }>;
    return Object.values(status)[0]?.block?.number;
  };
  const synced = async (block?: bigint): Promise<void> => {
    const target = Number(block ?? (await client.getBlockNumber({ cacheTime: 0 })));
    await waitFor(
      `the indexer to reach block ${target}`,
      async () => {
        const n = await indexedBlock();
        return n !== undefined && n >= target ? true : undefined;
      },
      { timeoutMs, intervalMs: 100, abort: () => exited },
    );
  };
  const ready = async () => {
    await waitFor(
      "the indexer to finish its backfill",
      async () => ((await fetch(`${url}/ready`)).status === 200 ? true : undefined),
      { timeoutMs, intervalMs: 200, abort: () => exited },
    );
    await synced();
  };
  const indexer: Indexer = {
    url,
    graphqlUrl: `${url}/graphql`,
    schema,
    process: child,
    output: () => tail.toString(),
    ready,
    indexedBlock,
    synced,
    stop: () => stopChild(child, "SIGINT", 15_000),
  };
  if (opts.waitReady ?? true) {
    try {
      await ready();
    } catch (e) {
      await indexer.stop();
      throw e;
    }
  }
  return indexer;
}

/** The error messages in Ponder's JSON log (or the raw tail when there are none). */
export function lastErrors(output: string): string {
  const msgs: string[] = [];
  for (const line of output.split("\n")) {
    try {
      const j = JSON.parse(line) as { level?: number; msg?: string; error?: { message?: string } };
      if ((j.level ?? 0) >= 50) msgs.push([j.msg, j.error?.message].filter(Boolean).join(": "));
    } catch {
      /* not JSON */
    }
  }
  return msgs.length ? msgs.slice(-5).join(" | ") : output.slice(-2000);
}

export interface GraphQLResult<T> {
  data?: T;
  errors?: { message: string }[];
}

/** POSTs a GraphQL query; throws on transport or GraphQL errors. */
export async function gql<T = Record<string, unknown>>(
  graphqlUrl: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<T> {
  const res = await fetch(graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as GraphQLResult<T>;
  if (body.errors?.length) throw new Error(`GraphQL: ${body.errors.map((e) => e.message).join("; ")}`);
  if (!res.ok || !body.data) throw new Error(`GraphQL HTTP ${res.status}`);
  return body.data;
}
