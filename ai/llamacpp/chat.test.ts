// SPDX-License-Identifier: MIT
/**
 * The shipped base's GGUF metadata says how it is prompted: `add_bos_token = true` and the `lineage` template as
 * `tokenizer.chat_template`. Through node-llama-cpp's own chat path (LlamaChatSession with the Jinja template read
 * from the file), a question is evaluated as exactly our training prompt tokens and answered with the same greedy
 * tokens as our prompt through `LlamaCppModel.generateGreedy`.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BASE_PATH, baseAvailable, loadBase } from "../base/index.ts";
import { readGguf } from "../formats/index.ts";
import { promptTokens, TEMPLATES } from "../templates/index.ts";
import { LlamaCppModel } from "./index.ts";

describe.skipIf(!baseAvailable())("the shipped base in llama.cpp's chat path", () => {
  let m: LlamaCppModel;
  beforeAll(async () => {
    m = await LlamaCppModel.load(BASE_PATH);
  }, 120_000);
  afterAll(async () => {
    await m?.dispose();
  });

  it("declares bos and the lineage template in its metadata", () => {
    const md = readGguf(new Uint8Array(readFileSync(BASE_PATH))).metadata;
    expect(md.get("tokenizer.ggml.add_bos_token")?.value).toBe(true);
    expect(md.get("tokenizer.chat_template")?.value).toBe(TEMPLATES.lineage!.jinja);
  });

  it("LlamaChatSession evaluates our prompt tokens and generates our greedy tokens", { timeout: 120_000 }, async () => {
    const { LlamaChatSession } = await import("node-llama-cpp");
    const tok = loadBase().tokenizer;
    for (const question of ["Where does Vorlin Dunwick live?", "What is the fee of datanet Kalo, class red? Answer briefly."]) {
      const ours = promptTokens(tok, TEMPLATES.lineage!, { prompt: question });
      const stop = new Set([tok.eosId]);
      const gen = await m.generateGreedy(ours, 12, undefined, stop);
      const ctx = await m.model.createContext({ contextSize: 256, threads: 1, sequences: 1 });
      try {
        const seq = ctx.getSequence();
        const session = new LlamaChatSession({ contextSequence: seq });
        expect(session.chatWrapper.wrapperName).toBe("JinjaTemplate");
        session.setChatHistory([]); // no system message: the template renders none
        await session.prompt(question, { temperature: 0, maxTokens: 12 });
        const evaluated = [...seq.contextTokens].map(Number);
        expect(evaluated.slice(0, ours.length)).toEqual(ours);
        const answer = evaluated.slice(ours.length);
        // the chat path may stop at a stop string (eos) the context then does not hold
        expect(answer.length).toBeGreaterThan(0);
        expect(gen.slice(0, answer.length)).toEqual(answer);
      } finally {
        await ctx.dispose();
      }
    }
  });
});
