// SPDX-License-Identifier: MIT
/**
 * The local training service: fine-tune runs on top of `runTrain` (cli/train.ts), one at a time (the machine is small),
 * each in a child process. Every event a run emits is appended to `<dir>/<id>/events.jsonl` before it is streamed, so
 * a page reload (or a server restart) replays the whole run; SSE subscribers get the replay, then live events.
 * The run reads a Datanet version as the requesting account: on the local chain the service holds anvil's test keys
 * (the same public keys as the dev wallet); on other networks it refuses, since it would need the account's key.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { privateKeyToAccount } from "viem/accounts";
import type { Hex } from "viem";
import { trainEventSchema, trainRequestSchema, type RunSummary, type TrainEvent, type TrainRequest } from "../../src/lib/training.ts";

export class TrainServiceError extends Error {
  override name = "TrainServiceError";
  constructor(
    message: string,
    readonly status: 400 | 404 | 409 = 400,
  ) {
    super(message);
  }
}

export interface TrainServiceOptions {
  /** Where runs live (`<dataDir>/app-runs`). */
  dir: string;
  /** Base models offered, by name. */
  bases: Record<string, { path: string; about: string }>;
  rpcUrl: string;
  registry: Hex;
  fromBlock: number;
  gatewayUrl: string;
  /** Keys the service may read Datanets with (anvil's, local chain only). */
  keys: readonly Hex[];
}

type Listener = (e: TrainEvent) => void;

export function createTrainService(o: TrainServiceOptions) {
  mkdirSync(o.dir, { recursive: true });
  const keyOf = new Map(o.keys.map((k) => [privateKeyToAccount(k).address.toLowerCase(), k]));
  const listeners = new Map<string, Set<Listener>>();
  let active: { id: string; child: ChildProcess } | undefined;

  const runDir = (id: string) => join(o.dir, id);
  const summaryPath = (id: string) => join(runDir(id), "run.json");
  const read = (id: string): RunSummary => {
    if (!/^[0-9a-f]{12}$/.test(id) || !existsSync(summaryPath(id))) throw new TrainServiceError(`no run ${id}`, 404);
    return JSON.parse(readFileSync(summaryPath(id), "utf8")) as RunSummary;
  };
  const write = (s: RunSummary) => writeFileSync(summaryPath(s.id), JSON.stringify(s));

  // A run left "running" by a previous server process was interrupted: say so instead of waiting forever.
  for (const id of readdirSync(o.dir)) {
    if (!existsSync(summaryPath(id))) continue;
    const s = read(id);
    if (s.state === "running") {
      const ev: TrainEvent = { type: "error", message: "interrupted: the app server stopped during the run" };
      appendFileSync(join(runDir(id), "events.jsonl"), `${JSON.stringify(ev)}\n`);
      write({ ...s, state: "error", error: ev.message });
    }
  }

  const record = (id: string, e: TrainEvent) => {
    appendFileSync(join(runDir(id), "events.jsonl"), `${JSON.stringify(e)}\n`);
    const s = read(id);
    if (e.type === "progress") s.last = e.progress;
    if (e.type === "done") Object.assign(s, { state: "done", result: e.result });
    if (e.type === "error") Object.assign(s, { state: "error", error: e.message });
    if (e.type === "cancelled") s.state = "cancelled";
    write(s);
    for (const l of listeners.get(id) ?? []) l(e);
  };

  return {
    bases: () => Object.entries(o.bases).map(([name, b]) => ({ name, about: b.about })),

    start(input: unknown): RunSummary {
      const parsed = trainRequestSchema.safeParse(input);
      if (!parsed.success) throw new TrainServiceError(`bad request: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
      const req: TrainRequest = parsed.data;
      const base = o.bases[req.base];
      if (!base) throw new TrainServiceError(`unknown base ${req.base}`);
      const key = keyOf.get(req.account.toLowerCase());
      if (!key) throw new TrainServiceError("the local training service reads Datanets only for the development wallet's accounts; not available for this account on this network yet");
      if (active) throw new TrainServiceError(`run ${active.id} is still running: cancel it or wait (one run at a time on this machine)`, 409);
      const id = randomBytes(6).toString("hex");
      mkdirSync(runDir(id), { recursive: true });
      const summary: RunSummary = { id, request: req, state: "running", createdAt: new Date().toISOString(), last: null, result: null, error: null };
      write(summary);
      writeFileSync(join(runDir(id), "events.jsonl"), "");
      const options = {
        out: join(runDir(id), "out"),
        base: base.path,
        datanet: req.datanetId,
        version: req.versionId,
        rpc: o.rpcUrl,
        registry: o.registry,
        fromBlock: String(o.fromBlock),
        gateway: o.gatewayUrl,
        rank: req.rank,
        alpha: req.alpha,
        lr: req.lr,
        steps: req.steps,
        batchSize: req.batchSize,
        targets: req.targets,
        quantize: req.quantize,
        evalEvery: req.evalEvery,
        publish: true,
        name: `lineage-lora-${id}`,
      };
      const worker = fileURLToPath(new URL("./worker.ts", import.meta.url));
      const child = spawn(process.execPath, ["--import", "tsx", worker], {
        env: { ...process.env, LINEAGE_TRAIN_OPTIONS: JSON.stringify(options), LINEAGE_PRIVATE_KEY: key },
        stdio: ["ignore", "pipe", "pipe"],
      });
      active = { id, child };
      let buf = "";
      let ended = false;
      child.stdout!.on("data", (d: Buffer) => {
        buf += d.toString("utf8");
        let nl: number;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          const ev = trainEventSchema.safeParse((() => { try { return JSON.parse(line); } catch { return undefined; } })());
          if (!ev.success) continue;
          if (ev.data.type === "done" || ev.data.type === "error") ended = true;
          record(id, ev.data);
        }
      });
      let stderr = "";
      child.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString("utf8")).slice(-2000)));
      child.on("exit", (code, signal) => {
        active = undefined;
        if (ended) return;
        if (signal === "SIGTERM" && read(id).state === "cancelled") return;
        record(id, { type: "error", message: `the trainer exited (${signal ?? code}) ${stderr.trim().split("\n").at(-1) ?? ""}`.trim() });
      });
      return summary;
    },

    get: read,

    list(): RunSummary[] {
      return readdirSync(o.dir).filter((id) => existsSync(summaryPath(id))).map(read).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    },

    cancel(id: string): RunSummary {
      const s = read(id);
      if (s.state !== "running" || active?.id !== id) throw new TrainServiceError(`run ${id} is not running`, 409);
      record(id, { type: "cancelled" });
      active.child.kill("SIGTERM");
      return read(id);
    },

    /** Every event so far, then live ones until the run ends; returns an unsubscribe function. */
    subscribe(id: string, fn: Listener): () => void {
      read(id);
      const past = readFileSync(join(runDir(id), "events.jsonl"), "utf8").split("\n").filter(Boolean);
      for (const line of past) {
        const ev = trainEventSchema.safeParse(JSON.parse(line));
        if (ev.success) fn(ev.data);
      }
      const set = listeners.get(id) ?? new Set();
      set.add(fn);
      listeners.set(id, set);
      return () => set.delete(fn);
    },

    stop(): void {
      active?.child.kill("SIGTERM");
    },
  };
}
export type TrainService = ReturnType<typeof createTrainService>;
