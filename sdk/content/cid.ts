// SPDX-License-Identifier: MIT
/**
 * Content identifiers: the sha2-256 of the raw bytes, shown off-chain as a CIDv1 `raw` (base32 `bafk...`) and
 * on-chain as a `bytes32` digest. The two are the same 32 bytes.
 */
import { createHash } from "node:crypto";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import * as Digest from "multiformats/hashes/digest";
import { sha256 } from "multiformats/hashes/sha2";

export type Hex32 = `0x${string}`;

export class ContentError extends Error {
  override name = "ContentError";
}
/** A CID that is not CIDv1 raw sha2-256, or a malformed digest. */
export class InvalidCidError extends ContentError {
  override name = "InvalidCidError";
}
/** Bytes that do not hash to the digest they were fetched under. */
export class DigestMismatchError extends ContentError {
  override name = "DigestMismatchError";
  constructor(
    readonly expected: Hex32,
    readonly actual: Hex32,
    where: string,
  ) {
    super(`content at ${where} fails its digest: expected ${expected}, got ${actual}`);
  }
}
export class ContentNotFoundError extends ContentError {
  override name = "ContentNotFoundError";
}

/** sha2-256 of bytes as 0x-hex. */
export function sha256Hex(bytes: Uint8Array): Hex32 {
  return `0x${createHash("sha256").update(bytes).digest("hex")}`;
}

/** The CIDv1 raw sha2-256 (base32) of a 32-byte digest. */
export function cidFromDigest(digest: Hex32): string {
  if (!/^0x[0-9a-fA-F]{64}$/.test(digest)) throw new InvalidCidError(`not a 32-byte hex digest: ${digest}`);
  const bytes = Uint8Array.from(Buffer.from(digest.slice(2), "hex"));
  return CID.createV1(raw.code, Digest.create(sha256.code, bytes)).toString();
}

/** The 32-byte digest inside a CIDv1 raw sha2-256; anything else is refused. */
export function digestFromCid(cid: string): Hex32 {
  let parsed: CID;
  try {
    parsed = CID.parse(cid);
  } catch (e) {
    throw new InvalidCidError(`not a CID: ${cid} (${(e as Error).message})`);
  }
  if (parsed.version !== 1 || parsed.code !== raw.code || parsed.multihash.code !== sha256.code || parsed.multihash.digest.length !== 32)
    throw new InvalidCidError(`only CIDv1 raw sha2-256 CIDs are stored here: ${cid}`);
  return `0x${Buffer.from(parsed.multihash.digest).toString("hex")}`;
}

/** Accept a CID or a 0x digest; return the lower-case digest. */
export function toDigest(ref: string): Hex32 {
  if (ref.startsWith("0x")) {
    if (!/^0x[0-9a-fA-F]{64}$/.test(ref)) throw new InvalidCidError(`not a 32-byte hex digest: ${ref}`);
    return ref.toLowerCase() as Hex32;
  }
  return digestFromCid(ref);
}

/** The CID of some bytes. */
export function cidOf(bytes: Uint8Array): string {
  return cidFromDigest(sha256Hex(bytes));
}

/** Throw unless `bytes` hash to `digest`. */
export function verifyDigest(bytes: Uint8Array, digest: Hex32, where: string): void {
  const actual = sha256Hex(bytes);
  if (actual !== digest.toLowerCase()) throw new DigestMismatchError(digest, actual, where);
}
