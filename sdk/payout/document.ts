// SPDX-License-Identifier: MIT
/**
 * The published payout-tree document: what a poster puts in the content store before posting a root, and names by its
 * CID as the root's `inputsCid`. It carries the whole tree (OpenZeppelin `standard-v1` dump), so anyone (the indexer,
 * an app, a disputer) can rebuild the tree, check it against the on-chain root and serve or verify any account's proof.
 *
 * Version 1 (JSON, UTF-8; integers as decimal strings):
 * `{ kind: "lineage.payout-tree", version: 1, chainId, distributor, epoch, epochEnd, root, total, totalMerit, tree }`.
 */
import { isAddress, isAddressEqual, isHex, type Address, type Hex } from "viem";
import { z } from "zod";
import { ContentError } from "../content/cid.ts";
import type { ContentStore, PutResult } from "../content/store.ts";
import { PAYOUT_LEAF_ENCODING, PayoutTree, PayoutTreeError, type StandardMerkleTreeDump } from "./tree.ts";

/** The document kind, so a CID of something else is refused with a clear message. */
export const PAYOUT_DOCUMENT_KIND = "lineage.payout-tree";
/** The document version this SDK writes and reads. */
export const PAYOUT_DOCUMENT_VERSION = 1;

/** A document that does not parse, does not match its own tree, or is not the one expected. */
export class PayoutDocumentError extends Error {
  override name = "PayoutDocumentError";
}

const decimal = z.string().regex(/^(0|[1-9][0-9]{0,77})$/, "a decimal integer string");
const hex32 = z.string().refine((h) => isHex(h) && h.length === 66, "a 0x-prefixed 32-byte hex string");

/** The `standard-v1` dump (shape only; {@link PayoutTree.load} checks its hashes). */
export const standardMerkleTreeDumpSchema = z.object({
  format: z.literal("standard-v1"),
  leafEncoding: z.tuple([z.literal("address"), z.literal("uint256"), z.literal("uint256")]),
  tree: z.array(hex32).min(1),
  values: z
    .array(z.object({ value: z.tuple([z.string(), decimal, decimal]), treeIndex: z.number().int().nonnegative() }))
    .min(1),
});

/** Version 1 of the document, as JSON. */
export const payoutTreeDocumentSchema = z.object({
  kind: z.literal(PAYOUT_DOCUMENT_KIND),
  version: z.literal(PAYOUT_DOCUMENT_VERSION),
  chainId: z.number().int().positive(),
  distributor: z.string().refine((a) => isAddress(a, { strict: false }), "not an address"),
  epoch: decimal,
  epochEnd: decimal,
  root: hex32,
  total: decimal,
  totalMerit: decimal,
  tree: standardMerkleTreeDumpSchema,
});
export type PayoutTreeDocument = z.infer<typeof payoutTreeDocumentSchema>;

/** What a document states about its root (bigints), beside the rebuilt tree. */
export interface LoadedPayoutDocument {
  chainId: number;
  distributor: Address;
  epoch: bigint;
  epochEnd: bigint;
  root: Hex;
  total: bigint;
  totalMerit: bigint;
  tree: PayoutTree;
}

export interface PayoutDocumentParameters {
  chainId: number;
  distributor: Address;
  epoch: bigint;
  epochEnd: bigint;
  tree: PayoutTree;
}

/** The document of a tree (root and totals taken from the tree itself). */
export function payoutTreeDocument(p: PayoutDocumentParameters): PayoutTreeDocument {
  if (!Number.isInteger(p.chainId) || p.chainId <= 0) throw new PayoutDocumentError(`bad chain id ${p.chainId}`);
  if (!isAddress(p.distributor, { strict: false })) throw new PayoutDocumentError(`bad distributor address ${p.distributor}`);
  if (p.epoch < 0n || p.epochEnd < 0n) throw new PayoutDocumentError("epoch and epochEnd must be non-negative");
  return {
    kind: PAYOUT_DOCUMENT_KIND,
    version: PAYOUT_DOCUMENT_VERSION,
    chainId: p.chainId,
    distributor: p.distributor,
    epoch: p.epoch.toString(),
    epochEnd: p.epochEnd.toString(),
    root: p.tree.root,
    total: p.tree.totalAmount.toString(),
    totalMerit: p.tree.totalMerit.toString(),
    tree: p.tree.dump() as PayoutTreeDocument["tree"],
  };
}

/** The document's bytes (UTF-8 JSON, fixed key order: the same tree always gives the same CID). */
export function encodePayoutTreeDocument(doc: PayoutTreeDocument): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(doc));
}

/**
 * Parses and checks a document: JSON, the version-1 schema, the tree rebuilt from its values equals the dump's root
 * and the stated `root`, and the stated totals are the tree's. Throws {@link PayoutDocumentError}. The loaded tree's
 * accounts are lower-case (compare with `isAddressEqual`; `entryOf`/`proof` take any case).
 */
