// SPDX-License-Identifier: MIT
/**
 * Ports before processes: `npm start` checks every port it will listen on before it starts anything, and names the
 * process that holds a taken one. (A second `npm start` once logged "anvil started" on 8545 while its anvil could not
 * bind, ran on the first devnet's chain, and failed only at the gateway.)
 *
 * {@link DEVNET_SERVICES} lists the listening services of the devnet; a new service joins by adding its entry (name,
 * option, the port it will use for given options), and the check covers it from then on.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { createServer } from "node:net";
import type { DevnetOptions } from "./devnet.ts";

/** A port a service will listen on. */
export interface PortClaim {
  /** Who will listen ("anvil", "indexer (GraphQL)", ...). */
  service: string;
  port: number;
  /** Address it binds (default 127.0.0.1). */
  host?: string;
  /** The option that moves it ("--anvil-port"), for the error message. */
  option?: string;
}

/** A listening service of the devnet: its port for given options, or undefined when it does not run or takes any free port. */
export interface DevnetService {
  service: string;
  option: string;
  port: (opts: DevnetOptions) => number | undefined;
}

const fixed = (port: number | undefined, dflt: number): number | undefined => (port === 0 ? undefined : (port ?? dflt));

/** Every service `startDevnet` starts that listens on a port, in start order. New services add themselves here. */
export const DEVNET_SERVICES: DevnetService[] = [
  { service: "anvil", option: "--anvil-port", port: (o) => (o.rpcUrl ? undefined : fixed(o.anvilPort, 8545)) },
  { service: "content gateway", option: "--gateway-port", port: (o) => ((o.gateway ?? true) ? fixed(o.gatewayPort, 42070) : undefined) },
  { service: "serving node", option: "--serve-port", port: (o) => ((o.serve ?? !o.rpcUrl) ? fixed(o.servePort, 8080) : undefined) },
  { service: "indexer (GraphQL)", option: "--port", port: (o) => ((o.indexer ?? true) ? fixed(o.graphqlPort, 42069) : undefined) },
  { service: "web app", option: "--app-port", port: (o) => ((o.app ?? true) ? fixed(o.appPort, 42071) : undefined) },
];

/** The ports a devnet with these options will listen on. */
export function devnetPortClaims(opts: DevnetOptions, services: readonly DevnetService[] = DEVNET_SERVICES): PortClaim[] {
  return services.flatMap((s) => {
    const port = s.port(opts);
    return port === undefined ? [] : [{ service: s.service, port, option: s.option }];
  });
}

export class PortInUseError extends Error {
  override name = "PortInUseError";
  constructor(readonly taken: { claim: PortClaim; holder: string }[]) {
    super(
      taken
        .map(({ claim, holder }) => `port ${claim.port} (${claim.service}${claim.option ? `, ${claim.option}` : ""}) is taken by ${holder}`)
        .join("; ") + ". Nothing was started: stop that process or choose other ports.",
    );
  }
}

/** Whether `host:port` can be bound now (a listen, closed at once). */
export function portIsFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((done) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", () => done(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => done(true)));
  });
}

/** Socket inodes listening on `port` (IPv4 and IPv6), from /proc/net/tcp{,6} (Linux; empty elsewhere). */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      // f[1] = local address "HEXIP:HEXPORT", f[3] = state (0A = LISTEN), f[9] = inode
      if (f.length < 10 || f[3] !== "0A") continue;
      if (Number.parseInt(f[1]!.split(":").at(-1)!, 16) === port) inodes.add(f[9]!);
    }
  }
  return inodes;
}

/** The process listening on `port`: "pid N (command line)" when /proc shows it, else a plain "another process". */
export function portHolder(port: number): string {
  const inodes = listeningInodes(port);
  if (inodes.size > 0) {
    let pids: string[] = [];
    try {
      pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
    } catch {
      /* no /proc */
    }
    for (const pid of pids) {
      let fds: string[];
      try {
        fds = readdirSync(`/proc/${pid}/fd`);
      } catch {
        continue; // gone, or not ours to read
      }
      for (const fd of fds) {
        let target: string;
        try {
          target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          continue;
        }
        const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
        if (inode && inodes.has(inode)) {
          let cmd = "";
          try {
            cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
          } catch {
            /* gone */
          }
          return `pid ${pid}${cmd ? ` (${cmd.length > 500 ? `${cmd.slice(0, 500)}...` : cmd})` : ""}`;
        }
      }
    }
  }
  return "another process (its pid is not visible here)";
}

/** Throws a {@link PortInUseError} naming every taken port and its holder; resolves when all are free. */
export async function checkPorts(claims: readonly PortClaim[]): Promise<void> {
  const taken: { claim: PortClaim; holder: string }[] = [];
  const seen = new Map<number, PortClaim>();
  for (const claim of claims) {
    const twice = seen.get(claim.port);
    if (twice) {
      taken.push({ claim, holder: `this start itself (${twice.service} is given the same port)` });
      continue;
    }
    seen.set(claim.port, claim);
    if (!(await portIsFree(claim.port, claim.host))) taken.push({ claim, holder: portHolder(claim.port) });
  }
  if (taken.length) throw new PortInUseError(taken);
}
