// SPDX-License-Identifier: MIT
/**
 * The whole local protocol in one call (what `npm start` runs): a chain (embedded anvil, or an existing RPC),
 * a deployment that matches it (deployed when needed on anvil), demo data seeded once, and the indexer serving GraphQL.
 * Every check runs before anything long-lived starts, and a failure stops what was started: never a half-started system.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import { createPublicClient, http, type Hex, type PublicClient } from "viem";
import {
  deploymentPath,
  DeploymentFileError,
  readDeployment,
  REPO_ROOT,
  type Deployment,
} from "../../sdk/addresses/index.ts";
import { ANVIL_CHAIN_ID, ANVIL_KEYS, startAnvil, type Anvil } from "./anvil.ts";
import { checkDeployment, deploy, deployConfigPath } from "./deploy.ts";
import { indexerSchemaName, startIndexer, type Indexer } from "./indexer.ts";
import { createLogger } from "./log.ts";
import { checkPorts, devnetPortClaims, PortInUseError } from "./ports.ts";
import { seed } from "./seed.ts";
import { FsContentStore, startGateway, type RunningGateway } from "../../sdk/content/index.ts";
import { startServing, type DevnetServing } from "./serving.ts";
import { startWebApp } from "../../app/server/index.ts";

export class DevnetError extends Error {
  override name = "DevnetError";
}

export interface DevnetOptions {
  /** Data directory (chain state, indexer database, logs). Default `.lineage/`. */
  dataDir?: string;
  /** Use this chain instead of starting anvil. */
  rpcUrl?: string;
  /** anvil's port (0 = a free port). Default 8545. */
  anvilPort?: number;
  /** GraphQL port (0 = a free port). Default 42069. */
  graphqlPort?: number;
  /** Deployment file (default `deployments/<chainId>.json`). */
  deploymentFile?: string;
  /** Deployer key; default anvil's account 0 on the embedded chain. Required to deploy to an external chain. */
  deployerKey?: Hex;
  /** Deploy to an external chain when its deployment file is missing or stale (never implicit there). */
  deploy?: boolean;
  /** Seed demo data once per deployment (default: on the embedded chain only). */
  seed?: boolean;
  /** Content gateway port (0 = a free port). Default 42070. */
  gatewayPort?: number;
  /** Start the content gateway (default true). */
  gateway?: boolean;
  /** Start the indexer (default true). */
  indexer?: boolean;
  /** Postgres for the indexer; PGlite in the data directory when absent. */
  databaseUrl?: string;
  /** Start the serving node (`ai/serve`) and its housekeeper (default: on the embedded chain). */
  serve?: boolean;
  /** Serving node's port (0 = a free port). Default 8080. */
  servePort?: number;
  /** The serving node's key (a registered Node operator); default anvil's account 7 (the seeded node) on anvil. */
  nodeKey?: Hex;
  /** Serve the web app (app/, built when its sources changed); default true. */
  app?: boolean;
  /** Web app port (0 = a free port). Default 42071. */
  appPort?: number;
  /** OpenAI-compatible serving endpoint the web app's chat may use (LINEAGE_SERVING_URL). */
  servingUrl?: string;
  logger?: Logger;
}

export interface Devnet {
  rpcUrl: string;
  chainId: number;
  deployment: Deployment;
  deploymentFile: string;
  graphqlUrl?: string;
  /** Content gateway (`GET /ipfs/<cid>`, `POST /ipfs`). */
  gatewayUrl?: string;
  anvil?: Anvil;
  indexer?: Indexer;
  /** The serving node, its housekeeper and the demo channel. */
  serving?: DevnetServing;
  /** The web app (app/server). */
  appUrl?: string;
  /** Stops every child: indexer first, then anvil (which dumps its state). */
  stop: () => Promise<void>;
}

interface SeedMarker {
  deployBlockHash: string;
  seededAtBlock: number;
}

function seedMarkerPath(dataDir: string, chainId: number): string {
  return join(dataDir, `seeded-${chainId}.json`);
}

function wasSeeded(dataDir: string, d: Deployment): boolean {
  const p = seedMarkerPath(dataDir, d.chainId);
  if (!existsSync(p)) return false;
  try {
    return (JSON.parse(readFileSync(p, "utf8")) as SeedMarker).deployBlockHash === d.deployBlockHash;
  } catch {
    return false;
  }
}

