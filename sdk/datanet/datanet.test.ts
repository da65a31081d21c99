// SPDX-License-Identifier: MIT
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Abi, type Address, encodePacked, type Hex, hashTypedData, keccak256, type LocalAccount, toHex, type WalletClient } from "viem";
import { foundry } from "viem/chains";
import { sha256 } from "@noble/hashes/sha2.js";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { create as createDigest } from "multiformats/hashes/digest";
import { startTestChain, type TestChain } from "../content/testchain.ts";
import { approvedContributions, buildVersionTree, checkVersion, contributionBatch, contributionCommitment, datanetRegistryReadAbi, DatanetEventsError, itemsHash, packItems, parseItems, VersionTree, VersionTreeError, versionLeaves } from "./index.ts";

const digestOf = (s: string): Hex => toHex(sha256(new TextEncoder().encode(s)));
const addr = (n: number): Address => `0x${n.toString(16).padStart(40, "0")}` as Address;

describe("items", () => {
  it("itemsHash is keccak256 of packed (bytes32 digest, uint64 size) items", () => {
    const items = [
      { digest: digestOf("a"), size: 10 },
      { digest: digestOf("b"), size: 5_000_000n },
    ];
    const manual = keccak256(encodePacked(["bytes32", "uint64", "bytes32", "uint64"], [items[0]!.digest, 10n, items[1]!.digest, 5_000_000n]));
    expect(itemsHash(items)).toBe(manual);
    expect((packItems(items).length - 2) / 2).toBe(80);
  });
  it("refuses a zero digest, a zero size, bad hex and an empty list", () => {
    expect(() => parseItems([{ digest: `0x${"0".repeat(64)}`, size: 1 }])).toThrow(/digest must not be zero/);
    expect(() => parseItems([{ digest: digestOf("a"), size: 0 }])).toThrow(/size must be/);
    expect(() => parseItems([{ digest: "0x1234", size: 1 }])).toThrow(/32 bytes/);
    expect(() => parseItems([{ digest: digestOf("a"), size: 1n << 64n }])).toThrow(/size must be/);
    expect(() => parseItems([])).toThrow(/at least one item/);
  });
});

describe("version tree", () => {
  const leaves = Array.from({ length: 7 }, (_, i) => ({ contributionId: BigInt(i + 1), digest: digestOf(`item ${i}`), contributor: addr(0xabc + (i % 3)) }));
  it("builds a tree whose proofs verify, and that rejects tampered leaves", () => {
    const tree = buildVersionTree(leaves);
    expect(tree.count).toBe(7n);
    for (const l of leaves) {
      expect(VersionTree.verify(tree.root, l, tree.proof(l.contributionId))).toBe(true);
      expect(VersionTree.verify(tree.root, { ...l, digest: digestOf("other") }, tree.proof(l.contributionId))).toBe(false);
    }
    expect(() => tree.proof(99n)).toThrow(VersionTreeError);
  });
  it("is independent of leaf order and survives dump/load", () => {
    const a = buildVersionTree(leaves);
    const b = buildVersionTree([...leaves].reverse());
    expect(b.root).toBe(a.root);
    const c = VersionTree.load(a.dump());
    expect(c.root).toBe(a.root);
    expect(c.leaf(3n).digest).toBe(leaves[2]!.digest);
  });
  it("refuses an empty version and duplicate ids", () => {
    expect(() => buildVersionTree([])).toThrow(VersionTreeError);
    expect(() => buildVersionTree([leaves[0]!, { ...leaves[1]!, contributionId: 1n }])).toThrow(/appears twice/);
  });
  it("selects approvals in chain order and refuses an approval without submission", () => {
    const sub = (id: bigint, status: number, block: bigint, logIndex: number) => ({
      eventName: "ContributionSubmitted" as const, blockNumber: block, logIndex,
      args: { datanetId: 1n, contributionId: id, contributor: addr(1), digest: digestOf(`d${id}`), size: 1, status },
    });
    const appr = (id: bigint, block: bigint, logIndex: number) => ({
      eventName: "ContributionApproved" as const, blockNumber: block, logIndex,
      args: { datanetId: 1n, contributionId: id, validator: addr(2), digest: digestOf(`d${id}`) },
    });
    const events = [appr(2n, 5n, 0), sub(1n, 1, 1n, 0), sub(2n, 1, 1n, 1), appr(1n, 6n, 0), sub(3n, 2, 7n, 0), { ...sub(4n, 2, 7n, 1), args: { ...sub(4n, 2, 7n, 1).args, datanetId: 2n } }];
    expect(approvedContributions(events, 1n).map((l) => l.contributionId)).toEqual([2n, 1n, 3n]);
    expect(versionLeaves(events, 1n, 2n).map((l) => l.contributionId)).toEqual([2n, 1n]);
    expect(() => versionLeaves(events, 1n, 4n)).toThrow(DatanetEventsError);
    expect(() => approvedContributions([appr(9n, 1n, 0)], 1n)).toThrow(DatanetEventsError);
  });
});

