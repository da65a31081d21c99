// SPDX-License-Identifier: MIT
export * from "./types.ts";
