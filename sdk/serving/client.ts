// SPDX-License-Identifier: MIT
/**
 * `paidOpenAI`: the official `openai` client, paying a Lineage node through a payment channel. Three lines for a dapp:
 *
 *   const sessionKey = privateKeyToAccount(storedSessionKey);          // the channel's signer, kept by the dapp
 *   const openai = paidOpenAI({ baseURL, channelId, sessionKey, maxPricePer1k, publicClient, paymentChannels });
 *   const reply = await openai.chat.completions.create({ model: "1", messages: [{ role: "user", content: "Hi" }] });
 *
 * The session key signs vouchers inside the client's fetch and is never sent; the `apiKey` is a placeholder.
 * `openai.lineage` exposes the verified receipts, the owed amount and any violation.
 */
import OpenAI from "openai";
import { createPaidFetch, type PaidChannel, type PaidFetchOptions } from "./paid-fetch.ts";

export interface PaidOpenAIOptions extends PaidFetchOptions {
  /** The node's OpenAI-compatible base URL, e.g. `http://127.0.0.1:8080/v1`. */
  baseURL: string;
  /** Passed to the `openai` client (default 2; a stopped channel fails at once without reaching the node). */
  maxRetries?: number;
  /** Request timeout in ms, passed to the `openai` client. */
  timeout?: number;
}

/** The placeholder sent as the `openai` client's API key (the node ignores it; payment is the voucher). */
export const PLACEHOLDER_API_KEY = "lineage-voucher-payment";

export type PaidOpenAI = OpenAI & { lineage: PaidChannel };

export function paidOpenAI(opts: PaidOpenAIOptions): PaidOpenAI {
  const paid = createPaidFetch(opts);
  const client = new OpenAI({
    baseURL: opts.baseURL,
    apiKey: PLACEHOLDER_API_KEY,
    fetch: paid.fetch,
    ...(opts.maxRetries === undefined ? {} : { maxRetries: opts.maxRetries }),
    ...(opts.timeout === undefined ? {} : { timeout: opts.timeout }),
  });
  return Object.assign(client, { lineage: paid });
}
