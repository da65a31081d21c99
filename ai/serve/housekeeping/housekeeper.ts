// SPDX-License-Identifier: MIT
/**
 * The node's housekeeper, one loop of three duties (each tick, and at once when a payer asks to close a channel):
 * 1. redeem the latest vouchers in `redeemMany` batches when worth the gas, and always before a closing channel's
 *    notice ends;
 * 2. flush the node's pending reward to the staking registry (commission to the operator, the rest to delegators);
 * 3. after each epoch's end, before end + grace: publish the epoch's receipts and transcripts to the content store and
 *    announce the index's digest (`announceReceipts`), each step journaled (`state.ts`) so that a crash neither loses
 *    nor doubles an announcement.
 */
import type { Logger } from "pino";
import { BaseError, isAddressEqual, type Address, type Hash } from "viem";
import { paymentChannelsAbi } from "../../../sdk/abi/index.ts";
import { contractAddress } from "../../../sdk/addresses/index.ts";
import { flushNodeReward, redeemVouchers, walletOf, type LineageContext } from "../../../sdk/client/index.ts";
import type { ContentStore } from "../../../sdk/content/index.ts";
import type { SignedVoucherLike } from "../../../sdk/serving/index.ts";
import type { ReceiptLog } from "../journal/types.ts";
import { housekeepingConfigSchema, type HousekeepingConfig, type HousekeepingConfigInput } from "./config.ts";
import { epochBounds, lastEndedEpoch } from "./epochs.ts";
import { publishEpoch } from "./publish.ts";
import { planRedemptions, type ChannelSnapshot } from "./redeem.ts";
import { HousekeepingState, type EpochRecord } from "./state.ts";

export interface HousekeeperOptions {
  /** Chain access with the node's wallet (the node key: receipts' signer and the channels' `node`). */
  ctx: LineageContext;
  /** The node's receipt journal. */
  log: ReceiptLog;
  /** Where epochs' receipts and transcripts are published. */
  store: ContentStore;
  /** The housekeeper's own journal file (announcement steps). */
  statePath: string;
  config: HousekeepingConfigInput;
  logger?: Logger;
  /** Node clock in ms (default `Date.now`). */
  now?: () => number;
}

export interface TickReport {
  redeemed: bigint;
  redeemedChannels: bigint[];
  urgent: bigint[];
  deferred: bigint;
  flushed: bigint;
  announced: { epoch: number; digest: Hash; count: number }[];
  skipped: { epoch: number; reason: string }[];
  /** Duties that failed this tick (each is retried next tick). */
  errors: { duty: string; message: string }[];
}

export interface Housekeeper {
  /** One pass of every duty (ticks never overlap). */
  tick(): Promise<TickReport>;
  /** Runs `tick` every `intervalMs`, and when a channel of this node starts closing. */
  start(): void;
  stop(): Promise<void>;
  readonly config: HousekeepingConfig;
  readonly state: HousekeepingState;
}

