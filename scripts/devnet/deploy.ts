// SPDX-License-Identifier: MIT
/**
 * Deploying and checking a deployment.
 * - {@link deploy} runs `script/Deploy.s.sol` with forge against an RPC URL, then completes the deployment file with
 *   the deploy block, its hash (read from the broadcast receipts) and the ABI hash.
 * - {@link checkDeployment} says whether a deployment file describes the chain behind a client.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { z } from "zod";
import { getAddress, type Hex, type PublicClient } from "viem";
import {
  abiHashOf,
  deploymentPath,
  DeploymentFileError,
  KNOWN_CONTRACTS,
  parseDeployment,
  REPO_ROOT,
  type Deployment,
} from "../../sdk/addresses/index.ts";
import { ANVIL_CHAIN_ID } from "./anvil.ts";
import { poolStatus, settlePool } from "./anvil-pool.ts";
import { OutputTail } from "./net.ts";
import { foundryBin } from "../foundry.mjs";

/** The platform binary: the npm wrapper `node_modules/.bin/forge` loses the exit status (see scripts/foundry.mjs). */
export const FORGE_BIN = foundryBin("forge");

/** Longest a `forge script` deployment may take before it is killed (a normal one takes 5-30 s here, loaded). */
export const FORGE_TIMEOUT_MS = 120_000;
/** Attempts of a stalled (killed) deployment before giving up. */
export const FORGE_ATTEMPTS = 3;

export class DeployError extends Error {
  override name = "DeployError";
}

/** Path of a chain's deploy configuration (keepers, slasher, council, Timelock delay, demo distribution). */
export function deployConfigPath(chainId: number): string {
  return join(REPO_ROOT, "deployments", "config", `${chainId}.json`);
}

export interface DeployOptions {
  rpcUrl: string;
  chainId: number;
  privateKey: Hex;
  /** Where to write the deployment (default `deployments/<chainId>.json`). Must be under `deployments/`. */
  deploymentFile?: string;
  /** Called with forge's output lines. */
  onOutput?: (line: string) => void;
}

const broadcastSchema = z.object({
  receipts: z
    .array(z.object({ blockNumber: z.string(), blockHash: z.string(), status: z.string() }))
    .min(1),
});

/** Deploys every contract with `script/Deploy.s.sol` and returns the completed deployment. */
export async function deploy(opts: DeployOptions): Promise<Deployment> {
  if (!existsSync(deployConfigPath(opts.chainId))) {
    throw new DeployError(
      `unknown chain id ${opts.chainId}: no deploy configuration at ${deployConfigPath(opts.chainId)} ` +
        `(add one with keepers, slasher, council, timelockMinDelay and distribution to deploy there)`,
    );
  }
  const file = opts.deploymentFile ?? deploymentPath(opts.chainId);
  mkdirSync(dirname(file), { recursive: true });
  // One broadcast directory per attempt: a killed attempt leaves a sequence without receipts that must not be read.
  const broadcastDirs: string[] = [];
  try {
    const tail = new OutputTail(20_000);
    let timedOut = false;
    // On the local chain a stall is reported with anvil's pool and a retry first mines what the killed attempt left.
    const local = opts.chainId === ANVIL_CHAIN_ID;
    const runForge = (broadcastDir: string) => new Promise<number>((resolveCode, reject) => {
      timedOut = false;
      // --slow: each transaction is sent after the previous one is confirmed. Sent concurrently, they reached anvil
      // out of nonce order now and then, and a stalled deploy showed a pending transaction anvil's automine never
      // mined and a queued one behind a nonce gap.
      const child = spawn(
        FORGE_BIN,
        ["script", "script/Deploy.s.sol", "--rpc-url", opts.rpcUrl, "--private-key", opts.privateKey, "--broadcast", "--slow"],
        {
          cwd: REPO_ROOT,
          stdio: ["ignore", "pipe", "pipe"],
          // Own process group, so a kill reaches everything forge started (it was once a Node launcher around the
          // real binary, where killing only the launcher left the binary broadcasting beside the next attempt).
          detached: true,
          env: {
            ...process.env,
            FOUNDRY_BROADCAST: broadcastDir,
            LINEAGE_DEPLOYMENT_FILE: file,
            FORCE_COLOR: "0",
            NO_COLOR: "1",
          },
        },
      );
      const onData = (d: Buffer) => {
        tail.push(d);
        if (opts.onOutput) for (const l of d.toString().split("\n")) if (l.trim()) opts.onOutput(l);
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      child.on("error", reject);
      // forge script has been seen to stall on a loaded machine (full e2e runs, several deployments at once): a
      // stalled deploy is killed and run again from the chain's current state instead of hanging.
      const timer = setTimeout(async () => {
        timedOut = true;
        const st = local ? await poolStatus(opts.rpcUrl) : undefined;
        const pool = st ? `; anvil: block ${st.block}, ${st.pending} pending, ${st.queued} queued` : "";
        tail.push(`\n(forge script timed out after ${FORGE_TIMEOUT_MS} ms; killed${pool})`);
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          child.kill("SIGKILL");
        }
      }, FORGE_TIMEOUT_MS);
      child.on("exit", (c) => {
        clearTimeout(timer);
        resolveCode(c ?? 1);
      });
    });
    let code = 1;
    let broadcastDir = "";
    for (let attempt = 1; attempt <= FORGE_ATTEMPTS; attempt++) {
      broadcastDir = mkdtempSync(join(tmpdir(), "lineage-broadcast-"));
      broadcastDirs.push(broadcastDir);
      code = await runForge(broadcastDir);
      if (!timedOut) break;
      opts.onOutput?.(`forge script stalled (attempt ${attempt} of ${FORGE_ATTEMPTS})`);
      // The killed attempt's transactions may still be pending: mine them first, or the retry's nonces collide.
      if (local) await settlePool(opts.rpcUrl);
    }
    if (timedOut) throw new DeployError(`forge script Deploy.s.sol stalled ${FORGE_ATTEMPTS} times:\n${tail.toString().slice(-4000)}`);
    if (code !== 0) throw new DeployError(`forge script Deploy.s.sol failed (exit ${code}):\n${tail.toString().slice(-4000)}`);
    const runFile = join(broadcastDir, "Deploy.s.sol", String(opts.chainId), "run-latest.json");
    const parsed = broadcastSchema.safeParse(JSON.parse(readFileSync(runFile, "utf8")));
    if (!parsed.success) throw new DeployError(`forge script Deploy.s.sol exited 0 without deployment receipts:\n${tail.toString().slice(-4000)}`);
    const run = parsed.data;
    const failed = run.receipts.find((r) => BigInt(r.status) !== 1n);
    if (failed) throw new DeployError(`a deployment transaction reverted in block ${BigInt(failed.blockNumber)}`);
    const first = run.receipts.reduce((a, b) => (BigInt(b.blockNumber) < BigInt(a.blockNumber) ? b : a));
    const raw = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown> & { contracts: Record<string, string> };
    const deployment = parseDeployment(
      {
        ...raw,
        deployBlock: Number(BigInt(first.blockNumber)),
        deployBlockHash: first.blockHash,
        abiHash: abiHashOf(Object.keys(raw.contracts)),
      },
      file,
    );
    writeDeployment(file, deployment);
    return deployment;
  } finally {
    for (const d of broadcastDirs) rmSync(d, { recursive: true, force: true });
  }
}

