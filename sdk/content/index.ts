// SPDX-License-Identifier: MIT
/** The content store of the project (put/get by CID, every read verified) and its HTTP gateway. */
export * from "./access.ts";
export * from "./cid.ts";
export * from "./gateway.ts";
export * from "./store.ts";
