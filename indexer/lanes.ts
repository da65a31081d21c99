// SPDX-License-Identifier: MIT
/** How many times the indexer hands its RPC URL to Ponder (read by settings.ts). */

/** Lanes for a node on this machine (anvil): see {@link rpcLanes}. */
export const LOCAL_RPC_LANES = 32;

/** True for a URL whose host is this machine (localhost, 127.0.0.0/8, ::1). */
export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * How many times the RPC URL is given to Ponder. Ponder 0.16 rate-limits each RPC URL on the client side: it starts
 * every URL at 20 requests/s and raises that by 5% only after 10 s of saturation (meant for hosted providers). It also
 * sends one `eth_getLogs` per indexed event per block range (82 events here), so a cold backfill of a local chain
 * spent most of its time waiting on that limiter (483 requests at ~20/s). Each copy of the URL is its own
 * rate-limit bucket: a node on this machine (anvil) gets {@link LOCAL_RPC_LANES} copies; a remote node (a provider
 * with real rate limits) gets one unless `override` (LINEAGE_RPC_LANES) says otherwise.
 */
export function rpcLanes(url: string, override?: number): number {
  return override ?? (isLoopbackUrl(url) ? LOCAL_RPC_LANES : 1);
}

/**
 * The URLs handed to Ponder: `url` itself for one lane; otherwise one per lane, told apart by a `lane` query
 * parameter (JSON-RPC servers ignore it; anvil does). Distinct URLs keep Ponder's per-URL bookkeeping apart and keep
 * it from warning, once per copy, that anvil's default URL `http://127.0.0.1:8545` is a public RPC endpoint.
 */
export function rpcUrls(url: string, lanes: number): string[] {
  if (lanes === 1) return [url];
  return Array.from({ length: lanes }, (_, i) => {
    const u = new URL(url);
    u.searchParams.set("lane", String(i));
    return u.toString();
  });
}
