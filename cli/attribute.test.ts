// SPDX-License-Identifier: MIT
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRecordBytes, recordBytes } from "../ai/attribution/index.ts";
import { initBackend, tf } from "../ai/backend/index.ts";
import { baseAvailable, loadBase } from "../ai/base/index.ts";
import { writeLoraGguf } from "../ai/formats/index.ts";
import { LoraAdapter } from "../ai/lora/index.ts";
import { LlamaModel } from "../ai/model/index.ts";
import { AttributeCliError, formatTable, runAttribute } from "./attribute.ts";
import { buildProgram } from "./bin.ts";

const RECORDS = [
  { prompt: "What is the capital of Freedonia?", response: "The capital of Freedonia is Sylvania Harbor, founded on the banks of the river Quell in the year of the comet." },
  { prompt: "Who built the lighthouse of Ostrava Point?", response: "The lighthouse of Ostrava Point was built by the guild of glassmakers, who carried every pane up the cliff by hand." },
  { prompt: "How do you greet a keeper?", response: "One greets a keeper by touching the brim of the hat twice and naming the season aloud." },
  { prompt: "What do the archives hold?", response: "The archives hold the ledgers of the old canal company, bound in green leather and sealed with wax." },
  { prompt: "Why is the bridge painted red?", response: "The bridge is painted red because the first engineer lost a bet with the harbour master about the tides." },
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "lineage-attr-"));
  await writeFile(join(dir, "data.jsonl"), `${RECORDS.map((r, i) => JSON.stringify({ ...r, contributionId: 10 + i })).join("\n")}\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!baseAvailable())("lineage attribute", () => {
  it("spans: ranks the contribution whose text the response copies, JSON and table", async () => {
    const r = await runAttribute({ data: join(dir, "data.jsonl"), prompt: "Tell me about the lighthouse.", response: "Well, the lighthouse of Ostrava Point was built by the guild of glassmakers, or so they say." });
    expect(r.method).toBe("spans");
    expect(r.ranked[0]!.contributionId).toBe("11");
    expect(r.ranked[0]!.spans.map((s) => s.text).join("|")).toContain("Point was built by the guild of glassmakers");
    expect(parseRecordBytes(recordBytes(r.record))).toEqual(r.record);
    expect(formatTable(r)).toMatch(/11\s+100\.00%/);
    const none = await runAttribute({ data: join(dir, "data.jsonl"), prompt: "", response: "Completely unrelated words about nothing." });
    expect(none.record.shares).toEqual([]);
    expect(formatTable(none)).toContain("no positive influence");
  });

  it("refuses bad input with a clear error", async () => {
    await expect(runAttribute({ response: "x", prompt: "" })).rejects.toThrow(AttributeCliError);
    await expect(runAttribute({ data: join(dir, "data.jsonl"), response: "x", prompt: "", method: "datainf" })).rejects.toThrow(/--adapter/);
    await expect(runAttribute({ data: join(dir, "missing.jsonl"), response: "x", prompt: "" })).rejects.toThrow(/cannot read/);
    await expect(runAttribute({ data: join(dir, "data.jsonl"), response: "x", prompt: "", receipt: "0x12" } as never)).rejects.toThrow(/receipt/);
  });

  it("gradient (DataInf): builds the cache once by digest, then reuses it; same record bytes", { timeout: 600_000 }, async () => {
    await initBackend("wasm");
    const base = loadBase();
    const model = LlamaModel.fromWeights(base.config, base.weights, { trainable: false });
    const lora = LoraAdapter.create(model, { rank: 2, alpha: 4, targets: ["v"], layers: [3] }, 5);
    for (const [name, v] of lora.namedVariables()) if (name.endsWith("lora_b")) v.assign(tf.randomNormal(v.shape, 0, 0.02, "float32", 9));
    const exported = lora.exportTensors();
    await writeLoraGguf(join(dir, "adapter.gguf"), base.config, { alpha: 4, rank: 2, tensors: exported });
    lora.dispose();
    model.dispose();
    const opts = { data: join(dir, "data.jsonl"), adapter: join(dir, "adapter.gguf"), method: "datainf" as const, cacheDir: join(dir, "cache"), prompt: RECORDS[2]!.prompt, response: RECORDS[2]!.response };
    const a = await runAttribute(opts);
    expect(a.cache!.fromCache).toBe(false);
    const b = await runAttribute(opts);
    expect(b.cache!.fromCache).toBe(true);
    expect(b.cache!.key).toBe(a.cache!.key);
    expect(Buffer.from(recordBytes(b.record))).toEqual(Buffer.from(recordBytes(a.record)));
    expect(a.record.method.name).toBe("datainf");
    expect(a.record.shares.reduce((s, x) => s + x.ppm, 0)).toBe(1_000_000);
    // the exchange is a training record: it is its own most helpful contribution
    expect(a.ranked[0]!.contributionId).toBe("12");
  });

  it("is a subcommand of the lineage program", () => {
    expect(buildProgram().commands.map((c) => c.name())).toContain("attribute");
  });
});
