// SPDX-License-Identifier: MIT
/**
 * Models from the chain: every ModelRegistry NFT whose base is this node's base file, kept current from its events
 * (a newly minted model is served without a restart; a new price or adapter revision applies to later requests).
 * Adapter files come from the content store, verified against the NFT's digest, and are written under
 * `<adapterDir>/<digest>.gguf` on first use.
 */
import { join } from "node:path";
import { stat } from "node:fs/promises";
import type { Address, PublicClient } from "viem";
import { modelRegistryAbi } from "../../../sdk/abi/index.ts";
import type { ContentStore } from "../../../sdk/content/index.ts";
import { writeFileAtomic } from "../../../sdk/content/atomic.ts";
import { modelName, parseModelName } from "../../../sdk/serving/index.ts";
import type { AdapterUse } from "../engine/types.ts";
import type { ModelSource, ServedModel } from "./types.ts";

export interface ChainRegistryOptions {
  client: PublicClient;
  address: Address;
  store: ContentStore;
  /** sha2-256 of the base GGUF this node serves; other models are skipped. */
  baseDigest: `0x${string}`;
  adapterDir: string;
  pollingIntervalMs?: number;
}

export class ChainRegistry implements ModelSource {
  private readonly models = new Map<bigint, ServedModel>();
  private readonly files = new Map<string, Promise<string>>();
  private unwatch: (() => void) | undefined;
  /** Models skipped because their base differs (id -> base digest). */
  readonly otherBase = new Map<bigint, string>();

  private constructor(private readonly o: ChainRegistryOptions) {}

  static async start(o: ChainRegistryOptions): Promise<ChainRegistry> {
    const r = new ChainRegistry(o);
    const fromBlock = await o.client.getBlockNumber();
    const count = await o.client.readContract({ address: o.address, abi: modelRegistryAbi, functionName: "modelCount" });
    for (let id = 1n; id <= count; id++) await r.load(id);
    r.unwatch = o.client.watchContractEvent({
      address: o.address,
      abi: modelRegistryAbi,
      fromBlock: fromBlock + 1n,
      poll: true,
      pollingInterval: o.pollingIntervalMs ?? 500,
      onLogs: (logs) => {
        for (const log of logs) {
          const id = (log as { args?: { modelId?: bigint } }).args?.modelId;
          if (id !== undefined && ["ModelMinted", "ModelRepriced", "AdapterRevised"].includes(log.eventName ?? "")) void r.load(id).catch(() => undefined);
        }
      },
      onError: () => undefined,
    });
    return r;
  }

  private async load(id: bigint): Promise<void> {
    const m = await this.o.client.readContract({ address: this.o.address, abi: modelRegistryAbi, functionName: "getModel", args: [id] });
    if (m.baseModelDigest.toLowerCase() !== this.o.baseDigest.toLowerCase()) {
      this.otherBase.set(id, m.baseModelDigest);
      this.models.delete(id);
      return;
    }
    const digest = m.adapterDigest;
    const name = modelName(id);
    this.models.set(id, {
      name,
      modelId: id,
      adapterDigest: digest,
      pricePer1k: m.pricePer1kTokens,
      created: Number(m.mintedAt),
      adapters: async (): Promise<AdapterUse[]> => [{ digest, path: await this.file(digest), scale: 1, name }],
    });
  }

  /** The adapter file for `digest`, fetched from the content store (verified) once. */
  private file(digest: `0x${string}`): Promise<string> {
    let p = this.files.get(digest);
    if (!p) {
      p = (async () => {
        const path = join(this.o.adapterDir, `${digest.slice(2)}.gguf`);
        if (!(await stat(path).then(() => true, () => false))) await writeFileAtomic(path, await this.o.store.get(digest));
        return path;
      })();
      this.files.set(digest, p);
      p.catch(() => this.files.delete(digest));
    }
    return p;
  }

  list(): ServedModel[] {
    return [...this.models.values()];
  }
  get(name: string): ServedModel | undefined {
    const id = parseModelName(name);
    return id === undefined ? undefined : this.models.get(id);
  }
  close(): void {
    this.unwatch?.();
  }
}
