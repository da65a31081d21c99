// SPDX-License-Identifier: MIT
/**
 * Indexer benchmark (issue 6): indexing throughput over >= 50,000 contribution events, and GraphQL p50/p95 of the
 * five commonest queries (100-row lists), on PGlite and (when Debian's Postgres is installed) on Postgres.
 *
 *   npx tsx bench/indexer.ts [--events 50000] [--backend pglite|postgres|both] [--iterations 200]
 *     [--chain <dir>] [--keep-log <dir>] [--no-live] [--floor]
 *
 * `--chain <dir>` keeps the prepared chain (anvil state + deployment) in `dir` and reuses it on the next run with the
 * same event count (setting up 50,000 events takes about a minute); `--keep-log <dir>` keeps Ponder's logs there;
 * `--no-live` skips the live phase; `--floor` also measures Ponder's own cost with a no-op handler.
 *
 * Setup: anvil on a free port, every contract deployed, 100 Datanets, then `events` contributions to Datanet 1 in
 * batches of 1,000 items (one transaction each), then 40 empty blocks so they are final (Ponder's backfill path).
 * Backfill: throughput = contribution events / the time Ponder reports for "Completed backfill indexing".
 * - cold: a fresh database; Ponder fetches every log, block and transaction over JSON-RPC, stores them in its RPC
 *   cache (`ponder_sync`), reads them back, decodes and runs the handlers.
 * - re-index from RPC cache (PGlite): a second schema on the same database, as after a change of indexer code
 *   (`scripts/devnet/indexer.ts` names the schema after the code): no fetching, the handlers over cached logs.
 *   Postgres has no such run: on a shared Postgres the local chain runs with Ponder's cache off (ponder.config.ts).
 * - floor (`--floor`): the same, with a ContributionSubmitted handler that does nothing.
 * Every backfill also reports the CPU time of Ponder's process over the backfill (from /proc), which the machine's
 * load disturbs less than the wall time. `LINEAGE_RPC_LANES=1` in the environment hands Ponder the RPC URL once (the
 * behaviour before issue 6 session 4; see indexer/lanes.ts).
 * Live: 10 more batches sent while the indexer follows the head, timed from the first send until the indexer has
 * processed the last block. Queries: 200 sequential requests each after 10 warm-up requests. Every figure is printed
 * with the 1-minute load average (the machine is shared). Prints a JSON report and markdown tables.
 * Checked, not assumed: every setup transaction's receipt; after setup the chain's `datanetCount()` and Datanet 1's
 * `approvedCount` equal what the setup made; after every indexer phase (cold, re-index, live, the queries) the
 * indexer serves exactly what the chain holds (Datanets, contribution rows, Datanet 1's counters). A mismatch stops
 * the bench and names the side that lost something (CHAIN or INDEXER).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { concatHex, decodeFunctionResult, encodeFunctionData, keccak256, numberToHex, toHex, type Address, type Hex } from "viem";
import { datanetRegistryAbi } from "../sdk/abi/index.ts";
import { contributionCommitment } from "../sdk/datanet/index.ts";
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
const FLOOR = process.argv.includes("--floor");

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

/** Waits for a transaction's receipt and throws unless it succeeded. */
async function mined(rpcUrl: string, hash: Hex, what: string): Promise<void> {
  let receipt: { status: string } | null | undefined;
  for (let tries = 0; !receipt && tries < 600; tries++) {
    [receipt] = await rpc<{ status: string } | null>(rpcUrl, [{ method: "eth_getTransactionReceipt", params: [hash] }]);
    if (!receipt) await new Promise((r) => setTimeout(r, 50));
  }
  if (receipt?.status !== "0x1") throw new Error(`${what} failed (${receipt?.status ?? "not mined"}): ${hash}`);
}

/** Counts the bench set up, as the chain holds them and as the indexer serves them. */
interface Counts {
  datanets: number;
  /** Contributions to Datanet 1 (all approved at once: it is open). */
  contributions: number;
}

/** What the chain holds: `datanetCount()` and Datanet 1's `approvedCount`, at the head. */
async function chainCounts(s: Setup): Promise<Counts> {
  const call = (data: Hex) => ({ method: "eth_call", params: [{ to: s.registry, data }, "latest"] });
  const [count, info] = await rpc<Hex>(s.rpcUrl, [
    call(encodeFunctionData({ abi: datanetRegistryAbi, functionName: "datanetCount" })),
    call(encodeFunctionData({ abi: datanetRegistryAbi, functionName: "getDatanet", args: [1n] })),
  ]);
  const datanet = decodeFunctionResult({ abi: datanetRegistryAbi, functionName: "getDatanet", data: info! });
  return { datanets: Number(BigInt(count!)), contributions: Number(datanet.approvedCount) };
}