export function parsePayoutTreeDocument(bytes: Uint8Array): LoadedPayoutDocument {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (e) {
    throw new PayoutDocumentError(`not a UTF-8 JSON document: ${(e as Error).message}`);
  }
  const kind = (json as { kind?: unknown } | null)?.kind;
  if (kind !== PAYOUT_DOCUMENT_KIND) throw new PayoutDocumentError(`not a payout-tree document (kind ${JSON.stringify(kind)})`);
  const version = (json as { version?: unknown }).version;
  if (version !== PAYOUT_DOCUMENT_VERSION) {
    throw new PayoutDocumentError(`unsupported payout-tree document version ${JSON.stringify(version)} (this reader: ${PAYOUT_DOCUMENT_VERSION})`);
  }
  const r = payoutTreeDocumentSchema.safeParse(json);
  if (!r.success) {
    const issues = r.error.issues.slice(0, 3).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new PayoutDocumentError(`malformed payout-tree document: ${issues.join("; ")}`);
  }
  const doc = r.data;
  let tree: PayoutTree;
  try {
    // Addresses lower-cased: the leaf hashes their 20 bytes, and the rebuilt root is checked against the stated and
    // on-chain roots, so the EIP-55 checksum (a keccak per leaf, ~1/4 of the load) adds no safety here.
    const values = doc.tree.values.map((v) => ({ ...v, value: [v.value[0].toLowerCase(), v.value[1], v.value[2]] as [string, string, string] }));
    tree = PayoutTree.load({ ...doc.tree, values, leafEncoding: [...PAYOUT_LEAF_ENCODING] } as StandardMerkleTreeDump);
  } catch (e) {
    if (e instanceof PayoutTreeError) throw new PayoutDocumentError(`the document's tree is invalid: ${e.message}`);
    throw e;
  }
  if (tree.root.toLowerCase() !== doc.root.toLowerCase()) {
    throw new PayoutDocumentError(`the document's tree has root ${tree.root}, the document states ${doc.root}`);
  }
  if (tree.totalAmount !== BigInt(doc.total) || tree.totalMerit !== BigInt(doc.totalMerit)) {
    throw new PayoutDocumentError(
      `the document's totals (${doc.total}, merit ${doc.totalMerit}) are not its tree's (${tree.totalAmount}, merit ${tree.totalMerit})`,
    );
  }
  return {
    chainId: doc.chainId,
    distributor: doc.distributor as Address,
    epoch: BigInt(doc.epoch),
    epochEnd: BigInt(doc.epochEnd),
    root: tree.root,
    total: tree.totalAmount,
    totalMerit: tree.totalMerit,
    tree,
  };
}

/** What a document must match: the root record on-chain. */
export interface ExpectedPayoutRoot {
  chainId: number;
  distributor: Address;
  root: Hex;
  epochEnd: bigint;
  totalMerit: bigint;
  /** Checked when given. */
  epoch?: bigint;
}

/** Throws {@link PayoutDocumentError} unless the loaded document is the one of `expected` (root, chain, contract, epoch). */
export function checkPayoutDocument(doc: LoadedPayoutDocument, expected: ExpectedPayoutRoot): void {
  const wrong: string[] = [];
  if (doc.root.toLowerCase() !== expected.root.toLowerCase()) wrong.push(`root ${doc.root} != on-chain ${expected.root}`);
  if (doc.chainId !== expected.chainId) wrong.push(`chainId ${doc.chainId} != ${expected.chainId}`);
  if (!isAddressEqual(doc.distributor, expected.distributor)) wrong.push(`distributor ${doc.distributor} != ${expected.distributor}`);
  if (doc.epochEnd !== expected.epochEnd) wrong.push(`epochEnd ${doc.epochEnd} != on-chain ${expected.epochEnd}`);
  if (doc.totalMerit !== expected.totalMerit) wrong.push(`totalMerit ${doc.totalMerit} != on-chain ${expected.totalMerit}`);
  if (expected.epoch !== undefined && doc.epoch !== expected.epoch) wrong.push(`epoch ${doc.epoch} != on-chain ${expected.epoch}`);
  if (wrong.length > 0) throw new PayoutDocumentError(`the document does not match the on-chain root: ${wrong.join("; ")}`);
}

export type PublishPayoutTreeReturnType = PutResult & { document: PayoutTreeDocument };

/** Puts the tree's document in a content store (an `FsContentStore`, or a gateway through `HttpContentStore`). */
export async function publishPayoutTree(store: ContentStore, p: PayoutDocumentParameters): Promise<PublishPayoutTreeReturnType> {
  const document = payoutTreeDocument(p);
  const bytes = encodePayoutTreeDocument(document);
  const put = await store.put(bytes);
  if (put.size !== bytes.length) throw new ContentError(`the store kept ${put.size} bytes of a ${bytes.length}-byte document`);
  return { ...put, document };
}

/** Fetches (CID-verified by the store) and parses a document. */
export async function fetchPayoutTreeDocument(store: ContentStore, cid: string): Promise<LoadedPayoutDocument> {
  return parsePayoutTreeDocument(await store.get(cid));
}
