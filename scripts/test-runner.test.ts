// SPDX-License-Identifier: MIT
/**
 * `npm test` must fail whenever a forge or vitest test fails. Runs the real runner (scripts/test.mjs --fixture) on
 * throw-away projects with a deliberately failing forge test, a deliberately failing vitest test, and neither.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../sdk/addresses/index.ts";
import { forgeSummary, verdict, vitestSummary } from "./test-summary.mjs";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A tiny forge + vitest project: one passing test of each, plus a failing one where asked. */
function fixture(opts: { forgeFails: boolean; vitestFails: boolean }): string {
  const dir = mkdtempSync(join(tmpdir(), "lineage-runner-"));
  dirs.push(dir);
  mkdirSync(join(dir, "src"));
  mkdirSync(join(dir, "test"));
  writeFileSync(
    join(dir, "foundry.toml"),
    `[profile.default]\nsrc = "src"\ntest = "test"\nout = "out"\ncache_path = "cache"\noffline = true\nsolc = "${join(REPO_ROOT, "tools", "solc.mjs")}"\n`,
  );
  const failing = opts.forgeFails ? `    function test_fails() public pure { require(1 + 1 == 3, "deliberate failure"); }\n` : "";
  writeFileSync(
    join(dir, "test", "Fixture.t.sol"),
    `// SPDX-License-Identifier: MIT\npragma solidity 0.8.30;\n\ncontract FixtureTest {\n    function test_passes() public pure { require(1 + 1 == 2, "math"); }\n${failing}}\n`,
  );
  // No imports: the fixture lives outside the repository, so vitest's globals stand in for `import ... from "vitest"`.
  writeFileSync(join(dir, "vitest.config.mjs"), `export default { test: { include: ["*.fixture.mjs"], globals: true } };\n`);
  const failingTs = opts.vitestFails ? `test("fails", () => { expect(1 + 1).toBe(3); });\n` : "";
  writeFileSync(join(dir, "a.fixture.mjs"), `test("passes", () => { expect(1 + 1).toBe(2); });\n${failingTs}`);
  return dir;
}

function runner(dir: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, "scripts", "test.mjs"), "--fixture", dir], { cwd: REPO_ROOT, encoding: "utf8", timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const lastLine = (s: string) => s.trim().split("\n").at(-1);

describe("npm test runner (scripts/test.mjs)", () => {
  it("fails when a forge test fails", () => {
    const r = runner(fixture({ forgeFails: true, vitestFails: false }));
    expect(r.stdout).toContain("[FAIL: deliberate failure] test_fails()");
    expect(lastLine(r.stdout)).toBe("2 passed, 1 failed");
    expect(r.stderr).toContain("npm test FAILED: forge test: 1 failed");
    expect(r.status).toBe(1);
  });

  it("fails when a vitest test fails", () => {
    const r = runner(fixture({ forgeFails: false, vitestFails: true }));
    expect(lastLine(r.stdout)).toBe("2 passed, 1 failed");
    expect(r.stderr).toContain("npm test FAILED: vitest: 1 failed");
    expect(r.status).toBe(1);
  });

  it("passes when every test passes", () => {
    const r = runner(fixture({ forgeFails: false, vitestFails: false }));
    expect(lastLine(r.stdout)).toBe("2 passed, 0 failed");
    expect(r.stderr).not.toContain("FAILED");
    expect(r.status).toBe(0);
  });
});

describe("test summaries", () => {
  it("reads forge's closing line", () => {
    const out = "Suite result: FAILED. 1 passed; 1 failed; 0 skipped\n\nRan 3 test suites in 10.16ms (1.98ms CPU time): 41 tests passed, 2 failed, 1 skipped (44 total tests)\n";
    expect(forgeSummary(out)).toEqual({ passed: 41, failed: 2, skipped: 1, total: 44 });
    expect(forgeSummary("Ran 1 test suite in 1s (1s CPU time): 1 tests passed, 0 failed, 0 skipped (1 total tests)")?.passed).toBe(1);
  });

  it("reads vitest's Tests line, coloured or not", () => {
    expect(vitestSummary(" Test Files  1 failed (1)\n      Tests  1 failed | 5 passed | 2 skipped (8)\n")).toEqual({ passed: 5, failed: 1, skipped: 2, total: 8 });
    expect(vitestSummary("\x1b[2m      Tests \x1b[22m \x1b[1m\x1b[32m3 passed\x1b[39m\x1b[22m\x1b[90m (3)\x1b[39m")).toEqual({ passed: 3, failed: 0, skipped: 0, total: 3 });
  });

  it("fails a run on a failed test, a status, a missing summary or no test, even when the status is 0", () => {
    const ok = { passed: 3, failed: 0, skipped: 0, total: 3 };
    expect(verdict("forge test", 0, ok)).toBeUndefined();
    expect(verdict("forge test", 0, { ...ok, failed: 1 })).toBe("forge test: 1 failed");
    expect(verdict("forge test", 1, ok)).toBe("forge test exited with status 1");
    expect(verdict("forge test", 0, undefined)).toBe("forge test printed no test summary");
    expect(verdict("forge test", 0, { passed: 0, failed: 0, skipped: 0, total: 0 })).toBe("forge test ran no test");
    expect(forgeSummary("Error: Compiler run failed")).toBeUndefined();
    expect(vitestSummary("Error: something crashed before the summary")).toBeUndefined();
  });
});
