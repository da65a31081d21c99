// SPDX-License-Identifier: MIT
import { expect, it } from "vitest";
import { numel } from "./index.ts";

it("numel multiplies dimensions", () => {
  expect(numel([2, 3, 4])).toBe(24);
  expect(numel([])).toBe(1);
});
