// SPDX-License-Identifier: MIT
/** zod schemas of the OpenAI request bodies the node accepts (unknown fields are kept, and hashed). */
import { z } from "zod";

const content = z.union([z.string(), z.array(z.object({ type: z.literal("text"), text: z.string() }).loose())]);
const stop = z.union([z.string(), z.array(z.string()).max(4)]).optional();

/** Weighted multi-adapter mix (local free mode only): `lineage_adapters: [{model, scale}]`. */
const adapterMix = z.array(z.object({ model: z.string().min(1), scale: z.number().min(-4).max(4) })).min(1).max(8).optional();

const common = {
  model: z.string().min(1).max(256),
  max_tokens: z.number().int().min(0).nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().gt(0).max(1).nullable().optional(),
  n: z.literal(1).nullable().optional(),
  stream: z.boolean().nullable().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).loose().nullable().optional(),
  stop,
  lineage_adapters: adapterMix,
};

export const chatBody = z
  .object({
    ...common,
    messages: z.array(z.object({ role: z.enum(["system", "user", "assistant", "developer"]), content }).loose()).min(1).max(256),
    max_completion_tokens: z.number().int().min(0).nullable().optional(),
  })
  .loose();
export type ChatBody = z.infer<typeof chatBody>;

export const completionBody = z
  .object({ ...common, prompt: z.union([z.string(), z.array(z.string()).length(1)]) })
  .loose();
export type CompletionBody = z.infer<typeof completionBody>;

export function textOf(c: z.infer<typeof content>): string {
  return typeof c === "string" ? c : c.map((p) => p.text).join("");
}
