// SPDX-License-Identifier: MIT
/**
 * anvil's transaction pool, for a deployment that stalled: `forge script` broadcasting out of nonce order once left
 * a transaction pending that anvil's automine never mined and another queued behind a nonce gap (deploy.ts now runs
 * forge with `--slow`). {@link poolStatus} goes into the stall message; {@link settlePool} mines a killed attempt's
 * pending transactions before the retry, whose nonces would collide with them. On a node without anvil's
 * `txpool_status` (a real chain) both do nothing.
 */
import { createPublicClient, http, type PublicClient } from "viem";
import { sleep } from "./net.ts";

export interface PoolStatus {
  pending: number;
  queued: number;
  block: number;
}

/** anvil's own methods, which viem's typed `request` does not know. */
type AnvilRequest = (args: { method: "txpool_status" | "evm_mine"; params?: unknown[] }) => Promise<unknown>;

function anvilClient(rpcUrl: string): { client: PublicClient; request: AnvilRequest } {
  const client = createPublicClient({ transport: http(rpcUrl, { retryCount: 0, timeout: 5_000 }) }) as PublicClient;
  return { client, request: client.request as unknown as AnvilRequest };
}

async function statusOf({ client, request }: ReturnType<typeof anvilClient>): Promise<PoolStatus | undefined> {
  try {
    const [pool, block] = await Promise.all([
      request({ method: "txpool_status" }) as Promise<{ pending: string; queued: string }>,
      client.getBlockNumber({ cacheTime: 0 }),
    ]);
    return { pending: Number(BigInt(pool.pending)), queued: Number(BigInt(pool.queued)), block: Number(block) };
  } catch {
    return undefined;
  }
}

/** anvil's pool sizes and block number, or undefined when the node has no `txpool_status` or does not answer. */
export function poolStatus(rpcUrl: string): Promise<PoolStatus | undefined> {
  return statusOf(anvilClient(rpcUrl));
}

/**
 * Mines until anvil has no pending transaction (at most `timeoutMs`), so a retry starts from a settled chain.
 * (Queued transactions, waiting on a nonce gap, cannot be mined and are left.)
 */
export async function settlePool(rpcUrl: string, timeoutMs = 30_000): Promise<PoolStatus | undefined> {
  const anvil = anvilClient(rpcUrl);
  const end = Date.now() + timeoutMs;
  let status = await statusOf(anvil);
  while (status && status.pending > 0 && Date.now() < end) {
    await anvil.request({ method: "evm_mine" }).catch(() => undefined);
    await sleep(200);
    status = await statusOf(anvil);
  }
  return status;
}
