// SPDX-License-Identifier: MIT
/**
 * DatanetRegistry: Datanets, contributions, verdicts, validators, versions (with the root rebuilt from events and a
 * mismatch flag), access and the registry's balances.
 */
import { and, asc, eq, lt } from "ponder";
import { ponder, type Context } from "ponder:registry";
import {
  accessGrant,
  contribution,
  datanet,
  datanetValidator,
  parameter,
  registryBalance,
  validation,
  version,
} from "ponder:schema";
import type { Hex } from "viem";
import { versionRoot } from "../../sdk/client/items.ts";

const DATA_TYPES = ["Text", "Code", "Image", "Audio", "Video", "Tabular", "Other"];
const STATES = ["None", "Draft", "Published", "Archived"];
const STATUSES = ["None", "Pending", "Approved", "Rejected"];
const REASONS = ["None", "LowQuality", "OffTopic", "Malformed", "Malicious"];
const APPROVED = 2;
const PENDING = 1;

type Ctx = Context<"DatanetRegistry:ContributionSubmitted">;

async function setParameter(context: Ctx, contract: Hex, name: string, value: string, block: bigint) {
  await context.db
    .insert(parameter)
    .values({ id: `${contract}:${name}`, contract, name, value, updatedBlock: block })
    .onConflictDoUpdate({ value, updatedBlock: block });
}

ponder.on("DatanetRegistry:DatanetCreated", async ({ event, context }) => {
  const a = event.args;
  await context.db.insert(datanet).values({
    id: a.datanetId,
    owner: a.owner,
    state: "Draft",
    dataType: DATA_TYPES[a.dataType] ?? String(a.dataType),
    declaredBytes: a.declaredBytes,
    metadataURI: a.metadataURI,
    maxItemSize: 0,
    dailyLimit: 0,
    bond: 0n,
    validatorGated: false,
    acceptStakedValidators: false,
    openAccess: false,
    accessFee: 0n,
    publishFeePaid: 0n,
    contributionCount: 0,
    pendingCount: 0,
    approvedCount: 0,
    rejectedCount: 0,
    versionCount: 0,
    totalBytes: 0n,
    createdBlock: event.block.number,
    createdAt: event.block.timestamp,
  });
});

ponder.on("DatanetRegistry:DatanetRulesSet", async ({ event, context }) => {
  const r = event.args.rules;
  await context.db.update(datanet, { id: event.args.datanetId }).set({
    maxItemSize: r.maxItemSize,
    dailyLimit: r.dailyLimit,
    bond: r.bond,
    validatorGated: r.validatorGated,
    acceptStakedValidators: r.acceptStakedValidators,
    openAccess: r.openAccess,
    accessFee: r.accessFee,
  });
});

ponder.on("DatanetRegistry:DatanetStateChanged", async ({ event, context }) => {
  await context.db
    .update(datanet, { id: event.args.datanetId })
    .set((row) => ({
      state: STATES[event.args.state] ?? String(event.args.state),
      publishFeePaid: row.publishFeePaid + event.args.feePaid,
    }));
});

ponder.on("DatanetRegistry:DatanetMetadataSet", async ({ event, context }) => {
  await context.db.update(datanet, { id: event.args.datanetId }).set({ metadataURI: event.args.metadataURI });
});

ponder.on("DatanetRegistry:DatanetOwnerChanged", async ({ event, context }) => {
  await context.db.update(datanet, { id: event.args.datanetId }).set({ owner: event.args.newOwner });
});

ponder.on("DatanetRegistry:ValidatorSet", async ({ event, context }) => {
  const { datanetId, validator, enabled } = event.args;
  await context.db
    .insert(datanetValidator)
    .values({ id: `${datanetId}:${validator}`, datanetId, validator, enabled, updatedBlock: event.block.number })
    .onConflictDoUpdate({ enabled, updatedBlock: event.block.number });
});

