// SPDX-License-Identifier: MIT
/**
 * The payout tree of the RewardsDistributor (PROTOCOL.md, "Payout roots, claims and merit"): one leaf per account,
 * OpenZeppelin StandardMerkleTree encoding `["address","uint256","uint256"]` = (account, cumulativeAmount, merit).
 *
 * This builder produces exactly the tree of `StandardMerkleTree.of(values, PAYOUT_LEAF_ENCODING)` (same leaf hashes,
 * same sorted-leaf layout, same root and proofs, and a `dump()` that `StandardMerkleTree.load` accepts), but hashes
 * into one flat buffer with a WebAssembly keccak (`keccak.ts`): a 1,000,000-leaf tree takes 16-18 s on this idle
 * 2-core machine (34 s with the pure-JS keccak; 83-215 s loaded), where OpenZeppelin's library needed 76 s per 100,000
 * leaves (bench/RESULTS.md, "Issue 4: settlement" and "payout tree keccak").
 */
import { isAddress, type Address, type Hex } from "viem";
import { z } from "zod";
import { keccak256Bytes as keccak_256 } from "./keccak.ts";

/** The leaf encoding, as OpenZeppelin's StandardMerkleTree names it. */
export const PAYOUT_LEAF_ENCODING = ["address", "uint256", "uint256"] as const;

const UINT256_MAX = (1n << 256n) - 1n;

/** One account's cumulative entitlement and merit as of an epoch's end. */
export interface PayoutEntry {
  account: Address;
  cumulativeAmount: bigint;
  merit: bigint;
}

const uint256 = z
  .union([z.bigint(), z.string().regex(/^(0x[0-9a-fA-F]+|[0-9]+)$/, "a decimal or 0x-hex integer"), z.number().int()])
  .transform((v) => BigInt(v))
  .refine((v) => v >= 0n && v <= UINT256_MAX, "must fit uint256");

/**
 * Validates one entry from an external source (JSON, a keeper's journal): a 20-byte hex address (a mixed-case one must
 * carry a valid EIP-55 checksum; the tree keeps the address as given: the leaf hashes the 20 bytes), amounts uint256.
 */
export const payoutEntrySchema = z.object({
  account: z.string().refine((a) => isAddress(a), "not an address (or a bad EIP-55 checksum)").transform((a) => a as Address),
  cumulativeAmount: uint256,
  merit: uint256,
});

/** The JSON form of a tree that OpenZeppelin's `StandardMerkleTree.load` reads. */
export interface StandardMerkleTreeDump {
  format: "standard-v1";
  leafEncoding: string[];
  tree: Hex[];
  values: { value: [string, string, string]; treeIndex: number }[];
}

/** Thrown for bad input (duplicate account, unknown account, malformed entry). */
export class PayoutTreeError extends Error {
  override name = "PayoutTreeError";
}

const HASH = 32;

const HEX = /^[0-9a-fA-F]*$/;

function hexToBytes(hex: string, out: Uint8Array, offset: number, width: number): void {
  const h = hex.startsWith("0x") ? hex.slice(2) : hex;
  if (h.length > width * 2) throw new PayoutTreeError(`value ${hex} does not fit ${width} bytes`);
  if (!HEX.test(h)) throw new PayoutTreeError(`value ${hex} is not hex`);
  out.set(Buffer.from(h.padStart(width * 2, "0"), "hex"), offset);
}

function bytesToHex(b: Uint8Array): Hex {
  return `0x${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex")}` as Hex;
}

/** `keccak256(keccak256(abi.encode(account, cumulativeAmount, merit)))`, as bytes. */
function leafHashBytes(e: PayoutEntry): Uint8Array {
  const buf = new Uint8Array(96);
  hexToBytes(e.account, buf, 12, 20);
  hexToBytes(e.cumulativeAmount.toString(16), buf, 32, 32);
  hexToBytes(e.merit.toString(16), buf, 64, 32);
  return keccak_256(keccak_256(buf));
}

