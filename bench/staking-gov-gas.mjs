#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Issue 5 gas benchmark: runs contracts/test/bench/StakingGovBench.t.sol with `forge test --isolate` (each call its
// own transaction) and prints a markdown table of the lines the tests log: `GAS` = the whole transaction's gas as
// `vm.lastCallGas()` reports it under --isolate (21,000 intrinsic + calldata + execution; checked with an empty call:
// 21,682), `CALLDATA` = the calldata's gas (4 / 16 per zero / non-zero byte), `EXEC` = GAS - 21,000 - CALLDATA.
// Usage: node bench/staking-gov-gas.mjs
import { spawnSync } from "node:child_process";
import os from "node:os";
import { foundryBin } from "../scripts/foundry.mjs";
import { forgeSummary, verdict } from "../scripts/test-summary.mjs";

const r = spawnSync(
  foundryBin("forge"),
  ["test", "--isolate", "--match-path", "contracts/test/bench/StakingGovBench.t.sol", "-vv"],
  { encoding: "utf8", maxBuffer: 1 << 28, env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" } },
);
const out = `${r.stdout}\n${r.stderr}`;
// Judged by forge's summary too: every benchmark must have run (none skipped: they skip without --isolate).
const summary = forgeSummary(out);
const problem = verdict("forge test", r.status ?? 1, summary) ?? (summary?.skipped ? `${summary.skipped} skipped` : undefined);
if (problem) {
  process.stderr.write(out);
  console.error(`staking/governance gas bench failed: ${problem}`);
  process.exit(1);
}
const rows = new Map();
for (const m of out.matchAll(/^\s*(GAS|EXEC|CALLDATA|RATIO_BPS|DELTA|TARGET_MET) (.+?) (\d+)\s*$/gm)) rows.set(`${m[1]} ${m[2]}`, Number(m[3]));
if (rows.size === 0) {
  console.error("staking/governance gas bench: forge printed no GAS line");
  process.exit(1);
}
console.log(`machine: ${os.cpus()[0]?.model ?? "?"} x${os.cpus().length}, ${os.platform()} ${os.release()}; date: ${new Date().toISOString()}`);
console.log("| measurement | value |\n|---|---|");
for (const [k, v] of rows) console.log(`| ${k} | ${v.toLocaleString("en-US")} |`);
