// SPDX-License-Identifier: MIT
/**
 * `GET /merit/:account[?at=<unix seconds>]`: the account's merit proof in the payout root final at `at` (default: the
 * latest block's timestamp), as the Governor sees it (`RewardsDistributor.finalRootAt`, the call
 * `GovernorOpenMeritVotes` makes at a proposal snapshot), ready for `castVoteWithReasonAndParams`.
 *
 * The root comes from the chain (the indexer cannot serve a root the Governor would not accept, even while it lags);
 * the root's record (index, epoch, `inputsCid`) from the indexed `payout_root` table; the tree from the payout-tree
 * document named by `inputsCid` in the content store (CID-verified), checked against the on-chain root, epoch end and
 * total merit before any proof is served. Loaded trees are cached per root (bounded, least recently used).
 *
 * Answers: 200 {@link MeritProofResponse}; 400 bad address or `at`; 404 no root final at `at`, or the account has no
 * leaf; 502 the document is unavailable or does not match the on-chain root, or the chain did not answer; 503 the
 * indexer has not indexed the final root yet. Errors are `{ error, ... }` JSON.
 *
 * Nothing here imports Ponder's virtual modules: `index.ts` wires the database and the chain client, and the tests
 * drive the same code on a real anvil and a real content gateway.
 */
import { Hono } from "hono";
import { BaseError, ContractFunctionRevertedError, getAddress, isAddress, type Address, type Hex, type PublicClient } from "viem";
import { z } from "zod";
import { rewardsDistributorAbi } from "../../../sdk/abi/index.ts";
import { ContentError, ContentNotFoundError, DigestMismatchError, InvalidCidError } from "../../../sdk/content/cid.ts";
import type { ContentStore } from "../../../sdk/content/store.ts";
import {
  checkPayoutDocument,
  encodeMeritParams,
  fetchPayoutTreeDocument,
  payoutLeafHash,
  PayoutDocumentError,
  type LoadedPayoutDocument,
  type MeritProofResponse,
} from "../../../sdk/payout/index.ts";

/** Default number of loaded trees kept in memory. */
export const DEFAULT_TREE_CACHE_SIZE = 4;
/** Bounds of the tree cache size (a 1M-leaf tree holds ~100 MB). */
export const MAX_TREE_CACHE_SIZE = 64;
/** How long a chain answer (the latest block, `finalRootAt(t)`) is reused: bounded staleness, ~1 RPC per second. */
export const DEFAULT_CHAIN_TTL_MS = 1_000;
/** Bound of the remembered `finalRootAt` answers. */
const MAX_CHAIN_ANSWERS = 1_024;
/** Largest `at` accepted (uint48, the Governor's clock type). */
const MAX_TIMEPOINT = (1n << 48n) - 1n;

/** The indexed record of a final root (Ponder's `payout_root`). */
export interface IndexedRoot {
  index: bigint;
  epoch: bigint;
  root: Hex;
  inputsCid: string;
}

export interface MeritServiceOptions {
  /** The chain (reads `finalRootAt` and the latest block). */
  client: PublicClient;
  chainId: number;
  distributor: Address;
  /** The indexed final root with this hash (the highest index if several), or undefined. */
  findFinalRoot: (root: Hex) => Promise<IndexedRoot | undefined>;
  /** Where payout-tree documents are fetched (a gateway through `HttpContentStore`): every read CID-verified. */
  content: ContentStore;
  /** Trees kept loaded (default {@link DEFAULT_TREE_CACHE_SIZE}). */
  cacheSize?: number;
  /** Reuse chain answers this long (default {@link DEFAULT_CHAIN_TTL_MS}; 0 = read the chain on every request). */
  chainTtlMs?: number;
  /** Logs failures to load a document (default: nothing). */
  onError?: (msg: string, detail: Record<string, unknown>) => void;
}

/** A request the service cannot answer with a proof: the HTTP status and a JSON body. */
export class MeritRouteError extends Error {
  override name = "MeritRouteError";
  constructor(
    readonly status: 400 | 404 | 502 | 503,
    message: string,
    readonly detail: Record<string, string> = {},
  ) {
    super(message);
  }
}

const accountSchema = z
  .string()
  .refine((a) => isAddress(a), "not an address (20-byte 0x hex; a mixed-case one needs a valid EIP-55 checksum)")
  .transform((a) => getAddress(a));
const atSchema = z
  .string()
  .regex(/^[0-9]{1,15}$/, "at must be a unix timestamp in seconds (decimal)")
  .transform((v) => BigInt(v))
  .refine((v) => v <= MAX_TIMEPOINT, "at must fit uint48");

interface CachedTree {
  key: string;
  doc: Promise<LoadedPayoutDocument>;
}

