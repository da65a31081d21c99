// SPDX-License-Identifier: MIT
/** The published payout-tree document (`inputsCid`) and the Governor's merit params: round trips and refusals. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { afterAll, describe, expect, it } from "vitest";
import { getAddress, type Address, type Hex } from "viem";
import { cidOf, DigestMismatchError, FsContentStore } from "../content/index.ts";
import {
  checkPayoutDocument,
  decodeMeritParams,
  encodeMeritParams,
  encodePayoutTreeDocument,
  fetchPayoutTreeDocument,
  MeritProofError,
  parseMeritProof,
  parsePayoutTreeDocument,
  payoutLeafHash,
  PayoutDocumentError,
  PayoutTree,
  payoutTreeDocument,
  publishPayoutTree,
  type PayoutEntry,
} from "./index.ts";

const addr = (i: number): Address => getAddress(`0x${(0xdd0000 + i).toString(16).padStart(40, "0")}`);
const entries = (n: number): PayoutEntry[] =>
  Array.from({ length: n }, (_, i) => ({ account: addr(i), cumulativeAmount: BigInt(i + 1) * 10n ** 18n, merit: BigInt(i * 5 + 1) }));
const distributor = getAddress("0x00000000000000000000000000000000000d1570");
const tree = PayoutTree.build(entries(25));
const params = { chainId: 31337, distributor, epoch: 4n, epochEnd: 1_800_000_000n, tree };
const dir = mkdtempSync(join(tmpdir(), "lineage-payoutdoc-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bytesOf = (doc: unknown) => new TextEncoder().encode(JSON.stringify(doc));

describe("payout-tree document", () => {
  it("round-trips through the content store under its CID; the same tree always gives the same CID", async () => {
    const store = new FsContentStore(dir);
    const put = await publishPayoutTree(store, params);
    expect(put.cid).toBe(cidOf(encodePayoutTreeDocument(payoutTreeDocument(params))));
    expect((await publishPayoutTree(store, { ...params, tree: PayoutTree.build(entries(25)) })).cid).toBe(put.cid);
    const loaded = await fetchPayoutTreeDocument(store, put.cid);
    expect([loaded.root, loaded.epoch, loaded.epochEnd, loaded.totalMerit, loaded.chainId]).toEqual([tree.root, 4n, 1_800_000_000n, tree.totalMerit, 31337]);
    expect(loaded.tree.proof(addr(3))).toEqual(tree.proof(addr(3)));
    // The dump inside is OpenZeppelin's: its library loads it and finds the same root.
    expect(StandardMerkleTree.load(put.document.tree as never).root).toBe(tree.root);
    checkPayoutDocument(loaded, { chainId: 31337, distributor, root: tree.root, epochEnd: 1_800_000_000n, totalMerit: tree.totalMerit, epoch: 4n });
  });

  it("refuses bytes that are not JSON, another kind or version, a malformed shape", () => {
    const good = payoutTreeDocument(params);
    expect(() => parsePayoutTreeDocument(new Uint8Array([0xff, 0xfe]))).toThrow(/UTF-8 JSON/);
    expect(() => parsePayoutTreeDocument(bytesOf({ ...good, kind: "other" }))).toThrow(/not a payout-tree document/);
    expect(() => parsePayoutTreeDocument(bytesOf({ ...good, version: 2 }))).toThrow(/unsupported payout-tree document version 2/);
    expect(() => parsePayoutTreeDocument(bytesOf({ ...good, epoch: "-1" }))).toThrow(PayoutDocumentError);
    expect(() => parsePayoutTreeDocument(bytesOf({ ...good, root: "0x12" }))).toThrow(/root/);
    expect(() => parsePayoutTreeDocument(bytesOf({ ...good, tree: { ...good.tree, format: "v2" } }))).toThrow(/malformed/);
  });

  it("refuses a document whose tree was tampered with, or whose stated root or totals are not its tree's", () => {
    const good = payoutTreeDocument(params);
    const values = good.tree.values.map((v, i) => (i === 2 ? { ...v, value: [v.value[0], v.value[1], "999999"] as [string, string, string] } : v));
    expect(() => parsePayoutTreeDocument(bytesOf({ ...good, tree: { ...good.tree, values } }))).toThrow(/tree is invalid/);
    const other = PayoutTree.build(entries(24));
    expect(() => parsePayoutTreeDocument(bytesOf({ ...good, root: other.root }))).toThrow(/states/);
    expect(() => parsePayoutTreeDocument(bytesOf({ ...good, totalMerit: "1" }))).toThrow(/totals/);
  });

  it("checkPayoutDocument names every field that differs from the on-chain root", () => {
    const loaded = parsePayoutTreeDocument(encodePayoutTreeDocument(payoutTreeDocument(params)));
    const onChain = { chainId: 31337, distributor, root: tree.root, epochEnd: 1_800_000_000n, totalMerit: tree.totalMerit, epoch: 4n };
    expect(() => checkPayoutDocument(loaded, { ...onChain, root: `0x${"11".repeat(32)}` })).toThrow(/root .* != on-chain/);
    expect(() => checkPayoutDocument(loaded, { ...onChain, chainId: 10 })).toThrow(/chainId/);
    expect(() => checkPayoutDocument(loaded, { ...onChain, distributor: addr(1) })).toThrow(/distributor/);
    expect(() => checkPayoutDocument(loaded, { ...onChain, epochEnd: 1n })).toThrow(/epochEnd/);
    expect(() => checkPayoutDocument(loaded, { ...onChain, epoch: 5n })).toThrow(/epoch 4 != on-chain 5/);
  });

  it("a stored document whose bytes changed on disk fails its CID", async () => {
    const store = new FsContentStore(dir);
    const put = await publishPayoutTree(store, { ...params, epoch: 9n });
    const bytes = encodePayoutTreeDocument(payoutTreeDocument({ ...params, epoch: 9n }));
    bytes[bytes.length - 2] = bytes[bytes.length - 2]! ^ 1;
    writeFileSync(store.pathOf(put.cid), bytes);
    await expect(fetchPayoutTreeDocument(store, put.cid)).rejects.toBeInstanceOf(DigestMismatchError);
  });
});

describe("merit params", () => {
  it("encode abi.encode(uint256, uint256, bytes32[]) canonically (proof at 0x60, exact length) and decode back", () => {
    const e = tree.entries[6]!;
    const proof = tree.proof(e.account);
    const p = encodeMeritParams(e, proof);
    const word = (i: number) => BigInt(`0x${p.slice(2 + 64 * i, 2 + 64 * (i + 1))}`);
    expect([word(0), word(1), word(2), word(3)]).toEqual([e.cumulativeAmount, e.merit, 0x60n, BigInt(proof.length)]);
    expect((p.length - 2) / 2).toBe(128 + 32 * proof.length);
    expect(decodeMeritParams(p)).toEqual({ cumulativeAmount: e.cumulativeAmount, merit: e.merit, proof });
  });

  it("parseMeritProof accepts a consistent answer and refuses a wrong leaf, proof or params", () => {
    const e = tree.entries[2]!;
    const proof = tree.proof(e.account);
    const answer = {
      account: e.account, root: tree.root, rootIndex: "1", epoch: "4", epochEnd: "1800000000", timepoint: "1800000100",
      cumulativeAmount: e.cumulativeAmount.toString(), merit: e.merit.toString(), proof, leaf: payoutLeafHash(e),
      params: encodeMeritParams(e, proof), inputsCid: "bafkreiaaaa",
    };
    expect(parseMeritProof(answer).merit).toBe(e.merit);
    expect(() => parseMeritProof({ ...answer, merit: (e.merit + 1n).toString() })).toThrow(MeritProofError);
    const bad = [...proof];
    bad[0] = `0x${"00".repeat(32)}` as Hex;
    expect(() => parseMeritProof({ ...answer, proof: bad })).toThrow(/does not lead/);
    expect(() => parseMeritProof({ ...answer, params: encodeMeritParams({ ...e, merit: 0n }, proof) })).toThrow(/params/);
    expect(() => parseMeritProof({ ...answer, account: "0x1" })).toThrow(/malformed/);
  });
});
