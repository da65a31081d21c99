// SPDX-License-Identifier: MIT
/**
 * Demo data for a fresh devnet, created through the SDK client (the same flows a dapp uses), by anvil's
 * deterministic accounts 1..9 (funded with OPEN by the deployment's distribution).
 */
import type { Logger } from "pino";
import { createPublicClient, createWalletClient, http, parseEther, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { Deployment } from "../../sdk/addresses/index.ts";
import { createLineageClient, type LineageClient } from "../../sdk/client/index.ts";
import { ANVIL_KEYS } from "./anvil.ts";

export interface SeedOptions {
  rpcUrl: string;
  deployment: Deployment;
  logger?: Logger;
}

export interface SeedSummary {
  transfers: number;
  delegations: number;
}

/** A client per demo account (anvil accounts 0..9). */
export function demoClients(rpcUrl: string, deployment: Deployment): LineageClient[] {
  const publicClient = createPublicClient({ transport: http(rpcUrl) }) as PublicClient;
  return ANVIL_KEYS.map((key) =>
    createLineageClient({
      publicClient,
      walletClient: createWalletClient({ account: privateKeyToAccount(key), transport: http(rpcUrl) }),
      deployment,
    }),
  );
}

export async function seed(opts: SeedOptions): Promise<SeedSummary> {
  const users = demoClients(opts.rpcUrl, opts.deployment).slice(1);
  const summary: SeedSummary = { transfers: 0, delegations: 0 };
  // Token holders activate their votes (self-delegation), one delegates to another.
  for (const [i, u] of users.entries()) {
    if (i === users.length - 1) await u.delegateVotes({ delegatee: users[0]!.walletClient!.account.address });
    else await u.delegateVotes();
    summary.delegations++;
  }
  // Some OPEN changes hands.
  for (const [i, u] of users.slice(0, 4).entries()) {
    const to = users[(i + 1) % users.length]!.walletClient!.account.address;
    await u.transfer({ to, amount: parseEther(String(1_000 * (i + 1))) });
    summary.transfers++;
  }
  opts.logger?.debug(summary, "seed: token");
  return summary;
}
