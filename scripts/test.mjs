#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// `npm test`: forge tests, then TypeScript tests (vitest). Fails if either fails or runs nothing.
// `npm run test:full`: the deep fuzz/invariant profile and the heavy suites (LINEAGE_FULL=1).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const full = process.argv.includes("--full");
const env = { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1", NODE_LLAMA_CPP_SKIP_DOWNLOAD: "true", PONDER_TELEMETRY_DISABLED: "1" };
if (full) {
  env.FOUNDRY_PROFILE = env.FOUNDRY_PROFILE ?? "deep";
  env.LINEAGE_FULL = "1";
} else if (process.env.CI && !env.FOUNDRY_PROFILE) {
  env.FOUNDRY_PROFILE = "ci";
}

/** Run a command, echo its output, and return { status, output }. */
function run(cmd, args, extraEnv = {}) {
  console.log(`\n$ ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { env: { ...env, ...extraEnv }, encoding: "utf8", maxBuffer: 1 << 30, stdio: ["ignore", "pipe", "pipe"] });
  process.stdout.write(r.stdout ?? "");
  process.stderr.write(r.stderr ?? "");
  return { status: r.status ?? 1, output: `${r.stdout}\n${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, "") };
}

const failures = [];
const forge = run("npx", ["--no-install", "forge", "test", "--no-match-path", "contracts/test/bench/**"]);
const forgeCount = /(\d+) tests passed, (\d+) failed/.exec(forge.output);
if (forge.status !== 0) failures.push("forge test failed");
else if (!forgeCount || Number(forgeCount[1]) === 0) failures.push("forge ran no test");

// Gas drift (full run only): `.gas-snapshot` must match what the contracts cost now (default profile, the one that
// wrote it; `npm run snapshot` updates it when gas changes on purpose). A 5% tolerance absorbs the fuzz tests' mean
// and median, which move by 1-3% between runs even with the fixed seed; a real change to a call's cost shows.
if (full && existsSync(".gas-snapshot")) {
  const snapshotArgs = ["--no-install", "forge", "snapshot", "--check", "--tolerance", "5", "--isolate", "--no-match-path", "{contracts/test/bench/**,contracts/test/invariant/**}"];
  if (run("npx", snapshotArgs, { FOUNDRY_PROFILE: "default" }).status !== 0) failures.push(".gas-snapshot differs from the contracts' gas (run `npm run snapshot` if the change is intended)");
}

// Typed ABIs (sdk/abi/generated.ts, not committed) follow the contracts forge just built.
if (existsSync("wagmi.config.ts") && run("npx", ["--no-install", "wagmi", "generate"]).status !== 0) failures.push("wagmi generate failed");

const vitest = run("npx", ["--no-install", "vitest", "run"]);
const vitestCount = /Tests\s+(?:\d+ failed \| )?(\d+) passed/.exec(vitest.output);
if (vitest.status !== 0) failures.push("vitest failed");
else if (!vitestCount || Number(vitestCount[1]) === 0) failures.push("vitest ran no test");

const passed = Number(forgeCount?.[1] ?? 0) + Number(vitestCount?.[1] ?? 0);
const failed = Number(forgeCount?.[2] ?? 0) + Number(/(\d+) failed/.exec(vitest.output)?.[1] ?? 0);
console.log(`\nlineage: forge ${forgeCount?.[1] ?? 0} passed, vitest ${vitestCount?.[1] ?? 0} passed${full ? " (full profile)" : ""}`);
console.log(`${passed} passed, ${failed} failed`);
if (failures.length) {
  console.error(`npm test FAILED: ${failures.join("; ")}`);
  process.exit(1);
}
