// SPDX-License-Identifier: MIT
/** Test and benchmark helpers (not part of the public surface): seeded LoRA adapters for a base config. */
import { join } from "node:path";
import { expectedLlamaShapes, seededRandom, writeLoraGguf, type LoraAdapter } from "../formats/index.ts";
import type { LlamaConfig } from "../tensors/index.ts";

/** A seeded rank-`r` adapter on q, v and ffn_down of every layer (values in +-`amp`). */
export function seededAdapter(config: LlamaConfig, seed: number, r = 4, amp = 0.15): LoraAdapter {
  const rnd = seededRandom(seed);
  const shapes = expectedLlamaShapes(config);
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (let l = 0; l < config.nLayers; l++) {
    for (const t of ["attn_q", "attn_v", "ffn_down"]) {
      const [nOut, nIn] = shapes.get(`blk.${l}.${t}.weight`) as [number, number];
      tensors.set(`blk.${l}.${t}.weight.lora_a`, { shape: [r, nIn], data: Float32Array.from({ length: r * nIn }, () => (rnd() * 2 - 1) * amp) });
      tensors.set(`blk.${l}.${t}.weight.lora_b`, { shape: [nOut, r], data: Float32Array.from({ length: nOut * r }, () => (rnd() * 2 - 1) * amp) });
    }
  }
  return { alpha: 2 * r, rank: r, tensors };
}

/** Writes {@link seededAdapter} to `<dir>/adapter-<seed>.gguf`; returns the path and the file bytes. */
export async function writeSeededAdapter(config: LlamaConfig, seed: number, dir: string, r = 4): Promise<{ path: string; bytes: Uint8Array }> {
  const path = join(dir, `adapter-${seed}.gguf`);
  const bytes = await writeLoraGguf(path, config, seededAdapter(config, seed, r), { name: `seeded-${seed}` });
  return { path, bytes };
}