async function artifact(name: string): Promise<{ abi: Abi; bytecode: Hex }> {
  const json = JSON.parse(await readFile(join(process.cwd(), "out", `${name}.sol`, `${name}.json`), "utf8")) as { abi: Abi; bytecode: { object: Hex } };
  return { abi: json.abi, bytecode: json.bytecode.object };
}

describe("on-chain cross-check (anvil + DatanetRegistry)", () => {
  let chain: TestChain;
  beforeAll(async () => {
    chain = await startTestChain();
  });
  afterAll(async () => {
    await chain?.stop();
  });

  it("a tree built by the SDK from the registry's events verifies on-chain, signed batches included", async () => {
    const [owner, contributor, relayer, validator] = chain.accounts as [LocalAccount, LocalAccount, LocalAccount, LocalAccount];
    // the relayer of the signed batch also plays a copier of the direct batch's pending reveal
    const copier = relayer;
    const send = async (w: WalletClient, address: Address, abi: Abi, functionName: string, args: unknown[]) => {
      const hash = await w.writeContract({ address, abi, functionName, args, chain: foundry, account: w.account! });
      const r = await chain.client.waitForTransactionReceipt({ hash });
      expect(r.status, functionName).toBe("success");
      return r;
    };
    const deploy = async (name: string, args: unknown[]) => {
      const { abi, bytecode } = await artifact(name);
      const hash = await chain.wallet(owner).deployContract({ abi, bytecode, args, chain: foundry, account: owner });
      const r = await chain.client.waitForTransactionReceipt({ hash });
      return { address: r.contractAddress!, abi };
    };
    const ow = chain.wallet(owner);
    const token = await deploy("OpenToken", [owner.address]);
    const reg = await deploy("DatanetRegistry", [token.address, owner.address, owner.address]);
    await send(ow, token.address, token.abi, "transfer", [contributor.address, 100n * 10n ** 18n]);
    await send(chain.wallet(contributor), token.address, token.abi, "approve", [reg.address, 2n ** 256n - 1n]);
    await send(ow, token.address, token.abi, "approve", [reg.address, 2n ** 256n - 1n]);
    await send(ow, token.address, token.abi, "transfer", [copier.address, 100n * 10n ** 18n]);
    await send(chain.wallet(copier), token.address, token.abi, "approve", [reg.address, 2n ** 256n - 1n]);
    const bond = 10n ** 18n;
    const rules = { maxItemSize: 0, dailyLimit: 0, bond: 10n ** 18n, validatorGated: true, acceptStakedValidators: false, openAccess: false, accessFee: 0n };
    await send(ow, reg.address, reg.abi, "createDatanet", ["ipfs://meta", 0, 1000n, rules]);
    await send(ow, reg.address, reg.abi, "publishDatanet", [1n]);
    await send(ow, reg.address, reg.abi, "setValidator", [1n, validator.address, true]);

    // a gasless batch: the contributor signs, a relayer commits, then reveals a block later
    const signedItems = Array.from({ length: 5 }, (_, i) => ({ digest: digestOf(`signed ${i}`), size: 100 + i }));
    const deadline = BigInt(Math.floor(Date.now() / 1000) + 3600);
    const batch = contributionBatch({ registry: reg.address, chainId: chain.chainId, contributor: contributor.address, datanetId: 1n, items: signedItems, maxBond: bond, nonce: 0n, deadline });
    const onChainDigest = await chain.client.readContract({ address: reg.address, abi: reg.abi, functionName: "contributionBatchDigest", args: [contributor.address, 1n, itemsHash(signedItems), bond, 0n, deadline] });
    expect(onChainDigest).toBe(hashTypedData(batch.typedData));
    const signature = await contributor.signTypedData(batch.typedData);
    await send(chain.wallet(relayer), reg.address, reg.abi, "commitContribution", [batch.commitment]);
    await send(chain.wallet(relayer), reg.address, reg.abi, "contributeBySig", [1n, contributor.address, batch.packedItems, { maxBond: bond, nonce: 0n, deadline, salt: batch.salt }, signature]);
    // and a direct batch, committed first; a copier who read the pending reveal commits the same items later and,
    // the reveal being delayed, reveals first; the earlier commitment takes every item over
    const directItems = Array.from({ length: 3 }, (_, i) => ({ digest: digestOf(`direct ${i}`), size: 7 }));
    const directPacked = packItems(directItems);
    const salt = keccak256(toHex("direct salt"));
    const copierSalt = keccak256(toHex("copier salt"));
    const commitOf = (who: Address, s: Hex) => contributionCommitment({ contributor: who, datanetId: 1n, itemsHash: keccak256(directPacked), salt: s });
    await send(chain.wallet(contributor), reg.address, reg.abi, "commitContribution", [commitOf(contributor.address, salt)]);
    await send(chain.wallet(copier), reg.address, reg.abi, "commitContribution", [commitOf(copier.address, copierSalt)]);
    await send(chain.wallet(copier), reg.address, reg.abi, "contributeBatch", [1n, directPacked, bond, copierSalt]);
    await send(chain.wallet(contributor), reg.address, reg.abi, "contributeBatch", [1n, directPacked, bond, salt]);

    // the validator approves six (in its own order) and rejects one
    const approveOrder = [directItems[2]!, signedItems[4]!, signedItems[0]!, directItems[0]!, signedItems[2]!, signedItems[1]!].map((i) => i.digest);
    await send(chain.wallet(validator), reg.address, reg.abi, "approve", [1n, approveOrder.slice(0, 4)]);
    await send(chain.wallet(validator), reg.address, reg.abi, "reject", [1n, [signedItems[3]!.digest], 4]);
    await send(chain.wallet(validator), reg.address, reg.abi, "approve", [1n, approveOrder.slice(4)]);

    // rebuild from events alone, publish, verify every leaf on-chain
    const events = await chain.client.getContractEvents({ address: reg.address, abi: reg.abi, fromBlock: 0n });
    const leaves = approvedContributions(events as unknown as { eventName: string }[], 1n);
    expect(leaves.map((l) => l.digest)).toEqual(approveOrder);
    // the copied items are credited to the contributor, not the copier (events rebuilt with the reassignment)
    expect(new Set(leaves.map((l) => l.contributor))).toEqual(new Set([contributor.address]));
    expect(await chain.client.readContract({ address: token.address, abi: token.abi, functionName: "balanceOf", args: [copier.address] })).toBe(97n * 10n ** 18n);
    const tree = buildVersionTree(leaves);
    await send(ow, reg.address, reg.abi, "publishVersion", [1n, tree.root, tree.count, "ipfs://version1"]);
    expect(await chain.client.readContract({ address: reg.address, abi: reg.abi, functionName: "versionRoot", args: [1n, 1n] })).toBe(tree.root);
    for (const l of leaves) {
      const ok = await chain.client.readContract({ address: reg.address, abi: reg.abi, functionName: "verifyContribution", args: [1n, 1n, l.contributionId, l.digest, l.contributor, tree.proof(l.contributionId)] });
      expect(ok).toBe(true);
    }
    const l0 = leaves[0]!;
    const bad = await chain.client.readContract({ address: reg.address, abi: reg.abi, functionName: "verifyContribution", args: [1n, 1n, l0.contributionId, digestOf("forged"), l0.contributor, tree.proof(l0.contributionId)] });
    expect(bad).toBe(false);
    // the rejected item is not provable with any proof from this tree
    expect(tree.has(4n)).toBe(false);

    // anyone can rebuild the version from the chain and check the posted root
    const checked = await checkVersion(chain.client, { registry: reg.address, datanetId: 1n, versionId: 1n });
    expect(checked.matches).toBe(true);
    expect(checked.count).toBe(6n);
    // a wrong root posted as version 2 is detected
    await send(ow, reg.address, reg.abi, "publishVersion", [1n, keccak256(toHex("not the tree")), 6n, "ipfs://bad"]);
    const wrong = await checkVersion(chain.client, { registry: reg.address, datanetId: 1n, versionId: 2n });
    expect(wrong.matches).toBe(false);
    await expect(checkVersion(chain.client, { registry: reg.address, datanetId: 1n, versionId: 3n })).rejects.toThrow();

    // a model NFT on version 1 (the Datanet owner has access): tokenURI renders the metadata digest as the same
    // CIDv1 raw string multiformats computes
    const models = await deploy("ModelRegistry", [token.address, reg.address, owner.address, owner.address]);
    for (let i = 0; i < 3; i++) {
      const metadataDigest = digestOf(`model metadata ${i}`);
      await send(ow, models.address, models.abi, "mint", [{
        baseModelDigest: digestOf("base"), adapterDigest: digestOf(`adapter ${i}`), manifestDigest: digestOf("manifest"),
        datasets: [{ datanetId: 1n, versionId: 1n }], pricePer1kTokens: 10n ** 15n, ownerBps: 3000, metadataDigest,
      }]);
      const uri = await chain.client.readContract({ address: models.address, abi: models.abi, functionName: "tokenURI", args: [BigInt(i + 1)] });
      const cid = CID.create(1, raw.code, createDigest(0x12, Buffer.from(metadataDigest.slice(2), "hex")));
      expect(uri).toBe(`ipfs://${cid.toString()}`);
    }
    // the SDK's read ABI matches the compiled contract's events
    for (const ev of datanetRegistryReadAbi.filter((x) => x.type === "event")) {
      const twin = reg.abi.find((x) => x.type === "event" && x.name === ev.name);
      expect(twin, ev.name).toBeDefined();
      expect((twin as unknown as { inputs: { type: string; indexed?: boolean }[] }).inputs.map((i) => [i.type, !!i.indexed])).toEqual(ev.inputs.map((i) => [i.type, !!(i as { indexed?: boolean }).indexed]));
    }

  });
});

describe("committed forge vectors", () => {
  it("contracts/test/unit/DatanetTreeVectors.t.sol holds this builder's root and proofs", async () => {
    const { versionTreeVectors } = await import("./vectors.ts");
    // compared without whitespace (forge fmt may wrap lines)
    const squash = (s: string) => s.toLowerCase().replace(/\s+/g, "");
    const sol = squash(await readFile(join(process.cwd(), "contracts/test/unit/DatanetTreeVectors.t.sol"), "utf8"));
    const v = versionTreeVectors();
    expect(sol).toContain(squash(`root = ${v.root}`));
    for (const l of v.leaves) {
      expect(sol).toContain(squash(`verifycontribution(dn, 1, ${l.contributionId}, ${l.digest}`));
      l.proof.forEach((p, j) => expect(sol).toContain(squash(`p[${j}] = ${p};`)));
    }
  });
});
