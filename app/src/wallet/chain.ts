// SPDX-License-Identifier: MIT
/** The network the app serves, as viem and wagmi need it (RPC through the app server's /rpc proxy). */
import { createPublicClient, defineChain, http, type Chain, type PublicClient } from "viem";
import { apiUrl, type AppConfig } from "../lib/config.ts";

export const LOCAL_CHAIN_ID = 31337;

export function chainOf(cfg: AppConfig): Chain {
  return defineChain({
    id: cfg.chainId,
    name: cfg.networkName,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [apiUrl("/rpc")] } },
  });
}

export function publicClientOf(chain: Chain): PublicClient {
  // Local chain: poll fast so receipts come back at once (anvil mines each transaction immediately).
  return createPublicClient({ chain, transport: http(apiUrl("/rpc")), pollingInterval: chain.id === LOCAL_CHAIN_ID ? 250 : 4_000 }) as PublicClient;
}
