// SPDX-License-Identifier: MIT
/** Shared setup of the end-to-end tests: a throw-away anvil on a free port, a deployment, clients, temp dirs. */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPublicClient, http, type Address, type Hex, type PublicClient } from "viem";
import { REPO_ROOT, type Deployment } from "../../sdk/addresses/index.ts";
import { ANVIL_KEYS, startAnvil, type Anvil, type AnvilOptions } from "../../scripts/devnet/anvil.ts";
import { deploy } from "../../scripts/devnet/deploy.ts";
import { demoClients } from "../../scripts/devnet/seed.ts";
import type { LineageClient } from "../../sdk/client/index.ts";
import type { IndexerOptions } from "../../scripts/devnet/indexer.ts";

export interface Chain {
  anvil: Anvil;
  deployment: Deployment;
  deploymentFile: string;
  publicClient: PublicClient;
  /** Clients of anvil accounts 0..9. */
  users: LineageClient[];
  dir: string;
  cleanup: () => Promise<void>;
}

/** A temporary directory removed by the returned function. */
export function tempDir(prefix = "lineage-e2e-"): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }) };
}

/** A deployment file path under `deployments/.tmp/` (forge may only write below `deployments/`). */
export function tempDeploymentFile(): string {
  return join(REPO_ROOT, "deployments", ".tmp", `${randomUUID()}.json`);
}

/** Starts anvil on a free port and deploys every contract. */
export async function bootChain(anvilOptions: AnvilOptions = {}): Promise<Chain> {
  const { dir, remove } = tempDir();
  const anvil = await startAnvil(anvilOptions);
  const deploymentFile = tempDeploymentFile();
  try {
    const deployment = await deploy({ rpcUrl: anvil.rpcUrl, chainId: 31337, privateKey: ANVIL_KEYS[0]!, deploymentFile });
    const publicClient = createPublicClient({ transport: http(anvil.rpcUrl) }) as PublicClient;
    return {
      anvil,
      deployment,
      deploymentFile,
      publicClient,
      users: demoClients(anvil.rpcUrl, deployment),
      dir,
      cleanup: async () => {
        await anvil.stop();
        rmSync(deploymentFile, { force: true });
        remove();
      },
    };
  } catch (e) {
    await anvil.stop();
    remove();
    throw e;
  }
}

/** Options of an indexer over `chain` (PGlite and log in the chain's temp dir), plus `extra`. */
export function chainIndexerOptions(chain: Chain, extra: Partial<IndexerOptions> = {}): IndexerOptions {
  return {
    deploymentFile: chain.deploymentFile,
    deployment: chain.deployment,
    rpcUrl: chain.anvil.rpcUrl,
    pgliteDir: join(chain.dir, "pglite"),
    logFile: join(chain.dir, "indexer.log"),
    ...extra,
  };
}

/** Raw JSON-RPC (batched when given several calls). */
export async function rpc<T = unknown>(url: string, calls: { method: string; params: unknown[] }[]): Promise<T[]> {
  const body = calls.map((c, i) => ({ jsonrpc: "2.0", id: i, method: c.method, params: c.params }));
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const out = (await res.json()) as { id: number; result?: T; error?: { message: string } }[];
  return out
    .sort((a, b) => a.id - b.id)
    .map((r) => {
      if (r.error) throw new Error(`${calls[r.id]?.method}: ${r.error.message}`);
      return r.result as T;
    });
}

/**
 * Many OPEN transfers quickly: automine off, `perBlock` transfers from anvil's unlocked accounts 1..9 sent in one
 * batched request per block, then one block mined; `blocks` times. Returns the number of transfers.
 */
export async function sprayTransfers(
  chain: Chain,
  opts: { blocks: number; perBlock: number; amount?: bigint },
): Promise<number> {
  const url = chain.anvil.rpcUrl;
  const token = chain.deployment.contracts.OpenToken as Address;
  const senders = chain.users.slice(1).map((u) => u.walletClient!.account.address);
  await rpc(url, [{ method: "evm_setAutomine", params: [false] }]);
  // Explicit nonces: anvil handles a JSON-RPC batch concurrently, so nonces it assigns itself can arrive out of order
  // and leave transactions queued behind a gap for good (what lost the indexer bench's Datanets, issue 19).
  const counts = await rpc<Hex>(url, senders.map((a) => ({ method: "eth_getTransactionCount", params: [a, "pending"] })));
  const nonces = new Map(senders.map((a, i) => [a, BigInt(counts[i]!)]));
  let n = 0;
  for (let b = 0; b < opts.blocks; b++) {
    const calls = [];
    for (let i = 0; i < opts.perBlock; i++) {
      const from = senders[(b + i) % senders.length]!;
      const to = senders[(b + i + 1) % senders.length]!;
      const amount = (opts.amount ?? 1n) + BigInt(n);
      const data = `0xa9059cbb${to.slice(2).toLowerCase().padStart(64, "0")}${amount.toString(16).padStart(64, "0")}` as Hex;
      const nonce = nonces.get(from)!;
      nonces.set(from, nonce + 1n);
      calls.push({ method: "eth_sendTransaction", params: [{ from, to: token, data, gas: "0x186a0", nonce: `0x${nonce.toString(16)}` }] });
      n++;
    }
    await rpc(url, calls);
    await rpc(url, [{ method: "evm_mine", params: [] }]);
  }
  await rpc(url, [{ method: "evm_setAutomine", params: [true] }]);
  const [pool] = await rpc<{ pending: Hex; queued: Hex }>(url, [{ method: "txpool_status", params: [] }]);
  if (BigInt(pool!.pending) + BigInt(pool!.queued) > 0n) throw new Error(`sprayTransfers: ${BigInt(pool!.pending)} pending and ${BigInt(pool!.queued)} queued transactions were never mined`);
  return n;
}

/** Every page of a Ponder list query (`items` + `pageInfo`), following `after` cursors. */
export async function allRows<T>(
  graphqlUrl: string,
  field: string,
  selection: string,
  extra = "",
): Promise<T[]> {
  const { gql } = await import("../../scripts/devnet/indexer.ts");
  const rows: T[] = [];
  let after: string | null = null;
  for (;;) {
    const args = `limit: 1000${after ? `, after: "${after}"` : ""}${extra ? `, ${extra}` : ""}`;
    const data: Record<string, { items: T[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }> = await gql(
      graphqlUrl,
      `{ ${field}(${args}) { items { ${selection} } pageInfo { hasNextPage endCursor } } }`,
    );
    const page = data[field]!;
    rows.push(...page.items);
    if (!page.pageInfo.hasNextPage) return rows;
    after = page.pageInfo.endCursor;
  }
}
