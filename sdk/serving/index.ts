// SPDX-License-Identifier: MIT
/**
 * Serving (OpenLoRA): the wire format between paying clients and nodes (headers, receipts, 402, hash, price), and the
 * paying client (`paidOpenAI`, `createPaidFetch`, `openSessionChannel`).
 */
export * from "./wire.ts";
export * from "./errors.ts";
export * from "./meter.ts";
export * from "./channel.ts";
export * from "./paid-fetch.ts";
export * from "./client.ts";
export * from "./open.ts";
