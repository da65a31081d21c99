// SPDX-License-Identifier: MIT
/** The local training service's wire format (app/server/train): runs, options, streamed events. Shared by both sides. */
import { z } from "zod";

export const LORA_TARGETS = ["q", "k", "v", "o", "gate", "up", "down"] as const;

export const trainRequestSchema = z.object({
  account: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  datanetId: z.string().regex(/^\d{1,20}$/),
  versionId: z.string().regex(/^\d{1,20}$/),
  base: z.string().min(1).max(100),
  rank: z.number().int().min(1).max(64),
  alpha: z.number().positive().max(1024),
  lr: z.number().positive().max(1),
  steps: z.number().int().min(1).max(5_000),
  batchSize: z.number().int().min(1).max(64),
  targets: z.array(z.enum(LORA_TARGETS)).min(1),
  quantize: z.enum(["none", "Q8_0", "Q4_0"]),
  evalEvery: z.number().int().min(0).max(5_000),
});
export type TrainRequest = z.infer<typeof trainRequestSchema>;

export const progressSchema = z.object({
  step: z.number(),
  totalSteps: z.number(),
  loss: z.number(),
  evalLoss: z.number().optional(),
  tokensPerSec: z.number(),
  etaSec: z.number(),
  elapsedSec: z.number(),
});
export type TrainProgress = z.infer<typeof progressSchema>;

export const runResultSchema = z.object({
  adapterDigest: z.string(),
  manifestDigest: z.string(),
  baseDigest: z.string(),
  finalLoss: z.number(),
  published: z.record(z.string(), z.string()),
});

export const trainEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("progress"), progress: progressSchema }),
  z.object({ type: z.literal("log"), message: z.string() }),
  z.object({ type: z.literal("done"), result: runResultSchema }),
  z.object({ type: z.literal("error"), message: z.string() }),
  z.object({ type: z.literal("cancelled") }),
]);
export type TrainEvent = z.infer<typeof trainEventSchema>;

export const runSummarySchema = z.object({
  id: z.string(),
  request: trainRequestSchema,
  state: z.enum(["running", "done", "error", "cancelled"]),
  createdAt: z.string(),
  last: progressSchema.nullable(),
  result: runResultSchema.nullable(),
  error: z.string().nullable(),
});
export type RunSummary = z.infer<typeof runSummarySchema>;

/** Presets: name, one line, and the options they set. */
export const PRESETS = {
  quick: { label: "Quick look (30 steps)", about: "A few minutes on this machine: enough to see the loss fall.", rank: 8, alpha: 16, lr: 3e-3, steps: 30, batchSize: 8, targets: ["q", "v"], quantize: "none", evalEvery: 10 },
  standard: { label: "Standard LoRA (150 steps)", about: "The project's demo recipe: rank 16 on all seven modules.", rank: 16, alpha: 16, lr: 3e-3, steps: 150, batchSize: 16, targets: [...LORA_TARGETS], quantize: "none", evalEvery: 25 },
  qlora: { label: "QLoRA int8 (150 steps)", about: "The base kept as 8-bit blocks: less memory on large bases, a little slower.", rank: 16, alpha: 16, lr: 3e-3, steps: 150, batchSize: 16, targets: [...LORA_TARGETS], quantize: "Q8_0", evalEvery: 25 },
} as const;
