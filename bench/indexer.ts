// SPDX-License-Identifier: MIT
/**
 * Indexer benchmark (issue 6): indexing throughput over >= 50,000 contribution events, and GraphQL p50/p95 of the
 * five commonest queries (100-row lists), on PGlite and (when Debian's Postgres is installed) on Postgres.
 *
 *   npx tsx bench/indexer.ts [--events 50000] [--backend pglite|postgres|both] [--iterations 200]
 *     [--chain <dir>] [--keep-log <dir>] [--no-live]
 *
 * `--chain <dir>` keeps the prepared chain (anvil state + deployment) in `dir` and reuses it on the next run with the
 * same event count (setting up 50,000 events takes about a minute); `--keep-log <dir>` keeps Ponder's log there;
 * `--no-live` skips the live phase. Set NODE_OPTIONS="--cpu-prof --cpu-prof-dir=<dir>" to profile the indexer.
 *
 * Setup: anvil on a free port, every contract deployed, 100 Datanets, then `events` contributions to Datanet 1 in
 * batches of 1,000 items (one transaction each), then 40 empty blocks so they are final (Ponder's backfill path).
 * Backfill: throughput = contribution events / the time Ponder reports for "Completed backfill indexing" (RPC fetch
 * and indexing). Live: 10 more batches sent while the indexer follows the head, timed from the first send until
 * the indexer has processed the last block. Prints a JSON report and a markdown table.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { concatHex, encodeFunctionData, keccak256, numberToHex, toHex, type Address, type Hex } from "viem";
import { datanetRegistryAbi } from "../sdk/abi/index.ts";
import { ANVIL_KEYS, startAnvil } from "../scripts/devnet/anvil.ts";
import { deploy, writeDeployment } from "../scripts/devnet/deploy.ts";
import { gql, startIndexer, type Indexer } from "../scripts/devnet/indexer.ts";
import { demoClients } from "../scripts/devnet/seed.ts";
import { postgresBin, startPostgres, type Postgres } from "../scripts/devnet/postgres.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { readDeployment, REPO_ROOT } from "../sdk/addresses/index.ts";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? dflt) : dflt;
};
const EVENTS = Number(arg("events", "50000"));
const BACKEND = arg("backend", "both");
const ITERATIONS = Number(arg("iterations", "200"));
const BATCH = 1_000;
const LIVE_BATCHES = 10;
const DATANETS = 100;
const CHAIN_DIR = arg("chain", "");
const KEEP_LOG = arg("keep-log", "");
const LIVE = !process.argv.includes("--no-live");

async function rpc<T>(url: string, calls: { method: string; params: unknown[] }[]): Promise<T[]> {
  const body = calls.map((c, id) => ({ jsonrpc: "2.0", id, ...c }));
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const out = (await res.json()) as { id: number; result?: T; error?: { message: string } }[];
  return out.sort((a, b) => a.id - b.id).map((r) => {
    if (r.error) throw new Error(r.error.message);
    return r.result as T;
  });
}

/** Packed items `(digest, size 100)` with digests keccak256(seed, i): unique and non-zero. */
function items(seed: number, n: number): Hex {
  const parts: Hex[] = [];
  for (let i = 0; i < n; i++) parts.push(keccak256(toHex(`${seed}:${i}`)), numberToHex(100, { size: 8 }));
  return concatHex(parts);
}

interface Setup {
  rpcUrl: string;
  registry: Address;
  senders: Address[];
  stop: () => Promise<void>;
  deploymentFile: string;
  deployment: Awaited<ReturnType<typeof deploy>>;
  dir: string;
  sentBatches: number;
}

async function send(s: Setup, from: Address, data: Hex): Promise<Hex> {
  const [hash] = await rpc<Hex>(s.rpcUrl, [
    { method: "eth_sendTransaction", params: [{ from, to: s.registry, data, gas: numberToHex(60_000_000) }] },
  ]);
  return hash!;
}

