// SPDX-License-Identifier: MIT
/**
 * Settlement SDK: the one payout-tree builder (OpenZeppelin StandardMerkleTree leaves `["address","uint256","uint256"]`)
 * with proofs, its published document (`inputsCid`), the Governor's merit-vote params, and signing/verification of vouchers, usage receipts and signed claims. EIP-712 types come from
 * `sdk/eip712` (never redefined here).
 */
export * from "./tree.ts";
export * from "./document.ts";
export * from "./merit.ts";
export * from "./voucher.ts";
export * from "./receipt.ts";
export * from "./claim.ts";
export { SettlementSignatureError, type DomainTarget, type TypedDataSigner } from "./signing.ts";
