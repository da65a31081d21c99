// SPDX-License-Identifier: MIT
/**
 * The README's `npx lineage ...` commands, run as a new user runs them: through npm's bin link (`npm exec`), with a
 * fresh npm cache so the link is made from today's package.json (a link left in ~/.npm/_npx by an older checkout
 * would hide a broken "bin" entry), not through tsx.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../sdk/addresses/index.ts";

const exec = promisify(execFile);
const cache = mkdtempSync(join(tmpdir(), "lineage-npm-cache-"));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

/** `npm exec --offline --no -- lineage <args>` in the repository; resolves with the status instead of throwing. */
async function lineage(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec("npm", ["exec", "--offline", "--no", "--cache", cache, "--", "lineage", ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, NODE_LLAMA_CPP_SKIP_DOWNLOAD: "true", npm_config_update_notifier: "false" },
      timeout: 150_000,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === "number" ? err.code : 1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
  }
}

describe("the lineage bin through npm", () => {
  it("prints its help and lists every command", async () => {
    const r = await lineage(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: lineage /);
    for (const cmd of ["train", "inspect", "gateway"]) expect(r.stdout).toContain(cmd);
  });

  it("runs a subcommand: train --help, and a failing train says why and exits 1", async () => {
    const [help, bad] = await Promise.all([lineage(["train", "--help"]), lineage(["train", "--out", join(cache, "never-written")])]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: lineage train /);
    expect(help.stdout).toContain("--data <file>");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/lineage: .*--data <file.jsonl> or --datanet/);
  });
});
