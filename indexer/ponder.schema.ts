// SPDX-License-Identifier: MIT
/**
 * The indexer's tables; each is one public GraphQL type (see `subgraph-schema.graphql`, kept in sync by a test).
 * Rows are built only from events. Event rows are keyed on Ponder's `event.id`; entities on their on-chain id.
 */
import { index, onchainTable } from "ponder";

/* TOKEN */

/** An OPEN holder: balance, delegate and voting power, from Transfer / DelegateChanged / DelegateVotesChanged. */
export const account = onchainTable("account", (t) => ({
  address: t.hex().primaryKey(),
  balance: t.bigint().notNull(),
  delegate: t.hex(),
  votes: t.bigint().notNull(),
  updatedBlock: t.bigint().notNull(),
}));

/** One OPEN transfer (mint when `from` is zero). */
export const transfer = onchainTable(
  "transfer",
  (t) => ({
    id: t.text().primaryKey(),
    from: t.hex().notNull(),
    to: t.hex().notNull(),
    amount: t.bigint().notNull(),
    blockNumber: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    txHash: t.hex().notNull(),
  }),
  (table) => ({ fromIdx: index().on(table.from), toIdx: index().on(table.to) }),
);

/* TIMELOCK */

/** A Timelock operation (single call or batch), from CallScheduled / CallExecuted / Cancelled. */
export const timelockOperation = onchainTable("timelock_operation", (t) => ({
  id: t.hex().primaryKey(),
  calls: t.integer().notNull(),
  delay: t.bigint().notNull(),
  status: t.text().notNull(),
  scheduledBlock: t.bigint().notNull(),
  readyAt: t.bigint().notNull(),
  executedBlock: t.bigint(),
}));

/** A role holder in an AccessControl contract (the Timelock and every contract with roles). */
export const roleMember = onchainTable("role_member", (t) => ({
  id: t.text().primaryKey(),
  contract: t.hex().notNull(),
  role: t.hex().notNull(),
  account: t.hex().notNull(),
  active: t.boolean().notNull(),
  updatedBlock: t.bigint().notNull(),
}));

/** A governed parameter's current value (Timelock delay, fees, bounds...), from the contracts' parameter events. */
export const parameter = onchainTable("parameter", (t) => ({
  id: t.text().primaryKey(),
  contract: t.hex().notNull(),
  name: t.text().notNull(),
  value: t.text().notNull(),
  updatedBlock: t.bigint().notNull(),
}));
