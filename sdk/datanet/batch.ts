// SPDX-License-Identifier: MIT
/** EIP-712 `ContributionBatch` typed data for a contributor to sign; any relayer submits it (`contributeBySig`). */
import type { Address, Hex } from "viem";
import { type ContributionBatch, contributionBatchTypes, domainOf } from "../eip712/index.ts";
import { type ContributionItemInput, itemsHash, packItems } from "./items.ts";

export interface ContributionBatchParameters {
  registry: Address;
  chainId: number | bigint;
  contributor: Address;
  datanetId: bigint;
  items: readonly ContributionItemInput[];
  nonce: bigint;
  deadline: bigint;
}

export interface ContributionBatchReturnType {
  /** Pass to viem's `signTypedData`. */
  typedData: {
    domain: ReturnType<typeof domainOf>;
    types: typeof contributionBatchTypes;
    primaryType: "ContributionBatch";
    message: ContributionBatch;
  };
  /** The packed items for `contributeBySig(datanetId, contributor, items, nonce, deadline, signature)`. */
  packedItems: Hex;
}

/** Builds the typed data of a batch and its packed items. */
export function contributionBatch(p: ContributionBatchParameters): ContributionBatchReturnType {
  return {
    typedData: {
      domain: domainOf("DatanetRegistry", p.chainId, p.registry),
      types: contributionBatchTypes,
      primaryType: "ContributionBatch",
      message: { contributor: p.contributor, datanetId: p.datanetId, itemsHash: itemsHash(p.items), nonce: p.nonce, deadline: p.deadline },
    },
    packedItems: packItems(p.items),
  };
}
