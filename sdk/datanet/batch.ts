// SPDX-License-Identifier: MIT
/**
 * EIP-712 `ContributionBatch` typed data for a contributor to sign, and the commitment a relayer posts first
 * (`commitContribution`); any relayer then reveals it (`contributeBySig`) from the next block on.
 */
import type { Address, Hex } from "viem";
import { type ContributionBatch, contributionBatchTypes, domainOf } from "../eip712/index.ts";
import { contributionCommitment, randomSalt } from "./commitment.ts";
import { type ContributionItemInput, itemsHash, packItems } from "./items.ts";

export interface ContributionBatchParameters {
  registry: Address;
  chainId: number | bigint;
  contributor: Address;
  datanetId: bigint;
  items: readonly ContributionItemInput[];
  /** Most OPEN the contributor accepts to bond per item (signed). */
  maxBond: bigint;
  nonce: bigint;
  deadline: bigint;
  /** The commitment's salt; default a fresh random one. */
  salt?: Hex;
}

export interface ContributionBatchReturnType {
  /** Pass to viem's `signTypedData`. */
  typedData: {
    domain: ReturnType<typeof domainOf>;
    types: typeof contributionBatchTypes;
    primaryType: "ContributionBatch";
    message: ContributionBatch;
  };
  /** The packed items for `contributeBySig(datanetId, contributor, items, terms, signature)`. */
  packedItems: Hex;
  salt: Hex;
  /** What `commitContribution` records, at least one block before the reveal. */
  commitment: Hex;
}

/** Builds the typed data of a batch, its packed items and its commitment. */
export function contributionBatch(p: ContributionBatchParameters): ContributionBatchReturnType {
  const hash = itemsHash(p.items);
  const salt = p.salt ?? randomSalt();
  return {
    typedData: {
      domain: domainOf("DatanetRegistry", p.chainId, p.registry),
      types: contributionBatchTypes,
      primaryType: "ContributionBatch",
      message: { contributor: p.contributor, datanetId: p.datanetId, itemsHash: hash, maxBond: p.maxBond, nonce: p.nonce, deadline: p.deadline },
    },
    packedItems: packItems(p.items),
    salt,
    commitment: contributionCommitment({ contributor: p.contributor, datanetId: p.datanetId, itemsHash: hash, salt }),
  };
}