/** What the indexer serves: every Datanet row, Datanet 1's counters and its contribution rows. */
async function indexedCounts(ix: Indexer): Promise<Counts & { datanetContributionCount: number; approvedCount: number }> {
  const r = await gql<{
    datanets: { totalCount: number };
    datanet: { contributionCount: number; approvedCount: number } | null;
    contributions: { totalCount: number };
  }>(ix.graphqlUrl, `{ datanets { totalCount } datanet(id: "1") { contributionCount approvedCount } contributions(where: { datanetId: "1" }) { totalCount } }`);
  return {
    datanets: r.datanets.totalCount,
    contributions: r.contributions.totalCount,
    datanetContributionCount: r.datanet?.contributionCount ?? 0,
    approvedCount: r.datanet?.approvedCount ?? 0,
  };
}

/**
 * The bench's own check, after every phase: the chain holds what the setup made (`expected`), and the indexer serves
 * exactly what the chain holds. A mismatch names the side that lost something.
 */
async function checkCounts(s: Setup, ix: Indexer | undefined, phase: string, expected: Counts): Promise<void> {
  const chain = await chainCounts(s);
  if (chain.datanets !== expected.datanets || chain.contributions !== expected.contributions) {
    throw new Error(`${phase}: the CHAIN holds ${chain.datanets} Datanets and ${chain.contributions} contributions; the setup made ${expected.datanets} and ${expected.contributions}`);
  }
  if (!ix) return;
  const served = await indexedCounts(ix);
  const wrong = [
    served.datanets !== chain.datanets && `${served.datanets} of ${chain.datanets} Datanets`,
    served.contributions !== chain.contributions && `${served.contributions} of ${chain.contributions} contribution rows`,
    served.datanetContributionCount !== chain.contributions && `contributionCount ${served.datanetContributionCount} of ${chain.contributions}`,
    served.approvedCount !== chain.contributions && `approvedCount ${served.approvedCount} of ${chain.contributions}`,
  ].filter(Boolean);
  if (wrong.length) throw new Error(`${phase}: the INDEXER serves ${wrong.join(", ")} (the chain has them all)`);
  console.error(`  ${phase}: chain and index agree: ${chain.datanets} Datanets, ${chain.contributions} contributions`);
}

async function contributeBatches(s: Setup, count: number): Promise<void> {
  for (let b = 0; b < count; b++) {
    const from = s.senders[s.sentBatches % s.senders.length]!;
    const packed = items(s.sentBatches, BATCH);
    // Commit-reveal: the commitment is mined first (automine: its own block), the reveal lands a block later.
    const salt = keccak256(toHex(`bench salt ${s.sentBatches}`));
    const commitment = contributionCommitment({ contributor: from, datanetId: 1n, itemsHash: keccak256(packed), salt });
    await waitMined(s, from, await send(s, from, encodeFunctionData({ abi: datanetRegistryAbi, functionName: "commitContribution", args: [commitment] })));
    const data = encodeFunctionData({ abi: datanetRegistryAbi, functionName: "contributeBatch", args: [1n, packed, 0n, salt] });
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

async function waitMined(s: Setup, from: Address, hash: Hex): Promise<void> {
  let receipt: { status: string } | null | undefined;
  for (let tries = 0; !receipt && tries < 600; tries++) {
    [receipt] = await rpc<{ status: string } | null>(s.rpcUrl, [{ method: "eth_getTransactionReceipt", params: [hash] }]);
    if (!receipt) await new Promise((r) => setTimeout(r, 50));
  }
  if (receipt?.status !== "0x1") throw new Error(`commitContribution from ${from} failed (${receipt?.status ?? "not mined"})`);
}

async function setup(): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), "lineage-bench-"));
  const deploymentFile = join(REPO_ROOT, "deployments", ".tmp", `bench-${process.pid}.json`);
  const cachedState = CHAIN_DIR ? join(CHAIN_DIR, `state-${EVENTS}.json`) : "";
  const cachedDeployment = CHAIN_DIR ? join(CHAIN_DIR, `deployment-${EVENTS}.json`) : "";
  if (CHAIN_DIR) mkdirSync(CHAIN_DIR, { recursive: true });
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
  // One at a time, each mined before the next. They were once sent as one JSON-RPC batch with consecutive nonces:
  // anvil handles a batch's requests concurrently, so some arrived ahead of a lower nonce, were queued behind the gap
  // and never mined (automine does not promote them). Reproduced on a bare anvil: 68 of 99 batched transfers mined, 31
  // queued for good. That was the "Datanets list answered 67 and 69 of 100" of issue 19: the chain never had them.
  for (let i = 0; i < DATANETS - 1; i++) {
    const [hash] = await rpc<Hex>(anvil.rpcUrl, [
      { method: "eth_sendTransaction", params: [{ from: alice.address, to: registry, data: create, gas: numberToHex(1_000_000) }] },
    ]);
    await mined(anvil.rpcUrl, hash!, `createDatanet ${i + 2}`);
  }
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

