// SPDX-License-Identifier: MIT
/** Entry: load the server's config, then the providers (TanStack Query, wagmi, the wallet) and the routes. */
import "./shims/buffer.ts";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { WagmiProvider } from "wagmi";
import { App } from "./App.tsx";
import { loadConfig } from "./lib/config.ts";
import { chainOf, publicClientOf } from "./wallet/chain.ts";
import { wagmiConfigOf } from "./wallet/wagmi.ts";
import { WalletProvider } from "./wallet/WalletContext.tsx";
import { ConfigContext } from "./lib/useConfig.ts";
import "./styles.css";

const root = createRoot(document.getElementById("root")!);
try {
  const cfg = await loadConfig();
  const chain = chainOf(cfg);
  const publicClient = publicClientOf(chain);
  const queryClient = new QueryClient({ defaultOptions: { queries: { staleTime: 2_000, retry: 1, refetchOnWindowFocus: false } } });
  root.render(
    <StrictMode>
      <WagmiProvider config={wagmiConfigOf(chain)}>
        <QueryClientProvider client={queryClient}>
          <ConfigContext.Provider value={cfg}>
            <WalletProvider cfg={cfg} chain={chain} publicClient={publicClient}>
              <App />
            </WalletProvider>
          </ConfigContext.Provider>
        </QueryClientProvider>
      </WagmiProvider>
    </StrictMode>,
  );
} catch (e) {
  root.render(
    <main className="page">
      <h1>Lineage</h1>
      <p role="alert" className="status error">
        The app could not start: {(e as Error).message}
      </p>
    </main>,
  );
}
