#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Issue 19: runtime size and EIP-170 margin of every deployable contract under contracts/src (non-abstract
// `contract` declarations, and the TimelockController the deploy script deploys; libraries are inlined and tiny). Prints one markdown line per contract and
// fails (exit 1) when any keeps under 1,000 bytes of margin; flags those under the 1,500 the project aims at.
// Uses the platform forge binary (scripts/foundry.mjs: the npm wrapper exits 0 on failure). Usage: node bench/contract-sizes.mjs
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { foundryBin } from "../scripts/foundry.mjs";

const EIP170_LIMIT = 24_576;
const MIN_MARGIN = 1_000;
const AIM_MARGIN = 1_500;

/** Names of the non-abstract contracts declared in the .sol files under `dir`. */
function deployables(dir) {
  const names = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) names.push(...deployables(path));
    else if (entry.name.endsWith(".sol")) {
      for (const m of readFileSync(path, "utf8").matchAll(/^contract\s+(\w+)/gm)) names.push(m[1]);
    }
  }
  return names;
}

const r = spawnSync(foundryBin("forge"), ["build", "--sizes", "--json", "--skip", "test", "--skip", "script"], {
  encoding: "utf8",
  maxBuffer: 1 << 26,
  env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
});
if (r.status !== 0) {
  process.stderr.write(`${r.stdout}\n${r.stderr}`);
  console.error("forge build --sizes failed");
  process.exit(1);
}
const jsonStart = r.stdout.indexOf("{");
const sizes = JSON.parse(r.stdout.slice(jsonStart));
// The deploy script also deploys OpenZeppelin's TimelockController.
const names = [...deployables("contracts/src"), "TimelockController"].sort();
const rev = spawnSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).stdout.trim();
console.log(`date: ${new Date().toISOString()}; commit ${rev}; EIP-170 limit ${EIP170_LIMIT.toLocaleString("en-US")} bytes`);
console.log("| contract | runtime bytes | margin | >= 1,500 |\n|---|---:|---:|---|");
let failed = false;
for (const name of names) {
  const s = sizes[name];
  if (!s) {
    console.error(`no size reported for ${name}`);
    failed = true;
    continue;
  }
  const margin = EIP170_LIMIT - s.runtime_size;
  if (margin < MIN_MARGIN) failed = true;
  console.log(`| ${name} | ${s.runtime_size.toLocaleString("en-US")} | ${margin.toLocaleString("en-US")} | ${margin >= AIM_MARGIN ? "yes" : "**no**"} |`);
}
if (failed) {
  console.error(`a deployable contract keeps under ${MIN_MARGIN} bytes of EIP-170 margin (or was not measured)`);
  process.exit(1);
}
