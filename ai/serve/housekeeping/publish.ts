// SPDX-License-Identifier: MIT
/**
 * Publishing an epoch's receipts: the receipts as NDJSON (the feed's lines), the transcripts as NDJSON (one
 * `{receipt, transcript}` per receipt, RFC 8785 canonical JSON), and an index naming both by CID, all put in the
 * content store. The index's digest is what `PaymentChannels.announceReceipts` records. Same receipts, same bytes:
 * publishing again after a crash gives the same digest.
 */
import canonicalize from "canonicalize";
import type { Address } from "viem";
import type { ContentStore } from "../../../sdk/content/index.ts";
import { receiptToWire } from "../../../sdk/serving/index.ts";
import type { JournalEntry, ReceiptLog } from "../journal/types.ts";

/** The published index of one node's receipts for one epoch. */
export interface ReceiptsIndex {
  kind: "lineage.receipts";
  version: 1;
  chainId: number;
  paymentChannels: Address;
  node: Address;
  epoch: number;
  /** The epoch's bounds (unix seconds, chain clock): `[start, end)`. */
  start: number;
  end: number;
  count: number;
  /** CID of the receipts NDJSON (feed lines: `{cursor, time, receipt}`). */
  receipts: string;
  /** CID of the transcripts NDJSON (`{receipt: <digest>, transcript: {request, response} | null}`). */
  transcripts: string;
  /** Receipts whose transcript the journal did not have. */
  missingTranscripts: number;
}

const canon = (v: unknown): string => {
  const s = canonicalize(v);
  if (s === undefined) throw new Error("not JSON-serialisable");
  return s;
};
const ndjson = (lines: string[]) => new TextEncoder().encode(lines.map((l) => `${l}\n`).join(""));

export async function publishEpoch(
  log: ReceiptLog,
  store: ContentStore,
  entries: readonly JournalEntry[],
  meta: Omit<ReceiptsIndex, "kind" | "version" | "count" | "receipts" | "transcripts" | "missingTranscripts">,
): Promise<{ digest: `0x${string}`; cid: string; index: ReceiptsIndex }> {
  const receiptLines = entries.map((e) => canon({ cursor: e.cursor, time: e.time, receipt: receiptToWire(e.receipt) }));
  let missing = 0;
  const transcriptLines: string[] = [];
  for (const e of entries) {
    const t = await log.transcript(e.receipt.digest);
    if (!t) missing++;
    transcriptLines.push(canon({ receipt: e.receipt.digest, transcript: t ?? null }));
  }
  const receipts = await store.put(ndjson(receiptLines));
  const transcripts = await store.put(ndjson(transcriptLines));
  const index: ReceiptsIndex = {
    kind: "lineage.receipts",
    version: 1,
    ...meta,
    count: entries.length,
    receipts: receipts.cid,
    transcripts: transcripts.cid,
    missingTranscripts: missing,
  };
  const put = await store.put(new TextEncoder().encode(canon(index)));
  return { digest: put.digest, cid: put.cid, index };
}
