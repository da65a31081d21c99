// SPDX-License-Identifier: MIT
/**
 * Builds the web app when its sources changed: a sha256 over the app's sources, the SDK it imports, and the lockfile
 * is stored in `app/dist/.source-hash`; same hash, no build. The build goes to a temporary directory renamed into place,
 * so a killed build never leaves a half-written `dist/`.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { REPO_ROOT } from "../../sdk/addresses/index.ts";

export const APP_ROOT = join(REPO_ROOT, "app");
export const DIST_DIR = join(APP_ROOT, "dist");
const HASH_FILE = ".source-hash";

function files(dir: string, keep: (p: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p, keep));
    else if (keep(p)) out.push(p);
  }
  return out;
}

/** The hash the built app must carry. */
export function appSourceHash(): string {
  const h = createHash("sha256");
  const inputs = [
    ...files(join(APP_ROOT, "src"), () => true),
    join(APP_ROOT, "index.html"),
    join(APP_ROOT, "vite.config.ts"),
    ...files(join(REPO_ROOT, "sdk"), (p) => p.endsWith(".ts") && !p.endsWith(".test.ts")),
    join(REPO_ROOT, "package-lock.json"),
  ];
  for (const f of inputs) {
    if (!existsSync(f)) continue;
    h.update(relative(REPO_ROOT, f));
    h.update("\0");
    h.update(readFileSync(f));
  }
  return h.digest("hex");
}

export function isAppBuilt(hash = appSourceHash()): boolean {
  const p = join(DIST_DIR, HASH_FILE);
  return existsSync(p) && readFileSync(p, "utf8").trim() === hash;
}

/** Builds unless `dist/` already matches the sources; returns whether it built and how long it took. */
export async function ensureAppBuilt(opts: { force?: boolean; log?: (msg: string) => void } = {}): Promise<{ built: boolean; ms: number }> {
  const t0 = Date.now();
  const hash = appSourceHash();
  if (!opts.force && isAppBuilt(hash)) return { built: false, ms: Date.now() - t0 };
  opts.log?.("building the web app (once per source change)");
  // A build killed mid-way (Ctrl-C) leaves its temporary directory: clear them before starting another.
  for (const name of readdirSync(APP_ROOT)) if (name.startsWith(".dist-")) rmSync(join(APP_ROOT, name), { recursive: true, force: true });
  const { build } = await import("vite");
  const tmp = join(APP_ROOT, `.dist-${randomBytes(4).toString("hex")}`);
  try {
    await build({ configFile: join(APP_ROOT, "vite.config.ts"), root: APP_ROOT, logLevel: "warn", build: { outDir: tmp, emptyOutDir: true } });
    writeFileSync(join(tmp, HASH_FILE), `${hash}\n`);
    rmSync(DIST_DIR, { recursive: true, force: true });
    renameSync(tmp, DIST_DIR);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { built: true, ms: Date.now() - t0 };
}
