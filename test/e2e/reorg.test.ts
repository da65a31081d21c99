// SPDX-License-Identifier: MIT
/**
 * Reorg: blocks the indexer has already indexed are replaced (anvil snapshot/revert, then a longer other branch);
 * afterwards every answer equals the new chain: the orphaned transfers are gone, balances are the new ones.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { getAddress, parseAbiItem, parseEther, type Address, type Hex } from "viem";
import { openTokenAbi } from "../../sdk/abi/index.ts";
import { startIndexer, type Indexer } from "../../scripts/devnet/indexer.ts";
import { allRows, bootChain, chainIndexerOptions, rpc, type Chain } from "./harness.ts";

// Real anvil, forge and Ponder processes on a shared 2-core machine: generous limits (no timing assertions).
vi.setConfig({ testTimeout: 600_000, hookTimeout: 600_000 });

let chain: Chain;
let indexer: Indexer;

beforeAll(async () => {
  chain = await bootChain();
  indexer = await startIndexer(chainIndexerOptions(chain));
});
afterAll(async () => {
  await indexer?.stop();
  await chain?.cleanup();
});

async function indexedTransfers(): Promise<string[]> {
  const rows = await allRows<{ txHash: Hex }>(indexer.graphqlUrl, "transfers", "txHash");
  return rows.map((r) => r.txHash).sort();
}

async function chainTransfers(): Promise<string[]> {
  const logs = await chain.publicClient.getLogs({
    address: chain.deployment.contracts.OpenToken as Address,
    event: parseAbiItem("event Transfer(address indexed from, address indexed to, uint256 value)"),
    fromBlock: 0n,
  });
  return logs.map((l) => l.transactionHash).sort();
}

describe("indexer across a reorg", () => {
  it("drops the orphaned branch and serves the new one", async () => {
    const [, alice, bob, carol] = chain.users;
    const [snapshot] = await rpc<Hex>(chain.anvil.rpcUrl, [{ method: "evm_snapshot", params: [] }]);
    // Branch A: three transfers alice -> bob, indexed.
    const orphaned: Hex[] = [];
    for (let i = 1; i <= 3; i++) orphaned.push((await alice!.transfer({ to: bob!.address, amount: parseEther(String(i)) })).hash);
    await indexer.synced();
    expect(await indexedTransfers()).toEqual(await chainTransfers());
    expect(await indexedTransfers()).toEqual(expect.arrayContaining(orphaned));

    // Branch B replaces it: revert, then five transfers alice -> carol (a longer branch).
    await rpc(chain.anvil.rpcUrl, [{ method: "evm_revert", params: [snapshot] }]);
    for (let i = 1; i <= 5; i++) await alice!.transfer({ to: carol!.address, amount: parseEther(String(10 * i)) });
    await indexer.synced();

    const served = await indexedTransfers();
    expect(served).toEqual(await chainTransfers());
    for (const h of orphaned) expect(served).not.toContain(h);
    const accounts = await allRows<{ address: Hex; balance: string }>(indexer.graphqlUrl, "accounts", "address balance");
    for (const u of [alice!, bob!, carol!]) {
      const row = accounts.find((a) => getAddress(a.address) === u.address);
      const balance = await chain.publicClient.readContract({
        address: chain.deployment.contracts.OpenToken as Address, abi: openTokenAbi, functionName: "balanceOf", args: [u.address],
      });
      expect(BigInt(row!.balance), u.address).toBe(balance);
    }
  });
});
