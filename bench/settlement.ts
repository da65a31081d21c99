// SPDX-License-Identifier: MIT
/**
 * Issue 4 gas benchmark: runs `contracts/test/bench/SettlementBench.t.sol` with `forge test --isolate` (each measured
 * call its own transaction), reads the `BENCH <label> <execution gas> <calldata bytes>` lines, derives gas per settled
 * inference against the naive one-payment-per-inference baseline, writes `bench/settlement-gas.json` and prints a
 * markdown table for bench/RESULTS.md. Then writes `bench/gas/settlement.snap` with `forge snapshot --isolate`.
 * Run: `npx tsx bench/settlement.ts` (after `npx tsx bench/settlement-tree.ts` if the 1M-leaf fixture is missing).
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import { foundryBin } from "../scripts/foundry.mjs";

const INTRINSIC = 21_000;
const env = { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" };

function run(args: string[]): string {
  const r = spawnSync(foundryBin("forge"), args, { env, encoding: "utf8", maxBuffer: 1 << 28 });
  const out = `${r.stdout}\n${r.stderr}`;
  if (r.status !== 0) throw new Error(`forge ${args.join(" ")} failed:\n${out.slice(-4000)}`);
  return out;
}

const out = run(["test", "--isolate", "--match-path", "contracts/test/bench/SettlementBench.t.sol", "-vv"]);
interface Row { label: string; gas: number; bytes: number }
const rows: Row[] = [];
for (const m of out.matchAll(/BENCH (.+?) (\d+) (\d+)\s*$/gm)) rows.push({ label: m[1]!, gas: Number(m[2]), bytes: Number(m[3]) });
if (rows.length === 0) throw new Error("no BENCH lines in forge output");
const get = (label: string): Row => {
  const r = rows.filter((x) => x.label === label).at(-1);
  if (!r) throw new Error(`missing bench ${label}`);
  return r;
};

// Calldata gas of a transaction is not printed: estimate the tx total as 21,000 + execution + 16 gas per calldata byte
// (an upper bound: zero bytes cost 4). Used only for the per-inference comparison, reported as such.
const txTotal = (r: Row) => INTRINSIC + r.gas + 16 * r.bytes;
const naive = get("naive transfer per inference");
const perInference = [1, 100, 10_000].map((n) => {
  const r = get(`redeem settling ${n} inferences`);
  return {
    inferences: n,
    redeemExecGas: r.gas,
    execPerInference: r.gas / n,
    txPerInference: txTotal(r) / n,
    ratioExecVsNaive: r.gas / n / naive.gas,
    ratioTxVsNaive: txTotal(r) / n / txTotal(naive),
  };
});

const machine = `${os.cpus()[0]?.model ?? "cpu"} x${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}, node ${process.version}`;
const date = new Date().toISOString();
writeFileSync("bench/settlement-gas.json", `${JSON.stringify({ machine, date, rows, perInference }, null, 2)}\n`);

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const lines: string[] = [];
lines.push(`Machine: ${machine}. Date: ${date}. forge test --isolate; execution gas = tx gas - 21,000 - calldata gas.`);
lines.push("");
lines.push("| operation | execution gas | calldata bytes |");
lines.push("|---|---:|---:|");
const seen = new Set<string>();
for (const r of rows) {
  if (seen.has(r.label)) continue;
  seen.add(r.label);
  lines.push(`| ${r.label} | ${fmt(get(r.label).gas)} | ${r.bytes} |`);
}
lines.push("");
lines.push("| inferences per redemption | redeem exec gas | exec gas / inference | tx gas / inference (incl. 21k + calldata) | vs naive (exec) | vs naive (tx) |");
lines.push("|---:|---:|---:|---:|---:|---:|");
for (const p of perInference) {
  lines.push(
    `| ${fmt(p.inferences)} | ${fmt(p.redeemExecGas)} | ${p.execPerInference.toFixed(1)} | ${p.txPerInference.toFixed(1)} | ${p.ratioExecVsNaive.toFixed(5)} | ${p.ratioTxVsNaive.toFixed(5)} |`,
  );
}
lines.push("");
lines.push(`Naive baseline: one OPEN transfer per inference (no split): ${fmt(naive.gas)} exec gas, ~${fmt(txTotal(naive))} per transaction.`);
console.log(lines.join("\n"));

mkdirSync("bench/gas", { recursive: true });
run(["snapshot", "--isolate", "--match-path", "contracts/test/bench/SettlementBench.t.sol", "--snap", "bench/gas/settlement.snap"]);
// forge's snapshot holds whole-test gas (set-up included); add one line per measured call, in the same format.
const perCall = [...seen].map((label) => `SettlementBench:${label} [execution, ${get(label).bytes} calldata bytes] (gas: ${get(label).gas})`);
writeFileSync("bench/gas/settlement.snap", `${readFileSync("bench/gas/settlement.snap", "utf8").trimEnd()}\n${perCall.join("\n")}\n`);
console.log(`\nwrote bench/settlement-gas.json and bench/gas/settlement.snap (${readFileSync("bench/gas/settlement.snap", "utf8").trim().split("\n").length} entries)`);
