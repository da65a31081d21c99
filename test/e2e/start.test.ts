// SPDX-License-Identifier: MIT
/**
 * `npm start` itself (scripts/start.ts as a child process): boots anvil, deploys, seeds, indexes and answers GraphQL;
 * Ctrl-C (SIGINT) stops every child and exits 0; started again on the same data directory it keeps the chain
 * (anvil state), finds the deployment matching, does not seed twice, and serves the same data.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { parseEther, toBytes } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { ANVIL_KEYS } from "../../scripts/devnet/anvil.ts";
import { parseMeritProof } from "../../sdk/payout/index.ts";
import { REPO_ROOT } from "../../sdk/addresses/index.ts";
import { cidOf } from "../../sdk/content/index.ts";
import { gql } from "../../scripts/devnet/indexer.ts";
import { freePort, OutputTail, waitFor } from "../../scripts/devnet/net.ts";
import { tempDeploymentFile, tempDir } from "./harness.ts";

// Real anvil, forge and Ponder processes on a shared 2-core machine: generous limits (no timing assertions).
vi.setConfig({ testTimeout: 600_000, hookTimeout: 600_000 });

const SOLIDITY_SAMPLE = "event Deposit(address indexed caller, address indexed owner, uint256 assets, uint256 shares);";
const MEDICAL_SAMPLE = "Q: What blood type is the universal red-cell donor? A: O negative.";
const dirs = tempDir();
const deploymentFile = tempDeploymentFile();
const children: ChildProcess[] = [];
afterAll(() => {
  // Each start runs in its own process group: a failed test kills its anvil and indexer too, not only tsx.
  for (const c of children) {
    if (c.exitCode !== null || c.pid === undefined) continue;
    try {
      process.kill(-c.pid, "SIGKILL");
    } catch {
      c.kill("SIGKILL");
    }
  }
  rmSync(deploymentFile, { force: true });
  dirs.remove();
});

interface Ports {
  anvil: number;
  graphql: number;
  gateway: number;
  serve: number;
}

/** `npm start` as a child process on chosen ports (0 = any free port). */
function spawnStart(dataDir: string, ports: Ports): { child: ChildProcess; out: OutputTail } {
  const child = spawn(
    join(REPO_ROOT, "node_modules", ".bin", "tsx"),
    [
      "scripts/start.ts",
      "--data-dir", dataDir,
      "--anvil-port", String(ports.anvil),
      "--port", String(ports.graphql),
      "--gateway-port", String(ports.gateway),
      "--serve-port", String(ports.serve),
      "--app-port", "0",
      "--deployment", deploymentFile,
    ],
    { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, DATABASE_URL: "" }, detached: true },
  );
  children.push(child);
  const out = new OutputTail(50_000);
  child.stdout!.on("data", (d: Buffer) => out.push(d));
  child.stderr!.on("data", (d: Buffer) => out.push(d));
  return { child, out };
}

async function start(ports: Ports = { anvil: 0, graphql: 0, gateway: 0, serve: 0 }): Promise<{ child: ChildProcess; out: OutputTail; graphqlUrl: string }> {
  const { child, out } = spawnStart(dirs.dir, ports);
  const graphqlUrl = await waitFor(
    "npm start to print the GraphQL URL",
    async () => /GraphQL\s+(http:\/\/\S+)/.exec(out.toString())?.[1],
    { timeoutMs: 300_000, intervalMs: 200, abort: () => (child.exitCode !== null ? `exited ${child.exitCode}: ${out}` : undefined) },
  );
  return { child, out, graphqlUrl };
}

function interrupt(child: ChildProcess): Promise<number | null> {
  return new Promise((done) => {
    child.once("exit", (code) => done(code));
    child.kill("SIGINT");
  });
}

const COUNTS = "{ datanets { totalCount } contributions { totalCount } models { totalCount } versions { totalCount } }";
type Counts = Record<"datanets" | "contributions" | "models" | "versions", { totalCount: number }>;

/** dave's (anvil account 4, in the seeded payout tree) merit, from the merit-proof URL `npm start` prints. */
async function meritOf(output: string): Promise<bigint> {
  const base = /Merit proofs\s+(http:\/\/\S+)\/merit\//.exec(output)?.[1];
  expect(base).toBeDefined();
  const res = await fetch(`${base}/merit/${privateKeyToAccount(ANVIL_KEYS[4]!).address}`);
  expect(res.status).toBe(200);
  return parseMeritProof(await res.json()).merit;
}

