// SPDX-License-Identifier: MIT
/**
 * Every EIP-712 type of the protocol (PROTOCOL.md, "Signed messages"), defined once.
 * Contracts' tests, keepers, the inference server, the indexer and the app import these.
 */
import type { Address, TypedDataDomain } from "viem";

/** EIP-712 `name` of each verifying contract; `version` is always "1". */
export const DOMAIN_NAMES = {
  DatanetRegistry: "DatanetRegistry",
  PaymentChannels: "PaymentChannels",
  RewardsDistributor: "RewardsDistributor",
} as const;
export type DomainContract = keyof typeof DOMAIN_NAMES;

export const DOMAIN_VERSION = "1";

/** The full EIP-712 domain of one of the protocol's contracts on one chain. */
export function domainOf(contract: DomainContract, chainId: number | bigint, verifyingContract: Address): TypedDataDomain {
  return { name: DOMAIN_NAMES[contract], version: DOMAIN_VERSION, chainId: Number(chainId), verifyingContract };
}

export const contributionBatchTypes = {
  ContributionBatch: [
    { name: "contributor", type: "address" },
    { name: "datanetId", type: "uint256" },
    { name: "itemsHash", type: "bytes32" },
    { name: "maxBond", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

export const voucherTypes = {
  Voucher: [
    { name: "channelId", type: "uint256" },
    { name: "cumulativeAmount", type: "uint256" },
  ],
} as const;

export const usageReceiptTypes = {
  UsageReceipt: [
    { name: "channelId", type: "uint256" },
    { name: "seq", type: "uint64" },
    { name: "modelId", type: "uint256" },
    { name: "adapterDigest", type: "bytes32" },
    { name: "tokensIn", type: "uint32" },
    { name: "tokensOut", type: "uint32" },
    { name: "cumulativeAmount", type: "uint256" },
    { name: "requestHash", type: "bytes32" },
  ],
} as const;

export const claimToTypes = {
  ClaimTo: [
    { name: "account", type: "address" },
    { name: "recipient", type: "address" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

/** Signed by a builder to fetch blobs of a gated Datanet version from the content gateway (DatanetRegistry domain). */
export const accessRequestTypes = {
  AccessRequest: [
    { name: "requester", type: "address" },
    { name: "datanetId", type: "uint256" },
    { name: "versionId", type: "uint256" },
    { name: "digest", type: "bytes32" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

export interface ContributionBatch {
  contributor: Address;
  datanetId: bigint;
  itemsHash: `0x${string}`;
  /** Most OPEN bonded per item: the registry refuses the batch if the Datanet's bond is higher. */
  maxBond: bigint;
  nonce: bigint;
  deadline: bigint;
}
export interface Voucher {
  channelId: bigint;
  cumulativeAmount: bigint;
}
export interface UsageReceipt {
  channelId: bigint;
  seq: bigint;
  modelId: bigint;
  adapterDigest: `0x${string}`;
  tokensIn: number;
  tokensOut: number;
  cumulativeAmount: bigint;
  requestHash: `0x${string}`;
}
export interface ClaimTo {
  account: Address;
  recipient: Address;
  nonce: bigint;
  deadline: bigint;
}
export interface AccessRequest {
  requester: Address;
  datanetId: bigint;
  versionId: bigint;
  digest: `0x${string}`;
  deadline: bigint;
}
