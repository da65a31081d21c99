// SPDX-License-Identifier: MIT
/**
 * Per-example gradients of the response loss with respect to the LoRA parameters of an adapter (the only
 * parameters a fine-tune here changes). One example = one prompt/response record, tokenized with the training
 * template (loss on the response only, as in training). The gradient is laid out flat, module by module in the
 * adapter's fixed order (lora_a then lora_b of each adapted weight): each module is one "layer" for DataInf's
 * layer-wise damping.
 */
import { tf } from "../../backend/index.ts";
import type { LoraAdapter } from "../../lora/index.ts";
import type { LlamaModel } from "../../model/index.ts";
import { type ChatTemplate, type PromptRecord, tokenizeRecord } from "../../templates/index.ts";
import type { ByteBpeTokenizer } from "../../tokenizer/index.ts";

export interface GradientLayout {
  /** Adapted weight names, in order. */
  modules: string[];
  /** offsets[l]..offsets[l+1] is module l's slice of a flat gradient. */
  offsets: number[];
  dim: number;
}

export class GradientError extends Error {
  override name = "GradientError";
}

export class LoraGradients {
  readonly layout: GradientLayout;
  readonly #vars: tf.Variable[];
  readonly #model: LlamaModel;
  readonly #tok: ByteBpeTokenizer;
  readonly #template: ChatTemplate;

  constructor(model: LlamaModel, lora: LoraAdapter, tokenizer: ByteBpeTokenizer, template: ChatTemplate) {
    this.#model = model;
    this.#tok = tokenizer;
    this.#template = template;
    const named = lora.namedVariables();
    const modules: string[] = [];
    const offsets = [0];
    this.#vars = [];
    for (const name of lora.weightNames()) {
      const a = named.get(`${name}.lora_a`);
      const b = named.get(`${name}.lora_b`);
      if (!a || !b) throw new GradientError(`adapter lacks the pair of ${name}`);
      modules.push(name);
      this.#vars.push(a, b);
      offsets.push(offsets[offsets.length - 1]! + a.size + b.size);
    }
    if (modules.length === 0) throw new GradientError("adapter has no modules");
    this.layout = { modules, offsets, dim: offsets[offsets.length - 1]! };
  }

  /** Flat gradient of the record's mean response loss (and the loss itself). */
  of(record: PromptRecord): { grad: Float32Array; loss: number } {
    const ex = tokenizeRecord(this.#tok, this.#template, record, this.#model.config.contextLength);
    const t = ex.ids.length - 1;
    if (t < 1) throw new GradientError("record too short to have a loss");
    const ids = Int32Array.from(ex.ids.slice(0, t));
    const targets = Int32Array.from(ex.ids.slice(1));
    const weights = Float32Array.from(ex.lossMask.slice(1));
    if (!weights.some((w) => w > 0)) throw new GradientError("record has no response tokens within the context length");
    const grad = new Float32Array(this.layout.dim);
    let loss = 0;
    tf.tidy(() => {
      const idT = tf.tensor2d(ids, [1, t], "int32");
      const tgT = tf.tensor2d(targets, [1, t], "int32");
      const wT = tf.tensor2d(weights, [1, t]);
      const { value, grads } = tf.variableGrads(() => this.#model.loss(idT, tgT, wT), this.#vars);
      loss = value.dataSync()[0]!;
      let o = 0;
      for (const v of this.#vars) {
        const g = grads[v.name]!.dataSync() as Float32Array;
        grad.set(g, o);
        o += g.length;
      }
    });
    return { grad, loss };
  }
}
