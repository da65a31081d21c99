// SPDX-License-Identifier: MIT
/**
 * HTTP gateway over the content store (hono): `GET|HEAD /ipfs/<cid>` serves verified bytes, `POST /ipfs` adds a
 * blob (raw body; `?datanetId=N` marks it as a blob of gated Datanet N). Blobs of gated Datanets are served only
 * with a signed `AccessRequest` from an account holding an on-chain grant (see access.ts).
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import type { AddressInfo } from "node:net";
import { pino, type Logger } from "pino";
import { AccessDeniedError, type AccessChain, checkAccess } from "./access.ts";
import { cidFromDigest, ContentError, ContentNotFoundError, DigestMismatchError, type Hex32, InvalidCidError, toDigest } from "./cid.ts";
import { ACCESS_HEADER, type FsContentStore, MAX_BLOB_BYTES } from "./store.ts";

/** Which gated Datanets a blob belongs to, kept beside the blobs (`<dataDir>/content/gates/<digest>.json`). */
export class GateIndex {
  constructor(private readonly dir: string) {}
  static for(store: FsContentStore): GateIndex {
    return new GateIndex(join(store.root, "gates"));
  }
  private path(digest: Hex32): string {
    return join(this.dir, `${digest.slice(2)}.json`);
  }
  async datanetsOf(digest: Hex32): Promise<bigint[]> {
    try {
      const ids = JSON.parse(await readFile(this.path(digest), "utf8")) as string[];
      return ids.map((s) => BigInt(s));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw e;
    }
  }
  async add(digest: Hex32, datanetId: bigint): Promise<void> {
    const ids = await this.datanetsOf(digest);
    if (ids.includes(datanetId)) return;
    await mkdir(this.dir, { recursive: true });
    const tmp = `${this.path(digest)}.tmp-${randomBytes(6).toString("hex")}`;
    await writeFile(tmp, JSON.stringify([...ids, datanetId].map(String)));
    await rename(tmp, this.path(digest));
  }
}

export interface GatewayOptions {
  store: FsContentStore;
  /** Chain + DatanetRegistry for grant checks; without it gated blobs are refused. */
  chain?: AccessChain;
  maxUploadBytes?: number;
  logger?: Logger;
}

/** The gateway as a hono app (mount it, or `startGateway` to listen). */
export function createGateway(opts: GatewayOptions): Hono {
  const { store } = opts;
  const gates = GateIndex.for(store);
  const maxUpload = opts.maxUploadBytes ?? MAX_BLOB_BYTES;
  const log = opts.logger ?? pino({ level: process.env.LOG_LEVEL ?? "warn" });
  const app = new Hono();

  app.onError((err, c) => {
    if (err instanceof InvalidCidError) return c.json({ error: err.message }, 400);
    if (err instanceof ContentNotFoundError) return c.json({ error: err.message }, 404);
    if (err instanceof AccessDeniedError) return c.json({ error: err.message }, 403);
    if (err instanceof DigestMismatchError) {
      log.error({ err: err.message }, "stored blob fails its digest");
      return c.json({ error: "stored content fails its digest; not served" }, 500);
    }
    if (err instanceof ContentError) return c.json({ error: err.message }, 400);
    log.error({ err }, "gateway error");
    return c.json({ error: "internal error" }, 500);
  });

  app.get("/health", (c) => c.json({ ok: true }));

  const serveBlob = async (cid: string, header: string | undefined, head: boolean): Promise<Response> => {
    const digest = toDigest(cid);
    if (cid.startsWith("0x")) throw new InvalidCidError("use a CID (bafk...) in /ipfs/ paths");
    const datanets = await gates.datanetsOf(digest);
    if (datanets.length > 0) await checkAccess(header, digest, datanets, opts.chain);
    const bytes = await store.get(digest);
    const headers = {
      "content-type": "application/octet-stream",
      "content-length": String(bytes.length),
      etag: `"${cidFromDigest(digest)}"`,
      "x-content-digest": digest,
      "cache-control": datanets.length ? "private, max-age=0" : "public, max-age=31536000, immutable",
    };
    return new Response(head ? null : bytes, { status: 200, headers });
  };

  app.get("/ipfs/:cid", (c) => serveBlob(c.req.param("cid"), c.req.header(ACCESS_HEADER), false));
  app.on("HEAD", "/ipfs/:cid", (c) => serveBlob(c.req.param("cid"), c.req.header(ACCESS_HEADER), true));

  app.post("/ipfs", async (c) => {
    const declared = Number(c.req.header("content-length") ?? "0");
    if (declared > maxUpload) return c.json({ error: `upload of ${declared} bytes exceeds ${maxUpload}` }, 413);
    const datanetParam = c.req.query("datanetId");
    if (datanetParam !== undefined && !/^\d{1,78}$/.test(datanetParam)) return c.json({ error: "datanetId must be a decimal uint256" }, 400);
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.length > maxUpload) return c.json({ error: `upload of ${bytes.length} bytes exceeds ${maxUpload}` }, 413);
    if (bytes.length === 0) return c.json({ error: "empty body" }, 400);
    const res = await store.put(bytes);
    if (datanetParam !== undefined) await gates.add(res.digest, BigInt(datanetParam));
    return c.json(res, 201);
  });

  return app;
}

export interface RunningGateway {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listen on `host:port` (port 0 = a free port). */
export async function startGateway(opts: GatewayOptions & { port?: number; host?: string }): Promise<RunningGateway> {
  const app = createGateway(opts);
  const host = opts.host ?? "127.0.0.1";
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: opts.port ?? 0, hostname: host }, (info: AddressInfo) => {
      resolve({
        url: `http://${host}:${info.port}`,
        port: info.port,
        close: () => new Promise<void>((res) => server.close(() => res())),
      });
    });
    server.once("error", reject);
  });
}
