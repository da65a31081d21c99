// SPDX-License-Identifier: MIT
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { indexerNode, indexerNodeArgs, PINNED_NODE, PONDER_NODE_MAJOR } from "./indexer-node.ts";

describe("indexerNode", () => {
  it("uses this Node when it is new enough, else the pinned one", () => {
    expect(indexerNode({}, "22.1.0", "/opt/node22", PINNED_NODE)).toBe("/opt/node22");
    expect(indexerNode({}, "20.20.2", "/usr/bin/node", PINNED_NODE)).toBe(PINNED_NODE);
  });

  it("prefers LINEAGE_INDEXER_NODE and refuses a missing file", () => {
    expect(indexerNode({ LINEAGE_INDEXER_NODE: PINNED_NODE }, "22.1.0", "/opt/node22")).toBe(PINNED_NODE);
    expect(() => indexerNode({ LINEAGE_INDEXER_NODE: "/nonexistent/node" })).toThrow(/LINEAGE_INDEXER_NODE=\/nonexistent\/node: no such file/);
  });

  it("says what to do when no Node 22 is at hand", () => {
    expect(() => indexerNode({}, "20.20.2", "/usr/bin/node", "/nonexistent/node")).toThrow(/needs Node >= 22; this is Node 20\.20\.2.*npm install/);
  });

  // The pinned Node is an optional dependency for Linux x64 only.
  it.skipIf(process.platform !== "linux" || process.arch !== "x64")("the pinned Node that npm install adds is a Node the indexer accepts", () => {
    const version = execFileSync(PINNED_NODE, ["--version"], { encoding: "utf8" }).trim();
    expect(Number(version.replace(/^v/, "").split(".")[0])).toBeGreaterThanOrEqual(PONDER_NODE_MAJOR);
  });

  it("splits extra Node flags for profiling", () => {
    expect(indexerNodeArgs({ LINEAGE_INDEXER_NODE_ARGS: " --cpu-prof  --cpu-prof-dir=/tmp/p " })).toEqual(["--cpu-prof", "--cpu-prof-dir=/tmp/p"]);
    expect(indexerNodeArgs({})).toEqual([]);
  });
});