export async function createHousekeeper(opts: HousekeeperOptions): Promise<Housekeeper> {
  const config = housekeepingConfigSchema.parse(opts.config);
  const state = await HousekeepingState.load(opts.statePath);
  const { ctx, log, store } = opts;
  const self = walletOf(ctx, "housekeeping").account.address;
  const channelsAddr = contractAddress(ctx.deployment, "PaymentChannels");
  const chainNowMs = () => (opts.now ?? Date.now)() + config.clockOffsetMs;
  const logger = opts.logger;

  const readChannels = async (ids: bigint[]): Promise<Map<bigint, ChannelSnapshot>> => {
    const out = new Map<bigint, ChannelSnapshot>();
    for (const id of ids) {
      const c = await ctx.publicClient.readContract({ address: channelsAddr, abi: paymentChannelsAbi, functionName: "channel", args: [id] });
      out.set(id, { node: c.node, deposit: c.deposit, redeemed: c.redeemed, closesAt: Number(c.closesAt), settled: c.settled });
    }
    return out;
  };

  /** Sends one batch; if the batch would revert, redeems one by one and drops the failing vouchers. */
  const sendBatch = async (batch: SignedVoucherLike[]): Promise<{ total: bigint; ids: bigint[] }> => {
    try {
      const r = await redeemVouchers(ctx, { vouchers: batch });
      return { total: r.total, ids: r.redeemed.map((x) => x.channelId) };
    } catch (e) {
      if (batch.length === 1) {
        logger?.warn({ channelId: batch[0]!.channelId.toString(), err: String(e) }, "housekeeping: voucher not redeemable");
        return { total: 0n, ids: [] };
      }
      let total = 0n;
      const ids: bigint[] = [];
      for (const v of batch) {
        const r = await sendBatch([v]);
        total += r.total;
        ids.push(...r.ids);
      }
      return { total, ids };
    }
  };

  const redeem = async (report: TickReport) => {
    const vouchers = await log.vouchers();
    if (vouchers.length === 0) return;
    const snapshots = await readChannels([...new Set(vouchers.map((v) => v.channelId))]);
    const plan = planRedemptions(vouchers, snapshots, self, Math.floor(chainNowMs() / 1000), config);
    report.urgent = plan.urgent;
    report.deferred = plan.deferred;
    for (const batch of plan.batches) {
      const r = await sendBatch(batch);
      report.redeemed += r.total;
      report.redeemedChannels.push(...r.ids);
    }
    if (plan.batches.length > 0) logger?.info({ redeemed: report.redeemed.toString(), urgent: plan.urgent.map(String) }, "housekeeping: redeemed vouchers");
  };

  const flush = async (report: TickReport) => {
    const pending = await ctx.publicClient.readContract({ address: channelsAddr, abi: paymentChannelsAbi, functionName: "pendingNodeReward", args: [self] });
    if (pending === 0n || pending < config.flushThreshold) return;
    report.flushed = (await flushNodeReward(ctx, { node: self })).amount;
    logger?.info({ flushed: report.flushed.toString() }, "housekeeping: flushed node reward");
  };

  const onChainAnnouncement = (epoch: number) =>
    ctx.publicClient.readContract({ address: channelsAddr, abi: paymentChannelsAbi, functionName: "announcement", args: [self, BigInt(epoch)] });

  /** Sends the announcement, journaling the transaction hash before waiting for it. */
  const send = async (rec: Extract<EpochRecord, { phase: "published" }>): Promise<Hash> => {
    const wallet = walletOf(ctx, "announceReceipts");
    const { request } = await ctx.publicClient.simulateContract({
      address: channelsAddr,
      abi: paymentChannelsAbi,
      functionName: "announceReceipts",
      args: [BigInt(rec.epoch), rec.digest],
      account: wallet.account,
    });
    const hash = await wallet.writeContract(request as never);
    await state.set({ ...rec, phase: "sent", txHash: hash });
    return hash;
  };

  const announceEpoch = async (epoch: number, report: TickReport) => {
    const { start, end } = epochBounds(config.epoch, epoch);
    const nowS = chainNowMs() / 1000;
    let rec = state.get(epoch);
    if (rec && (rec.phase === "announced" || rec.phase === "empty" || rec.phase === "skipped")) return;
    if (!rec) {
      const entries = await log.between(start * 1000 - config.clockOffsetMs, end * 1000 - config.clockOffsetMs);
      if (entries.length === 0) {
        await state.set({ phase: "empty", epoch });
        return;
      }
      const { digest } = await publishEpoch(log, store, entries, {
        chainId: ctx.deployment.chainId,
        paymentChannels: channelsAddr,
        node: self,
        epoch,
        start,
        end,
      });
      rec = { phase: "published", epoch, digest, count: entries.length };
      await state.set(rec);
    }
    if (rec.phase === "sent") {
      // Resume: wait for the transaction this node already sent (a dropped one leaves the chain without it).
      await ctx.publicClient.waitForTransactionReceipt({ hash: rec.txHash, timeout: 60_000 }).catch(() => undefined);
    }
    if (rec.phase !== "published" && rec.phase !== "sent") return;
    const onChain = await onChainAnnouncement(epoch);
    if (onChain.toLowerCase() === rec.digest.toLowerCase()) {
      await state.set({ phase: "announced", epoch, digest: rec.digest, count: rec.count, txHash: rec.phase === "sent" ? rec.txHash : undefined });
      report.announced.push({ epoch, digest: rec.digest, count: rec.count });
      return;
    }
    if (!/^0x0{64}$/.test(onChain)) {
      const reason = `already announced with ${onChain}`;
      await state.set({ phase: "skipped", epoch, reason });
      report.skipped.push({ epoch, reason });
      return;
    }
    if (nowS > end + config.epoch.grace) {
      const reason = "grace period over before the announcement";
      await state.set({ phase: "skipped", epoch, reason });
      report.skipped.push({ epoch, reason });
      logger?.warn({ epoch }, `housekeeping: ${reason}`);
      return;
    }
    const hash = await send({ phase: "published", epoch, digest: rec.digest, count: rec.count });
    const receipt = await ctx.publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`announceReceipts(${epoch}) reverted in ${hash}`);
    await state.set({ phase: "announced", epoch, digest: rec.digest, count: rec.count, txHash: hash });
    report.announced.push({ epoch, digest: rec.digest, count: rec.count });
    logger?.info({ epoch, digest: rec.digest, count: rec.count }, "housekeeping: announced receipts");
  };

  const announce = async (report: TickReport) => {
    const nowS = Math.floor(chainNowMs() / 1000);
    const last = lastEndedEpoch(config.epoch, nowS);
    const { genesis, length, grace } = config.epoch;
    // Epochs whose grace has not run out, and any epoch left half-done by a crash.
    const open = Math.ceil((nowS - grace - genesis) / length);
    const pending = state.all().filter((r) => r.phase === "published" || r.phase === "sent").map((r) => r.epoch);
    const epochs = new Set<number>(pending);
    for (let e = Math.max(config.firstEpoch, open, 1); e <= last; e++) epochs.add(e);
    for (const e of [...epochs].sort((a, b) => a - b)) await announceEpoch(e, report);
  };

  let running: Promise<TickReport> | undefined;
  const tick = (): Promise<TickReport> => {
    const run = async (): Promise<TickReport> => {
      const report: TickReport = { redeemed: 0n, redeemedChannels: [], urgent: [], deferred: 0n, flushed: 0n, announced: [], skipped: [], errors: [] };
      for (const [name, duty] of [
        ["redeem", redeem],
        ["flush", flush],
        ["announce", announce],
      ] as const) {
        try {
          await duty(report);
        } catch (e) {
          const message = e instanceof BaseError ? e.shortMessage : e instanceof Error ? e.message : String(e);
          report.errors.push({ duty: name, message });
          logger?.error({ err: message }, `housekeeping: ${name} failed`);
        }
      }
      return report;
    };
    running = (running ?? Promise.resolve(undefined as unknown as TickReport)).catch(() => undefined).then(run);
    return running;
  };

  let timer: NodeJS.Timeout | undefined;
  let unwatch: (() => void) | undefined;
  let stopped = false;
  return {
    config,
    state,
    tick,
    start() {
      const loop = () => {
        if (stopped) return;
        void tick()
          .catch(() => undefined)
          .finally(() => {
            if (!stopped) timer = setTimeout(loop, config.intervalMs);
          });
      };
      loop();
      unwatch = ctx.publicClient.watchContractEvent({
        address: channelsAddr,
        abi: paymentChannelsAbi,
        eventName: "ChannelCloseRequested",
        onLogs: async (logs) => {
          const mine = await readChannels(logs.map((l) => l.args.channelId!).filter((x) => x !== undefined));
          if ([...mine.values()].some((c) => isAddressEqual(c.node, self as Address))) void tick().catch(() => undefined);
        },
      });
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      unwatch?.();
      await running?.catch(() => undefined);
    },
  };
}