/** The StandardMerkleTree leaf hash of an entry (what `RewardsDistributor.leafHash` returns). */
export function payoutLeafHash(entry: PayoutEntry): Hex {
  return bytesToHex(leafHashBytes(entry));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/** Hash of a sorted pair (OpenZeppelin's commutative `hashPair`). */
function hashPair(a: Uint8Array, b: Uint8Array): Uint8Array {
  const buf = new Uint8Array(64);
  if (compareBytes(a, b) <= 0) {
    buf.set(a, 0);
    buf.set(b, 32);
  } else {
    buf.set(b, 0);
    buf.set(a, 32);
  }
  return keccak_256(buf);
}

/** Verifies an OpenZeppelin-style proof of `entry` against `root` (the check `MerkleProof.verify` makes). */
export function verifyPayoutProof(root: Hex, entry: PayoutEntry, proof: readonly Hex[]): boolean {
  let node = leafHashBytes(entry);
  for (const p of proof) {
    const sib = new Uint8Array(HASH);
    hexToBytes(p, sib, 0, HASH);
    node = hashPair(node, sib);
  }
  return bytesToHex(node).toLowerCase() === root.toLowerCase();
}

/** A built payout tree: root, totals, per-account entries and proofs. */
export class PayoutTree {
  /** The Merkle root to post. */
  readonly root: Hex;
  /** Sum of the cumulative amounts (the `total` to post). */
  readonly totalAmount: bigint;
  /** Sum of the merit (the `totalMerit` to post). */
  readonly totalMerit: bigint;
  /** Entries in input order. */
  readonly entries: readonly PayoutEntry[];

  /** Flat `(2n-1) * 32` bytes: node i at [i*32, i*32+32), the OpenZeppelin array layout (root at 0). */
  readonly #nodes: Uint8Array;
  /** Tree index of each entry (input order). */
  readonly #treeIndex: Uint32Array;
  readonly #byAccount: Map<string, number>;

  private constructor(entries: PayoutEntry[], nodes: Uint8Array, treeIndex: Uint32Array, byAccount: Map<string, number>) {
    this.entries = entries;
    this.#nodes = nodes;
    this.#treeIndex = treeIndex;
    this.#byAccount = byAccount;
    this.root = bytesToHex(nodes.subarray(0, HASH));
    let amount = 0n;
    let merit = 0n;
    for (const e of entries) {
      amount += e.cumulativeAmount;
      merit += e.merit;
    }
    this.totalAmount = amount;
    this.totalMerit = merit;
  }

  /**
   * Builds the tree. Throws {@link PayoutTreeError} on an empty list or a duplicate account (one leaf per account:
   * claims pay cumulative differences per account).
   */
  static build(input: readonly PayoutEntry[] | readonly unknown[]): PayoutTree {
    if (input.length === 0) throw new PayoutTreeError("a payout tree needs at least one entry");
    const entries: PayoutEntry[] = input.map((raw, i) => {
      const r = payoutEntrySchema.safeParse(raw);
      if (!r.success) throw new PayoutTreeError(`entry ${i}: ${r.error.issues.map((x) => x.message).join("; ")}`);
      return r.data as PayoutEntry;
    });
    const n = entries.length;
    const byAccount = new Map<string, number>();
    const hashes: Uint8Array[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const e = entries[i]!;
      const key = e.account.toLowerCase();
      if (byAccount.has(key)) throw new PayoutTreeError(`duplicate account ${e.account} (entries ${byAccount.get(key)} and ${i})`);
      byAccount.set(key, i);
      hashes[i] = leafHashBytes(e);
    }
    // Leaves sorted by hash, as StandardMerkleTree.of does by default; ties keep input order (stable sort).
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((a, b) => compareBytes(hashes[a]!, hashes[b]!));
    const size = 2 * n - 1;
    const nodes = new Uint8Array(size * HASH);
    const treeIndex = new Uint32Array(n);
    for (let k = 0; k < n; k++) {
      const ti = size - 1 - k;
      nodes.set(hashes[order[k]!]!, ti * HASH);
      treeIndex[order[k]!] = ti;
    }
    const pair = new Uint8Array(64);
    for (let i = size - 1 - n; i >= 0; i--) {
      const l = nodes.subarray((2 * i + 1) * HASH, (2 * i + 2) * HASH);
      const r = nodes.subarray((2 * i + 2) * HASH, (2 * i + 3) * HASH);
      if (compareBytes(l, r) <= 0) {
        pair.set(l, 0);
        pair.set(r, 32);
      } else {
        pair.set(r, 0);
        pair.set(l, 32);
      }
      nodes.set(keccak_256(pair), i * HASH);
    }
    return new PayoutTree(entries, nodes, treeIndex, byAccount);
  }

  /** Rebuilds a tree from a {@link StandardMerkleTreeDump} (e.g. one written by OpenZeppelin's library). */
  static load(dump: StandardMerkleTreeDump): PayoutTree {
    if (dump.format !== "standard-v1") throw new PayoutTreeError(`unknown tree format ${String(dump.format)}`);
    if (JSON.stringify(dump.leafEncoding) !== JSON.stringify(PAYOUT_LEAF_ENCODING)) {
      throw new PayoutTreeError(`leaf encoding ${JSON.stringify(dump.leafEncoding)} is not ${JSON.stringify(PAYOUT_LEAF_ENCODING)}`);
    }
    const tree = PayoutTree.build(
      dump.values.map((v) => ({ account: v.value[0], cumulativeAmount: v.value[1], merit: v.value[2] })),
    );
    if (tree.root.toLowerCase() !== dump.tree[0]?.toLowerCase()) throw new PayoutTreeError("dump's root does not match its values");
    return tree;
  }

  /** Number of leaves. */
  get size(): number {
    return this.entries.length;
  }

  /** The entry of `account`, or undefined. */
  entryOf(account: Address): PayoutEntry | undefined {
    const i = this.#byAccount.get(account.toLowerCase());
    return i === undefined ? undefined : this.entries[i];
  }

  /** The proof of entry `i` (input order). */
  proofAt(i: number): Hex[] {
    if (!Number.isInteger(i) || i < 0 || i >= this.size) throw new PayoutTreeError(`no entry ${i}`);
    const proof: Hex[] = [];
    let ti = this.#treeIndex[i]!;
    while (ti > 0) {
      const sib = ti % 2 === 1 ? ti + 1 : ti - 1;
      proof.push(bytesToHex(this.#nodes.subarray(sib * HASH, (sib + 1) * HASH)));
      ti = Math.floor((ti - 1) / 2);
    }
    return proof;
  }

  /** The proof of `account`'s leaf. Throws {@link PayoutTreeError} for an account not in the tree. */
  proof(account: Address): Hex[] {
    const i = this.#byAccount.get(account.toLowerCase());
    if (i === undefined) throw new PayoutTreeError(`account ${account} is not in the tree`);
    return this.proofAt(i);
  }

  /** The OpenZeppelin `standard-v1` JSON form (loadable with `StandardMerkleTree.load`). */
  dump(): StandardMerkleTreeDump {
    const tree: Hex[] = [];
    for (let i = 0; i < this.#nodes.length / HASH; i++) tree.push(bytesToHex(this.#nodes.subarray(i * HASH, (i + 1) * HASH)));
    return {
      format: "standard-v1",
      leafEncoding: [...PAYOUT_LEAF_ENCODING],
      tree,
      values: this.entries.map((e, i) => ({
        value: [e.account, e.cumulativeAmount.toString(), e.merit.toString()],
        treeIndex: this.#treeIndex[i]!,
      })),
    };
  }
}
