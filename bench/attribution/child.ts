// SPDX-License-Identifier: MIT
/** Determinism child: attribute fixed exchanges from scratch in its own data directory; print the records' bytes as hex. */
import { join } from "node:path";
import { recordBytes } from "../../ai/attribution/index.ts";
import { runAttribute } from "../../cli/attribute.ts";
import { arg } from "./util.ts";

const dir = arg("dir", "");
const data = arg("data", "");
const adapter = arg("adapter", "");
const exchanges = JSON.parse(arg("exchanges", "[]")) as { prompt: string; response: string }[];
const out: string[] = [];
for (const method of ["spans", "datainf", "trak"] as const) {
  for (const [i, ex] of exchanges.entries()) {
    const r = await runAttribute({ data, ...(method === "spans" ? {} : { adapter }), method, cacheDir: join(dir, "cache"), dataDir: dir, prompt: ex.prompt, response: ex.response, receipt: `0x${(i + 1).toString(16).padStart(64, "0")}`, modelId: 7n });
    out.push(Buffer.from(recordBytes(r.record)).toString("hex"));
  }
}
console.log(JSON.stringify(out));
