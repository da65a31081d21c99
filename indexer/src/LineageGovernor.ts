// SPDX-License-Identifier: MIT
/** LineageGovernor: proposals, their tallies and states, votes (with or without a merit proof), merit parameters. */
import { ponder, type Context } from "ponder:registry";
import { parameter, proposal, vote } from "ponder:schema";
import type { Hex } from "viem";

type VoteArgs = { voter: Hex; proposalId: bigint; support: number; weight: bigint; reason: string };

async function recordVote(
  context: Context<"LineageGovernor:VoteCast">,
  id: string,
  a: VoteArgs,
  withMerit: boolean,
  block: bigint,
) {
  await context.db.insert(vote).values({
    id,
    proposalId: a.proposalId,
    voter: a.voter,
    support: a.support,
    weight: a.weight,
    reason: a.reason,
    withMerit,
    blockNumber: block,
  });
  await context.db.update(proposal, { id: a.proposalId }).set((row) =>
    a.support === 0
      ? { againstVotes: row.againstVotes + a.weight }
      : a.support === 1
        ? { forVotes: row.forVotes + a.weight }
        : { abstainVotes: row.abstainVotes + a.weight },
  );
}

ponder.on("LineageGovernor:ProposalCreated", async ({ event, context }) => {
  const a = event.args;
  await context.db.insert(proposal).values({
    id: a.proposalId,
    proposer: a.proposer,
    description: a.description,
    targets: a.targets.map((t, i) => ({ target: t, value: (a.values[i] ?? 0n).toString(), calldata: a.calldatas[i] ?? "0x" })),
    voteStart: a.voteStart,
    voteEnd: a.voteEnd,
    status: "created",
    forVotes: 0n,
    againstVotes: 0n,
    abstainVotes: 0n,
    eta: null,
    createdBlock: event.block.number,
  });
});

ponder.on("LineageGovernor:VoteCast", async ({ event, context }) => {
  await recordVote(context, event.id, event.args, false, event.block.number);
});

ponder.on("LineageGovernor:VoteCastWithParams", async ({ event, context }) => {
  await recordVote(context as never, event.id, event.args, event.args.params !== "0x", event.block.number);
});

ponder.on("LineageGovernor:ProposalQueued", async ({ event, context }) => {
  await context.db.update(proposal, { id: event.args.proposalId }).set({ status: "queued", eta: event.args.etaSeconds });
});

ponder.on("LineageGovernor:ProposalExecuted", async ({ event, context }) => {
  await context.db.update(proposal, { id: event.args.proposalId }).set({ status: "executed" });
});

ponder.on("LineageGovernor:ProposalCanceled", async ({ event, context }) => {
  await context.db.update(proposal, { id: event.args.proposalId }).set({ status: "canceled" });
});

ponder.on("LineageGovernor:MeritParametersSet", async ({ event, context }) => {
  for (const [name, value] of Object.entries(event.args)) {
    const v = String(value);
    await context.db
      .insert(parameter)
      .values({ id: `${event.log.address}:${name}`, contract: event.log.address, name, value: v, updatedBlock: event.block.number })
      .onConflictDoUpdate({ value: v, updatedBlock: event.block.number });
  }
});
