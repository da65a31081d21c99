// SPDX-License-Identifier: MIT
/**
 * Merit-proof route benchmark (issue 6, "the indexer serves each account's latest proof"): latency of
 * `GET /merit/:account` served by the real Ponder indexer (PGlite) over the real content gateway, for payout trees of
 * several sizes, and the published document's size.
 *
 *   npx tsx bench/merit-route.ts [--sizes 3,1000,10000,100000] [--iterations 300]
 *
 * Setup: anvil on a free port, every contract deployed, the devnet seed (its 3-leaf tree published and final), then
 * for each size N > 3 a keeper posts (postPayoutRoot: document to the gateway's store, CID on-chain) and finalizes a
 * tree of N leaves (the seed's three accounts with their amounts, plus N-3 generated accounts with merit only), one
 * root after another; the indexer (PGlite) follows. Each size is then measured at its own timepoint (`?at=`, the
 * root final then):
 * - cold: the first request for that root (document fetched through the gateway, CID-verified, parsed, tree rebuilt
 *   and checked), one sample per size through Ponder; plus `cold in-process`: the same service code (merit.ts) with a
 *   fresh cache each time, over the same gateway and chain, 5 samples per size, p50.
 * - warm: `iterations` sequential requests for random accounts of that tree (tree cached), p50/p95.
 * Every figure is printed with the 1-minute load average (the machine is shared).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { getAddress, numberToHex, type Address, type Hex } from "viem";
import { rewardsDistributorAbi } from "../sdk/abi/index.ts";
import { FsContentStore, HttpContentStore, startGateway } from "../sdk/content/index.ts";
import { fetchPayoutTreeDocument, PayoutTree, type PayoutEntry } from "../sdk/payout/index.ts";
import { startIndexer } from "../scripts/devnet/indexer.ts";
import { seed } from "../scripts/devnet/seed.ts";
import { bootChain, chainIndexerOptions, rpc } from "../test/e2e/harness.ts";
import { createMeritService } from "../indexer/src/api/merit.ts";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? dflt) : dflt;
};
const SIZES = arg("sizes", "3,1000,10000,100000").split(",").map(Number);
const ITERATIONS = Number(arg("iterations", "300"));

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const ms = (x: number) => Number(x.toFixed(2));

const chain = await bootChain();
const dataDir = mkdtempSync(join(tmpdir(), "lineage-merit-bench-"));
const store = new FsContentStore(dataDir);
const gateway = await startGateway({ store });
const results: Record<string, unknown>[] = [];
let indexer: Awaited<ReturnType<typeof startIndexer>> | undefined;
try {
  await seed({ rpcUrl: chain.anvil.rpcUrl, deployment: chain.deployment, store });
  const distributor = chain.deployment.contracts.RewardsDistributor as Address;
  const carol = chain.users[3]!;
  const [firstRow] = await chain.publicClient.getContractEvents({ address: distributor, abi: rewardsDistributorAbi, eventName: "RootPosted", fromBlock: 0n });
  const seeded = await fetchPayoutTreeDocument(store, firstRow!.args.inputsCid!);
  const [window] = await chain.publicClient.readContract({ address: distributor, abi: rewardsDistributorAbi, functionName: "parameters" });
  const atOf = new Map<number, { at: bigint; tree: PayoutTree; cid: string; bytes: number; buildMs: number }>();
  const finalizedAt = async () => (await chain.publicClient.getBlock()).timestamp;
  atOf.set(3, { at: await finalizedAt(), tree: seeded.tree, cid: firstRow!.args.inputsCid!, bytes: (await store.get(firstRow!.args.inputsCid!)).length, buildMs: 0 });
  let epoch = 2n;
  for (const n of SIZES.filter((x) => x > 3)) {
    const t0 = performance.now();
    const entries: PayoutEntry[] = [
      ...seeded.tree.entries,
      ...Array.from({ length: n - 3 }, (_, i) => ({
        account: getAddress(`0x${(0x1000000 + i).toString(16).padStart(40, "0")}`),
        cumulativeAmount: 0n,
        merit: BigInt(i + 1) * 10n ** 15n,
      })),
    ];
    const tree = PayoutTree.build(entries);
    const buildMs = performance.now() - t0;
    const now = (await chain.publicClient.getBlock()).timestamp;
    const posted = await carol.postPayoutRoot({ epoch, epochEnd: now, tree, store });
    await rpc(chain.anvil.rpcUrl, [{ method: "evm_increaseTime", params: [numberToHex(Number(window) + 1)] }]);
    await rpc(chain.anvil.rpcUrl, [{ method: "evm_mine", params: [] }]);
    await carol.finalizeRoot({ index: posted.index });
    atOf.set(n, { at: await finalizedAt(), tree, cid: posted.inputsCid, bytes: posted.documentBytes, buildMs });
    await rpc(chain.anvil.rpcUrl, [{ method: "evm_increaseTime", params: ["0xa"] }]);
    await rpc(chain.anvil.rpcUrl, [{ method: "evm_mine", params: [] }]);
    epoch++;
    console.error(`posted a ${n}-leaf root (document ${(posted.documentBytes / 1e6).toFixed(2)} MB, build ${buildMs.toFixed(0)} ms)`);
  }
  indexer = await startIndexer(chainIndexerOptions(chain, { contentUrl: gateway.url }));
  await indexer.synced();

  for (const [n, r] of atOf) {
    const accounts = r.tree.entries.map((e) => e.account);
    const get = async (account: Address) => {
      const t0 = performance.now();
      const res = await fetch(`${indexer!.url}/merit/${account}?at=${r.at}`);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`status ${res.status} for ${account} in the ${n}-leaf tree`);
      return performance.now() - t0;
    };
    const load = loadavg()[0]!;
    const cold = await get(accounts[accounts.length - 1]!);
    const warm: number[] = [];
    for (let i = 0; i < ITERATIONS; i++) warm.push(await get(accounts[Math.floor(Math.random() * accounts.length)]!));
    // The same route code in-process with an empty cache each time (no Ponder; chain + gateway + the indexed row).
    const coldIn: number[] = [];
    const logs = await chain.publicClient.getContractEvents({ address: distributor, abi: rewardsDistributorAbi, eventName: "RootPosted", fromBlock: 0n });
    const posted = logs.find((l) => l.args.root === r.tree.root)!;
    const row = { index: posted.args.index!, epoch: posted.args.epoch!, root: r.tree.root as Hex, inputsCid: r.cid };
    for (let i = 0; i < 5; i++) {
      const svc = createMeritService({
        client: chain.publicClient, chainId: chain.deployment.chainId, distributor,
        findFinalRoot: async () => row, content: new HttpContentStore(gateway.url), cacheSize: 1,
      });
      const t0 = performance.now();
      await svc.proof(accounts[i % accounts.length]!, r.at.toString());
      coldIn.push(performance.now() - t0);
    }
    results.push({
      leaves: n,
      documentBytes: r.bytes,
      treeBuildMs: ms(r.buildMs),
      coldPonderMs: ms(cold),
      coldInProcessP50Ms: ms(pct(coldIn, 50)),
      warmP50Ms: ms(pct(warm, 50)),
      warmP95Ms: ms(pct(warm, 95)),
      warmIterations: ITERATIONS,
      load1m: [Number(load.toFixed(2)), Number(loadavg()[0]!.toFixed(2))],
    });
    console.error(JSON.stringify(results[results.length - 1]));
  }
} finally {
  await indexer?.stop();
  await gateway.close();
  await chain.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
}

const cpu = cpus()[0]?.model ?? "cpu";
console.log(JSON.stringify({ date: new Date().toISOString(), machine: `${cpus().length} x ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`, backend: "pglite", results }, null, 2));
console.log("\n| leaves | document | cold (Ponder, 1st request) | cold in-process p50 | warm p50 | warm p95 | load 1m |\n|---|---|---|---|---|---|---|");
for (const r of results as { leaves: number; documentBytes: number; coldPonderMs: number; coldInProcessP50Ms: number; warmP50Ms: number; warmP95Ms: number; load1m: number[] }[]) {
  console.log(`| ${r.leaves.toLocaleString("en")} | ${(r.documentBytes / 1e3).toFixed(1)} kB | ${r.coldPonderMs} ms | ${r.coldInProcessP50Ms} ms | ${r.warmP50Ms} ms | ${r.warmP95Ms} ms | ${r.load1m.join(" -> ")} |`);
}
