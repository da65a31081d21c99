// SPDX-License-Identifier: MIT
/**
 * A watch over a local anvil while `forge script` broadcasts a deployment. On a loaded machine a deployment has been
 * seen to stall with its transactions sitting in anvil's pool and no block mined for minutes; the retry after the
 * kill then failed with "nonce too low" / "replacement transaction underpriced" (the first attempt's transactions
 * were still pending). While transactions stay pending with no new block for `stuckMs`, the watch mines a block
 * (`evm_mine`) and reports it. On a node without anvil's `txpool_status` (a real chain) it does nothing.
 */
import { sleep } from "./net.ts";

export interface PoolStatus {
  pending: number;
  queued: number;
  block: number;
}

async function rpc<T>(rpcUrl: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(5_000),
  });
  const body = (await res.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

/** anvil's pool sizes and block number, or undefined when the node has no `txpool_status` or does not answer. */
export async function poolStatus(rpcUrl: string): Promise<PoolStatus | undefined> {
  try {
    const [pool, block] = await Promise.all([
      rpc<{ pending: string; queued: string }>(rpcUrl, "txpool_status"),
      rpc<string>(rpcUrl, "eth_blockNumber"),
    ]);
    return { pending: Number(BigInt(pool.pending)), queued: Number(BigInt(pool.queued)), block: Number(BigInt(block)) };
  } catch {
    return undefined;
  }
}

export interface MiningWatch {
  /** Blocks the watch mined. */
  nudges: () => number;
  stop: () => Promise<void>;
}

/** Starts the watch; `onNudge` is told each time it mines a stuck pool. */
export function watchLocalMining(
  rpcUrl: string,
  onNudge: (status: PoolStatus) => void = () => undefined,
  { intervalMs = 2_000, stuckMs = 10_000 }: { intervalMs?: number; stuckMs?: number } = {},
): MiningWatch {
  let stopped = false;
  let nudges = 0;
  const loop = (async () => {
    let lastBlock = -1;
    let since = Date.now();
    while (!stopped) {
      await sleep(intervalMs);
      if (stopped) break;
      const status = await poolStatus(rpcUrl);
      if (!status) continue;
      if (status.block !== lastBlock || status.pending === 0) {
        lastBlock = status.block;
        since = Date.now();
        continue;
      }
      if (Date.now() - since < stuckMs) continue;
      await rpc(rpcUrl, "evm_mine").catch(() => undefined);
      nudges++;
      onNudge(status);
      since = Date.now();
    }
  })();
  return {
    nudges: () => nudges,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

/**
 * Before a retry: mines until anvil has no pending transaction (at most `timeoutMs`), so the retry starts from a
 * settled chain. (Queued transactions, waiting on a nonce gap, cannot be mined and are left.)
 */
export async function settlePool(rpcUrl: string, timeoutMs = 30_000): Promise<PoolStatus | undefined> {
  const end = Date.now() + timeoutMs;
  let status = await poolStatus(rpcUrl);
  while (status && status.pending > 0 && Date.now() < end) {
    await rpc(rpcUrl, "evm_mine").catch(() => undefined);
    await sleep(200);
    status = await poolStatus(rpcUrl);
  }
  return status;
}
