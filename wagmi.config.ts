// SPDX-License-Identifier: MIT
/**
 * Typed ABIs for the SDK and the indexer, generated from forge's output (`out/`) without running forge:
 * `npm run generate` (also run by `prepare` on install and by `npm test` after forge builds).
 * The output `sdk/abi/generated.ts` is not committed: it is regenerated from the contracts, so it never drifts.
 */
import { defineConfig } from "@wagmi/cli";
import { foundry } from "@wagmi/cli/plugins";

/** Our deployable contracts (artifact names); nothing from forge-std, tests or interfaces. */
export const LINEAGE_CONTRACTS = [
  "OpenToken",
  "DatanetRegistry",
  "ModelRegistry",
  "PaymentChannels",
  "RewardsDistributor",
  "StakingRegistry",
  "LineageGovernor",
  "TimelockController",
] as const;

export default defineConfig({
  out: "sdk/abi/generated.ts",
  plugins: [
    foundry({
      artifacts: "out",
      forge: { build: false, rebuild: false },
      include: LINEAGE_CONTRACTS.map((name) => `${name}.json`),
    }),
  ],
});
