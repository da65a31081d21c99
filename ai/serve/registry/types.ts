// SPDX-License-Identifier: MIT
/** What a node serves: OpenAI model names mapped to adapters (and, for model NFTs, their id and price). */
import type { AdapterUse } from "../engine/types.ts";

export interface ServedModel {
  /** The OpenAI `model` name (`lineage/<id>` for a model NFT, the given name for a local adapter). */
  name: string;
  /** The model NFT id (paid models); undefined for free local adapters and the base. */
  modelId?: bigint;
  /** sha2-256 of the adapter GGUF (zero for the base). */
  adapterDigest: `0x${string}`;
  /** OPEN wei per 1,000 tokens (0 = free, no metering). */
  pricePer1k: bigint;
  /** Unix seconds (OpenAI's `created`). */
  created: number;
  /** The adapters to apply (empty for the base), the file fetched and digest-verified on first use. */
  adapters(): Promise<AdapterUse[]>;
}

export interface ModelSource {
  list(): ServedModel[];
  get(name: string): ServedModel | undefined;
  close(): void;
}
