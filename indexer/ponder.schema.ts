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
  /** OPEN staked on the account's behalf (own stake plus its delegations), counted in its governance votes. */
  stakedVotes: t.bigint().notNull().default(0n),
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

/* DATANETS */

/** A Datanet with its rules and running counts. `approvedCount` also orders approvals (see `contribution.approvalIndex`). */
export const datanet = onchainTable("datanet", (t) => ({
  id: t.bigint().primaryKey(),
  owner: t.hex().notNull(),
  state: t.text().notNull(),
  dataType: t.text().notNull(),
  declaredBytes: t.bigint().notNull(),
  metadataURI: t.text().notNull(),
  maxItemSize: t.integer().notNull(),
  dailyLimit: t.integer().notNull(),
  bond: t.bigint().notNull(),
  validatorGated: t.boolean().notNull(),
  acceptStakedValidators: t.boolean().notNull(),
  openAccess: t.boolean().notNull(),
  accessFee: t.bigint().notNull(),
  publishFeePaid: t.bigint().notNull(),
  contributionCount: t.integer().notNull(),
  pendingCount: t.integer().notNull(),
  approvedCount: t.integer().notNull(),
  rejectedCount: t.integer().notNull(),
  versionCount: t.integer().notNull(),
  totalBytes: t.bigint().notNull(),
  createdBlock: t.bigint().notNull(),
  createdAt: t.bigint().notNull(),
}));

/** A contribution (content digest on a Datanet) and its verdict. `approvalIndex` is its place in approval order. */
export const contribution = onchainTable(
  "contribution",
  (t) => ({
    id: t.bigint().primaryKey(),
    datanetId: t.bigint().notNull(),
    contributor: t.hex().notNull(),
    digest: t.hex().notNull(),
    size: t.integer().notNull(),
    status: t.text().notNull(),
    approvalIndex: t.integer(),
    relayer: t.hex(),
    validator: t.hex(),
    rejectReason: t.text(),
    forfeited: t.bigint(),
    submittedBlock: t.bigint().notNull(),
    submittedAt: t.bigint().notNull(),
    txHash: t.hex().notNull(),
  }),
  (table) => ({
    datanetIdx: index().on(table.datanetId, table.approvalIndex),
    // The commonest lists, each read in key order straight off an index (no sort), cursor pages included:
    // a Datanet's contributions newest first, and a contributor's (GraphQL orders by `id` when no orderBy is given).
    datanetIdIdx: index().on(table.datanetId, table.id),
    contributorIdx: index().on(table.contributor, table.id),
    digestIdx: index().on(table.digest),
  }),
);

/** One validator verdict (approval or rejection) on a contribution. */
export const validation = onchainTable(
  "validation",
  (t) => ({
    id: t.text().primaryKey(),
    datanetId: t.bigint().notNull(),
    contributionId: t.bigint().notNull(),
    validator: t.hex().notNull(),
    approved: t.boolean().notNull(),
    reason: t.text(),
    forfeited: t.bigint().notNull(),
    blockNumber: t.bigint().notNull(),
    txHash: t.hex().notNull(),
  }),
  (table) => ({ datanetIdx: index().on(table.datanetId), validatorIdx: index().on(table.validator) }),
);

/** An appointed validator of a Datanet. */
export const datanetValidator = onchainTable("datanet_validator", (t) => ({
  id: t.text().primaryKey(),
  datanetId: t.bigint().notNull(),
  validator: t.hex().notNull(),
  enabled: t.boolean().notNull(),
  updatedBlock: t.bigint().notNull(),
}));

/**
 * A published version. `computedRoot` is the StandardMerkleTree root the indexer rebuilt from the contribution events
 * (first `count` approved contributions in approval order); `rootMatches` flags a mismatch with the posted `root`.
 */
export const version = onchainTable(
  "version",
  (t) => ({
    id: t.text().primaryKey(),
    datanetId: t.bigint().notNull(),
    versionId: t.bigint().notNull(),
    root: t.hex().notNull(),
    count: t.bigint().notNull(),
    metadataCID: t.text().notNull(),
    computedRoot: t.hex(),
    rootMatches: t.boolean().notNull(),
    publishedBlock: t.bigint().notNull(),
    publishedAt: t.bigint().notNull(),
  }),
  (table) => ({ datanetIdx: index().on(table.datanetId, table.versionId) }),
);

/** Access to a Datanet version: requested, granted (by the owner or bought) or denied. */
export const accessGrant = onchainTable(
  "access_grant",
  (t) => ({
    id: t.text().primaryKey(),
    datanetId: t.bigint().notNull(),
    versionId: t.bigint().notNull(),
    account: t.hex().notNull(),
    status: t.text().notNull(),
    feePaid: t.bigint().notNull(),
    updatedBlock: t.bigint().notNull(),
  }),
  (table) => ({ accountIdx: index().on(table.account) }),
);

