// SPDX-License-Identifier: MIT
import { statSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, tf } from "../backend/index.ts";
import { LlamaModel } from "../model/index.ts";
import { BASE_CONFIG, BASE_PATH, BASE_TRAIN, loadBase } from "./index.ts";
import { sotuTexts } from "./corpus.ts";

beforeAll(async () => {
  await initBackend("wasm");
});

describe("shipped tiny base", () => {
  const b = loadBase();

  it("is a <= 25 MB GGUF with the recipe's config and its tokenizer inside", () => {
    expect(statSync(BASE_PATH).size).toBeLessThanOrEqual(25 * 2 ** 20);
    expect(b.config).toEqual(BASE_CONFIG);
    expect(b.tokenizer.vocabSize).toBe(BASE_CONFIG.vocabSize);
    const text = "We the People of the United States, in Order to form a more perfect Union — 🙂";
    expect(b.tokenizer.decode(b.tokenizer.encode(text))).toBe(text);
    expect(b.info.steps).toBe(BASE_TRAIN.stopAtStep);
    expect(b.info.train).toMatchObject(BASE_TRAIN);
  });

  it("is trained: held-out-style SOTU text scores far better than chance (ln 2048 = 7.62 nats)", () => {
    const m = LlamaModel.fromWeights(b.config, b.weights, { trainable: false });
    const ids = b.tokenizer.encode(sotuTexts().at(-1)!.slice(0, 2000)).slice(0, 129);
    const loss = tf.tidy(() => m.loss(tf.tensor2d([ids.slice(0, 128)], [1, 128], "int32"), tf.tensor2d([ids.slice(1, 129)], [1, 128], "int32")).dataSync()[0]!);
    expect(loss).toBeLessThan(6);
    m.dispose();
  });

  // Stated tolerance on the real base: next-token distributions of the quantised base vs fp32 differ by at most
  // 0.02 (Q8_0) / 0.1 (Q4_0) in any probability, and the top-1 token agrees on >= 90% (Q8_0) / 70% (Q4_0) of positions.
  it("QLoRA bases (Q8_0, Q4_0) stay within tolerance of full precision", () => {
    const full = LlamaModel.fromWeights(b.config, b.weights, { trainable: false });
    const ids = b.tokenizer.encode("The Congress shall have power to lay and collect taxes, duties, imposts and excises, to pay the debts").slice(0, 24);
    const V = b.config.vocabSize;
    const probs = (m: LlamaModel) => tf.tidy(() => tf.softmax(m.logits(tf.tensor2d([ids], [1, ids.length], "int32"))).dataSync() as Float32Array);
    const ref = probs(full);
    for (const [type, maxDp, top1] of [["q8_0", 0.02, 0.9], ["q4_0", 0.1, 0.7]] as const) {
      const q = LlamaModel.fromWeights(b.config, b.weights, { trainable: false, quantize: type });
      const p = probs(q);
      let dp = 0;
      let agree = 0;
      for (let t = 0; t < ids.length; t++) {
        let a = 0;
        let c = 0;
        for (let v = 0; v < V; v++) {
          dp = Math.max(dp, Math.abs(p[t * V + v]! - ref[t * V + v]!));
          if (ref[t * V + v]! > ref[t * V + a]!) a = v;
          if (p[t * V + v]! > p[t * V + c]!) c = v;
        }
        if (a === c) agree++;
      }
      expect(dp, type).toBeLessThan(maxDp);
      expect(agree / ids.length, type).toBeGreaterThanOrEqual(top1);
      q.dispose();
    }
    full.dispose();
  });
});
