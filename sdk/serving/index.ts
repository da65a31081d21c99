// SPDX-License-Identifier: MIT
/** Serving (OpenLoRA): the wire format between paying clients and nodes (headers, receipts, 402, hash, price). */
export * from "./wire.ts";
