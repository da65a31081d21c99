// SPDX-License-Identifier: MIT
/**
 * The payment gate (PROTOCOL.md, "Serving: payment and metering"): pay after, one request of credit.
 * `admit` checks a request's voucher and maximum price against the channel and what is metered and in flight;
 * `settle` assigns `seq` and `cumulativeAmount` together under the channel's lock, signs the receipt with the node
 * key and appends it to the durable journal before the caller sends the response's last byte.
 */
import { isAddressEqual, type Address, type PublicClient } from "viem";
import { usageReceiptDigest, signUsageReceipt, verifyVoucher, verifyVoucherOnChain, type DomainTarget, type TypedDataSigner } from "../../../sdk/payout/index.ts";
import {
  decodeVoucherHeader,
  parseMaxPriceHeader,
  paymentRequiredBody,
  priceOf,
  type PaymentRequired,
  type ServedReceipt,
  type SignedVoucherLike,
  type Transcript,
  WireError,
} from "../../../sdk/serving/index.ts";
import { overloaded, ServeError } from "../errors.ts";
import type { FileJournal } from "../journal/journal.ts";
import type { ChannelCache } from "./channels.ts";

/** A 402 answer. */
export class PaymentRequiredError extends ServeError {
  constructor(readonly payload: PaymentRequired) {
    super(402, payload.error.message, "invalid_request_error", "payment_required");
  }
  override body(): PaymentRequired {
    return this.payload;
  }
}

export interface PaidModel {
  modelId: bigint;
  adapterDigest: `0x${string}`;
  pricePer1k: bigint;
}

/** A request admitted on a channel; `release` must be called once (after `settle` or on failure). */
export interface Admission {
  channelId: bigint;
  voucher: SignedVoucherLike;
  model: PaidModel;
  maxPrice: bigint;
  release(): void;
}

export interface PaymentGateOptions {
  channels: ChannelCache;
  client: Pick<PublicClient, "verifyTypedData">;
  node: TypedDataSigner;
  target: DomainTarget;
  journal: FileJournal;
  /** Requests in flight per channel (PROTOCOL default: one). */
  maxInFlightPerChannel?: number;
}

export class PaymentGate {
  private readonly inFlight = new Map<bigint, { count: number; amount: bigint }>();
  private readonly locks = new Map<bigint, Promise<unknown>>();
  readonly node: Address;

  constructor(private readonly o: PaymentGateOptions) {
    this.node = o.node.address;
  }

