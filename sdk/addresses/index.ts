// SPDX-License-Identifier: MIT
export * from "./deployment.ts";
