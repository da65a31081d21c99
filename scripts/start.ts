// SPDX-License-Identifier: MIT
/**
 * `npm start`: the whole protocol locally in one command (see scripts/devnet/devnet.ts).
 *   npm start                              embedded anvil (state in .lineage/), deploy if needed, seed once, indexer,
 *                                          the serving node (OpenAI-compatible, paid) with its housekeeper
 *   npm start -- --rpc https://l2.example  an existing chain (must have a matching deployments/<chainId>.json)
 * Environment: LINEAGE_RPC_URL, LINEAGE_DATA_DIR, DATABASE_URL (Postgres for the indexer), LINEAGE_DEPLOYER_KEY.
 * Ctrl-C stops every child cleanly (the indexer, then anvil, which saves its state).
 */
import { Command, InvalidArgumentError } from "commander";
import { resolve } from "node:path";
import { isHex, type Hex } from "viem";
import { startDevnet, type Devnet } from "./devnet/devnet.ts";
import { servingBanner } from "./devnet/serving.ts";
import { createLogger } from "./devnet/log.ts";

const port = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new InvalidArgumentError(`not a port: ${v}`);
  return n;
};

const program = new Command("lineage-start")
  .description("Start a local Lineage protocol: chain, contracts, demo data and the GraphQL indexer")
  .option("--rpc <url>", "use an existing chain instead of the embedded anvil", process.env.LINEAGE_RPC_URL)
  .option("--data-dir <dir>", "data directory", process.env.LINEAGE_DATA_DIR ?? ".lineage")
  .option("--anvil-port <port>", "embedded anvil's port (0 = any free port)", port, 8545)
  .option("--port <port>", "GraphQL port (0 = any free port)", port, 42069)
  .option("--gateway-port <port>", "content gateway port (0 = any free port)", port, 42070)
  .option("--serve-port <port>", "serving node port (0 = any free port)", port, 8080)
  .option("--no-serve", "do not start the serving node")
  .option("--app-port <port>", "web app port (0 = any free port)", port, 42071)
  .option("--no-app", "do not serve the web app")
  .option("--deployment <file>", "deployment file (default deployments/<chainId>.json)")
  .option("--deploy", "deploy to an external chain when its deployment is missing or stale (LINEAGE_DEPLOYER_KEY)")
  .option("--no-seed", "do not seed demo data")
  .option("--no-indexer", "do not start the indexer")
  .option("--exit-when-ready", "stop everything once the GraphQL endpoint answers (for timing and CI)");
program.parse();
const o = program.opts<{
  rpc?: string;
  dataDir: string;
  anvilPort: number;
  port: number;
  gatewayPort: number;
  servePort: number;
  serve: boolean;
  appPort: number;
  app: boolean;
  deployment?: string;
  deploy?: boolean;
  seed: boolean;
  indexer: boolean;
  exitWhenReady?: boolean;
}>();

const log = createLogger("start");
const key = process.env.LINEAGE_DEPLOYER_KEY;
if (key !== undefined && key !== "" && !(isHex(key) && key.length === 66)) {
  log.error("LINEAGE_DEPLOYER_KEY must be a 32-byte hex private key");
  process.exit(2);
}

const t0 = Date.now();
let devnet: Devnet | undefined;
let stopping = false;
async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    log.info("stopping");
    await devnet?.stop();
    log.info("stopped");
  }
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

try {
  devnet = await startDevnet({
    dataDir: resolve(o.dataDir),
    rpcUrl: o.rpc || undefined,
    anvilPort: o.anvilPort,
    graphqlPort: o.port,
    gatewayPort: o.gatewayPort,
    deploymentFile: o.deployment ? resolve(o.deployment) : undefined,
    deployerKey: key ? (key as Hex) : undefined,
    deploy: o.deploy,
    seed: o.rpc ? false : o.seed,
    indexer: o.indexer,
    serve: o.rpc ? false : o.serve,
    servePort: o.servePort,
    databaseUrl: process.env.DATABASE_URL || undefined,
    app: o.app,
    appPort: o.appPort,
    servingUrl: process.env.LINEAGE_SERVING_URL || undefined,
    logger: createLogger("devnet"),
  });
} catch (e) {
  log.error((e as Error).message);
  process.exit(1);
}

const d = devnet.deployment;
const lines = [
  "",
  `Lineage is running on chain ${d.chainId} (${devnet.rpcUrl}), ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  `  deployment   ${devnet.deploymentFile} (block ${d.deployBlock})`,
  ...Object.entries(d.contracts).map(([name, addr]) => `  ${name.padEnd(20)} ${addr}`),
  devnet.graphqlUrl ? `  GraphQL      ${devnet.graphqlUrl}` : "  GraphQL      (indexer not started)",
  devnet.indexer ? `  Merit proofs ${devnet.indexer.url}/merit/<account>[?at=<timestamp>]` : "",
  devnet.gatewayUrl ? `  Content      ${devnet.gatewayUrl}/ipfs/<cid>` : "",
  ...(devnet.serving ? await servingBanner(devnet.serving, { rpcUrl: devnet.rpcUrl, deployment: d }) : []),
  devnet.appUrl ? `  Web app      ${devnet.appUrl}` : "",
  "Press Ctrl-C to stop.",
  "",
];
process.stdout.write(lines.join("\n"));

for (const [name, child] of [
  ["anvil", devnet.anvil?.process],
  ["indexer", devnet.indexer?.process],
] as const) {
  child?.once("exit", (code) => {
    if (stopping) return;
    log.error({ code }, `${name} stopped unexpectedly; stopping everything`);
    void shutdown(1);
  });
}
if (o.exitWhenReady) await shutdown(0);