/** OPEN the DatanetRegistry owes an account (credited bonds and forfeit shares) and what it withdrew. */
export const registryBalance = onchainTable("registry_balance", (t) => ({
  account: t.hex().primaryKey(),
  owed: t.bigint().notNull(),
  credited: t.bigint().notNull(),
  withdrawn: t.bigint().notNull(),
}));

/* MODELS */

/** A model NFT: digests, training data, price and revenue share, current holder. */
export const model = onchainTable(
  "model",
  (t) => ({
    id: t.bigint().primaryKey(),
    owner: t.hex().notNull(),
    minter: t.hex().notNull(),
    baseModelDigest: t.hex().notNull(),
    adapterDigest: t.hex().notNull(),
    manifestDigest: t.hex().notNull(),
    datasets: t.json().notNull(),
    pricePer1kTokens: t.bigint().notNull(),
    ownerBps: t.integer().notNull(),
    metadataDigest: t.hex().notNull(),
    revisionCount: t.integer().notNull(),
    mintedBlock: t.bigint().notNull(),
    mintedAt: t.bigint().notNull(),
  }),
  (table) => ({ ownerIdx: index().on(table.owner) }),
);

/** An adapter revision of a model (revision 0 is the minted adapter). */
export const modelRevision = onchainTable("model_revision", (t) => ({
  id: t.text().primaryKey(),
  modelId: t.bigint().notNull(),
  revision: t.integer().notNull(),
  adapterDigest: t.hex().notNull(),
  manifestDigest: t.hex().notNull(),
  by: t.hex().notNull(),
  blockNumber: t.bigint().notNull(),
}));

/* STAKING */

/** A staking operator (agent, node or validator): self stake, delegated stake, commission, jail, slashes. */
export const operator = onchainTable("operator", (t) => ({
  address: t.hex().primaryKey(),
  role: t.text().notNull(),
  metadataURI: t.text().notNull(),
  selfStake: t.bigint().notNull(),
  delegatedStake: t.bigint().notNull(),
  commissionBps: t.integer().notNull(),
  commissionEffectiveAt: t.bigint(),
  jailedUntil: t.bigint(),
  slashedTotal: t.bigint().notNull(),
  rewardsNotified: t.bigint().notNull(),
  registeredBlock: t.bigint().notNull(),
}));

/** OPEN staked by `delegator` on `operator` (`self` when they are the same account): net of unbonding and slashes. */
export const delegation = onchainTable(
  "delegation",
  (t) => ({
    id: t.text().primaryKey(),
    delegator: t.hex().notNull(),
    operator: t.hex().notNull(),
    self: t.boolean().notNull(),
    amount: t.bigint().notNull(),
    shares: t.bigint().notNull(),
    unbonding: t.bigint().notNull(),
    rewardsClaimed: t.bigint().notNull(),
    updatedBlock: t.bigint().notNull(),
  }),
  (table) => ({ delegatorIdx: index().on(table.delegator), operatorIdx: index().on(table.operator) }),
);

/** An unbonding request and its withdrawal. */
export const withdrawal = onchainTable("withdrawal", (t) => ({
  id: t.bigint().primaryKey(),
  delegator: t.hex().notNull(),
  operator: t.hex().notNull(),
  amount: t.bigint().notNull(),
  readyAt: t.bigint().notNull(),
  withdrawn: t.boolean().notNull(),
  requestedBlock: t.bigint().notNull(),
}));

/** A subjective slash proposal (vetoable), or an executed slash (objective ones have `slashId` 0 and a fault id). */
export const slash = onchainTable("slash", (t) => ({
  id: t.text().primaryKey(),
  slashId: t.bigint().notNull(),
  operator: t.hex().notNull(),
  bps: t.integer().notNull(),
  status: t.text().notNull(),
  evidence: t.hex(),
  faultId: t.hex(),
  harmedParty: t.hex(),
  vetoEndsAt: t.bigint(),
  amount: t.bigint(),
  toTreasury: t.bigint(),
  toRecipient: t.bigint(),
  updatedBlock: t.bigint().notNull(),
}));

/* PAYMENTS */

/** A payment channel from a payer to a serving node for one model. */
export const channel = onchainTable(
  "channel",
  (t) => ({
    id: t.bigint().primaryKey(),
    payer: t.hex().notNull(),
    node: t.hex().notNull(),
    modelId: t.bigint().notNull(),
    signer: t.hex().notNull(),
    deposit: t.bigint().notNull(),
    redeemed: t.bigint().notNull(),
    status: t.text().notNull(),
    closesAt: t.bigint(),
    refund: t.bigint(),
    openedBlock: t.bigint().notNull(),
  }),
  (table) => ({ payerIdx: index().on(table.payer), nodeIdx: index().on(table.node) }),
);

