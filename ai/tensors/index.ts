// SPDX-License-Identifier: MIT
/**
 * The neutral in-memory form of model weights shared by the model engine (ai/model, ai/lora, ai/train)
 * and the file formats (ai/formats: GGUF, safetensors, PEFT, Hugging Face layouts).
 *
 * Conventions (fixed; both sides rely on them):
 * - Names are llama.cpp GGUF names: `token_embd.weight`, `output_norm.weight`, `output.weight` (absent when tied),
 *   `blk.{i}.attn_norm.weight`, `blk.{i}.attn_q.weight`, `blk.{i}.attn_k.weight`, `blk.{i}.attn_v.weight`,
 *   `blk.{i}.attn_output.weight`, `blk.{i}.ffn_norm.weight`, `blk.{i}.ffn_gate.weight`, `blk.{i}.ffn_up.weight`,
 *   `blk.{i}.ffn_down.weight`. LoRA tensors add `.lora_a` / `.lora_b` to the target's name.
 * - `shape` is row-major, outermost first, as numpy/PyTorch write it: a linear layer is [out, in] (y = W x);
 *   `token_embd.weight` is [vocab, dim]. LoRA: `lora_a` is [r, in], `lora_b` is [out, r] (PEFT's order).
 *   GGUF lists dimensions fastest-varying first, so the GGUF writer reverses `shape`.
 * - q/k rows are in llama.cpp's (GGUF) order; the Hugging Face layout writer permutes them as HF stores them.
 */
export interface Tensor {
  shape: number[];
  data: Float32Array;
}
export type TensorMap = Map<string, Tensor>;

/** Hyper-parameters of a llama-family decoder, named after the GGUF `llama.*` keys. */
export interface LlamaConfig {
  vocabSize: number;
  contextLength: number;
  dim: number; // llama.embedding_length
  nLayers: number; // llama.block_count
  nHeads: number; // llama.attention.head_count
  nKvHeads: number; // llama.attention.head_count_kv
  ffnDim: number; // llama.feed_forward_length
  rmsNormEps: number; // llama.attention.layer_norm_rms_epsilon
  ropeTheta: number; // llama.rope.freq_base
  tiedEmbeddings: boolean;
}

/** Number of elements of a shape. */
export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
