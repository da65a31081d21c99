// SPDX-License-Identifier: MIT
/**
 * Time from `npm start` on a fresh clone (after install) to a first GraphQL answer (issue 6 target: < 60 s), with the
 * install-time `prepare` step (forge build + ABI generation) timed beside it (PROTOCOL.md, "How targets are measured").
 *
 *   npx tsx bench/indexer-start.ts
 *
 * Clones this repository's HEAD into a temporary directory, links the installed node_modules (an `npm install` there
 * would download the same packages again), runs `node scripts/prepare.mjs`, then `npm start` on free ports and polls
 * the printed GraphQL URL until a query over Datanets answers. Stops everything with SIGINT (as Ctrl-C would).
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { REPO_ROOT } from "../sdk/addresses/index.ts";

const dir = mkdtempSync(join(tmpdir(), "lineage-fresh-"));
const clone = join(dir, "lineage");
try {
  execFileSync("git", ["clone", "--quiet", REPO_ROOT, clone]);
  symlinkSync(join(REPO_ROOT, "node_modules"), join(clone, "node_modules"));
  const t0 = performance.now();
  execFileSync("node", ["scripts/prepare.mjs"], { cwd: clone, stdio: "ignore" });
  const prepareMs = performance.now() - t0;

  const t1 = performance.now();
  const child = spawn(
    join(clone, "node_modules", ".bin", "tsx"),
    ["scripts/start.ts", "--anvil-port", "0", "--port", "0", "--gateway-port", "0", "--app-port", "0"],
    { cwd: clone, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, DATABASE_URL: "" } },
  );
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  let firstAnswerMs: number | undefined;
  let rows = 0;
  while (firstAnswerMs === undefined) {
    if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}:\n${out}`);
    if (performance.now() - t1 > 300_000) throw new Error(`no GraphQL answer within 300 s:\n${out}`);
    const url = /GraphQL\s+(http:\/\/\S+)/.exec(out)?.[1];
    if (url) {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "{ datanets { items { id } } }" }),
      }).catch(() => undefined);
      if (res?.ok) {
        const body = (await res.json()) as { data?: { datanets: { items: unknown[] } } };
        if (body.data) {
          firstAnswerMs = performance.now() - t1;
          rows = body.data.datanets.items.length;
        }
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise<void>((done) => {
    child.once("exit", () => done());
    child.kill("SIGINT");
  });
  const load = execFileSync("cat", ["/proc/loadavg"], { encoding: "utf8" }).trim();
  console.log(
    JSON.stringify(
      {
        date: new Date().toISOString(),
        machine: `${cpus().length} x ${cpus()[0]?.model ?? "?"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
        loadavg: load,
        prepareMs: Math.round(prepareMs),
        startToFirstGraphQLMs: Math.round(firstAnswerMs),
        datanetsServed: rows,
        phases: out.split("\n").filter((l) => / (deployed|seeded demo data|indexer caught up|content gateway started) /.test(l)),
      },
      null,
      2,
    ),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
