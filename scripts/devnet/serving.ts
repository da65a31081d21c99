// SPDX-License-Identifier: MIT
/**
 * The devnet's serving node: `ai/serve`'s server on the shipped tiny base with the chain's model NFTs (paid), run by the
 * seeded Node operator's key (anvil account 7, "grace"), and its housekeeper (redemption, reward flush, epoch
 * announcements). Plus what the start-up banner prints: a `curl` with a voucher for the demo channel and an `openai`
 * snippet paying through it with the SDK.
 */
import { join } from "node:path";
import type { Logger } from "pino";
import { type Address, type Hex, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { BASE_PATH } from "../../ai/base/index.ts";
import { createHousekeeper, type Housekeeper } from "../../ai/serve/housekeeping/index.ts";
import { startServe, type ServeHandle } from "../../ai/serve/index.ts";
import type { Deployment } from "../../sdk/addresses/index.ts";
import { createLineageClient } from "../../sdk/client/index.ts";
import type { FsContentStore } from "../../sdk/content/index.ts";
import { signVoucher } from "../../sdk/payout/index.ts";
import { encodeVoucherHeader, MAX_PRICE_HEADER, modelName, VOUCHER_HEADER } from "../../sdk/serving/index.ts";
import { createWalletClient, http } from "viem";
import { DEMO_PRICE_PER_1K, DEMO_SESSION_KEY, findDemoChannel } from "./demo.ts";

/** The devnet's epoch clock for announcements: one hour from the deployment block, one hour of grace. */
export const DEVNET_EPOCH_SECONDS = 3_600;

export interface DevnetServing {
  server: ServeHandle;
  housekeeper: Housekeeper;
  demo?: { channelId: bigint; modelId: bigint };
  stop(): Promise<void>;
}

export async function startServing(p: {
  rpcUrl: string;
  client: PublicClient;
  deployment: Deployment;
  dataDir: string;
  store: FsContentStore;
  nodeKey: Hex;
  port: number;
  logger: Logger;
}): Promise<DevnetServing> {
  const server = await startServe({
    basePath: BASE_PATH,
    dataDir: p.dataDir,
    port: p.port,
    chain: { rpcUrl: p.rpcUrl, deployment: p.deployment, nodeKey: p.nodeKey, store: p.store },
    log: p.logger.child({ component: "serve" }),
  });
  try {
    const node = createLineageClient({
      publicClient: p.client,
      walletClient: createWalletClient({ account: privateKeyToAccount(p.nodeKey), transport: http(p.rpcUrl) }),
      deployment: p.deployment,
    });
    const deployed = await p.client.getBlock({ blockNumber: BigInt(p.deployment.deployBlock) });
    const head = await p.client.getBlock();
    const housekeeper = await createHousekeeper({
      ctx: node,
      log: server.journal!,
      store: p.store,
      statePath: join(p.dataDir, "serve", "housekeeping.json"),
      logger: p.logger.child({ component: "housekeeping" }),
      config: {
        redeemThreshold: 10n ** 15n,
        epoch: { genesis: Number(deployed.timestamp), length: DEVNET_EPOCH_SECONDS, grace: DEVNET_EPOCH_SECONDS },
        // anvil's clock runs ahead of the wall clock once the seed has moved it: journal times are wall-clock.
        clockOffsetMs: Number(head.timestamp) * 1000 - Date.now(),
      },
    });
    housekeeper.start();
    const demo = await findDemoChannel(p.client, p.deployment);
    return {
      server,
      housekeeper,
      ...(demo ? { demo: { channelId: demo.channelId, modelId: demo.modelId } } : {}),
      stop: async () => {
        await housekeeper.stop();
        await server.close();
      },
    };
  } catch (e) {
    await server.close();
    throw e;
  }
}

/** The banner's lines: a working `curl` (a voucher covering what the node metered on the demo channel so far) and an `openai` snippet. */
export async function servingBanner(s: DevnetServing, p: { rpcUrl: string; deployment: Deployment }): Promise<string[]> {
  const lines = [`  Inference    ${s.server.url}/v1 (OpenAI-compatible; node ${s.server.node})`];
  if (!s.demo) return lines;
  const channels = p.deployment.contracts.PaymentChannels as Address;
  const metered = s.server.journal?.lastReceipt(s.demo.channelId)?.cumulativeAmount ?? 0n;
  const voucher = await signVoucher(privateKeyToAccount(DEMO_SESSION_KEY), { channelId: s.demo.channelId, cumulativeAmount: metered }, {
    chainId: p.deployment.chainId,
    verifyingContract: channels,
  });
  const model = modelName(s.demo.modelId);
  const body = JSON.stringify({ model, messages: [{ role: "user", content: "What is the antidote for paracetamol overdose?" }], max_tokens: 32 });
  return [
    ...lines,
    `  Demo model   ${model} (adapter trained by our engine), demo channel ${s.demo.channelId}, session key ${DEMO_SESSION_KEY} (public: devnet only)`,
    "  Pay for one chat (the voucher covers what was metered before it; `npx tsx scripts/devnet/demo-voucher.ts` prints the next one):",
    `    curl -s ${s.server.url}/v1/chat/completions -H 'content-type: application/json' \\`,
    `      -H '${VOUCHER_HEADER}: ${encodeVoucherHeader(voucher)}' -H '${MAX_PRICE_HEADER}: ${DEMO_PRICE_PER_1K}' \\`,
    `      -d '${body}'`,
    "  Or with the official openai client, paying through the SDK (signs every voucher, checks every receipt):",
    `    import { createPublicClient, http } from "viem"; import { privateKeyToAccount } from "viem/accounts";`,
    `    import { paidOpenAI } from "./sdk/serving/index.ts";`,
    `    const openai = paidOpenAI({ baseURL: "${s.server.url}/v1", channelId: ${s.demo.channelId}n, sessionKey: privateKeyToAccount("${DEMO_SESSION_KEY}"),`,
    `      maxPricePer1k: ${DEMO_PRICE_PER_1K}n, publicClient: createPublicClient({ transport: http("${p.rpcUrl}") }), paymentChannels: "${channels}" });`,
    `    const r = await openai.chat.completions.create({ model: "${model}", messages: [{ role: "user", content: "Which organ produces insulin?" }] });`,
  ];
}
