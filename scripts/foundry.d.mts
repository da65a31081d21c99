// SPDX-License-Identifier: MIT
/** Types of scripts/foundry.mjs. */
export type FoundryTool = "forge" | "anvil" | "cast";
export declare const FOUNDRY_TOOLS: readonly FoundryTool[];
/** Absolute path of a Foundry tool's platform binary (never the npm wrapper, which hides exit statuses). */
export declare function foundryBin(tool: FoundryTool): string;
