// SPDX-License-Identifier: MIT
/**
 * Gradient attribution benchmarks on the shipped tiny base (LoRA r4 on q,v; DataInf and the projected method):
 * class identification (DataInf's protocol: 10 tasks x 90 training records, 10 test records each), mislabel
 * detection (20% flipped), and a linear datamodeling score over retrained half subsets.
 *   npx tsx bench/attribution/gradient.ts [--only classid|mislabel|lds] [--per 90] [--test 10] [--steps 100]
 *     [--subsets 50] [--lds-per 6] [--lds-tasks 5] [--lds-steps 20]
 */
import { initBackend } from "../../ai/backend/index.ts";
import { loadBase } from "../../ai/base/index.ts";
import { classIdentification, linearDatamodelingScore, mislabelDetection } from "../../ai/attribution/harness/experiments.ts";
import { arg, load } from "./util.ts";

await initBackend("wasm");
const base = loadBase();
const only = arg("only", "all");
const per = Number(arg("per", "90"));
const steps = Number(arg("steps", "100"));
const out: Record<string, unknown> = {};
if (only === "all" || only === "classid") {
  const l0 = load();
  out.classIdentification = { ...(await classIdentification(base, { perTaskTrain: per, perTaskTest: Number(arg("test", "10")), steps })), loadBefore: l0, loadAfter: load() };
  console.error(JSON.stringify(out.classIdentification));
}
if (only === "all" || only === "mislabel") {
  const l0 = load();
  out.mislabel = { ...(await mislabelDetection(base, { perTaskTrain: per, steps })), loadBefore: l0, loadAfter: load() };
  console.error(JSON.stringify(out.mislabel));
}
if (only === "all" || only === "lds") {
  const l0 = load();
  out.lds = {
    ...(await linearDatamodelingScore(base, { perTaskTrain: Number(arg("lds-per", "6")), nTasks: Number(arg("lds-tasks", "5")), perTaskTest: 2, steps: Number(arg("lds-steps", "20")), subsets: Number(arg("subsets", "50")) })),
    loadBefore: l0,
    loadAfter: load(),
  };
  console.error(JSON.stringify(out.lds));
}
console.log(JSON.stringify(out, null, 1));
