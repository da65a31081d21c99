// SPDX-License-Identifier: MIT
/**
 * PaymentChannels state as the node sees it: each channel read on-chain once, cached, and re-read when one of its
 * events (top-up, close request, settlement, redemption) appears, so the gate never serves against a stale deposit
 * or a channel in its notice period for longer than one polling interval.
 */
import type { Address, PublicClient } from "viem";
import { paymentChannelsAbi } from "../../../sdk/abi/index.ts";

export interface ChannelState {
  node: Address;
  modelId: bigint;
  signer: Address;
  closesAt: number;
  settled: boolean;
  deposit: bigint;
  redeemed: bigint;
  payer: Address;
}

const REFRESH_EVENTS = new Set(["ChannelToppedUp", "ChannelCloseRequested", "ChannelSettled", "VoucherRedeemed", "ChannelOpened"]);

export class ChannelCache {
  private readonly cache = new Map<bigint, Promise<ChannelState>>();
  private unwatch: (() => void) | undefined;
  /** Chain reads performed (for tests and metrics). */
  reads = 0;

  constructor(
    private readonly client: PublicClient,
    readonly address: Address,
    pollingIntervalMs = 500,
  ) {
    this.unwatch = client.watchContractEvent({
      address,
      abi: paymentChannelsAbi,
      poll: true,
      pollingInterval: pollingIntervalMs,
      onLogs: (logs) => {
        for (const log of logs) {
          const args = (log as { args?: { channelId?: bigint } }).args;
          if (log.eventName && REFRESH_EVENTS.has(log.eventName) && args?.channelId !== undefined && this.cache.has(args.channelId)) {
            this.cache.set(args.channelId, this.read(args.channelId));
          }
        }
      },
      onError: () => undefined,
    });
  }

  private async read(id: bigint): Promise<ChannelState> {
    this.reads++;
    const c = await this.client.readContract({ address: this.address, abi: paymentChannelsAbi, functionName: "channel", args: [id] });
    return { node: c.node, modelId: BigInt(c.modelId), signer: c.signer, closesAt: Number(c.closesAt), settled: c.settled, deposit: c.deposit, redeemed: c.redeemed, payer: c.payer };
  }

  /** The channel (cached); an unknown id reads as a zero node. A failed read is not cached. */
  async get(id: bigint): Promise<ChannelState> {
    let p = this.cache.get(id);
    if (!p) {
      p = this.read(id);
      this.cache.set(id, p);
      p.catch(() => this.cache.delete(id));
    }
    const c = await p;
    if (c.node === "0x0000000000000000000000000000000000000000") this.cache.delete(id); // may be opened later
    return c;
  }

  /** Forces a re-read (e.g. when a voucher exceeds the cached deposit: a top-up may not have been seen yet). */
  refresh(id: bigint): Promise<ChannelState> {
    const p = this.read(id);
    this.cache.set(id, p);
    p.catch(() => this.cache.delete(id));
    return p;
  }

  close(): void {
    this.unwatch?.();
    this.unwatch = undefined;
  }
}
