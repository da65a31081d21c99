#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// `npm test`: forge tests, lint (solhint + tsc), then TypeScript tests (vitest). Fails if any step fails, if forge or
// vitest reports a failed test or no summary, or if either runs no test; ends with the line `N passed, N failed`.
// `npm run test:full`: the deep fuzz/invariant profile and the heavy suites (LINEAGE_FULL=1).
// `node scripts/test.mjs --fixture <dir>`: forge and vitest only, in a small project at <dir> (the runner's own test,
// scripts/test-runner.test.ts, proves with it that a failing forge or vitest test fails the run).
// forge is the platform binary (scripts/foundry.mjs): the npm wrapper `node_modules/.bin/forge` exits 0 on failure.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { foundryBin } from "./foundry.mjs";
import { forgeSummary, plain, verdict, vitestSummary } from "./test-summary.mjs";

const require = createRequire(import.meta.url);
const full = process.argv.includes("--full");
const fixtureAt = process.argv.indexOf("--fixture");
const fixture = fixtureAt >= 0 ? process.argv[fixtureAt + 1] : undefined;
if (fixtureAt >= 0 && !fixture) {
  console.error("usage: node scripts/test.mjs --fixture <dir>");
  process.exit(2);
}
const cwd = fixture ? resolve(fixture) : process.cwd();
const env = { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1", NODE_LLAMA_CPP_SKIP_DOWNLOAD: "true", PONDER_TELEMETRY_DISABLED: "1" };
if (fixture) delete env.FOUNDRY_PROFILE;
else if (full) {
  env.FOUNDRY_PROFILE = env.FOUNDRY_PROFILE ?? "deep";
  env.LINEAGE_FULL = "1";
} else if (process.env.CI && !env.FOUNDRY_PROFILE) {
  env.FOUNDRY_PROFILE = "ci";
}
/** Node entry points of the JS tools (run with this node: no npx, whose wrappers and lookups can hide a status). */
const bin = (pkg, rel) => resolve(require.resolve(`${pkg}/package.json`), "..", rel);
const VITEST = bin("vitest", "vitest.mjs");
const TSC = bin("typescript", "bin/tsc");
const SOLHINT = bin("solhint", "solhint.js");
const WAGMI = bin("@wagmi/cli", "dist/esm/cli.js");

/** Run a command, echo its output, and return { status, output }. */
function run(cmd, args, extraEnv = {}) {
  console.log(`\n$ ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { cwd, env: { ...env, ...extraEnv }, encoding: "utf8", maxBuffer: 1 << 30, stdio: ["ignore", "pipe", "pipe"] });
  process.stdout.write(r.stdout ?? "");
  process.stderr.write(r.stderr ?? "");
  if (r.error) console.error(`could not run ${cmd}: ${r.error.message}`);
  return { status: r.status ?? 1, output: plain(`${r.stdout ?? ""}\n${r.stderr ?? ""}`) };
}
const node = (script, args, extraEnv) => run(process.execPath, [script, ...args], extraEnv);

const failures = [];
// Plain `forge test`, as an auditor runs it: the gas benchmarks skip themselves without --isolate.
const forge = run(foundryBin("forge"), ["test"]);
const forgeCount = forgeSummary(forge.output);
const forgeProblem = verdict("forge test", forge.status, forgeCount);
if (forgeProblem) failures.push(forgeProblem);

if (!fixture) {
  // Gas drift (full run only): `.gas-snapshot` must match what the contracts cost now (default profile, the one that
  // wrote it; `npm run snapshot` updates it when gas changes on purpose). A 5% tolerance absorbs the fuzz tests' mean
  // and median, which move by 1-3% between runs even with the fixed seed; a real change to a call's cost shows.
  if (full && existsSync(".gas-snapshot")) {
    const snapshotArgs = ["snapshot", "--check", "--tolerance", "5", "--isolate", "--no-match-path", "{contracts/test/bench/**,contracts/test/invariant/**}"];
    if (run(foundryBin("forge"), snapshotArgs, { FOUNDRY_PROFILE: "default" }).status !== 0) failures.push(".gas-snapshot differs from the contracts' gas (run `npm run snapshot` if the change is intended)");
  }
  // Typed ABIs (sdk/abi/generated.ts, not committed) follow the contracts forge just built.
  if (existsSync("wagmi.config.ts") && node(WAGMI, ["generate"]).status !== 0) failures.push("wagmi generate failed");
  // Lint, as `npm run lint` (CI runs only `npm test`): solhint on the contracts, then the TypeScript check.
  if (node(SOLHINT, ["contracts/src/**/*.sol"]).status !== 0) failures.push("solhint failed");
  if (node(TSC, ["--noEmit"]).status !== 0) failures.push("tsc --noEmit failed");
}

const vitest = node(VITEST, ["run"]);
const vitestCount = vitestSummary(vitest.output);
const vitestProblem = verdict("vitest", vitest.status, vitestCount);
if (vitestProblem) failures.push(vitestProblem);

const passed = (forgeCount?.passed ?? 0) + (vitestCount?.passed ?? 0);
const failed = (forgeCount?.failed ?? 0) + (vitestCount?.failed ?? 0);
console.log(`\nlineage: forge ${forgeCount?.passed ?? 0} passed, vitest ${vitestCount?.passed ?? 0} passed${full ? " (full profile)" : ""}`);
console.log(`${passed} passed, ${failed} failed`);
if (failures.length) {
  console.error(`npm test FAILED: ${failures.join("; ")}`);
  process.exit(1);
}
