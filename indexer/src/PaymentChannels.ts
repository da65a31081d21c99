// SPDX-License-Identifier: MIT
/** PaymentChannels: channels, voucher redemptions and their splits, model pools, receipt announcements, parameters. */
import { ponder } from "ponder:registry";
import { channel, modelPool, parameter, receiptAnnouncement, redemption } from "ponder:schema";
import { cidFromDigest } from "../../sdk/content/cid.ts";

ponder.on("PaymentChannels:ChannelOpened", async ({ event, context }) => {
  const a = event.args;
  await context.db.insert(channel).values({
    id: a.channelId,
    payer: a.payer,
    node: a.node,
    modelId: a.modelId,
    signer: a.signer,
    deposit: a.deposit,
    redeemed: 0n,
    status: "open",
    closesAt: null,
    refund: null,
    openedBlock: event.block.number,
  });
});

ponder.on("PaymentChannels:ChannelToppedUp", async ({ event, context }) => {
  await context.db.update(channel, { id: event.args.channelId }).set({ deposit: event.args.deposit });
});

ponder.on("PaymentChannels:ChannelCloseRequested", async ({ event, context }) => {
  await context.db.update(channel, { id: event.args.channelId }).set({ status: "closing", closesAt: event.args.closesAt });
});

ponder.on("PaymentChannels:ChannelSettled", async ({ event, context }) => {
  await context.db.update(channel, { id: event.args.channelId }).set({ status: "settled", refund: event.args.refund });
});

ponder.on("PaymentChannels:VoucherRedeemed", async ({ event, context }) => {
  const a = event.args;
  await context.db.insert(redemption).values({
    id: event.id,
    channelId: a.channelId,
    node: a.node,
    modelId: a.modelId,
    amount: a.amount,
    redeemed: a.redeemed,
    owner: a.owner,
    treasuryPart: a.split.treasuryPart,
    nodePart: a.split.nodePart,
    ownerPart: a.split.ownerPart,
    poolPart: a.split.poolPart,
    blockNumber: event.block.number,
    timestamp: event.block.timestamp,
  });
  await context.db.update(channel, { id: a.channelId }).set({ redeemed: a.redeemed });
  await context.db
    .insert(modelPool)
    .values({ modelId: a.modelId, accrued: a.split.poolPart, flushed: 0n, funded: 0n })
    .onConflictDoUpdate((row) => ({ accrued: row.accrued + a.split.poolPart }));
});

ponder.on("PaymentChannels:PoolFlushed", async ({ event, context }) => {
  await context.db
    .insert(modelPool)
    .values({ modelId: event.args.modelId, accrued: 0n, flushed: event.args.amount, funded: 0n })
    .onConflictDoUpdate((row) => ({ flushed: row.flushed + event.args.amount }));
});

ponder.on("PaymentChannels:SplitSet", async ({ event, context }) => {
  for (const [name, value] of [
    ["treasuryBps", event.args.treasuryBps],
    ["nodeBps", event.args.nodeBps],
  ] as const) {
    await context.db
      .insert(parameter)
      .values({ id: `${event.log.address}:${name}`, contract: event.log.address, name, value: value.toString(), updatedBlock: event.block.number })
      .onConflictDoUpdate({ value: value.toString(), updatedBlock: event.block.number });
  }
});

ponder.on("PaymentChannels:NoticePeriodSet", async ({ event, context }) => {
  const value = event.args.noticePeriod.toString();
  await context.db
    .insert(parameter)
    .values({ id: `${event.log.address}:noticePeriod`, contract: event.log.address, name: "noticePeriod", value, updatedBlock: event.block.number })
    .onConflictDoUpdate({ value, updatedBlock: event.block.number });
});

ponder.on("PaymentChannels:ReceiptsAnnounced", async ({ event, context }) => {
  const { node, epoch, digest } = event.args;
  // The contract refuses a second announcement for (node, epoch): the id never collides on a canonical chain.
  await context.db.insert(receiptAnnouncement).values({
    id: `${node.toLowerCase()}:${epoch}`,
    node,
    epoch,
    digest,
    cid: cidFromDigest(digest),
    blockNumber: event.block.number,
    timestamp: event.block.timestamp,
    txHash: event.transaction.hash,
  });
});