interface BackfillFigure {
  /** What ran: the indexer cold (fetching from the chain), re-indexing from Ponder's RPC cache, or the floor. */
  run: string;
  events: number;
  ms: number;
  eventsPerSecond: number;
  /** Ponder's "Finished fetching backfill JSON-RPC data" duration (cold runs only). */
  fetchMs?: number;
  /** Time spent inside the ContributionSubmitted handler (Ponder's `ponder_indexing_function_duration`). */
  handlerMs: number;
  /**
   * CPU time (user + system, all threads) of Ponder's process during the backfill, from /proc: less sensitive to the
   * machine's load than the wall time (the indexer is CPU-bound on its main thread).
   */
  cpuMs?: number;
  /** 1-minute load average before and after the run. */
  load: [number, number];
}

/** Ponder's log: a duration by message. */
function logDuration(logFile: string, msg: string): number | undefined {
  for (const line of readFileSync(logFile, "utf8").split("\n").reverse()) {
    try {
      const j = JSON.parse(line) as { msg?: string; duration?: number };
      if (j.msg === msg && j.duration !== undefined) return j.duration;
    } catch {
      /* not JSON */
    }
  }
  return undefined;
}

/** Ponder's log: the wall-clock times (ms) of the last lines with messages `from` and `to`. */
function logTimes(logFile: string, from: string, to: string): [number, number] | undefined {
  let t0: number | undefined;
  let t1: number | undefined;
  for (const line of readFileSync(logFile, "utf8").split("\n")) {
    try {
      const j = JSON.parse(line) as { msg?: string; time?: number };
      if (j.msg === from) t0 = j.time;
      if (j.msg === to) t1 = j.time;
    } catch {
      /* not JSON */
    }
  }
  return t0 !== undefined && t1 !== undefined ? [t0, t1] : undefined;
}

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux); undefined elsewhere or once it is gone. */
function processCpuMs(pid: number): number | undefined {
  try {
    // Fields after the command name: state is field 3, utime 14 and stime 15 (clock ticks, 100 per second here).
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** CPU ms used between two wall-clock times, from samples (the last sample at or before each time). */
function cpuBetween(samples: [number, number][], from: number, to: number): number | undefined {
  const at = (t: number) => samples.filter(([w]) => w <= t).at(-1)?.[1];
  const a = at(from);
  const b = at(to);
  return a === undefined || b === undefined ? undefined : b - a;
}

/** Ponder's /metrics: milliseconds spent in the ContributionSubmitted handler. */
async function handlerMs(ix: Indexer): Promise<number> {
  const text = await (await fetch(`${ix.url}/metrics`)).text();
  const m = /ponder_indexing_function_duration_sum\{event="DatanetRegistry:ContributionSubmitted"\} ([0-9.e+]+)/.exec(text);
  return m ? Math.round(Number(m[1])) : Number.NaN;
}

/**
 * The floor: the same Ponder app with a ContributionSubmitted handler that does nothing (config and schema re-exported
 * from indexer/), so what is left is Ponder's own cost: fetching and caching the logs, decoding, its event loop.
 */
function floorRoot(): string {
  // Inside the repository (gitignored .lineage/) so that its imports resolve node_modules.
  const root = join(REPO_ROOT, ".lineage", `bench-floor-indexer-${process.pid}`);
  const real = join(REPO_ROOT, "indexer");
  mkdirSync(join(root, "src", "api"), { recursive: true });
  writeFileSync(join(root, "ponder.config.ts"), `export { default } from ${JSON.stringify(join(real, "ponder.config.ts"))};\n`);
  writeFileSync(join(root, "ponder.schema.ts"), `export * from ${JSON.stringify(join(real, "ponder.schema.ts"))};\n`);
  writeFileSync(
    join(root, "src", "DatanetRegistry.ts"),
    `import { ponder } from "ponder:registry";\nponder.on("DatanetRegistry:ContributionSubmitted", async () => {});\n`,
  );
  writeFileSync(join(root, "src", "api", "index.ts"), `export { default } from ${JSON.stringify(join(real, "src", "api", "index.ts"))};\n`);
  return root;
}

async function backfill(
  s: Setup,
  run: string,
  opts: { pgliteDir: string; databaseUrl?: string; schema: string; root?: string },
): Promise<{ ix: Indexer; figure: BackfillFigure; startToSyncedMs: number }> {
  const logFile = join(s.dir, `indexer-${run.replace(/\W+/g, "-")}.log`);
  const load0 = loadavg()[0]!;
  const tStart = performance.now();
  const cpu: [number, number][] = []; // (wall clock ms, CPU ms) of Ponder's process
  let sampler: NodeJS.Timeout | undefined;
  const ix = await startIndexer({
    deploymentFile: s.deploymentFile,
    deployment: s.deployment,
    rpcUrl: s.rpcUrl,
    readyTimeoutMs: 900_000,
    logFile,
    onSpawn: (child) => {
      sampler = setInterval(() => {
        const ms = child.pid === undefined ? undefined : processCpuMs(child.pid);
        if (ms !== undefined) cpu.push([Date.now(), ms]);
      }, 50);
    },
    ...opts,
  }).finally(() => clearInterval(sampler));
  const startToSyncedMs = Math.round(performance.now() - tStart);
  const events = await (opts.root
    ? Promise.resolve(Math.ceil(EVENTS / BATCH) * BATCH) // the floor writes nothing to count
    : gql<{ datanet: { contributionCount: number } }>(ix.graphqlUrl, `{ datanet(id: "1") { contributionCount } }`).then(
        (r) => r.datanet.contributionCount,
      ));
  const ms = logDuration(logFile, "Completed backfill indexing across all chains");
  if (ms === undefined) throw new Error("no 'Completed backfill indexing' line in the indexer log");
  const window = logTimes(logFile, "Started backfill indexing", "Completed backfill indexing across all chains");
  const figure: BackfillFigure = {
    run,
    events,
    ms: Math.round(ms),
    eventsPerSecond: Math.round((events / ms) * 1000),
    fetchMs: logDuration(logFile, "Finished fetching backfill JSON-RPC data"),
    handlerMs: await handlerMs(ix),
    cpuMs: window && cpuBetween(cpu, window[0], window[1]),
    load: [load0, loadavg()[0]!],
  };
  if (figure.fetchMs !== undefined) figure.fetchMs = Math.round(figure.fetchMs);
  if (KEEP_LOG) {
    // Copied now (the run's directory may be gone when Ponder exits) and again at exit for the rest of the log.
    const kept = join(KEEP_LOG, `${figure.run.replace(/\W+/g, "-")}-${Date.now()}.log`);
    mkdirSync(KEEP_LOG, { recursive: true });
    copyFileSync(logFile, kept);
    ix.process.once("exit", () => existsSync(logFile) && copyFileSync(logFile, kept));
  }
  console.error(`  ${JSON.stringify(figure)}`);
  return { ix, figure, startToSyncedMs };
}

async function runBackend(backend: "pglite" | "postgres") {
  let pg: Postgres | undefined;
  const s = await setup();
  const expected: Counts = { datanets: DATANETS, contributions: Math.ceil(EVENTS / BATCH) * BATCH };
  await checkCounts(s, undefined, `${backend}: setup`, expected);
  const backfills: BackfillFigure[] = [];
  const floorDirs: string[] = [];
  try {
    if (backend === "postgres") pg = await startPostgres();
    const pgliteDir = join(s.dir, "pglite");
    const cold = await backfill(s, `${backend}: cold (fetch + index)`, { pgliteDir, databaseUrl: pg?.url, schema: "bench_cold" });
    backfills.push(cold.figure);
    await checkCounts(s, cold.ix, `${backend}: cold backfill`, expected);
    let ix = cold.ix;
    if (backend === "pglite") {
      // A new schema on the same database re-indexes from Ponder's RPC cache (what a changed indexer does on restart).
      await ix.stop();
      const warm = await backfill(s, `${backend}: re-index from RPC cache`, { pgliteDir, schema: "bench_reindex" });
      backfills.push(warm.figure);
      await checkCounts(s, warm.ix, `${backend}: re-index from RPC cache`, expected);
      ix = warm.ix;
    }

    // Live: batches arrive while the indexer follows the head.
    let liveMs = Number.NaN;
    if (LIVE) {
      const before = cold.figure.events;
      const tLive = performance.now();
      await contributeBatches(s, LIVE_BATCHES);
      const [head] = await rpc<Hex>(s.rpcUrl, [{ method: "eth_blockNumber", params: [] }]);
      await ix.synced(BigInt(head!));
      liveMs = performance.now() - tLive;
      const after = await gql<{ datanet: { contributionCount: number } }>(ix.graphqlUrl, `{ datanet(id: "1") { contributionCount } }`);
      if (after.datanet.contributionCount !== before + LIVE_BATCHES * BATCH) throw new Error("live events missing");
      expected.contributions += LIVE_BATCHES * BATCH;
      await checkCounts(s, ix, `${backend}: live`, expected);
    }

    const queries = await latency(ix, s.senders[0]!);
    await checkCounts(s, ix, `${backend}: after the queries`, expected);
    if (queries["Datanets list (100)"]!.rows !== DATANETS) throw new Error(`${backend}: the Datanets list answered ${queries["Datanets list (100)"]!.rows} of ${DATANETS} rows`);
    await ix.stop();

    if (FLOOR) {
      const root = floorRoot();
      floorDirs.push(root);
      const floor = await backfill(s, `${backend}: floor, no-op handler, cold`, {
        pgliteDir: join(s.dir, "pglite-floor"),
        databaseUrl: pg?.url,
        schema: "bench_floor",
        root,
      });
      await floor.ix.stop();
      backfills.push(floor.figure);
      if (backend === "pglite") {
        const floorWarm = await backfill(s, `${backend}: floor, no-op handler, from RPC cache`, {
          pgliteDir: join(s.dir, "pglite-floor"),
          schema: "bench_floor_reindex",
          root,
        });
        await floorWarm.ix.stop();
        backfills.push(floorWarm.figure);
      }
    }
    return {
      backend,
      backfills,
      startToSyncedMs: cold.startToSyncedMs,
      live: { events: LIVE_BATCHES * BATCH, ms: Math.round(liveMs), eventsPerSecond: Math.round(((LIVE_BATCHES * BATCH) / liveMs) * 1000) },
      queries,
      queryLoad: loadavg()[0]!,
    };
  } finally {
    pg?.stop();
    await s.stop();
    for (const d of floorDirs) rmSync(d, { recursive: true, force: true });
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
console.log(
  "\n| run | events | backfill s | events/s | fetch s | in handler s | Ponder CPU s | load (1 min) before/after |\n|---|---|---|---|---|---|---|---|",
);
for (const r of results) {
  for (const b of r.backfills) {
    const fetchS = b.fetchMs === undefined ? "-" : (b.fetchMs / 1000).toFixed(1);
    const cpuS = b.cpuMs === undefined ? "-" : (b.cpuMs / 1000).toFixed(1);
    console.log(`| ${b.run} | ${b.events} | ${(b.ms / 1000).toFixed(1)} | ${b.eventsPerSecond} | ${fetchS} | ${(b.handlerMs / 1000).toFixed(1)} | ${cpuS} | ${b.load[0].toFixed(1)} / ${b.load[1].toFixed(1)} |`);
  }
}
console.log("\n| backend | live events/s | indexer start to synced s (cold) |\n|---|---|---|");
for (const r of results) console.log(`| ${r.backend} | ${r.live.eventsPerSecond} | ${(r.startToSyncedMs / 1000).toFixed(1)} |`);
console.log("\n| backend | query | rows | p50 ms | p95 ms | load (1 min) |\n|---|---|---|---|---|---|");
for (const r of results) for (const [q, v] of Object.entries(r.queries)) console.log(`| ${r.backend} | ${q} | ${v.rows} | ${v.p50} | ${v.p95} | ${r.queryLoad.toFixed(1)} |`);
