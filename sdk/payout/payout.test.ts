// SPDX-License-Identifier: MIT
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { describe, expect, it } from "vitest";
import { encodeAbiParameters, keccak256, parseAbiParameters, getAddress, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  PayoutTree,
  PayoutTreeError,
  payoutLeafHash,
  verifyPayoutProof,
  signVoucher,
  verifyVoucher,
  recoverVoucherSigner,
  voucherDigest,
  signUsageReceipt,
  verifyUsageReceipt,
  usageReceiptDigest,
  signClaimTo,
  verifyClaimTo,
  claimToDigest,
  SettlementSignatureError,
  type PayoutEntry,
} from "./index.ts";

const addr = (i: number): Address => getAddress(`0x${(0xabc000 + i).toString(16).padStart(40, "0")}`);
const entries = (n: number): PayoutEntry[] =>
  Array.from({ length: n }, (_, i) => ({ account: addr(i), cumulativeAmount: BigInt(i + 1) * 10n ** 18n, merit: BigInt(i * 7) }));
const target = { chainId: 31337, verifyingContract: "0x00000000000000000000000000000000000000c1" as Address };
const payer = privateKeyToAccount("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const other = privateKeyToAccount("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a");

describe("PayoutTree", () => {
  it("leaf hash is keccak256(keccak256(abi.encode(account, amount, merit)))", () => {
    const e = { account: addr(1), cumulativeAmount: 123n, merit: 9n };
    const inner = keccak256(encodeAbiParameters(parseAbiParameters("address,uint256,uint256"), [e.account, 123n, 9n]));
    expect(payoutLeafHash(e)).toBe(keccak256(inner));
  });

  it.each([1, 2, 3, 4, 7, 50])("matches OpenZeppelin's StandardMerkleTree for %i leaves (root, proofs, dump)", (n) => {
    const es = entries(n);
    const ours = PayoutTree.build(es);
    const oz = StandardMerkleTree.of(
      es.map((e) => [e.account, e.cumulativeAmount.toString(), e.merit.toString()]),
      ["address", "uint256", "uint256"],
    );
    expect(ours.root).toBe(oz.root);
    for (let i = 0; i < n; i++) {
      expect(ours.proofAt(i)).toEqual(oz.getProof(i));
      expect(verifyPayoutProof(ours.root, es[i]!, ours.proofAt(i))).toBe(true);
    }
    // Our dump loads in OpenZeppelin's library, and theirs in ours.
    const loaded = StandardMerkleTree.load(ours.dump() as Parameters<typeof StandardMerkleTree.load>[0]);
    expect(loaded.root).toBe(oz.root);
    const back = PayoutTree.load(oz.dump() as Parameters<typeof PayoutTree.load>[0]);
    expect(back.root).toBe(ours.root);
  });

  it("matches OpenZeppelin on a 1,000-leaf tree with random amounts", () => {
    let seed = 42n;
    const rnd = () => (seed = (seed * 6364136223846793005n + 1442695040888963407n) % 2n ** 64n);
    const es = Array.from({ length: 1000 }, (_, i) => ({ account: addr(i), cumulativeAmount: rnd() * rnd(), merit: rnd() % 1000n }));
    const ours = PayoutTree.build(es);
    const oz = StandardMerkleTree.of(es.map((e) => [e.account, e.cumulativeAmount.toString(), e.merit.toString()]), ["address", "uint256", "uint256"]);
    expect(ours.root).toBe(oz.root);
    for (const i of [0, 1, 499, 998, 999]) expect(ours.proofAt(i)).toEqual(oz.getProof(i));
  });

  it("totals, lookups and tampered proofs", () => {
    const es = entries(5);
    const t = PayoutTree.build(es);
    expect(t.totalAmount).toBe(15n * 10n ** 18n);
    expect(t.totalMerit).toBe(70n);
    expect(t.entryOf(addr(2).toLowerCase() as Address)).toEqual(es[2]);
    const p = t.proof(addr(2));
    const tampered = [...p];
    tampered[0] = `0x${(BigInt(p[0]!) ^ 1n).toString(16).padStart(64, "0")}` as Hex;
    expect(verifyPayoutProof(t.root, es[2]!, tampered)).toBe(false);
    expect(verifyPayoutProof(t.root, { ...es[2]!, cumulativeAmount: es[2]!.cumulativeAmount + 1n }, p)).toBe(false);
  });

  it("refuses bad input with a clear error", () => {
    expect(() => PayoutTree.build([])).toThrow(PayoutTreeError);
    const dup = [...entries(2), { ...entries(1)[0]!, merit: 1n }];
    expect(() => PayoutTree.build(dup)).toThrow(/duplicate account/);
    expect(() => PayoutTree.build([{ account: "0x123", cumulativeAmount: 1n, merit: 0n }])).toThrow(/not an address/);
    expect(() => PayoutTree.build([{ account: addr(1), cumulativeAmount: -1n, merit: 0n }])).toThrow(/uint256/);
    expect(() => PayoutTree.build(entries(2)).proof(addr(9))).toThrow(/not in the tree/);
    const t = PayoutTree.build(entries(3));
    expect(() => verifyPayoutProof(t.root, entries(3)[1]!, [`0x${"zz".repeat(32)}` as Hex])).toThrow(/is not hex/);
    expect(() => verifyPayoutProof(t.root, entries(3)[1]!, [`0x${"11".repeat(33)}` as Hex])).toThrow(/does not fit 32 bytes/);
  });

  it("accepts JSON-shaped entries (strings) at the boundary", () => {
    const t = PayoutTree.build([{ account: addr(1).toLowerCase(), cumulativeAmount: "1000", merit: "0x10" }]);
    expect(t.entries[0]).toEqual({ account: addr(1).toLowerCase(), cumulativeAmount: 1000n, merit: 16n });
    expect(t.root).toBe(PayoutTree.build([{ account: addr(1), cumulativeAmount: 1000n, merit: 16n }]).root);
    const badChecksum = addr(1).replace(/[a-f]/, (c) => c.toUpperCase());
    if (badChecksum !== addr(1)) expect(() => PayoutTree.build([{ account: badChecksum, cumulativeAmount: 1n, merit: 0n }])).toThrow(/checksum/);
  });
});

describe("vouchers, receipts, signed claims", () => {
  it("signs and verifies a voucher; wrong signer, amount or domain fail", async () => {
    const v = await signVoucher(payer, { channelId: 3n, cumulativeAmount: 5n * 10n ** 18n }, target);
    expect(await recoverVoucherSigner(v, target)).toBe(payer.address);
    expect(await verifyVoucher(v, payer.address, target, 5n * 10n ** 18n)).toBe(true);
    expect(await verifyVoucher(v, payer.address, target, 6n * 10n ** 18n)).toBe(false);
    expect(await verifyVoucher(v, other.address, target)).toBe(false);
    expect(await verifyVoucher(v, payer.address, { ...target, chainId: 1 })).toBe(false);
    expect(await verifyVoucher({ ...v, channelId: 4n }, payer.address, target)).toBe(false);
    expect(voucherDigest(v, target)).toMatch(/^0x[0-9a-f]{64}$/);
    expect(() => voucherDigest({ channelId: -1n, cumulativeAmount: 0n }, target)).toThrow(SettlementSignatureError);
  });

  it("signs and verifies usage receipts", async () => {
    const r = {
      channelId: 1n, seq: 2n, modelId: 3n, adapterDigest: keccak256("0x01"), tokensIn: 10, tokensOut: 20,
      cumulativeAmount: 30n, requestHash: keccak256("0x02"),
    };
    const s = await signUsageReceipt(other, r, target);
    expect(await verifyUsageReceipt(s, other.address, target)).toBe(true);
    expect(await verifyUsageReceipt({ ...s, seq: 3n }, other.address, target)).toBe(false);
    expect(usageReceiptDigest(r, target)).not.toBe(usageReceiptDigest({ ...r, tokensOut: 21 }, target));
    expect(() => usageReceiptDigest({ ...r, tokensIn: 2 ** 32 }, target)).toThrow(/uint32/);
  });

  it("signs and verifies ClaimTo", async () => {
    const c = { account: payer.address, recipient: other.address, nonce: 0n, deadline: 10n ** 10n };
    const sig = await signClaimTo(payer, c, target);
    expect(await verifyClaimTo(c, sig, target)).toBe(true);
    expect(await verifyClaimTo({ ...c, nonce: 1n }, sig, target)).toBe(false);
    expect(claimToDigest(c, target)).toMatch(/^0x/);
    await expect(signClaimTo(other, c, target)).rejects.toThrow(SettlementSignatureError);
  });
});
