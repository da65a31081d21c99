// SPDX-License-Identifier: MIT
/** Wires a serving node together: engine, models (chain or local), journal, payment gate, HTTP server. */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { serve, type ServerType } from "@hono/node-server";
import { pino, type Logger } from "pino";
import { createPublicClient, http, type Address, type Hex, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { Deployment } from "../../sdk/addresses/index.ts";
import type { ContentStore } from "../../sdk/content/index.ts";
import { LocalEngine } from "./engine/local.ts";
import { RemoteEngine } from "./engine/remote.ts";
import type { Engine } from "./engine/types.ts";
import { createApp, DEFAULT_LIMITS, type ServeLimits } from "./http/app.ts";
import { FileJournal } from "./journal/journal.ts";
import { ServeMetrics } from "./metrics.ts";
import { ChannelCache } from "./payment/channels.ts";
import { PaymentGate } from "./payment/gate.ts";
import { ChainRegistry } from "./registry/chain.ts";
import { LocalRegistry } from "./registry/local.ts";
import type { ModelSource } from "./registry/types.ts";
import { checkNodeStaking, type StakingStatus } from "./staking.ts";

export interface ServeChainOptions {
  rpcUrl: string;
  deployment: Deployment;
  /** The node's key: its staking key, which also signs receipts (online). */
  nodeKey: Hex;
  store: ContentStore;
  maxInFlightPerChannel?: number;
  pollingIntervalMs?: number;
}

export interface ServeOptions {
  host?: string;
  port?: number;
  /** The base model GGUF (local engine; also the chain models' base digest). */
  basePath: string;
  /** Journal and adapter cache live under `<dataDir>/serve/`. */
  dataDir: string;
  /** `name=path.gguf` local adapters (free). */
  adapters?: string[];
  /** Remote engine: an OpenAI-compatible upstream with LoRA (vLLM); local llama.cpp when absent. */
  remote?: { baseUrl: string; apiKey?: string };
  sequences?: number;
  maxHotAdapters?: number;
  limits?: Partial<ServeLimits>;
  chain?: ServeChainOptions;
  log?: Logger;
}

export interface ServeHandle {
  url: string;
  engine: Engine;
  models: ModelSource;
  journal: FileJournal | undefined;
  gate: PaymentGate | undefined;
  staking: StakingStatus | undefined;
  node: Address | undefined;
  close(): Promise<void>;
}

export async function startServe(o: ServeOptions): Promise<ServeHandle> {
  const log = o.log ?? pino({ name: "lineage-serve", level: process.env.LOG_LEVEL ?? "info" });
  const dir = join(o.dataDir, "serve");
  const adapterDir = join(dir, "adapters");
  const limits = { ...DEFAULT_LIMITS, ...o.limits };
  const engine: Engine = o.remote
    ? await RemoteEngine.create({ baseUrl: o.remote.baseUrl, ...(o.remote.apiKey ? { apiKey: o.remote.apiKey } : {}), basePath: o.basePath, maxPending: limits.maxPending })
    : await LocalEngine.create({ basePath: o.basePath, sequences: o.sequences ?? 8, adapterDir, maxHotAdapters: o.maxHotAdapters ?? 1000, maxQueue: limits.maxPending });
  const closers: Array<() => Promise<void> | void> = [() => engine.close()];
  try {
    let models: ModelSource;
    let journal: FileJournal | undefined;
    let gate: PaymentGate | undefined;
    let staking: StakingStatus | undefined;
    let node: Address | undefined;
    if (o.chain) {
      const c = o.chain;
      const client = createPublicClient({ transport: http(c.rpcUrl) }) as PublicClient;
      const chainId = await client.getChainId();
      if (chainId !== c.deployment.chainId) throw new Error(`the RPC is chain ${chainId}, the deployment is for chain ${c.deployment.chainId}`);
      const need = (name: string): Address => {
        const a = c.deployment.contracts[name];
        if (!a) throw new Error(`the deployment has no ${name}`);
        return a;
      };
      const account = privateKeyToAccount(c.nodeKey);
      node = account.address;
      staking = await checkNodeStaking(client, need("StakingRegistry"), node);
      (staking.ok ? log.info.bind(log) : log.warn.bind(log))({ node }, staking.message);
      const baseDigest = `0x${createHash("sha256").update(await readFile(o.basePath)).digest("hex")}` as const;
      const registry = await ChainRegistry.start({ client, address: need("ModelRegistry"), store: c.store, baseDigest, adapterDir, ...(c.pollingIntervalMs ? { pollingIntervalMs: c.pollingIntervalMs } : {}) });
      closers.push(() => registry.close());
      if (registry.otherBase.size > 0) log.info({ skipped: [...registry.otherBase.keys()].map(String) }, "model NFTs on another base are not served");
      models = registry;
      journal = await FileJournal.open(dir);
      closers.push(() => journal!.close());
      const channels = new ChannelCache(client, need("PaymentChannels"), c.pollingIntervalMs ?? 500);
      closers.push(() => channels.close());
      gate = new PaymentGate({ channels, client, node: account, target: { chainId, verifyingContract: need("PaymentChannels") }, journal, maxInFlightPerChannel: c.maxInFlightPerChannel ?? 1 });
    } else {
      models = await LocalRegistry.create(o.adapters ?? []);
    }
    const metrics = new ServeMetrics(engine);
    const app = createApp({ engine, models, limits, metrics, log, ...(gate ? { gate } : {}), ...(journal ? { journal } : {}), ...(node ? { node } : {}) });
    const server: ServerType = await new Promise((resolve) => {
      const s = serve({ fetch: app.fetch, port: o.port ?? 0, hostname: o.host ?? "127.0.0.1" }, () => resolve(s));
    });
    const addr = server.address() as AddressInfo;
    const url = `http://${addr.address}:${addr.port}`;
    log.info({ url, engine: engine.kind, models: models.list().length }, "serving");
    return {
      url,
      engine,
      models,
      journal,
      gate,
      staking,
      node,
      close: async () => {
        await new Promise<void>((r) => {
          server.close(() => r());
          (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        });
        for (const f of closers.reverse()) await f();
      },
    };
  } catch (e) {
    for (const f of closers.reverse()) await f();
    throw e;
  }
}