ponder.on("DatanetRegistry:ContributionSubmitted", async ({ event, context }) => {
  const a = event.args;
  const approved = a.status === APPROVED;
  // One read-modify-write of the Datanet's counters in Ponder's in-memory cache; the updated row gives this
  // contribution's place in approval order (no separate find). Throws for an unknown Datanet.
  const dn = await context.db.update(datanet, { id: a.datanetId }).set((row) => ({
    contributionCount: row.contributionCount + 1,
    approvedCount: row.approvedCount + (approved ? 1 : 0),
    pendingCount: row.pendingCount + (a.status === PENDING ? 1 : 0),
    totalBytes: row.totalBytes + BigInt(a.size),
  }));
  await context.db.insert(contribution).values({
    id: a.contributionId,
    datanetId: a.datanetId,
    contributor: a.contributor,
    digest: a.digest,
    size: a.size,
    status: STATUSES[a.status] ?? String(a.status),
    approvalIndex: approved ? dn.approvedCount - 1 : null,
    relayer: null,
    validator: null,
    rejectReason: null,
    forfeited: null,
    submittedBlock: event.block.number,
    submittedAt: event.block.timestamp,
    txHash: event.transaction.hash,
  });
});

ponder.on("DatanetRegistry:ContributionReassigned", async ({ event, context }) => {
  // A reveal with an earlier commitment took over a copied contribution: same id and place, new contributor. An
  // approved one stays approved (same approval index); a pending or rejected one takes the revealing batch's status.
  const a = event.args;
  const row = await context.db.find(contribution, { id: a.contributionId });
  if (!row) throw new Error(`ContributionReassigned for unknown contribution ${a.contributionId}`);
  const status = STATUSES[a.status] ?? String(a.status);
  const nowApproved = a.status === APPROVED && row.status !== "Approved";
  const dn = await context.db.update(datanet, { id: a.datanetId }).set((d) => ({
    approvedCount: d.approvedCount + (nowApproved ? 1 : 0),
    pendingCount: d.pendingCount - (row.status === "Pending" ? 1 : 0) + (a.status === PENDING ? 1 : 0),
    rejectedCount: d.rejectedCount - (row.status === "Rejected" ? 1 : 0),
  }));
  await context.db.update(contribution, { id: a.contributionId }).set({
    contributor: a.contributor,
    status,
    approvalIndex: nowApproved ? dn.approvedCount - 1 : row.approvalIndex,
    relayer: null,
    validator: a.status === APPROVED ? row.validator : null,
    rejectReason: null,
    forfeited: a.forfeited,
    submittedBlock: event.block.number,
    submittedAt: event.block.timestamp,
    txHash: event.transaction.hash,
  });
});

ponder.on("DatanetRegistry:ContributionBatchRelayed", async ({ event, context }) => {
  // Emitted after the batch's items: they are the `count` contributions of this contributor in this transaction.
  const rows = await context.db.sql
    .select({ id: contribution.id })
    .from(contribution)
    .where(and(eq(contribution.txHash, event.transaction.hash), eq(contribution.contributor, event.args.contributor)));
  for (const r of rows) await context.db.update(contribution, { id: r.id }).set({ relayer: event.args.relayer });
});

ponder.on("DatanetRegistry:ContributionApproved", async ({ event, context }) => {
  const a = event.args;
  const dn = await context.db
    .update(datanet, { id: a.datanetId })
    .set((row) => ({ approvedCount: row.approvedCount + 1, pendingCount: row.pendingCount - 1 }));
  await context.db
    .update(contribution, { id: a.contributionId })
    .set({ status: "Approved", approvalIndex: dn.approvedCount - 1, validator: a.validator });
  await context.db.insert(validation).values({
    id: event.id,
    datanetId: a.datanetId,
    contributionId: a.contributionId,
    validator: a.validator,
    approved: true,
    reason: null,
    forfeited: 0n,
    blockNumber: event.block.number,
    txHash: event.transaction.hash,
  });
});

ponder.on("DatanetRegistry:ContributionRejected", async ({ event, context }) => {
  const a = event.args;
  const reason = REASONS[a.reason] ?? String(a.reason);
  await context.db
    .update(contribution, { id: a.contributionId })
    .set({ status: "Rejected", validator: a.validator, rejectReason: reason, forfeited: a.forfeited });
  await context.db
    .update(datanet, { id: a.datanetId })
    .set((row) => ({ rejectedCount: row.rejectedCount + 1, pendingCount: row.pendingCount - 1 }));
  await context.db.insert(validation).values({
    id: event.id,
    datanetId: a.datanetId,
    contributionId: a.contributionId,
    validator: a.validator,
    approved: false,
    reason,
    forfeited: a.forfeited,
    blockNumber: event.block.number,
    txHash: event.transaction.hash,
  });
});

