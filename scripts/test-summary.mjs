// SPDX-License-Identifier: MIT
/**
 * Reading the summaries of forge and vitest, so `npm test` judges a run by what it reports and not only by an exit
 * status (a wrapper that loses the status, as Foundry's npm wrapper does, must not turn a failing run green).
 */

/** Strips ANSI colour codes. */
export function plain(text) {
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}

/**
 * forge's closing line, `Ran N test suites in ...: P tests passed, F failed, S skipped (T total tests)`.
 * Returns undefined when there is none (a compile error, a crash, no test found).
 */
export function forgeSummary(output) {
  const all = [...plain(output).matchAll(/Ran \d+ test suites? in .*?: (\d+) tests passed, (\d+) failed, (\d+) skipped \((\d+) total tests\)/g)];
  const m = all.at(-1);
  if (!m) return undefined;
  return { passed: Number(m[1]), failed: Number(m[2]), skipped: Number(m[3]), total: Number(m[4]) };
}

/**
 * vitest's `Tests  [F failed | ][P passed | ][S skipped | ]... (T)` line.
 * Returns undefined when there is none (the run crashed before it reported).
 */
export function vitestSummary(output) {
  const lines = plain(output).split(/\r?\n/).filter((l) => /^\s*Tests\s+\S.*\(\d+\)\s*$/.test(l));
  const line = lines.at(-1);
  if (!line) return undefined;
  const count = (word) => Number(new RegExp(`(\\d+) ${word}`).exec(line)?.[1] ?? 0);
  const total = Number(/\((\d+)\)\s*$/.exec(line)?.[1] ?? 0);
  return { passed: count("passed"), failed: count("failed"), skipped: count("skipped") + count("todo"), total };
}

/**
 * Why a run is not a pass, or undefined when it is: a non-zero status, no summary, a failed test, or no test passed.
 */
export function verdict(name, status, summary) {
  if (summary && summary.failed > 0) return `${name}: ${summary.failed} failed`;
  if (status !== 0) return `${name} exited with status ${status}`;
  if (!summary) return `${name} printed no test summary`;
  if (summary.passed === 0) return `${name} ran no test`;
  return undefined;
}
