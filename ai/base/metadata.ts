// SPDX-License-Identifier: MIT
/**
 * Rewrite a base GGUF's metadata with `encodeBase` (the writer `pretrain.ts` uses), keeping its weights, tokenizer
 * and recorded recipe: `npx tsx ai/base/metadata.ts [file.gguf]` (default the shipped base). Deterministic, so the
 * shipped file's digest is reproducible from its weights; prints the old and new sha-256.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { writeFileAtomic } from "../formats/index.ts";
import { BASE_PATH, encodeBase, loadBase } from "./index.ts";

const path = process.argv[2] ?? BASE_PATH;
const before = readFileSync(path);
const b = loadBase(path);
const bytes = encodeBase(b.config, b.weights, b.tokenizer, b.info);
await writeFileAtomic(path, bytes);
const sha = (x: Uint8Array) => createHash("sha256").update(x).digest("hex");
console.log(`${path}\n  before ${sha(before)}\n  after  ${sha(bytes)}`);
