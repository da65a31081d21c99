// SPDX-License-Identifier: MIT
/** Merit through the indexer's `/merit/:account` route (the SDK's fetcher, which checks the proof locally). */
import type { Address } from "viem";
import { fetchMeritProof, MeritProofUnavailableError } from "../../../sdk/client/actions/merit.ts";
import type { MeritProof } from "../../../sdk/payout/merit.ts";

/** The proof at `at` (default now), or null when the account has no leaf or no root is final yet (404). */
export async function meritOf(account: Address, at?: bigint): Promise<MeritProof | null> {
  try {
    return await fetchMeritProof({ indexerUrl: window.location.origin, account, ...(at !== undefined ? { at } : {}) });
  } catch (e) {
    if (e instanceof MeritProofUnavailableError && e.status === 404) return null;
    throw e;
  }
}