/** Starts the devnet. On any error, stops what it started and throws a {@link DevnetError} saying why. */
export async function startDevnet(opts: DevnetOptions = {}): Promise<Devnet> {
  const log = opts.logger ?? createLogger("devnet");
  const dataDir = opts.dataDir ?? join(REPO_ROOT, ".lineage");
  mkdirSync(dataDir, { recursive: true });
  let anvil: Anvil | undefined;
  let indexer: Indexer | undefined;
  let gateway: RunningGateway | undefined;
  let serving: DevnetServing | undefined;
  let servingStart: Promise<DevnetServing> | undefined;
  let app: Awaited<ReturnType<typeof startWebApp>> | undefined;
  const stop = async () => {
    if (app) await app.close();
    if (!serving && servingStart) serving = await servingStart.catch(() => undefined);
    if (serving) await serving.stop();
    if (gateway) await gateway.close();
    if (indexer) await indexer.stop();
    if (anvil) await anvil.stop();
  };
  try {
    // Every port first (scripts/devnet/ports.ts): a taken one stops the start before any process runs.
    await checkPorts(devnetPortClaims(opts)).catch((e: unknown) => {
      throw e instanceof PortInUseError ? new DevnetError(e.message) : e;
    });
    let rpcUrl: string;
    if (opts.rpcUrl) {
      rpcUrl = opts.rpcUrl;
      log.info({ rpc: rpcUrl }, "using an existing chain");
    } else {
      anvil = await startAnvil({ port: opts.anvilPort === 0 ? undefined : (opts.anvilPort ?? 8545), stateFile: join(dataDir, "anvil-state.json") }).catch(
        (e: Error) => {
          throw new DevnetError(`could not start anvil on port ${opts.anvilPort ?? 8545}: ${e.message}`);
        },
      );
      rpcUrl = anvil.rpcUrl;
      log.info({ rpc: rpcUrl, state: join(dataDir, "anvil-state.json") }, "anvil started");
    }
    const client = createPublicClient({ transport: http(rpcUrl) }) as PublicClient;
    const chainId = await client.getChainId().catch((e: Error) => {
      throw new DevnetError(`no JSON-RPC answer from ${rpcUrl}: ${e.message}`);
    });
    const embedded = anvil !== undefined;
    const deploymentFile = opts.deploymentFile ?? deploymentPath(chainId);
    const hasConfig = existsSync(deployConfigPath(chainId));
    if (!existsSync(deploymentFile) && !hasConfig) {
      throw new DevnetError(
        `unknown chain id ${chainId}: no deployment file (${deploymentFile}) and no deploy configuration ` +
          `(${deployConfigPath(chainId)}). Deploy Lineage there first, or point --rpc at a chain that has one.`,
      );
    }

    let deployment: Deployment | undefined;
    let reason = "no deployment file";
    if (existsSync(deploymentFile)) {
      try {
        const d = readDeployment(deploymentFile);
        const check = await checkDeployment(client, d);
        if (check.ok) deployment = d;
        else reason = check.reason;
      } catch (e) {
        if (!(e instanceof DeploymentFileError)) throw e;
        reason = e.message;
      }
    }
    if (!deployment) {
      const mayDeploy = embedded || opts.deploy === true;
      if (!mayDeploy) {
        throw new DevnetError(
          `the deployment file ${deploymentFile} does not match chain ${chainId} at ${rpcUrl}: ${reason}. ` +
            `Nothing was started. Redeploy (--deploy with LINEAGE_DEPLOYER_KEY) or use the right deployment file.`,
        );
      }
      const key = opts.deployerKey ?? (chainId === ANVIL_CHAIN_ID ? ANVIL_KEYS[0] : undefined);
      if (!key) throw new DevnetError(`deploying to chain ${chainId} needs a deployer key (LINEAGE_DEPLOYER_KEY)`);
      log.info({ chainId, reason }, "deploying");
      const t0 = Date.now();
      deployment = await deploy({ rpcUrl, chainId, privateKey: key, deploymentFile });
      log.info({ ms: Date.now() - t0, file: deploymentFile, block: deployment.deployBlock }, "deployed");
    } else {
      log.info({ file: deploymentFile, block: deployment.deployBlock }, "deployment matches the chain");
    }

    if ((opts.seed ?? embedded) && !wasSeeded(dataDir, deployment)) {
      const t0 = Date.now();
      const summary = await seed({ rpcUrl, deployment, logger: log, store: new FsContentStore(dataDir) });
      const marker: SeedMarker = { deployBlockHash: deployment.deployBlockHash, seededAtBlock: Number(await client.getBlockNumber({ cacheTime: 0 })) };
      writeFileSync(seedMarkerPath(dataDir, chainId), `${JSON.stringify(marker, null, 2)}\n`);
      log.info({ ms: Date.now() - t0, ...summary }, "seeded demo data");
    }

    // The gateway first: the indexer's merit route reads payout-tree documents through it.
    let gatewayUrl: string | undefined;
    if (opts.gateway ?? true) {
      gateway = await startGateway({
        store: new FsContentStore(dataDir),
        chain: deployment.contracts.DatanetRegistry
          ? { client, registry: deployment.contracts.DatanetRegistry, chainId }
          : undefined,
        port: opts.gatewayPort ?? 42070,
        logger: log,
      }).catch((e: Error) => {
        throw new DevnetError(`could not start the content gateway on port ${opts.gatewayPort ?? 42070}: ${e.message}`);
      });
      gatewayUrl = gateway.url;
      log.info({ url: gatewayUrl, dir: join(dataDir, "content") }, "content gateway started");
    }
    // The serving node starts while the indexer catches up (both take seconds; neither needs the other).
    if (opts.serve ?? embedded) {
      const nodeKey = opts.nodeKey ?? (chainId === ANVIL_CHAIN_ID ? ANVIL_KEYS[7] : undefined);
      if (!nodeKey) throw new DevnetError("serving on an external chain needs a node key (a registered Node operator)");
      const t0 = Date.now();
      servingStart = startServing({
        rpcUrl,
        client,
        deployment,
        dataDir,
        store: new FsContentStore(dataDir),
        nodeKey,
        port: opts.servePort ?? 8080,
        logger: log,
      }).then(
        (s) => {
          log.info({ ms: Date.now() - t0, url: s.server.url, demo: s.demo?.channelId.toString() }, "serving node started");
          return s;
        },
        (e: Error) => {
          throw new DevnetError(`could not start the serving node on port ${opts.servePort ?? 8080}: ${e.message}`);
        },
      );
      servingStart.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
    }
    let graphqlUrl: string | undefined;
    if (opts.indexer ?? true) {
      const base = {
        deploymentFile,
        deployment,
        rpcUrl,
        port: opts.graphqlPort === 0 ? undefined : (opts.graphqlPort ?? 42069),
        // One PGlite database per deployment: Ponder's RPC cache never outlives the chain it was filled from.
        pgliteDir: join(dataDir, "indexer", `pglite-${chainId}-${deployment.deployBlockHash.slice(2, 14)}`),
        databaseUrl: opts.databaseUrl,
        logFile: join(dataDir, "logs", "indexer.log"),
        contentUrl: gatewayUrl,
      };
      const t0 = Date.now();
      try {
        indexer = await startIndexer(base);
      } catch (e) {
        if (!embedded) throw e;
        // A local chain can lose its last blocks (killed between state dumps): start over on a fresh schema.
        log.warn({ error: (e as Error).message }, "indexer failed to resume; reindexing into a fresh schema");
        indexer = await startIndexer({ ...base, schema: `${indexerSchemaName(deployment)}_${Date.now().toString(36)}` });
      }
      graphqlUrl = indexer.graphqlUrl;
      log.info({ ms: Date.now() - t0, schema: indexer.schema }, "indexer caught up");
    }
    if (servingStart) serving = await servingStart;
    // The web app last: GraphQL answers first; its build (only when app/ or sdk/ changed) runs in the background.
    if (opts.app ?? true) {
      app = await startWebApp({
        deployment,
        rpcUrl,
        indexerUrl: indexer?.url,
        gatewayUrl,
        dataDir,
        devKeys: embedded || chainId === ANVIL_CHAIN_ID ? ANVIL_KEYS : [],
        port: opts.appPort ?? 42071,
        servingUrl: opts.servingUrl,
        log: (msg) => log.info(msg),
      }).catch((e: Error) => {
        throw new DevnetError(`could not start the web app on port ${opts.appPort ?? 42071}: ${e.message}`);
      });
      const appUrl = app.url;
      log.info({ url: appUrl }, "web app server started");
      void app.ready.then(
        (b) => log.info({ url: appUrl, built: b.built, buildMs: b.ms }, b.built ? "web app built" : "web app up to date"),
        () => undefined,
      );
    }
    return { rpcUrl, chainId, deployment, deploymentFile, graphqlUrl, gatewayUrl, anvil, indexer, appUrl: app?.url, ...(serving ? { serving } : {}), stop };
  } catch (e) {
    await stop();
    if (e instanceof DevnetError) throw e;
    throw new DevnetError((e as Error).message);
  }
}
