// SPDX-License-Identifier: MIT
/**
 * The merit route's logic on real components: a real anvil with the real OpenToken and RewardsDistributor (forge
 * artifacts in `out/`), the real content gateway on loopback (documents fetched through `HttpContentStore`, CID
 * verified), and the route's Hono app. The indexed `payout_root` lookup is answered from the chain's own
 * `RootPosted` events and `rootStatus` (what the indexer's handlers record), with an optional block cut-off to play an
 * indexer that lags behind the chain.
 *
 * Five roots are posted and finalized in turn, each at its own timepoint, so one chain history covers every answer:
 * root 1 has a good document; root 2 names root 1's document (a document of another root); root 3 names a CID
 * nobody published; root 4 names a published file that is not a payout-tree document; root 5 names a placeholder that
 * is not a CID. `?at=` selects the root final at each timepoint, exactly as the Governor's `finalRootAt` does.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAddress, type Abi, type Address, type Hex, type LocalAccount } from "viem";
import { cidOf, FsContentStore, HttpContentStore, startGateway, type RunningGateway } from "../../../sdk/content/index.ts";
import { startTestChain, type TestChain } from "../../../sdk/content/testchain.ts";
import {
  decodeMeritParams,
  encodePayoutTreeDocument,
  parseMeritProof,
  payoutTreeDocument,
  PayoutTree,
  publishPayoutTree,
  verifyPayoutProof,
  type PayoutEntry,
} from "../../../sdk/payout/index.ts";
import { createMeritService, meritRoutes, type IndexedRoot, type MeritService } from "./merit.ts";

const E18 = 10n ** 18n;
const WINDOW = 3600;
let chain: TestChain;
let gov: LocalAccount;
let gateway: RunningGateway;
let dir: string;
const abis: Record<string, Abi> = {};
const at: Record<string, Address> = {};
/** Finalization timestamps of roots 1..5. */
const finalizedAt: bigint[] = [];
let before: bigint; // a timepoint before any root was final
const trees: PayoutTree[] = [];
let service: MeritService;
let app: ReturnType<typeof meritRoutes>;
/** A service prewarmed while root 1 was the latest final root. */
let early: MeritService;
let prewarmed: bigint | undefined;
let prewarmedBefore: bigint | undefined;

async function artifact(file: string, name: string): Promise<{ abi: Abi; bytecode: Hex }> {
  const path = join(process.cwd(), "out", file, `${name}.json`);
  const json = JSON.parse(await readFile(path, "utf8")) as { abi: Abi; bytecode: { object: Hex } };
  return { abi: json.abi, bytecode: json.bytecode.object };
}

async function deploy(file: string, name: string, args: unknown[]): Promise<Address> {
  const { abi, bytecode } = await artifact(file, name);
  abis[name] = abi;
  const hash = await chain.wallet(gov).deployContract({ abi, bytecode, args, account: gov, chain: null });
  const receipt = await chain.client.waitForTransactionReceipt({ hash });
  at[name] = receipt.contractAddress!;
  return receipt.contractAddress!;
}

async function send(name: string, functionName: string, args: unknown[]): Promise<bigint> {
  const { request } = await chain.client.simulateContract({ address: at[name]!, abi: abis[name]!, functionName, args, account: gov });
  const hash = await chain.wallet(gov).writeContract({ ...request, account: gov, chain: null } as never);
  const receipt = await chain.client.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`${name}.${functionName} failed`);
  return (await chain.client.getBlock({ blockNumber: receipt.blockNumber })).timestamp;
}

async function increaseTime(seconds: number): Promise<void> {
  await chain.client.request({ method: "evm_increaseTime" as never, params: [seconds] as never });
  await chain.client.request({ method: "evm_mine" as never, params: [] as never });
}

const addr = (i: number): Address => getAddress(`0x${(0x5000 + i).toString(16).padStart(40, "0")}`);
function treeFor(scale: bigint): PayoutTree {
  const entries: PayoutEntry[] = Array.from({ length: 40 }, (_, i) => ({
    account: addr(i),
    cumulativeAmount: BigInt(i + 1) * scale * E18,
    merit: BigInt(i * 11 + 1) * E18,
  }));
  return PayoutTree.build(entries);
}

/** Posts `tree`'s root naming `inputsCid`, waits out the window, finalizes; returns the finalization timestamp. */
async function postAndFinalize(epoch: bigint, tree: PayoutTree, inputsCid: string): Promise<bigint> {
  const now = (await chain.client.getBlock()).timestamp;
  await send("RewardsDistributor", "postRoot", [epoch, now, tree.root, tree.totalAmount, tree.totalMerit, inputsCid]);
  await increaseTime(WINDOW + 1);
  const index = BigInt(finalizedAt.length + 1);
  const t = await send("RewardsDistributor", "finalize", [index]);
  await increaseTime(10);
  return t;
}

