#!/usr/bin/env -S npx --no-install tsx
// SPDX-License-Identifier: MIT
/** The `lineage` command. */
import { realpathSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { SingleBar } from "cli-progress";
import { Command, Option } from "commander";
import { createPublicClient, http, type Address, type PublicClient } from "viem";
import { FsContentStore, startGateway } from "../sdk/content/index.ts";
import { attributeCommand } from "./attribute.ts";
import { inspectFile } from "./inspect.ts";
import { runTrain, TRAIN_DEFAULTS as TD, TRAIN_PRESETS, TrainCliError, type TrainOptions } from "./train.ts";
import { registerServe } from "./serve.ts";

process.env.NODE_LLAMA_CPP_SKIP_DOWNLOAD ??= "true";

export function buildProgram(): Command {
  const program = new Command("lineage").description("Lineage: payable AI on permissioned Datanet data").showHelpAfterError();
  program
    .command("train")
    .description("LoRA / QLoRA fine-tune a base model on a Datanet version (or a local JSONL file); writes adapter.gguf, peft/, manifest.json")
    .option("-c, --config <file>", "JSON config file (keys = the long option names in camelCase); flags override it")
    .option("-o, --out <dir>", "output directory (absent or empty)")
    .option("--base <file>", "base model: a .gguf file or a lineage base checkpoint (default: the shipped tiny base)")
    .option("--preset <name>", `a named recipe: ${Object.entries(TRAIN_PRESETS).map(([k, v]) => `${k} (${Object.entries(v).map(([a, b]) => `${a} ${b}`).join(", ")})`).join("; ")}; flags and the config file override it`)
    .option("--data <file>", "local JSONL prompt/response records (offline)")
    .option("--eval <file>", "JSONL records scored for recall after training (never trained on)")
    .option("--datanet <id>", "Datanet id")
    .option("--version <n>", "Datanet version id")
    .option("--rpc <url>", "JSON-RPC URL of the chain holding the DatanetRegistry (checks root and grant)")
    .option("--registry <address>", "DatanetRegistry address")
    .option("--from-block <n>", "first block to scan for contributions")
    .option("--gateway <url>", "content gateway URL (default: the local content store)")
    .option("--data-dir <dir>", "local data directory of the content store (default .lineage)")
    .option("--root <hex>", "expected version root when no chain is configured")
    .option("--contributions <file>", "JSON list of {id, digest, contributor} instead of reading the chain")
    .option("--template <name>", `prompt template: lineage | alpaca | chatml (default: ${TD.template})`)
    .addOption(new Option("--method <m>", `lora (low-rank adapters) or full (train the target weights themselves, shipped as an exact adapter of rank min(in, out)) (default: ${TD.method})`).choices(["lora", "full"]))
    .option("--rank <r>", `LoRA rank (default: ${TD.rank})`)
    .option("--alpha <a>", `LoRA alpha; the update is scaled by alpha/rank (default: ${TD.alpha})`)
    .option("--dropout <p>", `LoRA dropout (default: ${TD.dropout})`)
    .option("--targets <list>", `comma-separated target modules of q,k,v,o,gate,up,down (default: ${TD.targets})`)
    .addOption(new Option("--quantize <type>", `QLoRA: hold the frozen base as Q8_0 or Q4_0 (default: ${TD.quantize})`).choices(["none", "Q8_0", "Q4_0"]))
    .option("--epochs <n>", `passes over the training records; decides the steps unless --steps is given (default: ${TD.epochs})`)
    .option("--steps <n>", "optimizer steps (default: from --epochs)")
    .option("--lr <x>", `peak learning rate (default: ${TD.lr})`)
    .option("--min-lr <x>", "final learning rate of the cosine schedule (default: lr/10)")
    .option("--warmup <n>", `warm-up steps (default: ${TD.warmup})`)
    .option("--weight-decay <x>", `AdamW weight decay (default: ${TD.weightDecay})`)
    .option("--grad-clip <x>", `global gradient-norm clip, 0 = off (default: ${TD.gradClip})`)
    .option("--grad-accum <n>", `gradient accumulation micro-batches (default: ${TD.gradAccum})`)
    .option("--batch-size <n>", `examples per micro-batch (default: ${TD.batchSize})`)
    .option("--eval-fraction <x>", `held-out fraction of the records, 0 = train on all (default: ${TD.evalFraction})`)
    .option("--eval-every <n>", `evaluate every n steps, 0 = at the end (default: ${TD.evalEvery})`)
    .option("--early-stop <n>", `early-stopping patience in evaluations, 0 = off (default: ${TD.earlyStop})`)
    .option("--exact-match-limit <n>", "records of each set scored for recall (default: all held-out and --eval records, 64 training records)")
    .option("--seed <n>", `random seed (default: ${TD.seed})`)
    .option("--name <name>", `adapter name written into the GGUF (default: ${TD.name})`)
    .option("--publish", "also put the outputs into the content store (--gateway or --data-dir)")
    .option("--no-progress", "no progress bar")
    .action(async (flags: Record<string, unknown>, cmd: Command) => {
      const fromFile: Record<string, unknown> = {};
      if (typeof flags.config === "string") {
        let parsed: unknown;
        try {
          parsed = JSON.parse(await readFile(flags.config, "utf8"));
        } catch (e) {
          throw new TrainCliError(`cannot read config ${flags.config}: ${(e as Error).message}`);
        }
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new TrainCliError(`config ${flags.config} must hold a JSON object`);
        Object.assign(fromFile, parsed);
      }
      const explicit: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(flags)) if (k !== "config" && k !== "progress" && cmd.getOptionValueSource(k) === "cli") explicit[k] = v;
      const opts = { ...fromFile, ...explicit } as TrainOptions;
      const showBar = flags.progress !== false && process.stderr.isTTY === true;
      // not a terminal (CI, logs): one line per evaluation, and at least every tenth of the run
      const showLines = flags.progress !== false && !showBar;
      const bar = new SingleBar({
        format: "train |{bar}| {percentage}% step {value}/{total} loss {loss} eval {evalLoss} {tps} tok/s ETA {etaS}s",
        stream: process.stderr,
        noTTYOutput: true,
        notTTYSchedule: 2000,
      });
      let started = false;
      const out = await runTrain(opts, {
        log: (m) => process.stderr.write(`${m}\n`),
        onFetched: (done, total) => process.stderr.write(`fetched and verified ${done}/${total} contributions\r${done === total ? "\n" : ""}`),
        onProgress: (p) => {
          if (showLines && (p.evalLoss !== undefined || p.step === 1 || p.step % Math.max(1, Math.round(p.totalSteps / 10)) === 0)) {
            const ev = p.evalLoss !== undefined ? ` eval ${p.evalLoss.toFixed(4)}` : "";
            process.stderr.write(`train step ${p.step}/${p.totalSteps} loss ${p.loss.toFixed(4)}${ev} lr ${p.lr.toExponential(2)} ${Math.round(p.tokensPerSec)} tok/s ETA ${Math.round(p.etaSec)} s\n`);
          }
          if (!showBar) return;
          const payload = { loss: p.loss.toFixed(4), evalLoss: p.evalLoss?.toFixed(4) ?? "-", tps: Math.round(p.tokensPerSec), etaS: Math.round(p.etaSec) };
          if (!started) {
            bar.start(p.totalSteps, 0, payload);
            started = true;
          }
          bar.update(p.step, payload);
        },
      }).finally(() => started && bar.stop());
      const m = out.manifest.metrics;
      process.stdout.write(
        `${JSON.stringify(
          {
            out: out.outDir,
            baseDigest: out.baseDigest,
            adapterDigest: out.adapterDigest,
            manifestDigest: out.manifestDigest,
            ...(Object.keys(out.published).length ? { published: out.published } : {}),
            evalLoss: m.evalLossAfter,
            perplexity: m.perplexityAfter,
            exactMatchBefore: m.exactMatchBefore,
            exactMatchAfter: m.exactMatchAfter,
            recall: {
              train: [m.recallTrainBefore, m.recallTrainAfter],
              heldOut: [m.recallHeldOutBefore, m.recallHeldOutAfter],
              evalFile: [m.recallEvalFileBefore, m.recallEvalFileAfter],
            },
            steps: out.manifest.training.steps,
            warnings: out.result.warnings,
          },
          null,
          2,
        )}\n`,
      );
    });
  program
    .command("inspect <file>")
    .description("validate a GGUF or safetensors file and print its metadata, tensors and digest (JSON)")
    .action(async (file: string) => {
      process.stdout.write(`${JSON.stringify(await inspectFile(file), null, 2)}\n`);
    });
  program
    .command("gateway")
    .description("serve the content store over HTTP (GET /ipfs/<cid>, POST /ipfs); gated blobs need --rpc and --registry")
    .option("--port <n>", "port (0 = any free port)", "8787")
    .option("--host <host>", "listen address", "127.0.0.1")
    .option("--data-dir <dir>", "data directory (default .lineage)")
    .option("--rpc <url>", "JSON-RPC URL for on-chain access grants")
    .option("--registry <address>", "DatanetRegistry address")
    .action(async (o: { port: string; host: string; dataDir?: string; rpc?: string; registry?: string }) => {
      if (Boolean(o.rpc) !== Boolean(o.registry)) throw new TrainCliError("--rpc and --registry go together");
      let chain;
      if (o.rpc && o.registry) {
        const client = createPublicClient({ transport: http(o.rpc) }) as PublicClient;
        chain = { client, registry: o.registry as Address, chainId: await client.getChainId() };
      }
      const gw = await startGateway({ store: new FsContentStore(o.dataDir), port: Number(o.port), host: o.host, ...(chain ? { chain } : {}) });
      process.stdout.write(`content gateway on ${gw.url}\n`);
      const stop = () => void gw.close().then(() => process.exit(0));
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
  program.addCommand(attributeCommand());
  registerServe(program);
  return program;
}

/** Runs the command line (`argv` as in `process.argv`); an error ends the process with status 1 and its message. */
export async function runCli(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (e: unknown) {
    process.stderr.write(`lineage: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}

/** True when this file is the program itself (`tsx cli/bin.ts`, through any symlink), not an import. */
function isMain(): boolean {
  const arg = process.argv[1];
  if (!arg) return false;
  try {
    return realpathSync(arg) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) await runCli(process.argv);
