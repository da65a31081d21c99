// SPDX-License-Identifier: MIT
/** Ports before processes: a taken port is reported with its holder (pid and command) before anything starts. */
import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, waitFor } from "./net.ts";
import { checkPorts, devnetPortClaims, portIsFree, PortInUseError } from "./ports.ts";

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
});

/** Another process listening on `port` (as a second devnet would find the first one's). */
async function holdPort(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["-e", `require("node:net").createServer().listen(${port}, "127.0.0.1", () => console.log("held"))`], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  await waitFor("the port holder", async () => (out.includes("held") ? true : undefined), { timeoutMs: 30_000 });
  return child;
}

describe("devnet ports", () => {
  it("lists every listening service of the options, leaving out port 0 and services that do not run", () => {
    expect(devnetPortClaims({}).map((c) => [c.service, c.port])).toEqual([
      ["anvil", 8545],
      ["content gateway", 42070],
      ["serving node", 8080],
      ["indexer (GraphQL)", 42069],
      ["web app", 42071],
    ]);
    expect(devnetPortClaims({ rpcUrl: "http://127.0.0.1:1", anvilPort: 9, gatewayPort: 0, graphqlPort: 7000, app: false }).map((c) => c.port)).toEqual([7000]);
    expect(devnetPortClaims({ indexer: false, gateway: false, anvilPort: 5000, appPort: 0 }).map((c) => c.option)).toEqual(["--anvil-port", "--serve-port"]);
    expect(devnetPortClaims({ serve: false, anvilPort: 0, gatewayPort: 0, graphqlPort: 0, appPort: 0 })).toEqual([]);
  });

  it("names each taken port, its service and option, and the pid and command holding it", async () => {
    const [a, b, free] = [await freePort(), await freePort(), await freePort()];
    const holder = await holdPort(a);
    const second = await holdPort(b);
    const err = await checkPorts([
      { service: "anvil", port: a, option: "--anvil-port" },
      { service: "content gateway", port: free, option: "--gateway-port" },
      { service: "indexer (GraphQL)", port: b, option: "--port" },
    ]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PortInUseError);
    const msg = (err as Error).message;
    expect(msg).toContain(`port ${a} (anvil, --anvil-port) is taken by pid ${holder.pid} (`);
    expect(msg).toContain(`port ${b} (indexer (GraphQL), --port) is taken by pid ${second.pid} (`);
    expect(msg).toContain("createServer().listen(");
    expect(msg).not.toContain(`port ${free}`);
    expect((err as PortInUseError).taken).toHaveLength(2);
    // Checking binds nothing for long: the free port stays free.
    expect(await portIsFree(free)).toBe(true);
  });

  it("refuses one port given to two services, and passes when every port is free", async () => {
    const p = await freePort();
    await expect(checkPorts([{ service: "anvil", port: p }, { service: "content gateway", port: p }])).rejects.toThrow(
      `port ${p} (content gateway) is taken by this start itself (anvil is given the same port)`,
    );
    await expect(checkPorts([{ service: "anvil", port: p }])).resolves.toBeUndefined();
  });
});