/** The indexer's `payout_root` answer, from the chain's events (optionally only those up to `toBlock`). */
function chainRootLookup(toBlock?: bigint): (root: Hex) => Promise<IndexedRoot | undefined> {
  return async (root) => {
    const logs = await chain.client.getContractEvents({
      address: at.RewardsDistributor!,
      abi: abis.RewardsDistributor!,
      eventName: "RootPosted",
      fromBlock: 0n,
      toBlock: toBlock ?? "latest",
    });
    type Args = { index: bigint; epoch: bigint; root: Hex; inputsCid: string };
    const FINAL = 3;
    for (const log of [...logs].reverse()) {
      const a = (log as unknown as { args: Args }).args;
      if (a.root.toLowerCase() !== root.toLowerCase()) continue;
      const status = await chain.client.readContract({ address: at.RewardsDistributor!, abi: abis.RewardsDistributor!, functionName: "rootStatus", args: [a.index] });
      if (Number(status) === FINAL) return { index: a.index, epoch: a.epoch, root: a.root, inputsCid: a.inputsCid };
    }
    return undefined;
  };
}

async function get(path: string, on: ReturnType<typeof meritRoutes> = app): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await on.request(path);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "lineage-merit-"));
  chain = await startTestChain();
  [gov] = chain.accounts as [LocalAccount];
  const token = await deploy("OpenToken.sol", "OpenToken", [gov.address]);
  const dist = await deploy("RewardsDistributor.sol", "RewardsDistributor", [
    token, gov.address, gov.address,
    { challengeWindow: WINDOW, posterBond: 10n * E18, disputeBond: 10n * E18, winnerShareBps: 5000 },
    7 * 86400, 180 * 86400,
  ]);
  await send("OpenToken", "approve", [dist, 10n ** 27n]);
  await send("RewardsDistributor", "fundPool", [1n, 10n ** 26n]);
  await send("RewardsDistributor", "depositBond", [100n * E18]);
  await send("RewardsDistributor", "setPoster", [gov.address, true]);
  gateway = await startGateway({ store: new FsContentStore(dir) });
  const content = new HttpContentStore(gateway.url);
  service = createMeritService({ client: chain.client, chainId: chain.chainId, distributor: dist, findFinalRoot: chainRootLookup(), content, cacheSize: 2 });
  app = meritRoutes(service);

  before = (await chain.client.getBlock()).timestamp;
  // chainTtlMs 0: the chain changes between its two prewarms (chain answers are otherwise reused for up to 1 s).
  early = createMeritService({ client: chain.client, chainId: chain.chainId, distributor: dist, findFinalRoot: chainRootLookup(), content, chainTtlMs: 0 });
  prewarmedBefore = await early.prewarm(); // no final root yet
  for (let k = 1n; k <= 5n; k++) trees.push(treeFor(k));
  const doc1 = await publishPayoutTree(content, { chainId: chain.chainId, distributor: dist, epoch: 1n, epochEnd: before, tree: trees[0]! });
  // Root 1: its own document. (epochEnd = `before`: the document states the same epoch end as the posted root.)
  {
    await send("RewardsDistributor", "postRoot", [1n, before, trees[0]!.root, trees[0]!.totalAmount, trees[0]!.totalMerit, doc1.cid]);
    await increaseTime(WINDOW + 1);
    finalizedAt.push(await send("RewardsDistributor", "finalize", [1n]));
    await increaseTime(10);
    prewarmed = await early.prewarm();
  }
  // Root 2: names root 1's document (published, CID-valid, but of another root).
  finalizedAt.push(await postAndFinalize(2n, trees[1]!, doc1.cid));
  // Root 3: a CID nobody published (the right document's CID, never put in the store).
  const doc3 = encodePayoutTreeDocument(payoutTreeDocument({ chainId: chain.chainId, distributor: dist, epoch: 3n, epochEnd: 0n, tree: trees[2]! }));
  finalizedAt.push(await postAndFinalize(3n, trees[2]!, cidOf(doc3)));
  // Root 4: a published file that is not a payout-tree document.
  const junk = await content.put(new TextEncoder().encode(JSON.stringify({ kind: "lineage.payout-tree", version: 1, root: trees[3]!.root })));
  finalizedAt.push(await postAndFinalize(4n, trees[3]!, junk.cid));
  // Root 5: a placeholder that is not a CID (what the seed used to post).
  finalizedAt.push(await postAndFinalize(5n, trees[4]!, "bafkreiepoch5inputs"));
}, 180_000);

