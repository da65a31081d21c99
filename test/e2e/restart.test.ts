// SPDX-License-Identifier: MIT
/**
 * Restart: the indexer is stopped in the middle of its sync and started again on the same database and schema.
 * It resumes; afterwards there is exactly one row per event (no duplicates, nothing missing) and balances, which
 * would double-count a re-applied event, equal the chain's. Once after a clean stop (SIGINT: Ponder's shutdown makes
 * every statement after it throw, even in the middle of a flush) and once after a crash (SIGKILL).
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { getAddress, parseAbiItem, type Address, type Hex } from "viem";
import { openTokenAbi } from "../../sdk/abi/index.ts";
import { startIndexer, type Indexer } from "../../scripts/devnet/indexer.ts";
import { waitFor } from "../../scripts/devnet/net.ts";
import { allRows, bootChain, chainIndexerOptions, sprayTransfers, type Chain } from "./harness.ts";

// Real anvil, forge and Ponder processes on a shared 2-core machine: generous limits (no timing assertions).
vi.setConfig({ testTimeout: 600_000, hookTimeout: 600_000 });

let chain: Chain;
let indexer: Indexer | undefined;
let sent = 0;

beforeAll(async () => {
  chain = await bootChain();
  sent = await sprayTransfers(chain, { blocks: 40, perBlock: 25 });
});
afterAll(async () => {
  await indexer?.stop();
  await chain?.cleanup();
});

/** Starts an indexer, ends it with `end` as soon as it has indexed part of the chain, restarts it, checks the rows. */
async function restartMidSync(name: string, end: (ix: Indexer) => Promise<void>): Promise<void> {
  const head = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
  // Each case on its own database and schema.
  const opts = chainIndexerOptions(chain, { waitReady: false, pgliteDir: join(chain.dir, name, "pglite"), schema: `restart_${name}` });
  indexer = await startIndexer(opts);
  // End it as soon as it has indexed part of the chain, not all of it.
  const partial = await waitFor(
    "a partial sync",
    async () => {
      const n = await indexer!.indexedBlock().catch(() => undefined);
      return n !== undefined && n > chain.deployment.deployBlock ? n : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 20 },
  );
  await end(indexer);
  expect(partial).toBeLessThan(Number(head));

  indexer = await startIndexer({ ...opts, waitReady: true });
  const rows = await allRows<{ id: string; txHash: Hex }>(indexer.graphqlUrl, "transfers", "id txHash");
  const logs = await chain.publicClient.getLogs({
    address: chain.deployment.contracts.OpenToken as Address,
    event: parseAbiItem("event Transfer(address indexed from, address indexed to, uint256 value)"),
    fromBlock: 0n,
  });
  expect(logs.length).toBeGreaterThanOrEqual(sent);
  expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
  expect(rows.map((r) => r.txHash).sort()).toEqual(logs.map((l) => l.transactionHash).sort());
  const accounts = await allRows<{ address: Hex; balance: string }>(indexer.graphqlUrl, "accounts", "address balance");
  for (const a of accounts) {
    const balance = await chain.publicClient.readContract({
      address: chain.deployment.contracts.OpenToken as Address, abi: openTokenAbi, functionName: "balanceOf", args: [getAddress(a.address)],
    });
    expect(BigInt(a.balance), a.address).toBe(balance);
  }
  await indexer.stop();
  indexer = undefined;
}

describe("indexer restarted mid-sync", () => {
  it("resumes without duplicates or gaps after a stop (SIGINT)", async () => {
    await restartMidSync("stopped", (ix) => ix.stop());
  }, 600_000);

  it("resumes without duplicates or gaps after a crash (SIGKILL)", async () => {
    await restartMidSync("killed", async (ix) => {
      const exited = new Promise((r) => ix.process.once("exit", r));
      ix.process.kill("SIGKILL");
      await exited;
    });
  }, 600_000);
});
