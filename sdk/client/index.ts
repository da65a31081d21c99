// SPDX-License-Identifier: MIT
export * from "./errors.ts";
export * from "./context.ts";
export * from "./client.ts";
export * from "./actions/approve.ts";
export * from "./actions/transfer.ts";
export * from "./actions/delegateVotes.ts";
