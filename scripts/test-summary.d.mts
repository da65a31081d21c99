// SPDX-License-Identifier: MIT
/** Types of scripts/test-summary.mjs. */
export interface TestSummary {
  passed: number;
  failed: number;
  skipped: number;
  total: number;
}
export declare function plain(text: string): string;
export declare function forgeSummary(output: string): TestSummary | undefined;
export declare function vitestSummary(output: string): TestSummary | undefined;
export declare function verdict(name: string, status: number, summary: TestSummary | undefined): string | undefined;
