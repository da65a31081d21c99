// SPDX-License-Identifier: MIT
/**
 * The indexer's RPC lanes: Ponder 0.16 rate-limits each RPC URL to ~20 requests/s, and a cold backfill of a local
 * chain makes ~480 requests (one eth_getLogs per event per block range), so the loopback URL is handed over several
 * times (bench/RESULTS.md, issue 6 session 4). This checks the rule and that ponder.config.ts applies it.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { abiHashOf, KNOWN_CONTRACTS } from "../sdk/addresses/index.ts";
import { isLoopbackUrl, LOCAL_RPC_LANES, rpcLanes, rpcUrls } from "./lanes.ts";

describe("rpcLanes", () => {
  it("gives a node on this machine several lanes and a remote node one", () => {
    for (const url of ["http://127.0.0.1:8545", "http://localhost:41234/", "http://127.1.2.3:9", "http://[::1]:8545"]) {
      expect(isLoopbackUrl(url), url).toBe(true);
      expect(rpcLanes(url)).toBe(LOCAL_RPC_LANES);
    }
    for (const url of ["https://mainnet.optimism.io", "http://10.0.0.5:8545", "http://128.0.0.1:8545", "http://localhost.example.com"]) {
      expect(isLoopbackUrl(url), url).toBe(false);
      expect(rpcLanes(url)).toBe(1);
    }
    expect(LOCAL_RPC_LANES).toBeGreaterThanOrEqual(16);
  });

  it("lets LINEAGE_RPC_LANES override the rule", () => {
    expect(rpcLanes("http://127.0.0.1:8545", 1)).toBe(1);
    expect(rpcLanes("https://rpc.example.org", 4)).toBe(4);
  });
});

describe("rpcUrls", () => {
  it("keeps one URL as it is and tells lanes apart by a query parameter", () => {
    expect(rpcUrls("http://127.0.0.1:8545", 1)).toEqual(["http://127.0.0.1:8545"]);
    expect(rpcUrls("http://127.0.0.1:8545", 3)).toEqual([
      "http://127.0.0.1:8545/?lane=0",
      "http://127.0.0.1:8545/?lane=1",
      "http://127.0.0.1:8545/?lane=2",
    ]);
    expect(rpcUrls("http://localhost:9000/rpc?key=k", 2)).toEqual([
      "http://localhost:9000/rpc?key=k&lane=0",
      "http://localhost:9000/rpc?key=k&lane=1",
    ]);
  });
});

describe("ponder.config.ts", () => {
  const dir = mkdtempSync(join(tmpdir(), "lineage-config-"));
  afterAll(() => {
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
  });

  async function configFor(rpcUrl: string, lanes?: string) {
    const file = join(dir, `deployment-${Math.random().toString(36).slice(2)}.json`);
    const contracts = Object.fromEntries(
      KNOWN_CONTRACTS.map((n, i) => [n, `0x${(i + 1).toString(16).padStart(40, "0")}`]),
    );
    writeFileSync(
      file,
      JSON.stringify({
        chainId: 31337,
        deployer: `0x${"1".repeat(40)}`,
        startBlock: 0,
        deployBlock: 1,
        deployBlockHash: `0x${"ab".repeat(32)}`,
        abiHash: abiHashOf(KNOWN_CONTRACTS),
        contracts,
        roles: { keepers: [], slasher: `0x${"2".repeat(40)}`, council: `0x${"3".repeat(40)}`, treasury: `0x${"4".repeat(40)}` },
      }),
    );
    vi.resetModules();
    vi.stubEnv("LINEAGE_DEPLOYMENT_FILE", file);
    vi.stubEnv("LINEAGE_RPC_URL", rpcUrl);
    vi.stubEnv("LINEAGE_RPC_LANES", lanes);
    vi.stubEnv("DATABASE_URL", "");
    const mod = (await import("./ponder.config.ts")) as { default: { chains: Record<string, { rpc: unknown }> } };
    return mod.default.chains.lineage!;
  }

  it("hands Ponder the loopback URL once per lane, as plain URLs", async () => {
    const chain = await configFor("http://127.0.0.1:34567");
    expect(chain.rpc).toEqual(Array.from({ length: LOCAL_RPC_LANES }, (_, i) => `http://127.0.0.1:34567/?lane=${i}`));
    // An empty LINEAGE_RPC_LANES is unset, not 0.
    expect((await configFor("http://127.0.0.1:34567", "")).rpc).toEqual(chain.rpc);
  });

  it("refuses a lane count out of range", async () => {
    await expect(configFor("http://127.0.0.1:34567", "0")).rejects.toThrow();
    await expect(configFor("http://127.0.0.1:34567", "65")).rejects.toThrow();
  });

  it("hands a remote URL over once, or as often as LINEAGE_RPC_LANES says", async () => {
    expect((await configFor("https://rpc.example.org")).rpc).toEqual(["https://rpc.example.org"]);
    expect((await configFor("https://rpc.example.org", "3")).rpc).toEqual(rpcUrls("https://rpc.example.org", 3));
  });
});
