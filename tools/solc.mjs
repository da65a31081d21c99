#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// A solc executable for forge, backed by the pinned npm `solc` (solcjs, WebAssembly).
// forge calls `solc --version` and `solc --standard-json ... --base-path X --include-path Y --allow-paths A,B`.
import { readFileSync, existsSync } from "node:fs";
import { resolve, isAbsolute } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const solc = require("solc");
const args = process.argv.slice(2);

if (args.includes("--version")) {
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
  process.exit(0);
}

const roots = [process.cwd()];
for (let i = 0; i < args.length; i++) {
  const flag = args[i];
  if (flag === "--base-path" || flag === "--include-path" || flag === "--allow-paths") {
    for (const p of (args[i + 1] ?? "").split(",")) if (p) roots.push(resolve(p));
    i++;
  }
}

function findImports(path) {
  const candidates = isAbsolute(path) ? [path] : roots.map((r) => resolve(r, path));
  for (const c of candidates) {
    if (existsSync(c)) return { contents: readFileSync(c, "utf8") };
  }
  return { error: `File not found: ${path}` };
}

if (!args.includes("--standard-json")) {
  process.stderr.write("this shim only supports --version and --standard-json\n");
  process.exit(1);
}
const input = readFileSync(0, "utf8");
process.stdout.write(solc.compile(input, { import: findImports }));
