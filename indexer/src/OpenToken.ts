// SPDX-License-Identifier: MIT
/** OpenToken: balances, vote delegates, voting power and transfers. */
import { ponder } from "ponder:registry";
import { account, transfer } from "ponder:schema";
import { zeroAddress, type Address } from "viem";

const blank = (address: Address, block: bigint) => ({ address, balance: 0n, votes: 0n, stakedVotes: 0n, delegate: null, updatedBlock: block });

ponder.on("OpenToken:Transfer", async ({ event, context }) => {
  const { from, to, value } = event.args;
  const block = event.block.number;
  await context.db.insert(transfer).values({
    id: event.id,
    from,
    to,
    amount: value,
    blockNumber: block,
    timestamp: event.block.timestamp,
    txHash: event.transaction.hash,
  });
  if (from !== zeroAddress) {
    await context.db
      .insert(account)
      .values({ ...blank(from, block), balance: -value })
      .onConflictDoUpdate((row) => ({ balance: row.balance - value, updatedBlock: block }));
  }
  if (to !== zeroAddress) {
    await context.db
      .insert(account)
      .values({ ...blank(to, block), balance: value })
      .onConflictDoUpdate((row) => ({ balance: row.balance + value, updatedBlock: block }));
  }
});

ponder.on("OpenToken:DelegateChanged", async ({ event, context }) => {
  const { delegator, toDelegate } = event.args;
  const block = event.block.number;
  await context.db
    .insert(account)
    .values({ ...blank(delegator, block), delegate: toDelegate })
    .onConflictDoUpdate({ delegate: toDelegate, updatedBlock: block });
});

ponder.on("OpenToken:DelegateVotesChanged", async ({ event, context }) => {
  const { delegate, newVotes } = event.args;
  const block = event.block.number;
  await context.db
    .insert(account)
    .values({ ...blank(delegate, block), votes: newVotes })
    .onConflictDoUpdate({ votes: newVotes, updatedBlock: block });
});