  /** Checks payment for a request costing at most `tokensIn + maxTokens` tokens; throws a 402 or 429 ServeError. */
  async admit(p: { voucherHeader: string | undefined; maxPriceHeader: string | undefined; model: PaidModel; tokensIn: number; maxTokens: number }): Promise<Admission> {
    const maxPrice = priceOf(p.tokensIn, p.maxTokens, p.model.pricePer1k);
    const refuse = (message: string, extra: { metered?: bigint; deposit?: bigint; receipts?: ServedReceipt[]; inFlight?: bigint } = {}): never => {
      throw new PaymentRequiredError(
        paymentRequiredBody({
          message,
          param: null,
          metered: extra.metered ?? 0n,
          maxPrice,
          deposit: extra.deposit ?? 0n,
          receipts: extra.receipts ?? [],
          pricePer1k: p.model.pricePer1k,
          ...(extra.inFlight === undefined ? {} : { inFlight: extra.inFlight }),
        }),
      );
    };
    if (!p.voucherHeader) return refuse(`model ${p.model.modelId} is paid: send a voucher of a channel to node ${this.node} in X-Lineage-Voucher`);
    if (!p.maxPriceHeader) return refuse("name the most you pay per 1,000 tokens in X-Lineage-Max-Price");
    let voucher: SignedVoucherLike;
    let maxPer1k: bigint;
    try {
      voucher = decodeVoucherHeader(p.voucherHeader);
      maxPer1k = parseMaxPriceHeader(p.maxPriceHeader);
    } catch (e) {
      return refuse(e instanceof WireError ? e.message : "malformed payment headers");
    }
    if (p.model.pricePer1k > maxPer1k) return refuse(`model ${p.model.modelId} costs ${p.model.pricePer1k} per 1k tokens, above X-Lineage-Max-Price ${maxPer1k}`);
    const id = voucher.channelId;
    let ch = await this.o.channels.get(id);
    const meteredNow = () => this.o.journal.lastReceipt(id)?.cumulativeAmount ?? 0n;
    const base = () => ({ metered: meteredNow(), deposit: ch.deposit });
    if (ch.node === "0x0000000000000000000000000000000000000000") return refuse(`no channel ${id}`, base());
    if (!isAddressEqual(ch.node, this.node)) return refuse(`channel ${id} pays node ${ch.node}, not this node (${this.node})`, base());
    if (ch.modelId !== p.model.modelId) return refuse(`channel ${id} is for model ${ch.modelId}, not model ${p.model.modelId}`, base());
    if (ch.settled || ch.closesAt !== 0) return refuse(`channel ${id} is closing or settled`, base());
    const signed = (await verifyVoucher(voucher, ch.signer, this.o.target).catch(() => false)) || (await verifyVoucherOnChain(this.o.client, voucher, ch.signer, this.o.target).catch(() => false));
    if (!signed) return refuse(`the voucher is not signed by channel ${id}'s signer ${ch.signer}`, base());
    const inFlightNow = () => this.inFlight.get(id) ?? { count: 0, amount: 0n };
    if (ch.deposit < meteredNow() + inFlightNow().amount + maxPrice) ch = await this.o.channels.refresh(id); // a top-up may not have been seen yet
    if (ch.settled || ch.closesAt !== 0) return refuse(`channel ${id} is closing or settled`, base());
    // from here on no await: what is metered and in flight cannot change under these checks
    const metered = meteredNow();
    if (voucher.cumulativeAmount < metered) {
      return refuse(`the voucher (${voucher.cumulativeAmount}) does not cover what was metered on channel ${id} (${metered})`, { ...base(), receipts: this.o.journal.unacknowledged(id, voucher.cumulativeAmount) });
    }
    const flight = inFlightNow();
    if (flight.count >= (this.o.maxInFlightPerChannel ?? 1)) throw overloaded(`channel ${id} already has ${flight.count} request(s) in flight`, 1);
    if (ch.deposit < metered + flight.amount + maxPrice) {
      return refuse(`channel ${id}'s deposit ${ch.deposit} does not cover metered ${metered} + in flight ${flight.amount} + this request's maximum ${maxPrice}`, { ...base(), inFlight: flight.amount });
    }
    flight.count++;
    flight.amount += maxPrice;
    this.inFlight.set(id, flight);
    void this.o.journal.recordVoucher(voucher).catch(() => undefined); // durable with the next group commit; the client resends it anyway
    let released = false;
    return {
      channelId: id,
      voucher,
      model: p.model,
      maxPrice,
      release: () => {
        if (released) return;
        released = true;
        const f = this.inFlight.get(id);
        if (!f) return;
        f.count--;
        f.amount -= maxPrice;
        if (f.count === 0) this.inFlight.delete(id);
      },
    };
  }

  /**
   * Meters a completed (or cancelled) response: under the channel's lock, the next `seq` and the cumulative amount,
   * signed and journaled durably. Resolves with the receipt to send.
   */
  settle(a: Admission, usage: { tokensIn: number; tokensOut: number; transcript: Transcript; requestHash: `0x${string}` }): Promise<ServedReceipt> {
    const price = priceOf(usage.tokensIn, usage.tokensOut, a.model.pricePer1k);
    if (price > a.maxPrice) return Promise.reject(new ServeError(500, `metered ${price} above the admitted maximum ${a.maxPrice}`, "server_error"));
    let durable!: Promise<unknown>;
    const signedReceipt = this.withLock(a.channelId, async () => {
      const last = this.o.journal.lastReceipt(a.channelId);
      const receipt = {
        channelId: a.channelId,
        seq: (last?.seq ?? 0n) + 1n,
        modelId: a.model.modelId,
        adapterDigest: a.model.adapterDigest,
        tokensIn: usage.tokensIn,
        tokensOut: usage.tokensOut,
        cumulativeAmount: (last?.cumulativeAmount ?? 0n) + price,
        requestHash: usage.requestHash,
      };
      const signed = await signUsageReceipt(this.o.node, receipt, this.o.target);
      const served: ServedReceipt = { ...signed, digest: usageReceiptDigest(receipt, this.o.target), node: this.node };
      durable = this.o.journal.appendReceipt(served, usage.transcript); // indexed now: the next seq follows it
      return served;
    });
    return signedReceipt.then(async (r) => {
      await durable;
      return r;
    });
  }

  private withLock<T>(id: bigint, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(id) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.locks.set(id, tail);
    void tail.then(() => {
      if (this.locks.get(id) === tail) this.locks.delete(id);
    });
    return next;
  }

  /** In-flight requests and amounts per channel (metrics). */
  inFlightTotal(): { count: number; amount: bigint } {
    let count = 0;
    let amount = 0n;
    for (const f of this.inFlight.values()) {
      count += f.count;
      amount += f.amount;
    }
    return { count, amount };
  }
}
