// SPDX-License-Identifier: MIT
/**
 * The indexer's settings, from the environment (set by `scripts/devnet/indexer.ts` / `npm start`):
 * - LINEAGE_DEPLOYMENT_FILE: the deployment to index (default `deployments/31337.json`)
 * - LINEAGE_RPC_URL: the chain's JSON-RPC URL (default http://127.0.0.1:8545)
 * - DATABASE_URL: Postgres when set; otherwise embedded PGlite in LINEAGE_PGLITE_DIR (default `.lineage/indexer/pglite`)
 * - LINEAGE_RPC_LANES: how many times the RPC URL is handed to Ponder (see `rpcLanes` in lanes.ts; 1 to 64)
 * - LINEAGE_CONTENT_URL: the content gateway the merit route fetches payout-tree documents from (default the devnet's,
 *   http://127.0.0.1:42070); LINEAGE_MERIT_CACHE_TREES: payout trees kept loaded (default 4); LINEAGE_MERIT_PREWARM_MS:
 *   how often the tree of the root final now is loaded ahead of requests (default 15000; 0 = never)
 */
import { join } from "node:path";
import { z } from "zod";
import { deploymentPath, readDeployment, REPO_ROOT, type Deployment } from "../sdk/addresses/index.ts";
import { rpcLanes } from "./lanes.ts";

const env = z
  .object({
    LINEAGE_DEPLOYMENT_FILE: z.string().min(1).default(deploymentPath(31337)),
    LINEAGE_RPC_URL: z.string().url().default("http://127.0.0.1:8545"),
    LINEAGE_PGLITE_DIR: z.string().min(1).default(join(REPO_ROOT, ".lineage", "indexer", "pglite")),
    LINEAGE_POLLING_MS: z.coerce.number().int().positive().default(250),
    DATABASE_URL: z.string().optional(),
    // Empty means unset (a shell `LINEAGE_RPC_LANES=` must not become 0).
    LINEAGE_RPC_LANES: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().min(1).max(64).optional()),
    LINEAGE_CONTENT_URL: z.string().url().default("http://127.0.0.1:42070"),
    LINEAGE_MERIT_CACHE_TREES: z.coerce.number().int().min(1).max(64).default(4),
    LINEAGE_MERIT_PREWARM_MS: z.coerce.number().int().min(0).default(15_000),
  })
  .parse(process.env);

export const settings = {
  deploymentFile: env.LINEAGE_DEPLOYMENT_FILE,
  rpcUrl: env.LINEAGE_RPC_URL,
  pgliteDir: env.LINEAGE_PGLITE_DIR,
  pollingInterval: env.LINEAGE_POLLING_MS,
  rpcLanes: rpcLanes(env.LINEAGE_RPC_URL, env.LINEAGE_RPC_LANES),
  databaseUrl: env.DATABASE_URL && env.DATABASE_URL.length > 0 ? env.DATABASE_URL : undefined,
  contentUrl: env.LINEAGE_CONTENT_URL,
  meritCacheTrees: env.LINEAGE_MERIT_CACHE_TREES,
  meritPrewarmMs: env.LINEAGE_MERIT_PREWARM_MS,
};

export const deployment: Deployment = readDeployment(settings.deploymentFile);