/** One voucher redemption and how it split (treasury, node, model owner, data contributors' pool). */
export const redemption = onchainTable(
  "redemption",
  (t) => ({
    id: t.text().primaryKey(),
    channelId: t.bigint().notNull(),
    node: t.hex().notNull(),
    modelId: t.bigint().notNull(),
    amount: t.bigint().notNull(),
    redeemed: t.bigint().notNull(),
    owner: t.hex().notNull(),
    treasuryPart: t.bigint().notNull(),
    nodePart: t.bigint().notNull(),
    ownerPart: t.bigint().notNull(),
    poolPart: t.bigint().notNull(),
    blockNumber: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
  }),
  (table) => ({ channelIdx: index().on(table.channelId), modelIdx: index().on(table.modelId) }),
);

/** A model's data contributors' pool: redeemed into it, flushed and funded into the RewardsDistributor. */
export const modelPool = onchainTable("model_pool", (t) => ({
  modelId: t.bigint().primaryKey(),
  accrued: t.bigint().notNull(),
  flushed: t.bigint().notNull(),
  funded: t.bigint().notNull(),
}));

/**
 * A node's announcement of its usage receipts for one epoch (`ReceiptsAnnounced`): the content digest of the receipts
 * index it published, as `bytes32` and as the CIDv1 `raw` the content store serves it under. One per (node, epoch).
 */
export const receiptAnnouncement = onchainTable(
  "receipt_announcement",
  (t) => ({
    id: t.text().primaryKey(),
    node: t.hex().notNull(),
    epoch: t.bigint().notNull(),
    digest: t.hex().notNull(),
    cid: t.text().notNull(),
    blockNumber: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    txHash: t.hex().notNull(),
  }),
  (table) => ({ epochIdx: index().on(table.epoch, table.node), nodeIdx: index().on(table.node, table.epoch) }),
);

/* REWARDS */

/** A posted payout root (one epoch): pending, final, disputed, superseded, or rejected after a lost dispute. */
export const payoutRoot = onchainTable("payout_root", (t) => ({
  index: t.bigint().primaryKey(),
  epoch: t.bigint().notNull(),
  poster: t.hex().notNull(),
  root: t.hex().notNull(),
  total: t.bigint().notNull(),
  totalMerit: t.bigint().notNull(),
  epochEnd: t.bigint().notNull(),
  finalAt: t.bigint().notNull(),
  bond: t.bigint().notNull(),
  inputsCid: t.text().notNull(),
  status: t.text().notNull(),
  postedBlock: t.bigint().notNull(),
}));

/** A dispute of a payout root and its resolution. */
export const dispute = onchainTable("dispute", (t) => ({
  index: t.bigint().primaryKey(),
  disputer: t.hex().notNull(),
  bond: t.bigint().notNull(),
  reason: t.text().notNull(),
  resolved: t.boolean().notNull(),
  posterWins: t.boolean(),
  slashed: t.bigint(),
  toWinner: t.bigint(),
  blockNumber: t.bigint().notNull(),
}));

/** One claim against the final root. */
export const claim = onchainTable(
  "claim",
  (t) => ({
    id: t.text().primaryKey(),
    account: t.hex().notNull(),
    recipient: t.hex().notNull(),
    amount: t.bigint().notNull(),
    cumulativeAmount: t.bigint().notNull(),
    blockNumber: t.bigint().notNull(),
  }),
  (table) => ({ accountIdx: index().on(table.account) }),
);

/** An approved (or revoked) root poster and its bond. */
export const poster = onchainTable("poster", (t) => ({
  address: t.hex().primaryKey(),
  posterId: t.integer().notNull(),
  allowed: t.boolean().notNull(),
  freeBond: t.bigint().notNull(),
}));

/* GOVERNANCE */

/** A proposal with its running tally (OPEN, staked OPEN and proven merit). */
export const proposal = onchainTable("proposal", (t) => ({
  id: t.bigint().primaryKey(),
  proposer: t.hex().notNull(),
  description: t.text().notNull(),
  targets: t.json().notNull(),
  voteStart: t.bigint().notNull(),
  voteEnd: t.bigint().notNull(),
  status: t.text().notNull(),
  forVotes: t.bigint().notNull(),
  againstVotes: t.bigint().notNull(),
  abstainVotes: t.bigint().notNull(),
  eta: t.bigint(),
  createdBlock: t.bigint().notNull(),
}));

/** One vote (`withMerit` when cast with a merit proof). */
export const vote = onchainTable(
  "vote",
  (t) => ({
    id: t.text().primaryKey(),
    proposalId: t.bigint().notNull(),
    voter: t.hex().notNull(),
    support: t.integer().notNull(),
    weight: t.bigint().notNull(),
    reason: t.text().notNull(),
    withMerit: t.boolean().notNull(),
    blockNumber: t.bigint().notNull(),
  }),
  (table) => ({ proposalIdx: index().on(table.proposalId) }),
);