/** The merit-proof service: `proof(account, at)` and the cache's counters. */
export interface MeritService {
  proof(account: string, at?: string): Promise<MeritProofResponse>;
  /**
   * Loads the tree of the root final now (if not cached), so the first request after a root becomes final is served
   * warm. Resolves to the root's index, or undefined when there is none yet or it cannot be loaded (never throws).
   */
  prewarm(): Promise<bigint | undefined>;
  stats(): { cached: number; loads: number; hits: number };
}

function firstIssue(e: z.ZodError): string {
  return e.issues[0]?.message ?? "invalid";
}

export function createMeritService(opts: MeritServiceOptions): MeritService {
  const cacheSize = opts.cacheSize ?? DEFAULT_TREE_CACHE_SIZE;
  if (!Number.isInteger(cacheSize) || cacheSize < 1 || cacheSize > MAX_TREE_CACHE_SIZE) {
    throw new RangeError(`cacheSize must be 1..${MAX_TREE_CACHE_SIZE}, got ${cacheSize}`);
  }
  // Insertion order = recency (a hit re-inserts): the first key is the least recently used.
  const cache = new Map<string, CachedTree>();
  let loads = 0;
  let hits = 0;

  /** The loaded, checked document of a final root; concurrent requests share one load; failures are not cached. */
  function treeOf(record: IndexedRoot, onChain: { root: Hex; epochEnd: bigint; totalMerit: bigint }): Promise<LoadedPayoutDocument> {
    const key = `${record.index}:${onChain.root}:${record.inputsCid}`;
    const hit = cache.get(key);
    if (hit) {
      hits++;
      cache.delete(key);
      cache.set(key, hit);
      return hit.doc;
    }
    loads++;
    const doc = (async () => {
      const loaded = await fetchPayoutTreeDocument(opts.content, record.inputsCid);
      checkPayoutDocument(loaded, {
        chainId: opts.chainId,
        distributor: opts.distributor,
        root: onChain.root,
        epochEnd: onChain.epochEnd,
        totalMerit: onChain.totalMerit,
        epoch: record.epoch,
      });
      return loaded;
    })();
    const entry = { key, doc };
    cache.set(key, entry);
    while (cache.size > cacheSize) cache.delete(cache.keys().next().value as string);
    doc.catch(() => {
      if (cache.get(key) === entry) cache.delete(key);
    });
    return doc;
  }

  type OnChainRoot = { timepoint: bigint; root: Hex; epochEnd: bigint; totalMerit: bigint };
  const ttl = opts.chainTtlMs ?? DEFAULT_CHAIN_TTL_MS;
  let latestBlock: { value: Promise<{ number: bigint; timestamp: bigint }>; at: number } | undefined;
  const answers = new Map<string, { value: Promise<OnChainRoot>; at: number }>();

  /** The latest block, reused for `ttl` ms (concurrent requests share one read); `fresh` forces a read. */
  function latest(fresh = false): Promise<{ number: bigint; timestamp: bigint }> {
    const now = Date.now();
    if (!fresh && latestBlock && now - latestBlock.at < ttl) return latestBlock.value;
    const value = opts.client.getBlock({ blockTag: "latest" }).then((b) => ({ number: b.number, timestamp: b.timestamp }));
    const entry = { value, at: now };
    latestBlock = entry;
    value.catch(() => {
      if (latestBlock === entry) latestBlock = undefined;
    });
    return value;
  }

  async function readFinalRootAt(timepoint: bigint, blockNumber: bigint): Promise<OnChainRoot> {
    try {
      const [root, epochEnd, totalMerit] = await opts.client.readContract({
        address: opts.distributor,
        abi: rewardsDistributorAbi,
        functionName: "finalRootAt",
        args: [timepoint],
        blockNumber,
      });
      return { timepoint, root, epochEnd: BigInt(epochEnd), totalMerit };
    } catch (e) {
      const reverted = e instanceof BaseError ? e.walk((x) => x instanceof ContractFunctionRevertedError) : null;
      const name = (reverted as ContractFunctionRevertedError | null)?.data?.errorName;
      throw new MeritRouteError(502, `finalRootAt(${timepoint}) failed${name ? `: ${name}` : `: ${(e as Error).message.split("\n")[0]}`}`);
    }
  }

  /** `finalRootAt(at ?? latest timestamp)`, the answer reused for `ttl` ms per timepoint. */
  async function finalRootAt(at: string | undefined): Promise<OnChainRoot> {
    let timepoint: bigint | undefined;
    if (at !== undefined) {
      const r = atSchema.safeParse(at);
      if (!r.success) throw new MeritRouteError(400, firstIssue(r.error), { at });
      timepoint = r.data;
    }
    let block: { number: bigint; timestamp: bigint };
    try {
      block = await latest();
      // A timepoint at or after the reused block's time may be settled by newer blocks (several blocks can share a
      // timestamp): read the latest block again before answering or refusing it.
      if (timepoint !== undefined && timepoint >= block.timestamp) block = await latest(true);
    } catch (e) {
      throw new MeritRouteError(502, `the chain did not answer: ${(e as Error).message.split("\n")[0]}`);
    }
    if (timepoint !== undefined && timepoint > block.timestamp) {
      throw new MeritRouteError(400, `at ${timepoint} is in the future (latest block: ${block.timestamp})`, { at: at ?? "" });
    }
    const t = timepoint ?? block.timestamp;
    // Keyed by the timepoint AND the block read at: never an answer read at an older block than the one just used.
    const key = `${t}@${block.number}`;
    const now = Date.now();
    const hit = answers.get(key);
    if (hit && now - hit.at < ttl) return hit.value;
    const value = readFinalRootAt(t, block.number);
    const entry = { value, at: now };
    answers.set(key, entry);
    if (answers.size > MAX_CHAIN_ANSWERS) {
      for (const [k, v] of answers) if (now - v.at >= ttl || answers.size > MAX_CHAIN_ANSWERS) answers.delete(k);
    }
    value.catch(() => {
      if (answers.get(key) === entry) answers.delete(key);
    });
    return value;
  }

  async function proof(rawAccount: string, at?: string): Promise<MeritProofResponse> {
    const parsed = accountSchema.safeParse(rawAccount);
    if (!parsed.success) throw new MeritRouteError(400, firstIssue(parsed.error), { account: rawAccount });
    const account = parsed.data;
    const onChain = await finalRootAt(at);
    const timepoint = onChain.timepoint.toString();
    if (/^0x0{64}$/.test(onChain.root)) throw new MeritRouteError(404, `no payout root was final at ${timepoint}`, { timepoint });
    const record = await opts.findFinalRoot(onChain.root);
    if (!record) {
      throw new MeritRouteError(503, `the indexer has not indexed the final root ${onChain.root} yet; retry shortly`, { root: onChain.root, timepoint });
    }
    let doc: LoadedPayoutDocument;
    try {
      doc = await treeOf(record, onChain);
    } catch (e) {
      const where = { root: onChain.root, rootIndex: record.index.toString(), inputsCid: record.inputsCid };
      opts.onError?.("payout-tree document refused", { ...where, error: (e as Error).message });
      if (e instanceof ContentNotFoundError) throw new MeritRouteError(502, `the payout-tree document is not available: ${e.message}`, where);
      if (e instanceof InvalidCidError) throw new MeritRouteError(502, `the root's inputsCid is not a content CID: ${e.message}`, where);
      if (e instanceof DigestMismatchError) throw new MeritRouteError(502, `the payout-tree document fails its CID: ${e.message}`, where);
      if (e instanceof PayoutDocumentError) throw new MeritRouteError(502, e.message, where);
      if (e instanceof ContentError) throw new MeritRouteError(502, `the content store refused the document: ${e.message}`, where);
      // Network failures of the gateway (fetch throws a TypeError) and anything else on the way.
      throw new MeritRouteError(502, `the payout-tree document could not be fetched: ${(e as Error).message}`, where);
    }
    const entry = doc.tree.entryOf(account);
    if (!entry) {
      throw new MeritRouteError(404, `account ${account} has no leaf in the root final at ${timepoint}`, { account, root: onChain.root, timepoint });
    }
    const proofHashes = doc.tree.proof(account);
    return {
      account,
      root: onChain.root,
      rootIndex: record.index.toString(),
      epoch: doc.epoch.toString(),
      epochEnd: onChain.epochEnd.toString(),
      timepoint,
      cumulativeAmount: entry.cumulativeAmount.toString(),
      merit: entry.merit.toString(),
      proof: proofHashes,
      leaf: payoutLeafHash(entry),
      params: encodeMeritParams(entry, proofHashes),
      inputsCid: record.inputsCid,
    };
  }

  async function prewarm(): Promise<bigint | undefined> {
    try {
      const onChain = await finalRootAt(undefined);
      if (/^0x0{64}$/.test(onChain.root)) return undefined;
      const record = await opts.findFinalRoot(onChain.root);
      if (!record) return undefined;
      await treeOf(record, onChain);
      return record.index;
    } catch (e) {
      opts.onError?.("prewarm failed", { error: (e as Error).message });
      return undefined;
    }
  }

  return { proof, prewarm, stats: () => ({ cached: cache.size, loads, hits }) };
}

/** The route: `GET /merit/:account[?at=<unix seconds>]` (mount with `app.route("/", meritRoutes(service))`). */
export function meritRoutes(service: MeritService): Hono {
  const app = new Hono();
  app.get("/merit/:account", async (c) => {
    try {
      return c.json(await service.proof(c.req.param("account"), c.req.query("at")));
    } catch (e) {
      if (e instanceof MeritRouteError) return c.json({ error: e.message, ...e.detail }, e.status);
      throw e;
    }
  });
  return app;
}
