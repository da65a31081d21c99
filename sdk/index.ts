// SPDX-License-Identifier: MIT
/** The Lineage SDK: typed ABIs, deployments, EIP-712 types, a typed client for every flow, and the paying inference client. */
export * from "./abi/index.ts";
export * from "./addresses/index.ts";
export * from "./eip712/index.ts";
export * from "./client/index.ts";
export * from "./serving/index.ts";
