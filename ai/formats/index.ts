// SPDX-License-Identifier: MIT
/** Model file formats: GGUF (base + LoRA adapter), safetensors, PEFT, Hugging Face layouts. */
export * from "./atomic.ts";
export * from "./gguf.ts";
export * from "./llama.ts";
export * from "./numeric.ts";
export * from "./safetensors.ts";
export * from "./fixtures.ts";
export * from "./hf.ts";
export * from "./peft.ts";
