// SPDX-License-Identifier: MIT
/** StakingRegistry: operators, stakes and delegations, unbonding, rewards, slashes, jail, staked votes, parameters. */
import { ponder, type Context } from "ponder:registry";
import { account, delegation, operator, parameter, slash, withdrawal } from "ponder:schema";
import { hexToString, type Hex } from "viem";

const ROLES = ["None", "Agent", "Node", "Validator"];
type Ctx = Context<"StakingRegistry:Delegated">;

async function setParameter(context: Ctx, contract: Hex, name: string, value: string, block: bigint) {
  await context.db
    .insert(parameter)
    .values({ id: `${contract}:${name}`, contract, name, value, updatedBlock: block })
    .onConflictDoUpdate({ value, updatedBlock: block });
}

/** A bytes32 parameter key as text when it is a short string, else hex. */
function keyName(key: Hex): string {
  try {
    const s = hexToString(key, { size: 32 }).replace(/\0+$/, "");
    return /^[\x20-\x7e]+$/.test(s) ? s : key;
  } catch {
    return key;
  }
}

ponder.on("StakingRegistry:OperatorRegistered", async ({ event, context }) => {
  await context.db.insert(operator).values({
    address: event.args.operator,
    role: ROLES[event.args.role] ?? String(event.args.role),
    metadataURI: event.args.metadataURI,
    selfStake: 0n,
    delegatedStake: 0n,
    commissionBps: 0,
    commissionEffectiveAt: null,
    jailedUntil: null,
    slashedTotal: 0n,
    rewardsNotified: 0n,
    registeredBlock: event.block.number,
  });
});

ponder.on("StakingRegistry:OperatorMetadataUpdated", async ({ event, context }) => {
  await context.db.update(operator, { address: event.args.operator }).set({ metadataURI: event.args.metadataURI });
});

ponder.on("StakingRegistry:CommissionChangeScheduled", async ({ event, context }) => {
  await context.db
    .update(operator, { address: event.args.operator })
    .set({ commissionBps: event.args.commissionBps, commissionEffectiveAt: BigInt(event.args.effectiveAt) });
});

ponder.on("StakingRegistry:Delegated", async ({ event, context }) => {
  const { delegator, operator: op, amount, shares } = event.args;
  const self = delegator.toLowerCase() === op.toLowerCase();
  await context.db
    .insert(delegation)
    .values({
      id: `${delegator}:${op}`,
      delegator,
      operator: op,
      self,
      amount,
      shares,
      unbonding: 0n,
      rewardsClaimed: 0n,
      updatedBlock: event.block.number,
    })
    .onConflictDoUpdate((row) => ({ amount: row.amount + amount, shares: row.shares + shares, updatedBlock: event.block.number }));
  await context.db
    .update(operator, { address: op })
    .set((row) => (self ? { selfStake: row.selfStake + amount } : { delegatedStake: row.delegatedStake + amount }));
});

ponder.on("StakingRegistry:UnbondRequested", async ({ event, context }) => {
  const { withdrawalId, delegator, operator: op, amount, activeShares, readyAt } = event.args;
  const self = delegator.toLowerCase() === op.toLowerCase();
  await context.db.insert(withdrawal).values({
    id: withdrawalId,
    delegator,
    operator: op,
    amount,
    readyAt: BigInt(readyAt),
    withdrawn: false,
    requestedBlock: event.block.number,
  });
  await context.db.update(delegation, { id: `${delegator}:${op}` }).set((row) => ({
    amount: row.amount > amount ? row.amount - amount : 0n,
    shares: row.shares > activeShares ? row.shares - activeShares : 0n,
    unbonding: row.unbonding + amount,
    updatedBlock: event.block.number,
  }));
  await context.db.update(operator, { address: op }).set((row) =>
    self
      ? { selfStake: row.selfStake > amount ? row.selfStake - amount : 0n }
      : { delegatedStake: row.delegatedStake > amount ? row.delegatedStake - amount : 0n },
  );
});

ponder.on("StakingRegistry:Withdrawn", async ({ event, context }) => {
  const { withdrawalId, delegator, operator: op, amount } = event.args;
  await context.db.update(withdrawal, { id: withdrawalId }).set({ withdrawn: true });
  await context.db
    .update(delegation, { id: `${delegator}:${op}` })
    .set((row) => ({ unbonding: row.unbonding > amount ? row.unbonding - amount : 0n, updatedBlock: event.block.number }));
});

ponder.on("StakingRegistry:RewardNotified", async ({ event, context }) => {
  await context.db
    .update(operator, { address: event.args.operator })
    .set((row) => ({ rewardsNotified: row.rewardsNotified + event.args.amount }));
});

