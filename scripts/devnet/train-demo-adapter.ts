// SPDX-License-Identifier: MIT
/**
 * Trains the devnet's demo adapter with the project's own engine (`lineage train`'s library function): LoRA r4 on q,v
 * of the shipped tiny base (`ai/base/lineage-tiny.gguf`), on the seed's medical Q&A (the contributions of the seeded
 * Datanet), and writes `scripts/devnet/demo-adapter/` (adapter.gguf, PEFT export, training manifest). The result is
 * committed so that `npm start` never trains; the seed mints it as a model NFT. Deterministic (seeded) on the pinned
 * CPU/WebAssembly path.
 *   nice -n 10 npx tsx scripts/devnet/train-demo-adapter.ts [--steps 60]
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BASE_PATH } from "../../ai/base/index.ts";
import { runTrain } from "../../cli/train.ts";
import { DEMO_ADAPTER_DIR } from "./paths.ts";
import { MEDICAL_QA } from "./seed.ts";

/** The seed's Q&A blobs as prompt/response records. */
export function demoRecords(): { prompt: string; response: string }[] {
  return MEDICAL_QA.map((t) => {
    const m = /^Q: (.*?) A: (.*)$/.exec(t);
    if (!m) throw new Error(`not a Q/A line: ${t}`);
    return { prompt: m[1]!, response: m[2]! };
  });
}

async function main(): Promise<void> {
  const i = process.argv.indexOf("--steps");
  const steps = i > 0 ? Number(process.argv[i + 1]) : 60;
  const work = await mkdtemp(join(tmpdir(), "lineage-demo-adapter-"));
  try {
    const data = join(work, "medical-qa.jsonl");
    await writeFile(data, demoRecords().map((r) => JSON.stringify(r)).join("\n") + "\n");
    await rm(DEMO_ADAPTER_DIR, { recursive: true, force: true });
    const t0 = Date.now();
    const out = await runTrain(
      { out: DEMO_ADAPTER_DIR, base: BASE_PATH, data, rank: 4, alpha: 8, targets: ["q", "v"], steps, lr: 3e-3, batchSize: 4, evalFraction: 0.25, seed: 21, name: "lineage-demo-medqa" },
      { log: (m) => console.log(m), onProgress: (p) => p.step % 10 === 0 && console.log(`step ${p.step} loss ${p.loss.toFixed(3)}`) },
    );
    console.log(`adapter ${out.adapterDigest}, manifest ${out.manifestDigest}, base ${out.baseDigest}, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
