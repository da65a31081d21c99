// SPDX-License-Identifier: MIT
import { defineConfig } from "vitest/config";

/** Quick default profile: every `*.test.ts` beside its module plus `test/e2e`. Heavy suites opt in via LINEAGE_FULL=1. */
export default defineConfig({
  test: {
    include: ["{sdk,ai,keepers,indexer,cli,scripts,app,test}/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/.ponder/**"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: "forks",
    passWithNoTests: false,
  },
});