ponder.on("StakingRegistry:RewardsClaimed", async ({ event, context }) => {
  const { delegator, operator: op, amount } = event.args;
  await context.db
    .insert(delegation)
    .values({
      id: `${delegator}:${op}`,
      delegator,
      operator: op,
      self: delegator.toLowerCase() === op.toLowerCase(),
      amount: 0n,
      shares: 0n,
      unbonding: 0n,
      rewardsClaimed: amount,
      updatedBlock: event.block.number,
    })
    .onConflictDoUpdate((row) => ({ rewardsClaimed: row.rewardsClaimed + amount }));
});

ponder.on("StakingRegistry:StakedVotesChanged", async ({ event, context }) => {
  await context.db
    .insert(account)
    .values({
      address: event.args.account,
      balance: 0n,
      delegate: null,
      votes: 0n,
      stakedVotes: event.args.newVotes,
      updatedBlock: event.block.number,
    })
    .onConflictDoUpdate({ stakedVotes: event.args.newVotes, updatedBlock: event.block.number });
});

ponder.on("StakingRegistry:SlashProposed", async ({ event, context }) => {
  const a = event.args;
  await context.db.insert(slash).values({
    id: `proposal:${a.slashId}`,
    slashId: a.slashId,
    operator: a.operator,
    bps: a.bps,
    status: "proposed",
    evidence: a.evidence,
    faultId: null,
    harmedParty: a.harmedParty,
    vetoEndsAt: BigInt(a.vetoEndsAt),
    amount: null,
    toTreasury: null,
    toRecipient: null,
    updatedBlock: event.block.number,
  });
});

ponder.on("StakingRegistry:SlashVetoed", async ({ event, context }) => {
  await context.db.update(slash, { id: `proposal:${event.args.slashId}` }).set({ status: "vetoed", updatedBlock: event.block.number });
});

ponder.on("StakingRegistry:SlashExpired", async ({ event, context }) => {
  await context.db.update(slash, { id: `proposal:${event.args.slashId}` }).set({ status: "expired", updatedBlock: event.block.number });
});

ponder.on("StakingRegistry:Slashed", async ({ event, context }) => {
  const a = event.args;
  const values = {
    amount: a.amount,
    toTreasury: a.toTreasury,
    toRecipient: a.toRecipient,
    status: "executed",
    updatedBlock: event.block.number,
  };
  if (a.slashId !== 0n) {
    await context.db.update(slash, { id: `proposal:${a.slashId}` }).set(values);
  } else {
    await context.db.insert(slash).values({
      id: `objective:${a.faultId}`,
      slashId: 0n,
      operator: a.operator,
      bps: a.bps,
      evidence: null,
      faultId: a.faultId,
      harmedParty: a.recipient,
      vetoEndsAt: null,
      ...values,
    });
  }
  await context.db.update(operator, { address: a.operator }).set((row) => ({ slashedTotal: row.slashedTotal + a.amount }));
});

ponder.on("StakingRegistry:OperatorJailed", async ({ event, context }) => {
  await context.db.update(operator, { address: event.args.operator }).set({ jailedUntil: BigInt(event.args.jailedUntil) });
});

ponder.on("StakingRegistry:OperatorUnjailed", async ({ event, context }) => {
  await context.db.update(operator, { address: event.args.operator }).set({ jailedUntil: null });
});

ponder.on("StakingRegistry:ParameterSet", async ({ event, context }) => {
  await setParameter(context, event.log.address, keyName(event.args.parameter), event.args.value.toString(), event.block.number);
});

ponder.on("StakingRegistry:AddressSet", async ({ event, context }) => {
  const name = keyName(event.args.parameter);
  await setParameter(context, event.log.address, name, event.args.value, event.block.number);
  // (Re-)appointing the security council re-arms its one pause.
  if (name === "securityCouncil") await setParameter(context, event.log.address, "pauseSpent", "false", event.block.number);
});

/** The security council's pause: paused while the block time is below `pausedUntil` (a unix time, seconds). */
ponder.on("StakingRegistry:Paused", async ({ event, context }) => {
  const contract = event.log.address;
  await setParameter(context, contract, "pausedUntil", event.args.until.toString(), event.block.number);
  await setParameter(context, contract, "pausedBy", event.args.by, event.block.number);
  await setParameter(context, contract, "pauseSpent", "true", event.block.number);
});

/** An early unpause: the pause ends at this block's time. */
ponder.on("StakingRegistry:Unpaused", async ({ event, context }) => {
  const contract = event.log.address;
  await setParameter(context, contract, "pausedUntil", event.block.timestamp.toString(), event.block.number);
  await setParameter(context, contract, "unpausedBy", event.args.by, event.block.number);
});

ponder.on("StakingRegistry:MinStakeSet", async ({ event, context }) => {
  const role = ROLES[event.args.role] ?? String(event.args.role);
  await setParameter(context, event.log.address, `minStake.${role}`, event.args.amount.toString(), event.block.number);
});

ponder.on("StakingRegistry:RewardSourceSet", async ({ event, context }) => {
  await setParameter(context, event.log.address, `rewardSource.${event.args.source}`, String(event.args.allowed), event.block.number);
});
