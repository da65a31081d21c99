#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Issue 3 gas benchmark: runs contracts/test/bench/CoreGas.t.sol with `forge test --isolate` (each call its own
// transaction) and prints a markdown table of execution gas (tx gas minus 21,000 intrinsic and calldata gas, as
// PROTOCOL.md measures) and calldata bytes per action. Targets are asserted inside the forge test itself.
// Usage: node bench/core-gas.mjs   (also refreshes bench/gas/core.snap with `forge snapshot --isolate`)
import { spawnSync } from "node:child_process";
import { foundryBin } from "../scripts/foundry.mjs";
import { forgeSummary, verdict } from "../scripts/test-summary.mjs";

const env = { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" };
const r = spawnSync(foundryBin("forge"), ["test", "--isolate", "--match-path", "contracts/test/bench/CoreGas.t.sol", "-vv"], { env, encoding: "utf8", maxBuffer: 1 << 28 });
// Judged by forge's summary too: every benchmark must have run (none skipped: they skip without --isolate).
const summary = forgeSummary(`${r.stdout}\n${r.stderr}`);
const problem = verdict("forge test", r.status ?? 1, summary) ?? (summary?.skipped ? `${summary.skipped} skipped` : undefined);
if (problem) {
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  console.error(`core gas bench failed (a target assertion or a test failed): ${problem}`);
  process.exit(1);
}
const rows = [...r.stdout.matchAll(/GAS (.+?) (\d+) (\d+)\s*$/gm)].map((m) => ({ action: m[1].trim(), gas: Number(m[2]), calldata: Number(m[3]) }));
console.log("| action | execution gas | calldata bytes |\n|---|---:|---:|");
if (rows.length === 0) {
  console.error("core gas bench: forge printed no GAS line");
  process.exit(1);
}
for (const row of rows) console.log(`| ${row.action} | ${row.gas.toLocaleString("en-US")} | ${row.calldata.toLocaleString("en-US")} |`);
const snap = spawnSync(foundryBin("forge"), ["snapshot", "--isolate", "--match-path", "contracts/test/bench/CoreGas.t.sol", "--snap", "bench/gas/core.snap"], { env, encoding: "utf8" });
if (snap.status !== 0) {
  console.error("forge snapshot failed");
  process.exit(1);
}
