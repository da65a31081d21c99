#!/usr/bin/env node
// SPDX-License-Identifier: MIT
/**
 * Foundry's platform binaries (forge, anvil, cast), never the npm wrappers in `node_modules/.bin`.
 *
 * The wrapper `bin.mjs` of `@foundry-rs/forge` 1.7.1 (and of anvil and cast) spawns the platform binary and never
 * passes its exit status on: `node_modules/.bin/forge test` exits 0 when tests fail, an anvil that cannot bind its
 * port "succeeds", and killing the wrapper leaves the real process running. Everything in this repository that runs
 * a Foundry tool resolves it here.
 *
 * As a command: `node scripts/foundry.mjs <forge|anvil|cast> [args...]` runs the platform binary and exits with its
 * status (128 + signal number when a signal ended it); the package.json scripts use it.
 */
import { spawn } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { constants } from "node:os";
import { fileURLToPath } from "node:url";

/** The Foundry tools the project runs. */
export const FOUNDRY_TOOLS = Object.freeze(["forge", "anvil", "cast"]);

/** Node's platform-arch -> the suffix of Foundry's platform package (as in `@foundry-rs/forge/const.mjs`). */
const PLATFORM_SUFFIX = {
  "linux-x64": "linux-amd64",
  "linux-arm64": "linux-arm64",
  "darwin-x64": "darwin-amd64",
  "darwin-arm64": "darwin-arm64",
  "win32-x64": "win32-amd64",
};

const require = createRequire(import.meta.url);

/** Absolute path of a Foundry tool's platform binary; throws a clear error when it is not installed. */
export function foundryBin(tool) {
  if (!FOUNDRY_TOOLS.includes(tool)) throw new Error(`unknown Foundry tool '${tool}' (expected one of ${FOUNDRY_TOOLS.join(", ")})`);
  const suffix = PLATFORM_SUFFIX[`${process.platform}-${process.arch}`];
  if (!suffix) throw new Error(`Foundry has no prebuilt ${tool} for ${process.platform}-${process.arch}`);
  const pkg = `@foundry-rs/${tool}-${suffix}`;
  const exe = process.platform === "win32" ? `${tool}.exe` : tool;
  let path;
  try {
    path = require.resolve(`${pkg}/bin/${exe}`);
  } catch {
    throw new Error(`${pkg} is not installed (run \`npm install\`; never with --omit=optional: Foundry's binaries are optional packages)`);
  }
  if (!existsSync(path)) throw new Error(`${pkg} has no binary at ${path} (run \`npm install\`)`);
  return path;
}

function isMain() {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  const [tool, ...args] = process.argv.slice(2);
  let bin;
  try {
    bin = foundryBin(tool ?? "");
  } catch (e) {
    console.error(`foundry: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(2);
  }
  const child = spawn(bin, args, { stdio: "inherit" });
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig));
  child.once("error", (e) => {
    console.error(`foundry: could not run ${bin}: ${e.message}`);
    process.exit(2);
  });
  child.once("exit", (code, signal) => process.exit(code ?? 128 + (signal ? constants.signals[signal] ?? 0 : 1)));
}
