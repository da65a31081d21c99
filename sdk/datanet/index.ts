// SPDX-License-Identifier: MIT
export * from "./items.ts";
export * from "./tree.ts";
export * from "./events.ts";
export * from "./batch.ts";
export * from "./commitment.ts";
export * from "./chain.ts";
