// SPDX-License-Identifier: MIT
/**
 * Training input from a Datanet version: the contribution set (id, digest, contributor) is taken from the chain's
 * logs (or given), checked against the on-chain version root (the SDK's version tree, sdk/datanet: OpenZeppelin
 * StandardMerkleTree over ["uint256", "bytes32", "address"]), the builder's access grant is checked on-chain, and every contribution is
 * fetched from the content store by digest and verified before its JSONL prompt/response records are used.
 * Offline, a local JSONL file (with its digest) is the input instead.
 */
import { readFile } from "node:fs/promises";
import { type Address, type Hex, parseAbi, parseAbiItem, type PublicClient } from "viem";
import { type ContentStore, cidFromDigest, type Hex32, type Membership, sha256Hex, verifyDigest } from "../../sdk/content/index.ts";
import { buildVersionTree, type VersionLeaf, versionLeaves } from "../../sdk/datanet/index.ts";
import { versionRootOf } from "./root.ts";

export class DataError extends Error {
  override name = "DataError";
}

export interface Contribution {
  id: bigint;
  digest: Hex32;
  contributor: Address;
}

export interface DatanetChain {
  client: PublicClient;
  registry: Address;
  chainId: number;
  /** First block to scan for contribution logs (the registry's deployment block). */
  fromBlock?: bigint;
}

const registryAbi = parseAbi([
  "function hasAccess(uint256 datanetId, uint256 versionId, address account) view returns (bool)",
  "function versionRoot(uint256 datanetId, uint256 versionId) view returns (bytes32)",
  "function getVersion(uint256 datanetId, uint256 versionId) view returns ((bytes32 root, uint64 count, uint64 publishedAt))",
]);
const submittedEvent = parseAbiItem(
  "event ContributionSubmitted(uint256 indexed datanetId, uint256 indexed contributionId, address indexed contributor, bytes32 digest, uint32 size, uint8 status)",
);
const approvedEvent = parseAbiItem("event ContributionApproved(uint256 indexed datanetId, uint256 indexed contributionId, address indexed validator, bytes32 digest)");

/**
 * The contributions of version `versionId`: the first `count` contributions approved (in chain order: approved at
 * submission, or by a later ContributionApproved), where `count` is the version's on-chain count.
 */
export async function contributionsFromChain(chain: DatanetChain, datanetId: bigint, versionId: bigint): Promise<Contribution[]> {
  const version = await chain.client.readContract({ address: chain.registry, abi: registryAbi, functionName: "getVersion", args: [datanetId, versionId] }).catch((e: Error) => {
    throw new DataError(`Datanet ${datanetId} version ${versionId} not found on chain: ${e.message.split("\n")[0]}`);
  });
  const fromBlock = chain.fromBlock ?? 0n;
  const [submitted, approved] = await Promise.all([
    chain.client.getLogs({ address: chain.registry, event: submittedEvent, args: { datanetId }, fromBlock, toBlock: "latest" }),
    chain.client.getLogs({ address: chain.registry, event: approvedEvent, args: { datanetId }, fromBlock, toBlock: "latest" }),
  ]);
  const events = [...submitted, ...approved].map((l) => ({ eventName: l.eventName, blockNumber: l.blockNumber!, logIndex: l.logIndex!, args: l.args }));
  let leaves: VersionLeaf[];
  try {
    leaves = versionLeaves(events, datanetId, version.count);
  } catch (e) {
    throw new DataError(`Datanet ${datanetId} version ${versionId}: ${(e as Error).message}`);
  }
  return leaves.map((l) => ({ id: l.contributionId, digest: l.digest.toLowerCase() as Hex32, contributor: l.contributor }));
}

/** Membership proofs of a version's blobs, by digest, for gateway access requests (`accessHeaderProvider`). */
export function membershipLookup(contributions: readonly Contribution[]): (digest: Hex32) => Membership | undefined {
  const tree = buildVersionTree(contributions.map((c) => ({ contributionId: c.id, digest: c.digest, contributor: c.contributor })));
  const byDigest = new Map(contributions.map((c) => [c.digest.toLowerCase(), c]));
  return (digest) => {
    const c = byDigest.get(digest.toLowerCase());
    return c ? { contributionId: c.id, contributor: c.contributor, proof: tree.proof(c.id) } : undefined;
  };
}

