#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// `npm run bench [-- name ...]`: run the benchmarks one after another (they share 2 cores: never in parallel).
// Each benchmark prints or appends its own dated section for bench/RESULTS.md. With no names, lists them.
import { spawnSync } from "node:child_process";

/** name -> command. Heavy ones say so. */
const BENCHES = {
  "core-gas": ["node", ["bench/core-gas.mjs"], "issue 3 gas and calldata (forge)"],
  "settlement": ["npx", ["--no-install", "tsx", "bench/settlement.ts"], "issue 4 gas (forge); needs the 1M-leaf fixture"],
  "settlement-tree": ["npx", ["--no-install", "tsx", "bench/settlement-tree.ts"], "builds the 1M-leaf payout tree fixture (minutes)"],
  "staking-gov-gas": ["node", ["bench/staking-gov-gas.mjs"], "issue 5 gas (forge)"],
  "contract-sizes": ["node", ["bench/contract-sizes.mjs"], "issue 19 EIP-170 margin of every deployable contract (fails < 1,000 B)"],
  "indexer": ["npx", ["--no-install", "tsx", "bench/indexer.ts"], "issue 6 indexing throughput and GraphQL latency"],
  "indexer-start": ["npx", ["--no-install", "tsx", "bench/indexer-start.ts"], "issue 6 time from npm start to first GraphQL answer"],
  "ai-engine": ["npx", ["--no-install", "tsx", "bench/ai-engine.ts"], "issue 7 training/forward throughput and memory (long)"],
  "ai-demo": ["npx", ["--no-install", "tsx", "bench/ai-demo.ts"], "issue 7 demo fine-tune (minutes)"],
  "formats": ["npx", ["--no-install", "tsx", "bench/formats.ts"], "issue 7 file formats and llama.cpp adapter switch"],
  "app": ["npx", ["--no-install", "tsx", "bench/app.ts"], "issue 24 web app: first route, bundle, 10,000-row scroll (headless Chromium)"],
};

const names = process.argv.slice(2);
if (names.length === 0) {
  console.log("usage: npm run bench -- <name> [name ...]   (or 'all')\n");
  for (const [n, [, , what]] of Object.entries(BENCHES)) console.log(`  ${n.padEnd(16)} ${what}`);
  process.exit(0);
}
const selected = names.includes("all") ? Object.keys(BENCHES) : names;
for (const n of selected) {
  const b = BENCHES[n];
  if (!b) {
    console.error(`unknown benchmark '${n}'; run 'npm run bench' for the list`);
    process.exit(2);
  }
  console.log(`\n== bench ${n}: ${b[2]}`);
  const r = spawnSync(b[0], b[1], { stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`bench ${n} failed (exit ${r.status})`);
    process.exit(r.status ?? 1);
  }
}
