// SPDX-License-Identifier: MIT
/**
 * THE content store: put/get by CID (CIDv1 raw sha2-256), every read verified against its digest.
 * `FsContentStore` keeps blobs under `<dataDir>/content/<aa>/<digest hex>` with atomic writes (temp file + rename);
 * `HttpContentStore` reads from a gateway (`GET /ipfs/<cid>`) and verifies too. Both implement `ContentStore`,
 * so the same code can later be backed by IPFS (helia) or an object store.
 */
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "./atomic.ts";
import { cidFromDigest, ContentError, ContentNotFoundError, type Hex32, sha256Hex, toDigest, verifyDigest } from "./cid.ts";

export interface PutResult {
  cid: string;
  digest: Hex32;
  size: number;
}

export interface ContentStore {
  /** Store bytes; idempotent. */
  put(bytes: Uint8Array): Promise<PutResult>;
  /** Fetch bytes by CID or 0x digest; throws `ContentNotFoundError` or `DigestMismatchError`. */
  get(ref: string): Promise<Uint8Array>;
  has(ref: string): Promise<boolean>;
}

/** Default data directory of the embedded deployment. */
export const DEFAULT_DATA_DIR = ".lineage";
/** Largest blob accepted by `put` (contributions, model files, manifests). */
export const MAX_BLOB_BYTES = 512 * 1024 * 1024;

export class FsContentStore implements ContentStore {
  readonly root: string;
  constructor(dataDir: string = process.env.LINEAGE_DATA_DIR ?? DEFAULT_DATA_DIR) {
    this.root = join(dataDir, "content");
  }

  /** Path of the blob with this digest. */
  pathOf(ref: string): string {
    const hex = toDigest(ref).slice(2);
    return join(this.root, hex.slice(0, 2), hex);
  }

  async put(bytes: Uint8Array): Promise<PutResult> {
    if (bytes.length > MAX_BLOB_BYTES) throw new ContentError(`blob of ${bytes.length} bytes exceeds ${MAX_BLOB_BYTES}`);
    const digest = sha256Hex(bytes);
    const path = this.pathOf(digest);
    const result = { cid: cidFromDigest(digest), digest, size: bytes.length };
    const existing = await stat(path).catch(() => undefined);
    if (existing?.size === bytes.length) return result;
    await writeFileAtomic(path, bytes);
    return result;
  }

  async get(ref: string): Promise<Uint8Array> {
    const digest = toDigest(ref);
    const path = this.pathOf(digest);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(path));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new ContentNotFoundError(`no content ${cidFromDigest(digest)} in ${this.root}`);
      throw e;
    }
    verifyDigest(bytes, digest, path);
    return bytes;
  }

  async has(ref: string): Promise<boolean> {
    return stat(this.pathOf(ref)).then(
      () => true,
      () => false,
    );
  }
}

/** Signs a gateway access request for a gated blob (see gateway.ts); returns the header value. */
export type AccessHeaderProvider = (digest: Hex32) => Promise<string | undefined>;

/** A read-only store over an HTTP gateway; every read verified locally against its digest. */
export class HttpContentStore implements ContentStore {
  constructor(
    readonly baseUrl: string,
    private readonly access?: AccessHeaderProvider,
  ) {}

  async put(bytes: Uint8Array): Promise<PutResult> {
    const res = await fetch(new URL("/ipfs", this.baseUrl), { method: "POST", body: bytes as Uint8Array<ArrayBuffer>, headers: { "content-type": "application/octet-stream" } });
    if (!res.ok) throw new ContentError(`gateway refused the upload: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as PutResult;
    if (body.digest !== sha256Hex(bytes)) throw new ContentError(`gateway answered digest ${body.digest} for different bytes`);
    return body;
  }

  async get(ref: string): Promise<Uint8Array> {
    const digest = toDigest(ref);
    const cid = cidFromDigest(digest);
    const header = this.access ? await this.access(digest) : undefined;
    const res = await fetch(new URL(`/ipfs/${cid}`, this.baseUrl), { headers: header ? { [ACCESS_HEADER]: header } : {} });
    if (res.status === 404) throw new ContentNotFoundError(`gateway has no content ${cid}`);
    if (!res.ok) throw new ContentError(`gateway refused ${cid}: ${res.status} ${await res.text()}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    verifyDigest(bytes, digest, `${this.baseUrl}/ipfs/${cid}`);
    return bytes;
  }

  async has(ref: string): Promise<boolean> {
    const res = await fetch(new URL(`/ipfs/${cidFromDigest(toDigest(ref))}`, this.baseUrl), { method: "HEAD" });
    return res.status === 200 || res.status === 403;
  }
}

/** HTTP header carrying a signed EIP-712 `AccessRequest` (JSON) for a gated blob. */
export const ACCESS_HEADER = "x-lineage-access";