/** Runs the banner's `curl` (as a fetch with the same URL, headers and body): 200 with a receipt for the demo channel. */
async function paidCurlWorks(output: string): Promise<void> {
  const url = /curl -s (http:\/\/\S+)/.exec(output)?.[1];
  const voucher = /-H 'x-lineage-voucher: ([A-Za-z0-9_-]+)'/.exec(output)?.[1];
  const maxPrice = /-H 'x-lineage-max-price: ([0-9]+)'/.exec(output)?.[1];
  const body = /-d '(\{.*\})'/.exec(output)?.[1];
  expect([url, voucher, maxPrice, body].every(Boolean)).toBe(true);
  const res = await fetch(url!, { method: "POST", headers: { "content-type": "application/json", "x-lineage-voucher": voucher!, "x-lineage-max-price": maxPrice! }, body: body! });
  expect(res.status).toBe(200);
  const json = (await res.json()) as { lineage_receipt?: { seq: string; channelId: string } };
  expect(json.lineage_receipt?.seq).toBe("1");
}

describe("npm start", () => {
  it("boots, answers GraphQL, stops cleanly, and resumes the same chain", async () => {
    // Chosen free ports, so a second start can be pointed at the same ones.
    const ports: Ports = { anvil: await freePort(), graphql: await freePort(), gateway: await freePort(), serve: await freePort() };
    const first = await start(ports);
    expect(first.out.toString()).toMatch(/deploying/);
    expect(first.out.toString()).toMatch(/seeded demo data/);
    const before = await gql<Counts>(first.graphqlUrl, COUNTS);
    expect(before.datanets.totalCount).toBe(2);
    expect(before.models.totalCount).toBe(2); // the seeded model and the demo adapter trained by our engine
    // The content gateway serves the seeded blobs: open Datanets' to anyone, gated ones only with a grant.
    const gateway = /Content\s+(http:\/\/\S+)\/ipfs/.exec(first.out.toString())?.[1];
    expect(gateway).toBeDefined();
    const open = await fetch(`${gateway}/ipfs/${cidOf(toBytes(SOLIDITY_SAMPLE))}`);
    expect(open.status).toBe(200);
    expect(await open.text()).toBe(SOLIDITY_SAMPLE);
    expect((await fetch(`${gateway}/ipfs/${cidOf(toBytes(MEDICAL_SAMPLE))}`)).status).toBe(403);
    // The indexer serves the seeded payout tree's merit proofs (document published by the seed, read through the gateway).
    expect(await meritOf(first.out.toString())).toBe(parseEther("300"));
    // The banner's curl pays for a chat on the demo channel: the node answers with a signed receipt.
    await paidCurlWorks(first.out.toString());

    // A second start on the same ports while the first runs: refused before it starts anything, naming each taken
    // port and the process holding it; the first devnet is untouched.
    const other = tempDir();
    try {
      const second = spawnStart(other.dir, ports);
      const code = await new Promise<number | null>((done) => second.child.once("exit", (c) => done(c)));
      const log = second.out.toString();
      expect(code, log).toBe(1);
      expect(log).toMatch(new RegExp(`port ${ports.anvil} \\(anvil, --anvil-port\\) is taken by pid \\d+ \\([^)]*anvil[^)]*--port ${ports.anvil}`));
      expect(log).toMatch(new RegExp(`port ${ports.gateway} \\(content gateway, --gateway-port\\) is taken by pid \\d+ \\([^)]*scripts/start\\.ts`));
      expect(log).toMatch(new RegExp(`port ${ports.serve} \\(serving node, --serve-port\\) is taken by pid \\d+ \\([^)]*scripts/start\\.ts`));
      expect(log).toMatch(new RegExp(`port ${ports.graphql} \\(indexer \\(GraphQL\\), --port\\) is taken by pid \\d+ \\([^)]*ponder`));
      expect(log).not.toMatch(/anvil started|deploying|content gateway started/);
      expect(existsSync(join(other.dir, "anvil-state.json"))).toBe(false);
    } finally {
      other.remove();
    }
    expect(await gql<Counts>(first.graphqlUrl, COUNTS)).toEqual(before);
    expect(await interrupt(first.child)).toBe(0);
    expect(first.out.toString()).toMatch(/stopped/);
    expect(existsSync(join(dirs.dir, "anvil-state.json"))).toBe(true);

    const second = await start();
    const log = second.out.toString();
    expect(log).toMatch(/deployment matches the chain/);
    expect(log).not.toMatch(/deploying/);
    expect(log).not.toMatch(/seeded demo data/);
    expect(await gql<Counts>(second.graphqlUrl, COUNTS)).toEqual(before);
    expect(await meritOf(log)).toBe(parseEther("300"));
    expect(await interrupt(second.child)).toBe(0);
  });
});
