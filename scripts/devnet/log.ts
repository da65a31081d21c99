// SPDX-License-Identifier: MIT
/** The devnet's structured logger (pino), printed as short readable lines (`level msg key=value`). */
import { pino, type Logger } from "pino";

const LEVELS: Record<number, string> = { 10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal" };

/** A pino logger writing `HH:MM:SS level [name] msg k=v` lines to stderr. */
export function createLogger(name: string, level: string = process.env.LINEAGE_LOG_LEVEL ?? "info"): Logger {
  const stream = {
    write(line: string): void {
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(line) as Record<string, unknown>;
      } catch {
        process.stderr.write(line);
        return;
      }
      const { level: lvl, time, msg, name: n, pid: _pid, hostname: _host, ...rest } = rec;
      const t = new Date(Number(time)).toISOString().slice(11, 19);
      const kv = Object.entries(rest)
        .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
        .join(" ");
      process.stderr.write(`${t} ${LEVELS[Number(lvl)] ?? lvl} [${String(n)}] ${String(msg ?? "")}${kv ? ` ${kv}` : ""}\n`);
    },
  };
  return pino({ name, level }, stream);
}
