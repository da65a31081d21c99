// SPDX-License-Identifier: MIT
/**
 * The indexer in Postgres mode (DATABASE_URL) against Debian's Postgres on loopback: same answers as the chain,
 * including after a restart. Heavy suite: runs with LINEAGE_FULL=1 (`npm run test:full`) when Postgres is installed.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { getAddress, parseAbiItem, type Address, type Hex } from "viem";
import { datanetRegistryAbi, openTokenAbi } from "../../sdk/abi/index.ts";
import { startIndexer, type Indexer, type IndexerOptions } from "../../scripts/devnet/indexer.ts";
import { seed } from "../../scripts/devnet/seed.ts";
import { allRows, bootChain, type Chain } from "./harness.ts";
import { postgresBin, startPostgres, type Postgres } from "../../scripts/devnet/postgres.ts";

// Real anvil, forge and Ponder processes on a shared 2-core machine: generous limits (no timing assertions).
vi.setConfig({ testTimeout: 600_000, hookTimeout: 600_000 });

const full = Boolean(process.env.LINEAGE_FULL);
const bin = postgresBin();
if (!full) console.info("postgres.test.ts skipped: set LINEAGE_FULL=1 (npm run test:full) to run the Postgres suite");
else if (!bin) console.info("postgres.test.ts skipped: Postgres is not installed (apt-get install -y postgresql)");

describe.skipIf(!full || !bin)("indexer on Postgres", () => {
  let chain: Chain;
  let pg: Postgres;
  let indexer: Indexer | undefined;
  let opts: IndexerOptions;

  beforeAll(async () => {
    [chain, pg] = await Promise.all([bootChain(), startPostgres()]);
    await seed({ rpcUrl: chain.anvil.rpcUrl, deployment: chain.deployment });
    opts = {
      deploymentFile: chain.deploymentFile,
      deployment: chain.deployment,
      rpcUrl: chain.anvil.rpcUrl,
      pgliteDir: `${chain.dir}/unused`,
      databaseUrl: pg.url,
      logFile: `${chain.dir}/indexer.log`,
    };
    indexer = await startIndexer(opts);
  });
  afterAll(async () => {
    await indexer?.stop();
    pg?.stop();
    await chain?.cleanup();
  });

  it("serves transfers, balances and contributions equal to the chain, also after a restart", async () => {
    for (let round = 0; round < 2; round++) {
      const token = chain.deployment.contracts.OpenToken as Address;
      const logs = await chain.publicClient.getLogs({
        address: token,
        event: parseAbiItem("event Transfer(address indexed from, address indexed to, uint256 value)"),
        fromBlock: 0n,
      });
      const rows = await allRows<{ txHash: Hex }>(indexer!.graphqlUrl, "transfers", "txHash");
      expect(rows.map((r) => r.txHash).sort()).toEqual(logs.map((l) => l.transactionHash).sort());
      for (const a of await allRows<{ address: Hex; balance: string }>(indexer!.graphqlUrl, "accounts", "address balance")) {
        const b = await chain.publicClient.readContract({ address: token, abi: openTokenAbi, functionName: "balanceOf", args: [getAddress(a.address)] });
        expect(BigInt(a.balance)).toBe(b);
      }
      const next = await chain.publicClient.readContract({
        address: chain.deployment.contracts.DatanetRegistry as Address, abi: datanetRegistryAbi, functionName: "nextContributionId",
      });
      expect((await allRows(indexer!.graphqlUrl, "contributions", "id")).length).toBe(Number(next) - 1);
      const versions = await allRows<{ rootMatches: boolean }>(indexer!.graphqlUrl, "versions", "rootMatches");
      expect(versions.every((v) => v.rootMatches)).toBe(true);
      if (round === 0) {
        await indexer!.stop();
        indexer = await startIndexer({ ...opts, schema: indexer!.schema });
      }
    }
  });
});
