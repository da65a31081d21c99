// SPDX-License-Identifier: MIT
/** ModelRegistry: model NFTs (holder from ERC-721 transfers), prices, metadata and adapter revisions. */
import { ponder } from "ponder:registry";
import { model, modelRevision, parameter } from "ponder:schema";
import { zeroAddress } from "viem";

ponder.on("ModelRegistry:ModelMinted", async ({ event, context }) => {
  const a = event.args;
  await context.db
    .insert(model)
    .values({
      id: a.modelId,
      owner: a.minter,
      minter: a.minter,
      baseModelDigest: a.baseModelDigest,
      adapterDigest: a.adapterDigest,
      manifestDigest: a.manifestDigest,
      datasets: a.datasets.map((d) => ({ datanetId: d.datanetId.toString(), versionId: d.versionId.toString() })),
      pricePer1kTokens: a.pricePer1kTokens,
      ownerBps: a.ownerBps,
      metadataDigest: a.metadataDigest,
      revisionCount: 1,
      mintedBlock: event.block.number,
      mintedAt: event.block.timestamp,
    })
    // The ERC-721 Transfer (mint) comes first and may have created the row with the holder only.
    .onConflictDoUpdate({
      minter: a.minter,
      baseModelDigest: a.baseModelDigest,
      adapterDigest: a.adapterDigest,
      manifestDigest: a.manifestDigest,
      datasets: a.datasets.map((d) => ({ datanetId: d.datanetId.toString(), versionId: d.versionId.toString() })),
      pricePer1kTokens: a.pricePer1kTokens,
      ownerBps: a.ownerBps,
      metadataDigest: a.metadataDigest,
      revisionCount: 1,
      mintedBlock: event.block.number,
      mintedAt: event.block.timestamp,
    });
  await context.db.insert(modelRevision).values({
    id: `${a.modelId}:0`,
    modelId: a.modelId,
    revision: 0,
    adapterDigest: a.adapterDigest,
    manifestDigest: a.manifestDigest,
    by: a.minter,
    blockNumber: event.block.number,
  });
});

ponder.on("ModelRegistry:Transfer", async ({ event, context }) => {
  const { to, tokenId } = event.args;
  if (to === zeroAddress) return;
  await context.db
    .insert(model)
    .values({
      id: tokenId,
      owner: to,
      minter: to,
      baseModelDigest: "0x",
      adapterDigest: "0x",
      manifestDigest: "0x",
      datasets: [],
      pricePer1kTokens: 0n,
      ownerBps: 0,
      metadataDigest: "0x",
      revisionCount: 0,
      mintedBlock: event.block.number,
      mintedAt: event.block.timestamp,
    })
    .onConflictDoUpdate({ owner: to });
});

ponder.on("ModelRegistry:ModelRepriced", async ({ event, context }) => {
  await context.db.update(model, { id: event.args.modelId }).set({ pricePer1kTokens: event.args.pricePer1kTokens });
});

ponder.on("ModelRegistry:ModelMetadataSet", async ({ event, context }) => {
  await context.db.update(model, { id: event.args.modelId }).set({ metadataDigest: event.args.metadataDigest });
});

ponder.on("ModelRegistry:AdapterRevised", async ({ event, context }) => {
  const a = event.args;
  await context.db.insert(modelRevision).values({
    id: `${a.modelId}:${a.revision}`,
    modelId: a.modelId,
    revision: a.revision,
    adapterDigest: a.adapterDigest,
    manifestDigest: a.manifestDigest,
    by: a.by,
    blockNumber: event.block.number,
  });
  await context.db
    .update(model, { id: a.modelId })
    .set({ adapterDigest: a.adapterDigest, manifestDigest: a.manifestDigest, revisionCount: a.revision + 1 });
});

ponder.on("ModelRegistry:MintFeeSet", async ({ event, context }) => {
  const contract = event.log.address;
  await context.db
    .insert(parameter)
    .values({ id: `${contract}:mintFee`, contract, name: "mintFee", value: event.args.fee.toString(), updatedBlock: event.block.number })
    .onConflictDoUpdate({ value: event.args.fee.toString(), updatedBlock: event.block.number });
});
