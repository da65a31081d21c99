// SPDX-License-Identifier: MIT
/** Node housekeeping: voucher redemption, node-reward flushing, and each epoch's receipts published and announced. */
export * from "./config.ts";
export * from "./epochs.ts";
export * from "./redeem.ts";
export * from "./publish.ts";
export * from "./state.ts";
export * from "./housekeeper.ts";