ponder.on("DatanetRegistry:VersionPublished", async ({ event, context }) => {
  const { datanetId, versionId, root, count, metadataCID } = event.args;
  // Rebuild the root from the events: the first `count` approved contributions in approval order.
  const leaves = await context.db.sql
    .select({ id: contribution.id, digest: contribution.digest, contributor: contribution.contributor })
    .from(contribution)
    .where(and(eq(contribution.datanetId, datanetId), lt(contribution.approvalIndex, Number(count))))
    .orderBy(asc(contribution.approvalIndex));
  const computedRoot =
    leaves.length === Number(count) && leaves.length > 0
      ? versionRoot(leaves.map((l) => ({ contributionId: l.id, digest: l.digest, contributor: l.contributor })))
      : null;
  const rootMatches = computedRoot !== null && computedRoot.toLowerCase() === root.toLowerCase();
  if (!rootMatches) {
    console.warn(`version root mismatch: Datanet ${datanetId} version ${versionId} posted ${root}, events give ${computedRoot}`);
  }
  await context.db.insert(version).values({
    id: `${datanetId}:${versionId}`,
    datanetId,
    versionId,
    root,
    count,
    metadataCID,
    computedRoot,
    rootMatches,
    publishedBlock: event.block.number,
    publishedAt: event.block.timestamp,
  });
  await context.db.update(datanet, { id: datanetId }).set((row) => ({ versionCount: row.versionCount + 1 }));
});

async function setAccess(
  context: Ctx,
  datanetId: bigint,
  versionId: bigint,
  account: Hex,
  status: string,
  feePaid: bigint,
  block: bigint,
) {
  await context.db
    .insert(accessGrant)
    .values({ id: `${datanetId}:${versionId}:${account}`, datanetId, versionId, account, status, feePaid, updatedBlock: block })
    .onConflictDoUpdate((row) => ({
      // A grant is permanent: a later request or denial does not undo it.
      status: row.status === "granted" ? "granted" : status,
      feePaid: row.feePaid + feePaid,
      updatedBlock: block,
    }));
}

ponder.on("DatanetRegistry:AccessRequested", async ({ event, context }) => {
  const a = event.args;
  await setAccess(context, a.datanetId, a.versionId, a.account, "requested", 0n, event.block.number);
});

ponder.on("DatanetRegistry:AccessGranted", async ({ event, context }) => {
  const a = event.args;
  await setAccess(context, a.datanetId, a.versionId, a.account, "granted", a.feePaid, event.block.number);
});

ponder.on("DatanetRegistry:AccessDenied", async ({ event, context }) => {
  const a = event.args;
  await setAccess(context, a.datanetId, a.versionId, a.account, "denied", 0n, event.block.number);
});

ponder.on("DatanetRegistry:Credited", async ({ event, context }) => {
  const { account, amount } = event.args;
  await context.db
    .insert(registryBalance)
    .values({ account, owed: amount, credited: amount, withdrawn: 0n })
    .onConflictDoUpdate((row) => ({ owed: row.owed + amount, credited: row.credited + amount }));
});

ponder.on("DatanetRegistry:Withdrawn", async ({ event, context }) => {
  const { account, amount } = event.args;
  await context.db
    .update(registryBalance, { account })
    .set((row) => ({ owed: row.owed - amount, withdrawn: row.withdrawn + amount }));
});

ponder.on("DatanetRegistry:PublishFeeSet", async ({ event, context }) => {
  await setParameter(context, event.log.address, "publishFeeBase", event.args.base.toString(), event.block.number);
  await setParameter(context, event.log.address, "publishFeePerMB", event.args.perMB.toString(), event.block.number);
});

ponder.on("DatanetRegistry:SlashingSet", async ({ event, context }) => {
  await setParameter(context, event.log.address, "slashBps", String(event.args.slashBps), event.block.number);
  await setParameter(context, event.log.address, "validatorShareBps", String(event.args.validatorShareBps), event.block.number);
});

ponder.on("DatanetRegistry:StakingRegistrySet", async ({ event, context }) => {
  await setParameter(context, event.log.address, "stakingRegistry", event.args.stakingRegistry, event.block.number);
});
