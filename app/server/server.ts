// SPDX-License-Identifier: MIT
/**
 * The web app's server (what `npm start` runs beside the devnet): the built app (app/dist) with SPA fallback, the
 * runtime config (`/api/config`), one origin for the browser over the local services (`/rpc` -> the chain,
 * `/graphql` and `/merit/*` -> the indexer, `/ipfs*` -> the content gateway: no CORS, one URL to print), and the local
 * training service (`/api/train/*`, progress as server-sent events).
 */
import { serve } from "@hono/node-server";
import { readFile, stat } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import { Hono, type Context } from "hono";
import { compress } from "hono/compress";
import { streamSSE } from "hono/streaming";
import type { Hex } from "viem";
import type { Deployment } from "../../sdk/addresses/index.ts";
import { TrainServiceError, type TrainService } from "./train/service.ts";

export interface AppServerOptions {
  distDir: string;
  deployment: Deployment;
  rpcUrl: string;
  /** The indexer's base URL (GraphQL at /graphql, merit proofs at /merit). */
  indexerUrl?: string;
  gatewayUrl?: string;
  /** anvil's test keys for the dev wallet; served only when the chain is the local one (31337). */
  devKeys?: readonly Hex[];
  servingUrl?: string;
  relayerUrl?: string;
  train?: TrainService;
  networkName?: string;
  /** While the app is being built (see index.ts), pages say so instead of a missing file. */
  buildState?: () => { status: "building" | "ready" } | { status: "failed"; error: string };
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".ico": "image/x-icon",
};
const HOP_HEADERS = ["connection", "keep-alive", "transfer-encoding", "host", "content-length", "accept-encoding"];

/** Forwards the request to `base` + its own path (or to `base` itself with `exact`, e.g. a JSON-RPC URL). */
async function proxy(c: Context, base: string | undefined, what: string, exact = false): Promise<Response> {
  if (!base) return c.json({ error: `${what} is not running on this network` }, 503);
  const url = new URL(c.req.url);
  const target = exact ? new URL(base) : new URL(url.pathname + url.search, base);
  const headers = new Headers(c.req.raw.headers);
  for (const h of HOP_HEADERS) headers.delete(h);
  const body = c.req.method === "GET" || c.req.method === "HEAD" ? undefined : await c.req.arrayBuffer();
  try {
    const res = await fetch(target, { method: c.req.method, headers, body });
    const out = new Headers(res.headers);
    out.delete("content-encoding");
    out.delete("content-length");
    return new Response(res.body, { status: res.status, headers: out });
  } catch (e) {
    return c.json({ error: `${what} did not answer: ${(e as Error).message}` }, 502);
  }
}

export function createAppServer(o: AppServerOptions): Hono {
  const app = new Hono();
  const local = o.deployment.chainId === 31337;
  const config = {
    chainId: o.deployment.chainId,
    networkName: local ? "Local devnet" : `Chain ${o.deployment.chainId}`,
    deployment: o.deployment,
    devKeys: local ? (o.devKeys ?? []) : [],
    services: { indexer: !!o.indexerUrl, gateway: !!o.gatewayUrl, training: !!o.train, serving: o.servingUrl ?? null, relayer: o.relayerUrl ?? null },
  };
  app.get("/api/config", (c) => c.json(config));
  app.get("/health", (c) => c.json({ ok: true }));

  app.post("/rpc", (c) => proxy(c, o.rpcUrl, "the chain's RPC", true));
  app.all("/graphql", (c) => proxy(c, o.indexerUrl, "the indexer"));
  app.get("/merit/:account", (c) => proxy(c, o.indexerUrl, "the indexer"));
  app.all("/ipfs", (c) => proxy(c, o.gatewayUrl, "the content gateway"));
  app.all("/ipfs/*", (c) => proxy(c, o.gatewayUrl, "the content gateway"));

  const train = o.train;
  app.onError((err, c) => {
    if (err instanceof TrainServiceError) return c.json({ error: err.message }, err.status);
    return c.json({ error: err.message }, 500);
  });
  app.get("/api/train/bases", (c) => c.json(train ? train.bases() : []));
  app.get("/api/train/runs", (c) => (train ? c.json(train.list()) : c.json({ error: "no training service" }, 503)));
  app.post("/api/train/runs", async (c) => {
    if (!train) return c.json({ error: "the training service is not available on this network" }, 503);
    const body = (await c.req.json().catch(() => undefined)) as unknown;
    return c.json(train.start(body), 201);
  });
  app.get("/api/train/runs/:id", (c) => (train ? c.json(train.get(c.req.param("id"))) : c.json({ error: "no training service" }, 503)));
  app.delete("/api/train/runs/:id", (c) => (train ? c.json(train.cancel(c.req.param("id"))) : c.json({ error: "no training service" }, 503)));
  app.get("/api/train/runs/:id/events", (c) => {
    if (!train) return c.json({ error: "no training service" }, 503);
    const id = c.req.param("id");
    train.get(id);
    return streamSSE(c, async (stream) => {
      let done = false;
      let wake: () => void = () => undefined;
      const queue: string[] = [];
      const off = train.subscribe(id, (e) => {
        queue.push(JSON.stringify(e));
        if (e.type !== "progress" && e.type !== "log") done = true;
        wake();
      });
      stream.onAbort(() => {
        done = true;
        wake();
      });
      try {
        for (;;) {
          while (queue.length) await stream.writeSSE({ data: queue.shift()! });
          if (done || stream.aborted) break;
          await new Promise<void>((r) => {
            wake = r;
            setTimeout(r, 15_000); // keep-alive tick
          });
          if (!queue.length && !done) await stream.write(": keep-alive\n\n");
        }
      } finally {
        off();
      }
    });
  });

  // The built app: hashed assets cached forever, everything else falls back to index.html (client-side routes).
  app.use("*", compress());
  app.get("*", async (c) => {
    const build = o.buildState?.();
    if (build && build.status !== "ready") {
      const msg = "error" in build ? `The web app failed to build: ${build.error}` : "The web app is being built (once after each change); this page reloads itself.";
      const refresh = build.status === "building" ? '<meta http-equiv="refresh" content="2">' : "";
      return c.html(`<!doctype html><html lang="en"><head><meta charset="utf-8">${refresh}<title>Lineage</title></head><body><main><h1>Lineage</h1><p role="status">${msg.replace(/</g, "&lt;")}</p></main></body></html>`, 503);
    }
    const path = normalize(decodeURIComponent(new URL(c.req.url).pathname)).replace(/^(\.\.[/\\])+/, "");
    const file = join(o.distDir, path);
    const isFile = file.startsWith(o.distDir) && (await stat(file).catch(() => undefined))?.isFile();
    const chosen = isFile ? file : join(o.distDir, "index.html");
    const bytes = await readFile(chosen).catch(() => undefined);
    if (!bytes) return c.text("The web app is not built (npm start builds it; see app/README).", 503);
    return c.body(new Uint8Array(bytes), 200, {
      "content-type": TYPES[extname(chosen)] ?? "application/octet-stream",
      "cache-control": path.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache",
    });
  });
  return app;
}

export interface RunningAppServer {
  url: string;
  port: number;
  close: () => Promise<void>;
}

export async function startAppServer(o: AppServerOptions & { port?: number; host?: string }): Promise<RunningAppServer> {
  const app = createAppServer(o);
  const host = o.host ?? "127.0.0.1";
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: o.port ?? 0, hostname: host }, (info: AddressInfo) => {
      resolve({
        url: `http://${host}:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((r) => {
            o.train?.stop();
            server.close(() => r());
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
    server.once("error", reject);
  });
}
