#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Runs on `npm install`: compile the contracts and generate typed ABIs so `npm start` and `npm test` start fast.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

function step(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: "inherit", env: { ...process.env, FORCE_COLOR: "0" } });
  if (r.status !== 0) {
    console.error(`prepare: '${cmd} ${args.join(" ")}' failed`);
    process.exit(r.status ?? 1);
  }
}

if (!existsSync("node_modules/@foundry-rs/forge")) {
  console.log("prepare: dependencies not installed yet, skipping build");
  process.exit(0);
}
// The platform binary: the npm wrapper `node_modules/.bin/forge` exits 0 even when the build fails.
const { foundryBin } = await import("./foundry.mjs");
step(foundryBin("forge"), ["build"]);
if (existsSync("wagmi.config.ts")) step("npx", ["--no-install", "wagmi", "generate"]);