async function contributeBatches(s: Setup, count: number): Promise<void> {
  for (let b = 0; b < count; b++) {
    const from = s.senders[s.sentBatches % s.senders.length]!;
    const data = encodeFunctionData({ abi: datanetRegistryAbi, functionName: "contributeBatch", args: [1n, items(s.sentBatches, BATCH)] });
    const hash = await send(s, from, data);
    s.sentBatches++;
    let receipt: { status: string } | null | undefined;
    for (let tries = 0; !receipt && tries < 600; tries++) {
      [receipt] = await rpc<{ status: string } | null>(s.rpcUrl, [{ method: "eth_getTransactionReceipt", params: [hash] }]);
      if (!receipt) await new Promise((r) => setTimeout(r, 50));
    }
    if (receipt?.status !== "0x1") {
      const why = await rpc(s.rpcUrl, [{ method: "eth_call", params: [{ from, to: s.registry, data, gas: numberToHex(60_000_000) }, "latest"] }]).catch((e: Error) => e.message);
      throw new Error(`contributeBatch ${b} failed (${receipt?.status ?? "not mined"}): ${JSON.stringify(why)}`);
    }
  }
}

async function setup(): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), "lineage-bench-"));
  const deploymentFile = join(REPO_ROOT, "deployments", ".tmp", `bench-${process.pid}.json`);
  const cachedState = CHAIN_DIR ? join(CHAIN_DIR, `state-${EVENTS}.json`) : "";
  const cachedDeployment = CHAIN_DIR ? join(CHAIN_DIR, `deployment-${EVENTS}.json`) : "";
  if (cachedState && existsSync(cachedState) && existsSync(cachedDeployment)) {
    // A chain prepared by an earlier run: load it (never dumped back, so live batches do not accumulate).
    const anvil = await startAnvil({ args: ["--gas-limit", "1000000000", "--load-state", cachedState] });
    const deployment = readDeployment(cachedDeployment);
    writeDeployment(deploymentFile, deployment);
    const users = demoClients(anvil.rpcUrl, deployment);
    return {
      rpcUrl: anvil.rpcUrl,
      registry: deployment.contracts.DatanetRegistry as Address,
      senders: users.slice(2).map((u) => u.address),
      deploymentFile,
      deployment,
      dir,
      sentBatches: Math.ceil(EVENTS / BATCH),
      stop: async () => {
        await anvil.stop();
        rmSync(deploymentFile, { force: true });
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const anvil = await startAnvil({ args: ["--gas-limit", "1000000000", ...(cachedState ? ["--dump-state", cachedState] : [])] });
  const deployment = await deploy({ rpcUrl: anvil.rpcUrl, chainId: 31337, privateKey: ANVIL_KEYS[0]!, deploymentFile });
  const users = demoClients(anvil.rpcUrl, deployment);
  const alice = users[1]!;
  const registry = deployment.contracts.DatanetRegistry as Address;
  // Datanet 1 takes the contributions (open: approved at once; generous item and daily limits).
  await alice.createDatanet({
    metadataURI: "ipfs://bench",
    dataType: "Text",
    declaredBytes: 1_000_000n,
    rules: { maxItemSize: 1_000, dailyLimit: 1_000_000_000 },
  });
  await alice.publishDatanet({ datanetId: 1n });
  // 99 more Datanets for the list query.
  const create = encodeFunctionData({
    abi: datanetRegistryAbi,
    functionName: "createDatanet",
    args: ["ipfs://bench-list", 0, 1_000n, { maxItemSize: 0, dailyLimit: 0, bond: 0n, validatorGated: false, acceptStakedValidators: false, openAccess: false, accessFee: 0n }],
  });
  const [nonce] = await rpc<Hex>(anvil.rpcUrl, [{ method: "eth_getTransactionCount", params: [alice.address, "latest"] }]);
  await rpc(anvil.rpcUrl, Array.from({ length: DATANETS - 1 }, (_, i) => ({
    method: "eth_sendTransaction",
    params: [{ from: alice.address, to: registry, data: create, gas: numberToHex(1_000_000), nonce: numberToHex(BigInt(nonce!) + BigInt(i)) }],
  })));
  const s: Setup = {
    rpcUrl: anvil.rpcUrl,
    registry,
    senders: users.slice(2).map((u) => u.address),
    deploymentFile,
    deployment,
    dir,
    sentBatches: 0,
    stop: async () => {
      await anvil.stop();
      rmSync(deploymentFile, { force: true });
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await contributeBatches(s, Math.ceil(EVENTS / BATCH));
  await rpc(s.rpcUrl, [{ method: "anvil_mine", params: [numberToHex(40)] }]);
  if (cachedState) {
    // Dump the prepared chain (anvil writes --dump-state on exit) and reload it, as later runs will.
    await anvil.stop();
    // `anvil` is a launcher: the real process may still be writing its dump when the launcher exits.
    for (let i = 0; ; i++) {
      try {
        JSON.parse(readFileSync(cachedState, "utf8"));
        break;
      } catch (e) {
        if (i > 120) throw e;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    writeFileSync(cachedDeployment, JSON.stringify(deployment, null, 2));
    rmSync(dir, { recursive: true, force: true });
    return setup();
  }
  return s;
}

/** Ponder's own log: when the backfill completed and how long it took. */
function backfillMs(logFile: string): number {
  for (const line of readFileSync(logFile, "utf8").split("\n").reverse()) {
    try {
      const j = JSON.parse(line) as { msg?: string; duration?: number };
      if (j.msg === "Completed backfill indexing across all chains" && j.duration !== undefined) return j.duration;
    } catch {
      /* not JSON */
    }
  }
  throw new Error("no 'Completed backfill indexing' line in the indexer log");
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function latency(ix: Indexer, contributor: Address): Promise<Record<string, { p50: number; p95: number; rows: number }>> {
  const page1 = await gql<{ contributions: { pageInfo: { endCursor: string } } }>(
    ix.graphqlUrl,
    `{ contributions(where: { datanetId: "1" }, orderBy: "id", orderDirection: "desc", limit: 100) { pageInfo { endCursor } } }`,
  );
  const cursor = page1.contributions.pageInfo.endCursor;
  const queries: Record<string, string> = {
    "latest contributions of a Datanet (100)": `{ contributions(where: { datanetId: "1" }, orderBy: "id", orderDirection: "desc", limit: 100) { items { id contributor digest size status submittedAt } } }`,
    "next page of them (cursor, 100)": `{ contributions(where: { datanetId: "1" }, orderBy: "id", orderDirection: "desc", limit: 100, after: "${cursor}") { items { id contributor digest size status } } }`,
    "a contributor's contributions (100)": `{ contributions(where: { contributor: "${contributor.toLowerCase()}" }, limit: 100) { items { id datanetId digest status } } }`,
    "Datanets list (100)": `{ datanets(orderBy: "id", limit: 100) { items { id owner state dataType contributionCount approvedCount versionCount } } }`,
    "one Datanet with its versions": `{ datanet(id: "1") { id owner state contributionCount approvedCount totalBytes } versions(where: { datanetId: "1" }) { items { versionId root rootMatches } } }`,
  };
  const out: Record<string, { p50: number; p95: number; rows: number }> = {};
  for (const [name, q] of Object.entries(queries)) {
    const first = await gql<Record<string, { items?: unknown[] } | null>>(ix.graphqlUrl, q);
    const rows = Object.values(first).reduce((n, v) => n + (v?.items?.length ?? 1), 0);
    for (let i = 0; i < 10; i++) await gql(ix.graphqlUrl, q); // warm-up
    const times: number[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      const t0 = performance.now();
      await gql(ix.graphqlUrl, q);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    out[name] = { p50: +percentile(times, 50).toFixed(2), p95: +percentile(times, 95).toFixed(2), rows };
  }
  return out;
}

async function runBackend(backend: "pglite" | "postgres") {
  let pg: Postgres | undefined;
  const s = await setup();
  try {
    if (backend === "postgres") pg = await startPostgres();
    const logFile = join(s.dir, `indexer-${backend}.log`);
    const tStart = performance.now();
    const ix = await startIndexer({
      deploymentFile: s.deploymentFile,
      deployment: s.deployment,
      rpcUrl: s.rpcUrl,
      pgliteDir: join(s.dir, "pglite"),
      databaseUrl: pg?.url,
      logFile,
      readyTimeoutMs: 900_000,
    });
    const startToSyncedMs = performance.now() - tStart;
    const indexed = await gql<{ datanet: { contributionCount: number } }>(ix.graphqlUrl, `{ datanet(id: "1") { contributionCount } }`);
    const backfilledEvents = indexed.datanet.contributionCount;
    const backfill = backfillMs(logFile);

    // Live: batches arrive while the indexer follows the head.
    let liveMs = Number.NaN;
    if (LIVE) {
      const tLive = performance.now();
      await contributeBatches(s, LIVE_BATCHES);
      const [head] = await rpc<Hex>(s.rpcUrl, [{ method: "eth_blockNumber", params: [] }]);
      await ix.synced(BigInt(head!));
      liveMs = performance.now() - tLive;
      const after = await gql<{ datanet: { contributionCount: number } }>(ix.graphqlUrl, `{ datanet(id: "1") { contributionCount } }`);
      if (after.datanet.contributionCount !== backfilledEvents + LIVE_BATCHES * BATCH) throw new Error("live events missing");
    }

    const queries = await latency(ix, s.senders[0]!);
    await ix.stop();
    if (KEEP_LOG) copyFileSync(logFile, join(KEEP_LOG, `indexer-${backend}-${Date.now()}.log`));
    return {
      backend,
      backfill: { events: backfilledEvents, ms: Math.round(backfill), eventsPerSecond: Math.round((backfilledEvents / backfill) * 1000) },
      startToSyncedMs: Math.round(startToSyncedMs),
      live: { events: LIVE_BATCHES * BATCH, ms: Math.round(liveMs), eventsPerSecond: Math.round(((LIVE_BATCHES * BATCH) / liveMs) * 1000) },
      queries,
    };
  } finally {
    pg?.stop();
    await s.stop();
  }
}

const backends: ("pglite" | "postgres")[] = BACKEND === "both" ? ["pglite", "postgres"] : [BACKEND as "pglite" | "postgres"];
const results = [];
for (const b of backends) {
  if (b === "postgres" && !postgresBin()) {
    console.error("postgres: skipped (Postgres is not installed: apt-get install -y postgresql)");
    continue;
  }
  console.error(`${b}: setting up ${EVENTS} contribution events...`);
  results.push(await runBackend(b));
  console.error(JSON.stringify(results.at(-1)));
}
const cpu = cpus()[0]?.model ?? "unknown";
console.log(JSON.stringify({ date: new Date().toISOString(), machine: `${cpus().length} x ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`, results }, null, 2));
console.log("\n| backend | backfill events | backfill ms | events/s (backfill) | live events/s | start to synced ms |\n|---|---|---|---|---|---|");
for (const r of results) {
  console.log(`| ${r.backend} | ${r.backfill.events} | ${r.backfill.ms} | ${r.backfill.eventsPerSecond} | ${r.live.eventsPerSecond} | ${r.startToSyncedMs} |`);
}
console.log("\n| backend | query | rows | p50 ms | p95 ms |\n|---|---|---|---|---|");
for (const r of results) for (const [q, v] of Object.entries(r.queries)) console.log(`| ${r.backend} | ${q} | ${v.rows} | ${v.p50} | ${v.p95} |`);
