// SPDX-License-Identifier: MIT
import { loadavg } from "node:os";

export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
export function load(): string {
  return loadavg().map((x) => x.toFixed(2)).join(" ");
}
export function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
}
