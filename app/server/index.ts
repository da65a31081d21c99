// SPDX-License-Identifier: MIT
/** The web app beside a running devnet: build if needed, then serve it with the training service. */
import { join } from "node:path";
import type { Hex } from "viem";
import { contractAddress, REPO_ROOT, type Deployment } from "../../sdk/addresses/index.ts";
import { DIST_DIR, ensureAppBuilt } from "./build.ts";
import { startAppServer, type RunningAppServer } from "./server.ts";
import { createTrainService } from "./train/service.ts";

export { createAppServer, startAppServer, type AppServerOptions, type RunningAppServer } from "./server.ts";
export { appSourceHash, ensureAppBuilt, isAppBuilt, DIST_DIR } from "./build.ts";
export { createTrainService, TrainServiceError, type TrainService } from "./train/service.ts";

export interface WebAppOptions {
  deployment: Deployment;
  rpcUrl: string;
  indexerUrl?: string;
  gatewayUrl?: string;
  dataDir: string;
  /** anvil's keys (dev wallet and the local training service), local chain only. */
  devKeys?: readonly Hex[];
  port?: number;
  host?: string;
  servingUrl?: string;
  log?: (msg: string) => void;
}

/**
 * Starts the server at once; when `app/dist` does not match the sources, builds it in the background (pages answer
 * "being built" meanwhile), so `npm start`'s first GraphQL answer never waits for a build. `ready` resolves when the
 * built app is served (with the build's duration, 0 when nothing had to be built); a failed build is logged and served
 * as an error page.
 */
export async function startWebApp(o: WebAppOptions): Promise<RunningAppServer & { ready: Promise<{ built: boolean; ms: number }> }> {
  let state: { status: "building" | "ready" } | { status: "failed"; error: string } = { status: "building" };
  const ready = ensureAppBuilt({ log: o.log }).then(
    (b) => {
      state = { status: "ready" };
      return b;
    },
    (e: Error) => {
      state = { status: "failed", error: e.message };
      o.log?.(`web app build failed: ${e.message}`);
      throw e;
    },
  );
  ready.catch(() => undefined);
  const local = o.deployment.chainId === 31337;
  const train =
    local && o.gatewayUrl && o.deployment.contracts.DatanetRegistry
      ? createTrainService({
          dir: join(o.dataDir, "app-runs"),
          // The path, not ai/base (importing it loads tfjs into the start-up process).
          bases: { "lineage-tiny": { path: join(REPO_ROOT, "ai", "base", "lineage-tiny.gguf"), about: "the project's tiny llama-family base (4 layers, ~4M parameters)" } },
          rpcUrl: o.rpcUrl,
          registry: contractAddress(o.deployment, "DatanetRegistry"),
          fromBlock: o.deployment.deployBlock,
          gatewayUrl: o.gatewayUrl,
          keys: o.devKeys ?? [],
        })
      : undefined;
  const server = await startAppServer({
    distDir: DIST_DIR,
    deployment: o.deployment,
    rpcUrl: o.rpcUrl,
    indexerUrl: o.indexerUrl,
    gatewayUrl: o.gatewayUrl,
    devKeys: local ? o.devKeys : [],
    servingUrl: o.servingUrl,
    train,
    port: o.port,
    host: o.host,
    buildState: () => state,
  });
  return { ...server, ready };
}