/** Writes a deployment file in a stable, readable order. */
export function writeDeployment(file: string, d: Deployment): void {
  const ordered = {
    chainId: d.chainId,
    deployer: d.deployer,
    startBlock: d.startBlock,
    deployBlock: d.deployBlock,
    deployBlockHash: d.deployBlockHash,
    abiHash: d.abiHash,
    contracts: Object.fromEntries(Object.entries(d.contracts).sort(([a], [b]) => a.localeCompare(b))),
    roles: d.roles,
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(ordered, null, 2)}\n`);
}

export type DeploymentCheck = { ok: true } | { ok: false; reason: string };

/**
 * Whether `deployment` describes the chain behind `client`: same chain id, the deploy block exists with the same hash,
 * every contract has code, every contract the SDK knows is deployed, and the ABIs are the current ones.
 */
export async function checkDeployment(client: PublicClient, deployment: Deployment): Promise<DeploymentCheck> {
  const chainId = await client.getChainId();
  if (chainId !== deployment.chainId) {
    return { ok: false, reason: `the deployment is for chain ${deployment.chainId} but the RPC serves chain ${chainId}` };
  }
  const head = await client.getBlockNumber({ cacheTime: 0 });
  if (BigInt(deployment.deployBlock) > head) {
    return { ok: false, reason: `deploy block ${deployment.deployBlock} is beyond the chain head ${head} (another chain)` };
  }
  const block = await client.getBlock({ blockNumber: BigInt(deployment.deployBlock) });
  if (block.hash !== deployment.deployBlockHash) {
    return {
      ok: false,
      reason: `block ${deployment.deployBlock} has hash ${block.hash}, the deployment recorded ${deployment.deployBlockHash} (another chain)`,
    };
  }
  for (const [name, address] of Object.entries(deployment.contracts)) {
    const code = await client.getCode({ address: getAddress(address) });
    if (!code || code === "0x") return { ok: false, reason: `${name} has no code at ${address}` };
  }
  const missing = KNOWN_CONTRACTS.filter((n) => !deployment.contracts[n]);
  if (missing.length) return { ok: false, reason: `the deployment lacks ${missing.join(", ")}` };
  const current = abiHashOf(Object.keys(deployment.contracts));
  if (current !== deployment.abiHash) {
    return { ok: false, reason: `the contracts' ABIs changed since the deployment (ABI hash ${current} != ${deployment.abiHash})` };
  }
  return { ok: true };
}

export { DeploymentFileError };
