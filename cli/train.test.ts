// SPDX-License-Identifier: MIT
/**
 * `lineage train` end to end on small real components: a base GGUF (our tokenizer + a small llama), offline JSONL,
 * and a Datanet version on a real anvil + DatanetRegistry served by the gated gateway. A few steps only: this
 * checks the plumbing and the files; learning itself is tested in ai/train.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../ai/backend/index.ts";
import { BASE_PATH, baseAvailable } from "../ai/base/index.ts";
import { decodeLlamaGguf, decodeLoraGguf, mergeLora, readPeftAdapter, writeHfModel, writeLlamaGguf } from "../ai/formats/index.ts";
import { readManifest, verifyManifestFiles } from "../ai/manifest/index.ts";
import { LlamaModel } from "../ai/model/index.ts";
import type { LlamaConfig } from "../ai/tensors/index.ts";
import { ByteBpeTokenizer } from "../ai/tokenizer/index.ts";
import { cidFromDigest, FsContentStore, type RunningGateway, sha256Hex, startGateway } from "../sdk/content/index.ts";
import { seedDatanet, type SeededDatanet, startTestChain, type TestChain } from "../sdk/content/testchain.ts";
import { TrainDivergedError } from "../ai/train/index.ts";
import { applyPreset, planTraining, runTrain, TRAIN_PRESETS, trainOptionsSchema } from "./train.ts";

const run = promisify(execFile);
const facts = Array.from({ length: 24 }, (_, i) => ({ question: `What is code ${i}?`, answer: `zed${i % 5}` }));
const jsonl = facts.map((f) => JSON.stringify(f)).join("\n");

describe("lineage train", () => {
  let dir: string;
  let basePath: string;
  let config: LlamaConfig;
  let hfDir: string;

  beforeAll(async () => {
    await initBackend("wasm");
    dir = await mkdtemp(join(tmpdir(), "cli-"));
    const tok = ByteBpeTokenizer.train(jsonl, { vocabSize: 300 });
    config = { vocabSize: tok.vocabSize, contextLength: 64, dim: 32, nLayers: 1, nHeads: 2, nKvHeads: 1, ffnDim: 64, rmsNormEps: 1e-5, ropeTheta: 10000, tiedEmbeddings: true };
    const model = LlamaModel.create(config, { seed: 3 });
    basePath = join(dir, "base.gguf");
    await writeLlamaGguf(basePath, config, model.exportWeights(), tok.ggufMetadata());
    hfDir = join(dir, "hf-base");
    await writeHfModel(hfDir, config, model.exportWeights(), { arch: "mistral", tokenizerJson: JSON.stringify(tok.toHuggingFaceTokenizerJson()) });
    model.dispose();
    await writeFile(join(dir, "data.jsonl"), jsonl);
  });

  it("trains offline on a JSONL file and writes adapter.gguf, the PEFT export and a canonical manifest listing their digests", async () => {
    const out = join(dir, "run1");
    const progress: number[] = [];
    const res = await runTrain(
      { out, base: basePath, data: join(dir, "data.jsonl"), steps: 3, batchSize: 4, rank: 2, alpha: 4, targets: "q,v", exactMatchLimit: 2, seed: 5 },
      { onProgress: (p) => progress.push(p.step) },
    );
    expect(progress.at(-1)).toBe(3);
    expect((await readdir(out)).sort()).toEqual(["adapter.gguf", "base.gguf.sha256", "manifest.json", "peft"]);
    const { manifest, digest } = await readManifest(join(out, "manifest.json"));
    expect(digest).toBe(res.manifestDigest);
    await verifyManifestFiles(manifest, out);
    expect(manifest.base.digest).toBe(sha256Hex(new Uint8Array(await readFile(basePath))));
    expect(manifest.data).toMatchObject({ source: "jsonl", fileDigest: sha256Hex(new TextEncoder().encode(jsonl)), records: 24 });
    expect(manifest.lora).toMatchObject({ rank: 2, alpha: 4, targets: ["q", "v"], quantization: "none" });
    const gguf = decodeLoraGguf(new Uint8Array(await readFile(join(out, "adapter.gguf"))), config);
    expect(await readPeftAdapter(join(out, "peft"), config)).toEqual({ alpha: gguf.alpha, rank: gguf.rank, tensors: gguf.tensors });
    expect(sha256Hex(new Uint8Array(await readFile(join(out, "adapter.gguf"))))).toBe(res.adapterDigest);
  });

  it("takes a base in Hugging Face layout and ships it converted to GGUF (the file its digest names)", async () => {
    const out = join(dir, "run-hf");
    const res = await runTrain({ out, base: hfDir, data: join(dir, "data.jsonl"), steps: 1, batchSize: 4, rank: 2, exactMatchLimit: 1, publish: true, dataDir: join(dir, "store") });
    const converted = new Uint8Array(await readFile(join(out, "base.gguf")));
    expect(sha256Hex(converted)).toBe(res.baseDigest);
    // --publish put every output into the content store under its CID
    const store = new FsContentStore(join(dir, "store"));
    expect(await store.get(res.published["manifest.json"]!)).toEqual(new Uint8Array(await readFile(join(out, "manifest.json"))));
    expect(sha256Hex(await store.get(res.published["base.gguf"]!))).toBe(res.baseDigest);
    expect(cidFromDigest(res.adapterDigest)).toBe(res.published["adapter.gguf"]);
    // the same weights as the GGUF base: the HF round trip (q/k permuted and back) is lossless
    expect(res.manifest.base.config).toEqual(config);
    expect(decodeLlamaGguf(converted).tensors).toEqual(decodeLlamaGguf(new Uint8Array(await readFile(basePath))).tensors);
  });

  it.skipIf(!baseAvailable())("defaults to the shipped base, whose file digest the manifest names", async () => {
    const res = await runTrain({ out: join(dir, "run-shipped"), data: join(dir, "data.jsonl"), steps: 1, batchSize: 2, rank: 2, exactMatchLimit: 1 });
    expect(res.baseDigest).toBe(sha256Hex(new Uint8Array(await readFile(BASE_PATH))));
    expect(res.manifest.base.name).toBe("lineage-tiny");
  });

  it("refuses bad input clearly and leaves nothing behind", async () => {
    await expect(runTrain({ out: join(dir, "run1"), base: basePath, data: join(dir, "data.jsonl"), steps: 1 })).rejects.toThrow(/not empty/);
    await writeFile(join(dir, "bad.jsonl"), '{"question":"ok","answer":"x"}\n{"nope":1}\n');
    await expect(runTrain({ out: join(dir, "run2"), base: basePath, data: join(dir, "bad.jsonl"), steps: 1 })).rejects.toThrow(/line 2/);
    await expect(runTrain({ out: join(dir, "run3"), base: basePath, data: join(dir, "data.jsonl"), steps: 1, rank: -1 } as never)).rejects.toThrow(/rank/);
    await expect(runTrain({ out: join(dir, "run4"), base: join(dir, "data.jsonl"), data: join(dir, "data.jsonl"), steps: 1 })).rejects.toThrow(/must be a .gguf file or a Hugging Face model directory/);
    const corrupt = new Uint8Array(await readFile(basePath)).slice(0, 4096);
    await writeFile(join(dir, "corrupt.gguf"), corrupt);
    await expect(runTrain({ out: join(dir, "run5"), base: join(dir, "corrupt.gguf"), data: join(dir, "data.jsonl"), steps: 1 })).rejects.toThrow(/truncated|impossible/);
    const left = (await readdir(dir)).filter((n) => n.startsWith("run") || n.includes("partial"));
    expect(left.sort()).toEqual(["run-hf", ...(baseAvailable() ? ["run-shipped"] : []), "run1"]);
  });

  it("refuses what cannot work before the base model loads, naming the problem; nothing is written", async () => {
    const logs: string[] = [];
    const log = (m: string) => logs.push(m);
    const data = join(dir, "data.jsonl");
    // this base is 32 wide (k and v 16): rank 64 cannot be expressed, whatever the data
    await expect(runTrain({ out: join(dir, "refuse1"), base: basePath, data, rank: 64 }, { log })).rejects.toThrow(/--rank 64 cannot work on this base: target q is a \[32 x 32\] weight, whose updates have rank at most 32/);
    await expect(runTrain({ out: join(dir, "refuse2"), base: basePath, data, rank: 1_000_000 }, { log })).rejects.toThrow(/--rank 1000000 cannot work/);
    await expect(runTrain({ out: join(dir, "refuse3"), base: basePath, data, lr: 1e6 }, { log })).rejects.toThrow(/--lr 1000000 cannot train/);
    await expect(runTrain({ out: join(dir, "refuse4"), base: basePath, data, preset: "nope" } as never, { log })).rejects.toThrow(/unknown preset "nope" \(have facts, demo\)/);
    await writeFile(join(dir, "missing.jsonl"), '{"prompt":"a","response":"b"}\n\n{"prompt":"c"}\n');
    await expect(runTrain({ out: join(dir, "refuse5"), base: basePath, data: join(dir, "missing.jsonl") }, { log })).rejects.toThrow(/missing.jsonl: templates: line 3: field "response" is missing/);
    await writeFile(join(dir, "typed.jsonl"), '{"question":"a","answer":7}\n');
    await expect(runTrain({ out: join(dir, "refuse6"), base: basePath, data: join(dir, "typed.jsonl") }, { log })).rejects.toThrow(/line 1: field "answer" must be a string, got number/);
    await expect(runTrain({ out: join(dir, "refuse7"), base: basePath, data, eval: join(dir, "missing.jsonl") }, { log })).rejects.toThrow(/line 3: field "response" is missing/);
    // no base was loaded for any of them, and nothing is left behind
    expect(logs.filter((m) => m.startsWith("base "))).toEqual([]);
    expect((await readdir(dir)).filter((n) => n.startsWith("refuse") || n.includes("partial"))).toEqual([]);
  });

  it("a run whose loss is not finite fails with the step and writes nothing", async () => {
    // a base with one NaN weight: every loss is NaN from the first step
    const g = decodeLlamaGguf(new Uint8Array(await readFile(basePath)));
    const emb = g.tensors.get("token_embd.weight")!;
    const poisoned = new Map(g.tensors);
    poisoned.set("token_embd.weight", { shape: emb.shape, data: Float32Array.from(emb.data, (v, i) => (i === 0 ? NaN : v)) });
    await writeLlamaGguf(join(dir, "nan-base.gguf"), g.config, poisoned, g.tokenizer);
    const out = join(dir, "run-diverge");
    const err = await runTrain({ out, base: join(dir, "nan-base.gguf"), data: join(dir, "data.jsonl"), steps: 5, batchSize: 4, rank: 2, exactMatchLimit: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainDivergedError);
    expect((err as Error).message).toMatch(/diverged at step 1 \(non-finite loss\); nothing was written/);
    expect((await readdir(dir)).filter((n) => n.startsWith("run-diverge") || n.includes("partial"))).toEqual([]);
  });

  it("reports recall on training records, held-out records and an --eval file; --eval-fraction 0 trains on all", async () => {
    await writeFile(join(dir, "eval.jsonl"), facts.slice(0, 3).map((f) => JSON.stringify(f)).join("\n"));
    const warnings: string[] = [];
    const res = await runTrain(
      { out: join(dir, "run-eval0"), base: basePath, data: join(dir, "data.jsonl"), eval: join(dir, "eval.jsonl"), evalFraction: 0, epochs: 1, batchSize: 4, rank: 2 },
      { warn: (m) => warnings.push(m) },
    );
    const m = res.manifest.metrics;
    expect(res.manifest.data).toMatchObject({ trainRecords: 24, evalRecords: 0 });
    expect(res.manifest.training.steps).toBe(6); // 1 epoch of 24 records in batches of 4
    expect(m.recallTrainBefore).toBeTypeOf("number");
    expect(m.recallTrainAfter).toBeTypeOf("number");
    expect(m.recallEvalFileAfter).toBeTypeOf("number");
    expect(m.recallHeldOutAfter).toBeNull();
    expect(m.evalLossAfter).toBeNull();
    expect(res.result.recall.train!.records).toBe(24);
    expect(res.result.recall.extra!.records).toBe(3);
    // a random 32-wide base learns nothing in 6 steps, and the run says so
    expect(warnings.some((w) => /recall on training records (did not rise|is only)/.test(w))).toBe(true);
    const held = await runTrain({ out: join(dir, "run-eval1"), base: basePath, data: join(dir, "data.jsonl"), evalFraction: 0.25, steps: 1, batchSize: 4, rank: 2 });
    expect(held.result.recall.heldOut!.records).toBe(6);
    expect(held.manifest.metrics.recallHeldOutAfter).toBeTypeOf("number");
  });

  it("--method full trains the target weights and ships their exact change as an adapter", async () => {
    const out = join(dir, "run-full");
    const res = await runTrain({ out, base: basePath, data: join(dir, "data.jsonl"), method: "full", targets: "q,k,down", steps: 3, lr: 1e-2, batchSize: 4, exactMatchLimit: 1 });
    const g = decodeLlamaGguf(new Uint8Array(await readFile(basePath)));
    const ad = decodeLoraGguf(new Uint8Array(await readFile(join(out, "adapter.gguf"))), config);
    // rank = the largest min(in, out) of the targets (q: 32 x 32, k: 16 x 32, down: 32 x 64), scale 1
    expect([ad.rank, ad.alpha]).toEqual([32, 32]);
    expect(res.manifest.lora).toMatchObject({ rank: 32, alpha: 32, targets: ["q", "k", "down"] });
    // the adapter changes exactly the target weights (exactness of the change: ai/train/finetune.test.ts)
    const merged = mergeLora(g.tensors, ad);
    for (const [name, t] of merged) {
      let moved = 0;
      for (let i = 0; i < t.data.length; i++) moved = Math.max(moved, Math.abs(t.data[i]! - g.tensors.get(name)!.data[i]!));
      if (/attn_q|attn_k|ffn_down/.test(name)) expect(moved, name).toBeGreaterThan(1e-4);
      else expect(moved, name).toBe(0);
    }
    await expect(runTrain({ out: join(dir, "refuse-fullq"), base: basePath, data: join(dir, "data.jsonl"), method: "full", quantize: "Q8_0" })).rejects.toThrow(/--method full trains the base's weights: it cannot hold them quantised/);
  });

  it("plans steps from epochs and warns on what looks wrong; presets sit under explicit options", () => {
    const parse = (o: object) => trainOptionsSchema.parse(applyPreset({ out: "x", ...o }));
    const cfg = { vocabSize: 300, contextLength: 64, dim: 256, nLayers: 1, nHeads: 8, nKvHeads: 4, ffnDim: 704, rmsNormEps: 1e-5, ropeTheta: 10000, tiedEmbeddings: true };
    expect(planTraining(parse({ epochs: 2, batchSize: 8, evalFraction: 0 }), cfg, 100)).toEqual({ steps: 25, trainRecords: 100, warnings: [] });
    expect(planTraining(parse({ epochs: 1, batchSize: 8, evalFraction: 0.1 }), cfg, 100).trainRecords).toBe(90);
    const w = planTraining(parse({ steps: 2, batchSize: 16, lr: 0.05, rank: 200, targets: "q", warmup: 5 }), cfg, 100).warnings.join("\n");
    expect(w).toMatch(/--lr 0.05 is high/);
    expect(w).toMatch(/--rank 200 makes the q adapter larger than the \[256 x 256\] weight/);
    expect(w).toMatch(/see only \d+% of the 90 training records once/);
    expect(w).toMatch(/--warmup 5 covers the whole run of 2 steps/);
    expect(() => planTraining(parse({ rank: 200, targets: "k" }), cfg, 100)).toThrow(/target k is a \[128 x 256\] weight, whose updates have rank at most 128/);
    expect(parse({ preset: "facts" })).toMatchObject({ ...TRAIN_PRESETS.facts, targets: TRAIN_PRESETS.facts.targets.split(",") });
    expect(parse({ preset: "facts", lr: 1e-3, steps: 7 })).toMatchObject({ lr: 1e-3, steps: 7 });
    expect(parse({ preset: "demo", epochs: 2 }).steps).toBeUndefined();
  });

  describe("on a Datanet version (real anvil, DatanetRegistry, gated gateway)", () => {
    let chain: TestChain;
    let seeded: SeededDatanet;
    let gw: RunningGateway;
    const blobs = [facts.slice(0, 12), facts.slice(12)].map((fs) => new TextEncoder().encode(fs.map((f) => JSON.stringify(f)).join("\n")));

    beforeAll(async () => {
      chain = await startTestChain();
      seeded = await seedDatanet(chain, blobs.map((b) => ({ digest: sha256Hex(b), size: b.length })), [chain.accounts[2]!.address]);
      const store = new FsContentStore(join(dir, "gw-data"));
      gw = await startGateway({ store, chain: { client: chain.client, registry: seeded.registry, chainId: chain.chainId }, logger: pino({ level: "silent" }) });
      for (const b of blobs) await fetch(`${gw.url}/ipfs?datanetId=1`, { method: "POST", body: b });
    });
    afterAll(async () => {
      await gw?.close();
      await chain?.stop();
    });

    it("fetches through the gateway as the granted builder, checks the root, and records it in the manifest", async () => {
      const key = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"; // anvil dev account 2 (public test key)
      const prev = process.env.LINEAGE_PRIVATE_KEY;
      process.env.LINEAGE_PRIVATE_KEY = key;
      try {
        const out = join(dir, "run-datanet");
        await runTrain({ out, base: basePath, datanet: "1", version: "1", rpc: chain.rpcUrl, registry: seeded.registry, gateway: gw.url, steps: 2, batchSize: 4, rank: 2, exactMatchLimit: 1 } as never);
        const { manifest } = await readManifest(join(out, "manifest.json"));
        expect(manifest.data).toMatchObject({ source: "datanet", datanetId: "1", versionId: "1", root: seeded.root, records: 24, chainId: chain.chainId });
        expect(manifest.data.contributions!.map((c) => c.digest)).toEqual(seeded.leaves.map((l) => l[1]));
        process.env.LINEAGE_PRIVATE_KEY = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6"; // account 3: no grant
        await expect(runTrain({ out: join(dir, "run-nogrant"), base: basePath, datanet: "1", version: "1", rpc: chain.rpcUrl, registry: seeded.registry, gateway: gw.url, steps: 1 } as never)).rejects.toThrow(/no access grant/);
        expect((await readdir(dir)).some((n) => n.includes("nogrant"))).toBe(false);
      } finally {
        if (prev === undefined) delete process.env.LINEAGE_PRIVATE_KEY;
        else process.env.LINEAGE_PRIVATE_KEY = prev;
      }
    });
  });

  it("the lineage binary runs with a config file and flags", async () => {
    await writeFile(join(dir, "train.json"), JSON.stringify({ base: basePath, data: join(dir, "data.jsonl"), steps: 2, batchSize: 4, rank: 2, exactMatchLimit: 1 }));
    const { stdout } = await run(join(process.cwd(), "cli/lineage.mjs"), ["train", "-c", join(dir, "train.json"), "--out", join(dir, "run-bin"), "--steps", "1", "--no-progress"], { env: { ...process.env, NODE_LLAMA_CPP_SKIP_DOWNLOAD: "true" } });
    const summary = JSON.parse(stdout) as { manifestDigest: string };
    const { digest, manifest } = await readManifest(join(dir, "run-bin", "manifest.json"));
    expect(summary.manifestDigest).toBe(digest);
    expect(manifest.training.steps).toBe(1);
    await expect(run(join(process.cwd(), "cli/lineage.mjs"), ["train", "--out", join(dir, "run-bin2"), "--base", basePath])).rejects.toThrow(/--data <file.jsonl> or --datanet/);
  });

  it("the binary prints every default in --help and one progress line per evaluation when stderr is not a terminal", async () => {
    const env = { ...process.env, NODE_LLAMA_CPP_SKIP_DOWNLOAD: "true" };
    const help = (await run(join(process.cwd(), "cli/bin.ts"), ["train", "--help"], { env })).stdout;
    for (const d of ["--rank <r>", "(default: 16)", "(default: q,k,v,o,gate,up,down)", "(default: 0.002)", "--epochs <n>", "--preset <name>", "facts (", "--eval <file>"]) expect(help).toContain(d);
    const { stderr } = await run(join(process.cwd(), "cli/bin.ts"), ["train", "--out", join(dir, "run-bin3"), "--base", basePath, "--data", join(dir, "data.jsonl"), "--steps", "4", "--eval-every", "2", "--batch-size", "4", "--rank", "2", "--exact-match-limit", "1"], { env });
    const lines = stderr.split("\n").filter((l) => l.startsWith("train step"));
    expect(lines.filter((l) => / eval \d/.test(l)).map((l) => l.split(" ")[2])).toEqual(["2/4", "4/4"]);
    expect(stderr).not.toMatch(/\|[█░]+\|/); // no progress bar in a log
  });
});
