// SPDX-License-Identifier: MIT
/**
 * Merit votes (PROTOCOL.md, "Merit votes are proven at vote time"): the Governor's `castVoteWithReasonAndParams` takes
 * `params = abi.encode(uint256 cumulativeAmount, uint256 merit, bytes32[] proof)` (canonical encoding: proof offset
 * 0x60, exact length; `GovernorOpenMeritVotes._proveLeaf`) proving the voter's leaf in the root final at the proposal
 * snapshot. The indexer serves each account's proof as a {@link MeritProof} (`GET /merit/:account[?at=<timestamp>]`).
 */
import { decodeAbiParameters, encodeAbiParameters, isAddress, isHex, parseAbiParameters, type Address, type Hex } from "viem";
import { z } from "zod";
import { payoutLeafHash, verifyPayoutProof, type PayoutEntry } from "./tree.ts";

const MERIT_PARAMS = parseAbiParameters("uint256 cumulativeAmount, uint256 merit, bytes32[] proof");

/** The Governor's merit `params` for a leaf and its proof. */
export function encodeMeritParams(entry: Pick<PayoutEntry, "cumulativeAmount" | "merit">, proof: readonly Hex[]): Hex {
  return encodeAbiParameters(MERIT_PARAMS, [entry.cumulativeAmount, entry.merit, [...proof]]);
}

/** Decodes merit `params` (throws on a malformed encoding). */
export function decodeMeritParams(params: Hex): { cumulativeAmount: bigint; merit: bigint; proof: Hex[] } {
  const [cumulativeAmount, merit, proof] = decodeAbiParameters(MERIT_PARAMS, params);
  return { cumulativeAmount, merit, proof: [...proof] };
}

const decimal = z.string().regex(/^(0|[1-9][0-9]{0,77})$/, "a decimal integer string");
const hex32 = z.string().refine((h) => isHex(h) && h.length === 66, "a 32-byte hex string").transform((h) => h as Hex);

/** The answer of `GET /merit/:account` (integers as decimal strings). */
export const meritProofResponseSchema = z.object({
  account: z.string().refine((a) => isAddress(a), "not an address").transform((a) => a as Address),
  /** The root final at `timepoint` (the Governor's `finalRootAt`). */
  root: hex32,
  /** The distributor's index of that root. */
  rootIndex: decimal,
  epoch: decimal,
  epochEnd: decimal,
  /** The timepoint the root was looked up at (`?at`, or the latest block's timestamp). */
  timepoint: decimal,
  cumulativeAmount: decimal,
  merit: decimal,
  proof: z.array(hex32).max(64),
  /** The StandardMerkleTree leaf hash of `(account, cumulativeAmount, merit)`. */
  leaf: hex32,
  /** `abi.encode(cumulativeAmount, merit, proof)`: what `castVoteWithReasonAndParams` takes. */
  params: z.string().refine((h) => isHex(h) && h.length >= 2 + 256 && (h.length - 2) % 64 === 0, "not ABI-encoded params").transform((h) => h as Hex),
  /** The CID of the payout-tree document the proof was built from. */
  inputsCid: z.string().min(1),
});
export type MeritProofResponse = z.infer<typeof meritProofResponseSchema>;

/** A served merit proof with bigints. */
export interface MeritProof {
  account: Address;
  root: Hex;
  rootIndex: bigint;
  epoch: bigint;
  epochEnd: bigint;
  timepoint: bigint;
  cumulativeAmount: bigint;
  merit: bigint;
  proof: Hex[];
  leaf: Hex;
  params: Hex;
  inputsCid: string;
}

/** Thrown when a served proof is inconsistent with itself (wrong leaf, proof not leading to the root, params). */
export class MeritProofError extends Error {
  override name = "MeritProofError";
}

/**
 * Parses a served proof (zod) and checks it locally: the leaf hash, the proof leads to `root`, and `params` encode
 * exactly (cumulativeAmount, merit, proof). Whether `root` is the one final on-chain is for the caller to check.
 */
export function parseMeritProof(json: unknown): MeritProof {
  const r = meritProofResponseSchema.safeParse(json);
  if (!r.success) throw new MeritProofError(`malformed merit proof: ${r.error.issues.slice(0, 3).map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const d = r.data;
  const entry: PayoutEntry = { account: d.account, cumulativeAmount: BigInt(d.cumulativeAmount), merit: BigInt(d.merit) };
  if (payoutLeafHash(entry).toLowerCase() !== d.leaf.toLowerCase()) throw new MeritProofError(`leaf ${d.leaf} is not the hash of the served entry`);
  if (!verifyPayoutProof(d.root, entry, d.proof)) throw new MeritProofError(`the proof does not lead to root ${d.root}`);
  if (encodeMeritParams(entry, d.proof).toLowerCase() !== d.params.toLowerCase()) throw new MeritProofError("params are not abi.encode(cumulativeAmount, merit, proof)");
  return {
    ...entry,
    root: d.root,
    rootIndex: BigInt(d.rootIndex),
    epoch: BigInt(d.epoch),
    epochEnd: BigInt(d.epochEnd),
    timepoint: BigInt(d.timepoint),
    proof: d.proof,
    leaf: d.leaf,
    params: d.params,
    inputsCid: d.inputsCid,
  };
}
