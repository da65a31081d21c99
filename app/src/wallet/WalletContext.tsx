// SPDX-License-Identifier: MIT
/**
 * The connected wallet as one thing the pages use: the built-in development wallet (anvil's test accounts, local
 * chain only, signing in the page with viem) or an injected EIP-1193 wallet through wagmi. `require()` gives a Lineage
 * SDK client for sending, or throws a {@link WalletError} saying what to do (connect, switch network) before anything
 * is sent.
 */
import { createContext, useContext, useMemo, useState, type ReactNode } from "react";
import { createWalletClient, custom, http, type Address, type Chain, type EIP1193Provider, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { useConnection, useConnect, useConnectors, useDisconnect, useSwitchChain } from "wagmi";
import { createLineageClient, type LineageClient } from "../../../sdk/client/index.ts";
import { apiUrl, type AppConfig } from "../lib/config.ts";

export class WalletError extends Error {
  override name = "WalletError";
}

export interface Wallet {
  kind: "dev" | "injected" | undefined;
  address: Address | undefined;
  /** The wallet is on the app's network (always true for the dev wallet). */
  chainOk: boolean;
  walletChainId: number | undefined;
  devAccounts: Address[];
  devIndex: number;
  selectDev: (index: number) => void;
  connectDev: () => void;
  connectInjected: () => Promise<void>;
  injectedAvailable: boolean;
  switchNetwork: () => Promise<void>;
  disconnect: () => void;
  /** A client that may send, or a WalletError with what to do first. */
  require: () => Promise<LineageClient>;
  /** A read-only client (any page can read the chain). */
  reader: LineageClient;
}

const Ctx = createContext<Wallet | undefined>(undefined);
const DEV_KEY = "lineage.devWallet";

export function WalletProvider({ cfg, chain, publicClient, children }: { cfg: AppConfig; chain: Chain; publicClient: PublicClient; children: ReactNode }) {
  const devAccounts = useMemo(() => cfg.devKeys.map((k) => privateKeyToAccount(k)), [cfg.devKeys]);
  const saved = typeof localStorage !== "undefined" ? localStorage.getItem(DEV_KEY) : null;
  const [devIndex, setDevIndex] = useState<number | undefined>(saved !== null && devAccounts[Number(saved)] ? Number(saved) : undefined);
  const conn = useConnection();
  const connectors = useConnectors();
  const { connectAsync: connect } = useConnect();
  const { disconnect: wagmiDisconnect } = useDisconnect();
  const { switchChainAsync: switchChain } = useSwitchChain();

  const injectedOn = conn.status === "connected" && devIndex === undefined;
  const kind: Wallet["kind"] = devIndex !== undefined ? "dev" : injectedOn ? "injected" : undefined;
  const address = kind === "dev" ? devAccounts[devIndex!]?.address : injectedOn ? conn.address : undefined;
  const walletChainId = kind === "dev" ? cfg.chainId : injectedOn ? conn.chainId : undefined;
  const chainOk = walletChainId === cfg.chainId;
  const reader = useMemo(() => createLineageClient({ publicClient, deployment: cfg.deployment }), [publicClient, cfg.deployment]);

  const value: Wallet = {
    kind,
    address,
    chainOk,
    walletChainId,
    devAccounts: devAccounts.map((a) => a.address),
    devIndex: devIndex ?? 0,
    injectedAvailable: connectors.length > 0 && typeof window !== "undefined" && "ethereum" in window,
    selectDev: (i) => {
      setDevIndex(i);
      localStorage.setItem(DEV_KEY, String(i));
    },
    connectDev: () => {
      if (devAccounts.length === 0) return;
      setDevIndex(0);
      localStorage.setItem(DEV_KEY, "0");
    },
    connectInjected: async () => {
      const c = connectors[0];
      if (!c) throw new WalletError("No browser wallet found. Install one (e.g. an EIP-1193 extension), or use the development wallet on the local network.");
      setDevIndex(undefined);
      localStorage.removeItem(DEV_KEY);
      await connect({ connector: c, chainId: cfg.chainId });
    },
    switchNetwork: async () => {
      await switchChain({ chainId: cfg.chainId });
    },
    disconnect: () => {
      setDevIndex(undefined);
      localStorage.removeItem(DEV_KEY);
      wagmiDisconnect();
    },
    reader,
    require: async () => {
      if (kind === undefined || !address) throw new WalletError("Connect a wallet first (top right): nothing was sent.");
      if (!chainOk) {
        throw new WalletError(`Your wallet is on chain ${walletChainId ?? "?"}; this app runs on ${cfg.networkName} (chain ${cfg.chainId}). Switch network first: nothing was sent.`);
      }
      if (kind === "dev") {
        const account = devAccounts[devIndex!]!;
        return createLineageClient({ publicClient, deployment: cfg.deployment, walletClient: createWalletClient({ account, chain, transport: http(apiUrl("/rpc")) }) });
      }
      const provider = (await conn.connector!.getProvider()) as EIP1193Provider;
      const walletClient = createWalletClient({ account: address, chain, transport: custom(provider) });
      return createLineageClient({ publicClient, deployment: cfg.deployment, walletClient });
    },
  };
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useWallet(): Wallet {
  const w = useContext(Ctx);
  if (!w) throw new Error("useWallet outside WalletProvider");
  return w;
}