export interface DatanetInputOptions {
  store: ContentStore;
  datanetId: bigint;
  versionId: bigint;
  /** Chain to read the root, the contribution list and the grant from. */
  chain?: DatanetChain;
  /** The builder whose grant is checked (required with a chain). */
  builder?: Address;
  /** Contribution list when not read from the chain (e.g. from the indexer). */
  contributions?: Contribution[];
  /** Expected root when no chain is configured (e.g. from a manifest). */
  root?: Hex32;
  /** Progress callback per fetched contribution. */
  onFetched?: (done: number, total: number) => void;
}

export interface VerifiedBlob {
  contribution: Contribution;
  bytes: Uint8Array;
}

export interface DatanetInput {
  datanetId: bigint;
  versionId: bigint;
  root: Hex32;
  contributions: Contribution[];
  blobs: VerifiedBlob[];
}

/**
 * Load and verify a Datanet version: access grant (on-chain), contribution set against the version root, every
 * blob against its digest. Throws `DataError` before returning anything if any check fails.
 */
export async function loadDatanetVersion(opts: DatanetInputOptions): Promise<DatanetInput> {
  const { chain, datanetId, versionId } = opts;
  let root: Hex32;
  if (chain) {
    if (!opts.builder) throw new DataError("a builder address is needed to check the access grant on-chain");
    root = (await chain.client.readContract({ address: chain.registry, abi: registryAbi, functionName: "versionRoot", args: [datanetId, versionId] })).toLowerCase() as Hex32;
    if (/^0x0+$/.test(root)) throw new DataError(`Datanet ${datanetId} version ${versionId} is not published`);
    const granted = await chain.client.readContract({ address: chain.registry, abi: registryAbi, functionName: "hasAccess", args: [datanetId, versionId, opts.builder] });
    if (!granted) throw new DataError(`no access grant: ${opts.builder} has no grant for Datanet ${datanetId} version ${versionId}`);
  } else {
    if (!opts.root) throw new DataError("without a chain, the expected version root must be given");
    root = opts.root.toLowerCase() as Hex32;
  }
  const contributions = opts.contributions ?? (chain ? await contributionsFromChain(chain, datanetId, versionId) : undefined);
  if (!contributions || contributions.length === 0) throw new DataError("no contributions to train on");
  const ids = new Set<bigint>();
  for (const c of contributions) {
    if (ids.has(c.id)) throw new DataError(`contribution ${c.id} listed twice`);
    ids.add(c.id);
  }
  const computed = versionRootOf(contributions).toLowerCase();
  if (computed !== root) throw new DataError(`contribution set does not match the version root: computed ${computed}, on-chain ${root}`);
  const blobs: VerifiedBlob[] = [];
  for (const c of [...contributions].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    let bytes: Uint8Array;
    try {
      bytes = await opts.store.get(c.digest);
    } catch (e) {
      throw new DataError(`contribution ${c.id} (${cidFromDigest(c.digest)}): ${(e as Error).message}`);
    }
    verifyDigest(bytes, c.digest, `contribution ${c.id}`);
    blobs.push({ contribution: c, bytes });
    opts.onFetched?.(blobs.length, contributions.length);
  }
  return { datanetId, versionId, root, contributions, blobs };
}

/** The text of all blobs, in contribution-id order, as one JSONL document (each blob holds one or more lines). */
export function jsonlOf(input: Pick<DatanetInput, "blobs">): string {
  const dec = new TextDecoder("utf-8", { fatal: true });
  return input.blobs
    .map(({ bytes, contribution }) => {
      try {
        return dec.decode(bytes).trim();
      } catch {
        throw new DataError(`contribution ${contribution.id} is not UTF-8 text`);
      }
    })
    .join("\n");
}

/** A local JSONL file (offline training) with its digest. */
export async function loadJsonlFile(path: string): Promise<{ text: string; digest: Hex32 }> {
  const bytes = new Uint8Array(await readFile(path).catch((e: Error) => {
    throw new DataError(`cannot read ${path}: ${e.message}`);
  }));
  return { text: new TextDecoder().decode(bytes), digest: sha256Hex(bytes) };
}

export type { Hex };
export { versionRootOf };
