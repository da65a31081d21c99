// SPDX-License-Identifier: MIT
/**
 * The client's meter for one channel: the receipts it verified, the amount it owes (`acked`: the last verified
 * receipt's `cumulativeAmount`) and the checks every new receipt must pass (PROTOCOL.md, "Serving: payment and
 * metering"): signed by the channel's node in the PaymentChannels domain, same channel and model, `seq` strictly
 * increasing, and an exact price: `cumulativeAmount` = the previous one + `ceil((tokensIn + tokensOut) x price / 1000)`.
 * Pure state, no I/O: prices come from the caller.
 */
import { isAddressEqual, type Address, type Hex } from "viem";
import { usageReceiptDigest, verifyUsageReceipt, type DomainTarget } from "../payout/index.ts";
import { MeteringViolationError, ResyncGapError } from "./errors.ts";
import { priceOf, type ServedReceipt } from "./wire.ts";

/** What the client remembers of a channel (persist it to survive a reload; a fresh client re-syncs on the first 402). */
export interface MeterState {
  /** The last verified receipt's `seq` (0n before the first). */
  lastSeq: bigint;
  /** The last verified receipt's `cumulativeAmount`: what the next voucher pays. */
  acked: bigint;
}

export interface MeterChannel {
  channelId: bigint;
  modelId: bigint;
  /** The channel's node: every receipt must be its signature. */
  node: Address;
  target: DomainTarget;
}

/** Checks one receipt against the channel and the meter state; throws {@link MeteringViolationError}. */
export async function checkReceipt(
  ch: MeterChannel,
  state: MeterState,
  r: ServedReceipt,
  pricesPer1k: readonly bigint[],
): Promise<void> {
  const fail = (kind: MeteringViolationError["kind"], msg: string, expected?: bigint | string) => {
    throw new MeteringViolationError(kind, ch.channelId, msg, r, expected);
  };
  if (r.channelId !== ch.channelId || r.modelId !== ch.modelId) {
    fail("wrong-channel", `receipt for channel ${r.channelId} model ${r.modelId}, expected model ${ch.modelId}`);
  }
  const digest: Hex = usageReceiptDigest(r, ch.target);
  if (r.digest.toLowerCase() !== digest.toLowerCase() || !isAddressEqual(r.node, ch.node)) {
    fail("bad-signature", "receipt digest or node does not match the channel", digest);
  }
  if (!(await verifyUsageReceipt(r, ch.node, ch.target))) fail("bad-signature", `receipt not signed by node ${ch.node}`);
  if (r.seq <= state.lastSeq) fail("seq-not-increasing", `seq ${r.seq} after ${state.lastSeq}`, state.lastSeq + 1n);
  const charged = r.cumulativeAmount - state.acked;
  const allowed = pricesPer1k.map((p) => priceOf(r.tokensIn, r.tokensOut, p));
  if (!allowed.includes(charged)) {
    fail(
      "over-metered",
      `charged ${charged} for ${r.tokensIn}+${r.tokensOut} tokens; the price gives ${allowed.join(" or ")}`,
      state.acked + (allowed[0] ?? 0n),
    );
  }
}

/** The state after accepting a checked receipt. */
export function accept(r: ServedReceipt): MeterState {
  return { lastSeq: r.seq, acked: r.cumulativeAmount };
}

/**
 * Checks a run of receipts a node returned with a 402 (sorted by `seq`), chained from `state`; the last must reach
 * `metered`. Returns the state after them.
 */
export async function checkReceiptRun(
  ch: MeterChannel,
  state: MeterState,
  receipts: readonly ServedReceipt[],
  metered: bigint,
  pricesPer1k: readonly bigint[],
): Promise<MeterState> {
  let s = state;
  let first = true;
  for (const r of [...receipts].sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0))) {
    // Receipts the client already acknowledged may be sent again: skip those it verified (same or lower seq, covered).
    if (r.seq <= s.lastSeq && r.cumulativeAmount <= s.acked) continue;
    // Receipts that do not continue the verified run cannot be checked (the node sends a bounded tail): no accusation.
    if (first && r.seq > s.lastSeq + 1n) throw new ResyncGapError(ch.channelId, s.lastSeq, r.seq);
    first = false;
    await checkReceipt(ch, s, r, pricesPer1k);
    s = accept(r);
  }
  if (s.acked !== metered) {
    throw new MeteringViolationError(
      "unsupported-claim",
      ch.channelId,
      `node claims ${metered} metered; its signed receipts add up to ${s.acked}`,
      receipts.at(-1),
      s.acked,
    );
  }
  return s;
}
