// SPDX-License-Identifier: MIT
/** RewardsDistributor: pool funding, posters and bonds, payout roots (epochs), disputes, claims, parameters. */
import { and, eq, lt } from "ponder";
import { ponder, type Context } from "ponder:registry";
import { claim, dispute, modelPool, parameter, payoutRoot, poster } from "ponder:schema";
import type { Hex } from "viem";

type Ctx = Context<"RewardsDistributor:RootFinalized">;

async function setParameter(context: Ctx, contract: Hex, name: string, value: string, block: bigint) {
  await context.db
    .insert(parameter)
    .values({ id: `${contract}:${name}`, contract, name, value, updatedBlock: block })
    .onConflictDoUpdate({ value, updatedBlock: block });
}

ponder.on("RewardsDistributor:PoolFunded", async ({ event, context }) => {
  await context.db
    .insert(modelPool)
    .values({ modelId: event.args.modelId, accrued: 0n, flushed: 0n, funded: event.args.amount })
    .onConflictDoUpdate((row) => ({ funded: row.funded + event.args.amount }));
});

ponder.on("RewardsDistributor:PosterSet", async ({ event, context }) => {
  const { poster: p, posterId, allowed } = event.args;
  await context.db
    .insert(poster)
    .values({ address: p, posterId, allowed, freeBond: 0n })
    .onConflictDoUpdate({ posterId, allowed });
});

ponder.on("RewardsDistributor:BondDeposited", async ({ event, context }) => {
  const { poster: p, free } = event.args;
  await context.db.insert(poster).values({ address: p, posterId: 0, allowed: false, freeBond: free }).onConflictDoUpdate({ freeBond: free });
});

ponder.on("RewardsDistributor:BondWithdrawn", async ({ event, context }) => {
  await context.db.update(poster, { address: event.args.poster }).set({ freeBond: event.args.free });
});

ponder.on("RewardsDistributor:RootPosted", async ({ event, context }) => {
  const a = event.args;
  await context.db.insert(payoutRoot).values({
    index: a.index,
    epoch: a.epoch,
    poster: a.poster,
    root: a.root,
    total: a.total,
    totalMerit: a.totalMerit,
    epochEnd: a.epochEnd,
    finalAt: a.finalAt,
    bond: a.bond,
    inputsCid: a.inputsCid,
    status: "pending",
    postedBlock: event.block.number,
  });
  await context.db.update(poster, { address: a.poster }).set((row) => ({ freeBond: row.freeBond - a.bond }));
});

ponder.on("RewardsDistributor:RootFinalized", async ({ event, context }) => {
  const row = await context.db.update(payoutRoot, { index: event.args.index }).set({ status: "final" });
  // Finality returns the root's bond to its poster's free bond (no separate event).
  await context.db.update(poster, { address: row.poster }).set((p) => ({ freeBond: p.freeBond + row.bond }));
  // Every earlier root still pending is superseded (roots are cumulative).
  await context.db.sql
    .update(payoutRoot)
    .set({ status: "superseded" })
    .where(and(lt(payoutRoot.index, event.args.index), eq(payoutRoot.status, "pending")));
});

ponder.on("RewardsDistributor:RootDisputed", async ({ event, context }) => {
  const a = event.args;
  await context.db.update(payoutRoot, { index: a.index }).set({ status: "disputed" });
  await context.db.insert(dispute).values({
    index: a.index,
    disputer: a.disputer,
    bond: a.bond,
    reason: a.reason,
    resolved: false,
    posterWins: null,
    slashed: null,
    toWinner: null,
    blockNumber: event.block.number,
  });
});

ponder.on("RewardsDistributor:DisputeResolved", async ({ event, context }) => {
  const a = event.args;
  await context.db.update(dispute, { index: a.index }).set({ resolved: true, posterWins: a.posterWins, slashed: a.slashed, toWinner: a.toWinner });
  // A kept root is final (or superseded: RootFinalized says which); a lost one is rejected.
  if (!a.posterWins) await context.db.update(payoutRoot, { index: a.index }).set({ status: "rejected" });
});

ponder.on("RewardsDistributor:BondReleased", async ({ event, context }) => {
  await context.db.update(poster, { address: event.args.poster }).set((row) => ({ freeBond: row.freeBond + event.args.bond }));
});

ponder.on("RewardsDistributor:Claimed", async ({ event, context }) => {
  const a = event.args;
  await context.db.insert(claim).values({
    id: event.id,
    account: a.account,
    recipient: a.recipient,
    amount: a.amount,
    cumulativeAmount: a.cumulativeAmount,
    blockNumber: event.block.number,
  });
});

ponder.on("RewardsDistributor:ChallengeWindowSet", async ({ event, context }) => {
  await setParameter(context, event.log.address, "challengeWindow", event.args.challengeWindow.toString(), event.block.number);
});

ponder.on("RewardsDistributor:BondsSet", async ({ event, context }) => {
  const b = event.block.number;
  await setParameter(context, event.log.address, "posterBond", event.args.posterBond.toString(), b);
  await setParameter(context, event.log.address, "disputeBond", event.args.disputeBond.toString(), b);
  await setParameter(context, event.log.address, "winnerShareBps", event.args.winnerShareBps.toString(), b);
});

ponder.on("RewardsDistributor:SweepParametersSet", async ({ event, context }) => {
  await setParameter(context, event.log.address, "sweepNotice", event.args.sweepNotice.toString(), event.block.number);
  await setParameter(context, event.log.address, "minSweepAge", event.args.minSweepAge.toString(), event.block.number);
});

ponder.on("RewardsDistributor:ResolverSet", async ({ event, context }) => {
  await setParameter(context, event.log.address, "resolver", event.args.resolver, event.block.number);
});