afterAll(async () => {
  await gateway?.close();
  await chain?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("GET /merit/:account", () => {
  it("serves a proof the distributor accepts, with the Governor's params, in the root final at `at`", async () => {
    const e = trees[0]!.entries[7]!;
    const { status, body } = await get(`/merit/${e.account}?at=${finalizedAt[0]}`);
    expect(status).toBe(200);
    const proof = parseMeritProof(body); // zod + local checks (leaf, proof -> root, params)
    expect(proof.root).toBe(trees[0]!.root);
    expect([proof.rootIndex, proof.epoch, proof.timepoint]).toEqual([1n, 1n, finalizedAt[0]]);
    expect([proof.cumulativeAmount, proof.merit]).toEqual([e.cumulativeAmount, e.merit]);
    const [root, epochEnd] = (await chain.client.readContract({
      address: at.RewardsDistributor!, abi: abis.RewardsDistributor!, functionName: "finalRootAt", args: [finalizedAt[0]!],
    })) as readonly [Hex, bigint, bigint];
    expect([proof.root, proof.epochEnd]).toEqual([root, epochEnd]);
    expect(verifyPayoutProof(root, e, proof.proof)).toBe(true);
    expect(await chain.client.readContract({
      address: at.RewardsDistributor!, abi: abis.RewardsDistributor!, functionName: "leafHash", args: [e.account, e.cumulativeAmount, e.merit],
    })).toBe(proof.leaf);
    // params = abi.encode(uint256, uint256, bytes32[]) in the canonical layout `_proveLeaf` reads: offset 0x60, exact length.
    expect(BigInt(`0x${proof.params.slice(2 + 128, 2 + 192)}`)).toBe(0x60n);
    expect((proof.params.length - 2) / 2).toBe(128 + 32 * proof.proof.length);
    expect(decodeMeritParams(proof.params)).toEqual({ cumulativeAmount: e.cumulativeAmount, merit: e.merit, proof: proof.proof });
  });

  it("answers 400 for a bad address or timepoint, with a JSON error", async () => {
    for (const bad of ["0x1234", "not-an-address", "0x000000000000000000000000000000000000500G", "0x000000000000000000000000000000000000aBcD"]) {
      const { status, body } = await get(`/merit/${bad}`);
      expect(status, bad).toBe(400);
      expect(String(body.error)).toMatch(/address/);
    }
    const ok = trees[0]!.entries[0]!.account;
    for (const badAt of ["abc", "-1", "1.5", "1e9", "99999999999999999"]) {
      const { status, body } = await get(`/merit/${ok}?at=${badAt}`);
      expect(status, badAt).toBe(400);
      expect(String(body.error)).toMatch(/at must/);
    }
    const future = (await chain.client.getBlock()).timestamp + 1000n;
    const { status, body } = await get(`/merit/${ok}?at=${future}`);
    expect(status).toBe(400);
    expect(String(body.error)).toMatch(/future/);
  });

  it("answers 404 for an account without a leaf and for a timepoint before any final root", async () => {
    const stranger = getAddress("0x00000000000000000000000000000000000bad01");
    const a = await get(`/merit/${stranger}?at=${finalizedAt[0]}`);
    expect(a.status).toBe(404);
    expect(String(a.body.error)).toMatch(/has no leaf/);
    const b = await get(`/merit/${trees[0]!.entries[0]!.account}?at=${before}`);
    expect(b.status).toBe(404);
    expect(String(b.body.error)).toMatch(/no payout root was final/);
  });

  it("answers 502 when the document is of another root, missing, not a payout-tree document, or not a CID", async () => {
    const account = trees[0]!.entries[3]!.account; // in every tree
    const expectations: [number, RegExp][] = [
      [1, /does not match the on-chain root/],
      [2, /not available/],
      [3, /malformed payout-tree document/],
      [4, /not a content CID/],
    ];
    for (const [i, message] of expectations) {
      const { status, body } = await get(`/merit/${account}?at=${finalizedAt[i]}`);
      expect(status, `root ${i + 1}`).toBe(502);
      expect(String(body.error)).toMatch(message);
      expect(body.rootIndex).toBe(String(i + 1));
    }
    // The latest final root (5, a placeholder) is refused too: nothing is served that the Governor would reject.
    expect((await get(`/merit/${account}`)).status).toBe(502);
    // The earlier good root still serves (its document is cached or reloaded).
    expect((await get(`/merit/${account}?at=${finalizedAt[0]! + 5n}`)).status).toBe(200);
  });

  it("caches loaded trees per root (bounded) and never caches a failure", async () => {
    const s0 = service.stats();
    const account = trees[0]!.entries[5]!.account;
    for (let i = 0; i < 3; i++) expect((await get(`/merit/${account}?at=${finalizedAt[0]}`)).status).toBe(200);
    const s1 = service.stats();
    expect(s1.hits - s0.hits).toBeGreaterThanOrEqual(2);
    expect(s1.loads - s0.loads).toBeLessThanOrEqual(1);
    expect(s1.cached).toBeLessThanOrEqual(2);
    // A failing root is loaded again on each request (a transient gateway failure must not stick).
    await get(`/merit/${account}?at=${finalizedAt[2]}`);
    await get(`/merit/${account}?at=${finalizedAt[2]}`);
    expect(service.stats().loads - s1.loads).toBe(2);
  });

  it("reuses chain reads within chainTtlMs, but reads the latest block again before calling a timepoint future", async () => {
    const svc = meritRoutes(
      createMeritService({
        client: chain.client, chainId: chain.chainId, distributor: at.RewardsDistributor!,
        findFinalRoot: chainRootLookup(), content: new HttpContentStore(gateway.url), chainTtlMs: 60_000,
      }),
    );
    const account = trees[0]!.entries[2]!.account;
    expect((await get(`/merit/${account}?at=${finalizedAt[0]}`, svc)).status).toBe(200); // latest block now reused
    await increaseTime(50);
    const t = (await chain.client.getBlock()).timestamp;
    const r = await get(`/merit/${account}?at=${t}`, svc);
    expect(r.status).toBe(502); // root 5 (a placeholder inputsCid) is final at t: not refused as "future"
    expect(String(r.body.error)).toMatch(/not a content CID/);
  });

  it("prewarm loads the tree of the root final now, so the next request for it is a cache hit", async () => {
    expect(prewarmedBefore).toBeUndefined();
    expect(prewarmed).toBe(1n);
    expect(early.stats()).toEqual({ cached: 1, loads: 1, hits: 0 });
    const answer = await early.proof(trees[0]!.entries[9]!.account, finalizedAt[0]!.toString());
    expect(answer.rootIndex).toBe("1");
    expect(early.stats()).toEqual({ cached: 1, loads: 1, hits: 1 });
  });

  it("answers 503 while the indexer has not indexed the final root, and 502 when the gateway is down", async () => {
    const lagging = meritRoutes(
      createMeritService({
        client: chain.client, chainId: chain.chainId, distributor: at.RewardsDistributor!,
        findFinalRoot: chainRootLookup(0n), content: new HttpContentStore(gateway.url),
      }),
    );
    const account = trees[0]!.entries[1]!.account;
    const lag = await get(`/merit/${account}?at=${finalizedAt[0]}`, lagging);
    expect(lag.status).toBe(503);
    expect(String(lag.body.error)).toMatch(/not indexed/);

    const fresh = createMeritService({
      client: chain.client, chainId: chain.chainId, distributor: at.RewardsDistributor!,
      findFinalRoot: chainRootLookup(), content: new HttpContentStore("http://127.0.0.1:9"),
    });
    const down = await get(`/merit/${account}?at=${finalizedAt[0]}`, meritRoutes(fresh));
    expect(down.status).toBe(502);
    expect(String(down.body.error)).toMatch(/could not be fetched/);
  });
  // Last: it finalizes a sixth root.
  it("answers a timepoint equal to a reused block's time from a fresh read (blocks can share a timestamp)", async () => {
    const svc = meritRoutes(
      createMeritService({
        client: chain.client, chainId: chain.chainId, distributor: at.RewardsDistributor!,
        findFinalRoot: chainRootLookup(), content: new HttpContentStore(gateway.url), chainTtlMs: 60_000,
      }),
    );
    const tree = treeFor(6n);
    const now = (await chain.client.getBlock()).timestamp;
    const doc = await publishPayoutTree(new HttpContentStore(gateway.url), { chainId: chain.chainId, distributor: at.RewardsDistributor!, epoch: 6n, epochEnd: now, tree });
    await send("RewardsDistributor", "postRoot", [6n, now, tree.root, tree.totalAmount, tree.totalMerit, doc.cid]);
    await increaseTime(WINDOW + 1);
    const t = (await chain.client.getBlock()).timestamp;
    const account = tree.entries[4]!.account;
    // The service reads (and keeps for 60 s) this block: root 5 is final at t.
    expect((await get(`/merit/${account}`, svc)).body.rootIndex).toBe("5");
    // The finalization lands in a block with the same timestamp t.
    await chain.client.request({ method: "evm_setNextBlockTimestamp" as never, params: [Number(t)] as never });
    expect(await send("RewardsDistributor", "finalize", [6n])).toBe(t);
    const r = await get(`/merit/${account}?at=${t}`, svc);
    expect(r.status).toBe(200);
    expect(r.body.rootIndex).toBe("6");
    expect(parseMeritProof(r.body).merit).toBe(tree.entries[4]!.merit);
  });
});
