// SPDX-License-Identifier: MIT
/**
 * The embedded chain: Foundry's anvil (the platform binary, see scripts/foundry.mjs) with the deterministic test mnemonic.
 * With a state file the chain survives restarts: anvil loads it on start, dumps it every `stateInterval`
 * seconds and on exit (SIGINT), so even a killed devnet keeps all but its last few seconds.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { createPublicClient, http, type Hex } from "viem";
import { freePort, OutputTail, stopChild, waitFor } from "./net.ts";
import { foundryBin } from "../foundry.mjs";

/** The platform binary: the npm wrapper `node_modules/.bin/anvil` exits 0 when anvil fails and survives a kill. */
export const ANVIL_BIN = foundryBin("anvil");
export const ANVIL_CHAIN_ID = 31337;
/** Private keys of anvil's deterministic accounts 0..9 (mnemonic "test test ... junk"). */
export const ANVIL_KEYS: readonly Hex[] = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
  "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
  "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
  "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
  "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
  "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
];

export interface AnvilOptions {
  /** Port to listen on (default: a free port). */
  port?: number;
  /** State file to load and keep dumping (omit for a throw-away chain). */
  stateFile?: string;
  /** Seconds between state dumps (default 2). */
  stateInterval?: number;
  /** Seconds between blocks; omit for automine (a block per transaction). */
  blockTime?: number;
  /** Chain id (default 31337). */
  chainId?: number;
  /** Extra arguments. */
  args?: string[];
}

export interface Anvil {
  rpcUrl: string;
  port: number;
  process: ChildProcess;
  /** The last lines anvil printed. */
  output: () => string;
  /** SIGINT (anvil dumps its state), then waits for the exit. */
  stop: () => Promise<void>;
}

/** Starts anvil and waits until it answers `eth_chainId`. */
export async function startAnvil(opts: AnvilOptions = {}): Promise<Anvil> {
  const port = opts.port ?? (await freePort());
  const args = ["--port", String(port), "--host", "127.0.0.1", "--chain-id", String(opts.chainId ?? ANVIL_CHAIN_ID)];
  if (opts.stateFile) {
    mkdirSync(dirname(opts.stateFile), { recursive: true });
    args.push("--state", opts.stateFile, "--state-interval", String(opts.stateInterval ?? 2));
  }
  if (opts.blockTime !== undefined) args.push("--block-time", String(opts.blockTime));
  args.push(...(opts.args ?? []));
  const child = spawn(ANVIL_BIN, args, { stdio: ["ignore", "pipe", "pipe"] });
  const tail = new OutputTail();
  child.stdout?.on("data", (d: Buffer) => tail.push(d));
  child.stderr?.on("data", (d: Buffer) => tail.push(d));
  let exited: string | undefined;
  child.once("exit", (code, sig) => (exited = `anvil exited (${code ?? sig}): ${tail.toString().slice(-2000)}`));
  child.once("error", (e) => (exited = `anvil failed to start: ${e.message}`));
  const rpcUrl = `http://127.0.0.1:${port}`;
  const client = createPublicClient({ transport: http(rpcUrl, { retryCount: 0 }) });
  // Ready when *this* anvil says it listens and the port answers: an answer alone could come from another process on
  // the port while this anvil fails to bind it (and exits).
  const silent = args.includes("--silent");
  const listening = `Listening on 127.0.0.1:${port}`;
  await waitFor("anvil", async () => (silent || tail.toString().includes(listening) ? client.getChainId() : undefined), {
    timeoutMs: 30_000,
    abort: () => exited,
  });
  return {
    rpcUrl,
    port,
    process: child,
    output: () => tail.toString(),
    stop: () => stopChild(child, "SIGINT"),
  };
}
