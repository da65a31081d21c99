// SPDX-License-Identifier: MIT
/**
 * The devnet's paid-inference demo: the committed demo adapter (`scripts/devnet/demo-adapter/`, trained by our engine
 * with `train-demo-adapter.ts`) put in the content store and minted as a model NFT on the shipped tiny base, and a
 * demo channel to the seeded node (grace) whose signer is a fixed, public devnet session key, so that `npm start`
 * can print a working `curl` and `openai` snippet. Never use the demo session key anywhere but a local devnet.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { keccak256, parseEther, stringToBytes, type Address, type Hex, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { paymentChannelsAbi } from "../../sdk/abi/index.ts";
import type { Deployment } from "../../sdk/addresses/index.ts";
import type { LineageClient } from "../../sdk/client/index.ts";
import type { ContentStore } from "../../sdk/content/index.ts";
import { BASE_PATH } from "../../ai/base/index.ts";
import { openSessionChannel } from "../../sdk/serving/index.ts";
import { DEMO_ADAPTER_DIR } from "./paths.ts";

/** A public, deterministic devnet session key (keccak256 of a fixed string): devnet only. */
export const DEMO_SESSION_KEY: Hex = keccak256(stringToBytes("lineage devnet demo session key (public, devnet only)"));
export const DEMO_SESSION_ADDRESS: Address = privateKeyToAccount(DEMO_SESSION_KEY).address;
/** The demo model's price per 1,000 tokens and the demo channel's deposit. */
export const DEMO_PRICE_PER_1K = parseEther("0.01");
export const DEMO_DEPOSIT = parseEther("100");

const sha = (b: Uint8Array): Hex => `0x${createHash("sha256").update(b).digest("hex")}`;

export function demoAdapterAvailable(): boolean {
  return existsSync(join(DEMO_ADAPTER_DIR, "adapter.gguf")) && existsSync(join(DEMO_ADAPTER_DIR, "manifest.json"));
}

/**
 * Publishes the demo adapter and its manifest to `store`, mints them as a model NFT (by `builder`, who must have access
 * to `datasets`), and opens the demo channel from `payer` to `node`. Returns the model and channel ids.
 */
export async function seedDemoModel(p: {
  builder: LineageClient;
  payer: LineageClient;
  node: Address;
  store?: ContentStore;
  datasets: { datanetId: bigint; versionId: bigint }[];
}): Promise<{ modelId: bigint; channelId: bigint }> {
  const adapter = new Uint8Array(readFileSync(join(DEMO_ADAPTER_DIR, "adapter.gguf")));
  const manifest = new Uint8Array(readFileSync(join(DEMO_ADAPTER_DIR, "manifest.json")));
  if (p.store) {
    await p.store.put(adapter);
    await p.store.put(manifest);
  }
  const m = await p.builder.mintModel({
    baseModelDigest: sha(new Uint8Array(readFileSync(BASE_PATH))),
    adapterDigest: sha(adapter),
    manifestDigest: sha(manifest),
    datasets: p.datasets,
    pricePer1kTokens: DEMO_PRICE_PER_1K,
    ownerBps: 3_000,
    metadataDigest: `0x${"00".repeat(32)}`,
  });
  const ch = await openSessionChannel(p.payer, { node: p.node, modelId: m.modelId, deposit: DEMO_DEPOSIT, sessionPrivateKey: DEMO_SESSION_KEY });
  return { modelId: m.modelId, channelId: ch.channelId };
}

/** The demo channel on this deployment (the last channel whose signer is the demo session key), if seeded. */
export async function findDemoChannel(client: PublicClient, deployment: Deployment): Promise<{ channelId: bigint; modelId: bigint; node: Address } | undefined> {
  const logs = await client.getContractEvents({
    address: deployment.contracts.PaymentChannels as Address,
    abi: paymentChannelsAbi,
    eventName: "ChannelOpened",
    fromBlock: BigInt(deployment.deployBlock),
  });
  const mine = logs.filter((l) => l.args.signer?.toLowerCase() === DEMO_SESSION_ADDRESS.toLowerCase()).at(-1);
  return mine ? { channelId: mine.args.channelId!, modelId: mine.args.modelId!, node: mine.args.node! } : undefined;
}
