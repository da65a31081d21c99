// SPDX-License-Identifier: MIT
/** The chain's clock (latest block timestamp): a devnet's clock can run ahead of the wall clock (time travel). */
import { useQuery } from "@tanstack/react-query";
import { useWallet } from "../wallet/WalletContext.tsx";

export function useChainTime(): number {
  const w = useWallet();
  const q = useQuery({ queryKey: ["chainTime"], queryFn: async () => Number((await w.reader.publicClient.getBlock()).timestamp), refetchInterval: 5_000 });
  return q.data ?? Math.floor(Date.now() / 1000);
}
