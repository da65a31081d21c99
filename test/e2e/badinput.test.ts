// SPDX-License-Identifier: MIT
/**
 * Bad input to `npm start`'s devnet: an unknown chain id, a deployment file of another chain, an invalid deployment
 * file. Each gives a clear error and starts nothing (no indexer answering, the caller's chain untouched).
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startAnvil, type Anvil } from "../../scripts/devnet/anvil.ts";
import { startDevnet } from "../../scripts/devnet/devnet.ts";
import { createLogger } from "../../scripts/devnet/log.ts";
import { freePort } from "../../scripts/devnet/net.ts";
import { bootChain, rpc, tempDeploymentFile, tempDir, type Chain } from "./harness.ts";

// Real anvil, forge and Ponder processes on a shared 2-core machine: generous limits (no timing assertions).
vi.setConfig({ testTimeout: 600_000, hookTimeout: 600_000 });

const logger = createLogger("test", "silent");
let chain: Chain;
let other: Anvil;
let unknown: Anvil;
const dirs = tempDir();
const files: string[] = [];
const tempFile = () => {
  const f = tempDeploymentFile();
  files.push(f);
  return f;
};

beforeAll(async () => {
  [chain, other, unknown] = await Promise.all([bootChain(), startAnvil(), startAnvil({ chainId: 777_777 })]);
});
afterAll(async () => {
  await Promise.all([chain?.cleanup(), other?.stop(), unknown?.stop()]);
  dirs.remove();
  for (const f of files) rmSync(f, { force: true });
});

/** Nothing answers on `port`. */
async function nothingOn(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/graphql`).then(
    () => false,
    () => true,
  );
}

async function blockNumber(url: string): Promise<bigint> {
  const [n] = await rpc<string>(url, [{ method: "eth_blockNumber", params: [] }]);
  return BigInt(n!);
}

describe("npm start with bad input", () => {
  it("refuses a chain id it has neither a deployment nor a deploy configuration for", async () => {
    const port = await freePort();
    await expect(
      startDevnet({ rpcUrl: unknown.rpcUrl, dataDir: join(dirs.dir, "a"), graphqlPort: port, logger, deploymentFile: tempFile() }),
    ).rejects.toThrow(/unknown chain id 777777/);
    expect(await nothingOn(port)).toBe(true);
    expect(await blockNumber(unknown.rpcUrl)).toBe(0n);
  });

  it("refuses a deployment file made on another chain, and deploys nothing", async () => {
    const port = await freePort();
    const before = await blockNumber(other.rpcUrl);
    await expect(
      startDevnet({ rpcUrl: other.rpcUrl, dataDir: join(dirs.dir, "b"), graphqlPort: port, logger, deploymentFile: chain.deploymentFile }),
    ).rejects.toThrow(/does not match chain 31337.*(another chain|beyond the chain head)/);
    expect(await nothingOn(port)).toBe(true);
    expect(await blockNumber(other.rpcUrl)).toBe(before);
  });

  it("refuses a deployment whose contracts are gone or whose ABIs changed", async () => {
    const file = tempFile();
    const tampered = { ...JSON.parse(JSON.stringify(chain.deployment)), abiHash: `0x${"12".repeat(32)}` };
    writeFileSync(file, JSON.stringify(tampered));
    await expect(startDevnet({ rpcUrl: chain.anvil.rpcUrl, dataDir: join(dirs.dir, "c"), logger, deploymentFile: file, indexer: false })).rejects.toThrow(
      /ABIs changed/,
    );
  });

  it("refuses an invalid deployment file with the reason", async () => {
    const file = tempFile();
    writeFileSync(file, JSON.stringify({ chainId: 31337, contracts: { OpenToken: "0x1234" } }));
    const port = await freePort();
    await expect(
      startDevnet({ rpcUrl: chain.anvil.rpcUrl, dataDir: join(dirs.dir, "d"), graphqlPort: port, logger, deploymentFile: file }),
    ).rejects.toThrow(/not a valid Lineage deployment.*contracts\.OpenToken: not an address/);
    expect(await nothingOn(port)).toBe(true);
  });
});
