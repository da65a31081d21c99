// SPDX-License-Identifier: MIT
/** wagmi for injected EIP-1193 wallets (EIP-6963 discovery); the built-in dev wallet lives in WalletContext. */
import { createConfig, http, injected } from "wagmi";
import type { Chain } from "viem";
import { apiUrl } from "../lib/config.ts";

export function wagmiConfigOf(chain: Chain) {
  return createConfig({
    chains: [chain],
    connectors: [injected()],
    multiInjectedProviderDiscovery: true,
    transports: { [chain.id]: http(apiUrl("/rpc")) },
  });
}
