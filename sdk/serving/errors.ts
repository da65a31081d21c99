// SPDX-License-Identifier: MIT
/** Errors of the paying client (`paidFetch`, `paidOpenAI`). */
import type { ServedReceipt } from "./wire.ts";

/** Base class of every paying-client error. */
export class PaidClientError extends Error {
  override name = "PaidClientError";
}

/** What a node did wrong (each is evidence: the node signed it). */
export type ViolationKind =
  /** The receipt is not signed by the channel's node, or its digest is not its EIP-712 digest. */
  | "bad-signature"
  /** The receipt names another channel or model than the channel's. */
  | "wrong-channel"
  /** `seq` does not strictly increase. */
  | "seq-not-increasing"
  /** `cumulativeAmount` is not the previous one plus `ceil((tokensIn + tokensOut) x price / 1000)`. */
  | "over-metered"
  /** The receipt's token counts differ from the response's `usage`, or exceed the request's `max_tokens`. */
  | "usage-mismatch"
  /** `requestHash` does not commit to the request sent and the text received. */
  | "request-hash-mismatch"
  /** A 402 claims a metered amount its signed receipts do not add up to. */
  | "unsupported-claim";

/**
 * A node signed a receipt that breaks the metering rules. The client stops paying that channel: later requests fail
 * with {@link NodeStoppedError} without reaching the node. `receipt` is the signed evidence (when there is one).
 */
export class MeteringViolationError extends PaidClientError {
  override name = "MeteringViolationError";
  constructor(
    readonly kind: ViolationKind,
    readonly channelId: bigint,
    message: string,
    readonly receipt?: ServedReceipt,
    /** What the client expected (e.g. the exact cumulative amount). */
    readonly expected?: bigint | string,
  ) {
    super(`channel ${channelId}: ${kind}: ${message}`);
  }
}

/** The client stopped paying this channel after a violation; nothing was sent. */
export class NodeStoppedError extends PaidClientError {
  override name = "NodeStoppedError";
  constructor(readonly violation: MeteringViolationError) {
    super(`payments on channel ${violation.channelId} stopped after: ${violation.message}`);
  }
}

/** Why the node refused to serve (402) and the client cannot fix it by re-syncing. */
export type PaymentRefusal = "deposit-exhausted" | "price-above-maximum" | "channel-closed" | "refused";

/** The node answered 402 and re-syncing did not help (top up the channel, raise the maximum price, or open another). */
export class PaymentRequiredError extends PaidClientError {
  override name = "PaymentRequiredError";
  constructor(
    readonly reason: PaymentRefusal,
    readonly channelId: bigint,
    message: string,
    readonly details: { metered?: bigint; maxPrice?: bigint; deposit?: bigint; pricePer1k?: bigint } = {},
  ) {
    super(`channel ${channelId}: ${reason}: ${message}`);
  }
}

/** The channel cannot be paid by this client (unknown, settled, or its signer is not the session key). */
export class ChannelMismatchError extends PaidClientError {
  override name = "ChannelMismatchError";
}

/**
 * A 402 returned receipts that do not continue from the last one this client verified (a gap in `seq`): the client
 * cannot check the missing ones, so it pays nothing more and accuses nobody. Persist the state (`onReceipt`) so a new
 * client continues where the last one stopped.
 */
export class ResyncGapError extends PaidClientError {
  override name = "ResyncGapError";
  constructor(
    readonly channelId: bigint,
    readonly knownSeq: bigint,
    readonly firstReturnedSeq: bigint,
  ) {
    super(`channel ${channelId}: the node returned receipts from seq ${firstReturnedSeq}; this client verified up to seq ${knownSeq}`);
  }
}
