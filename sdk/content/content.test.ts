// SPDX-License-Identifier: MIT
import { mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  accessHeaderProvider,
  cidFromDigest,
  cidOf,
  ContentNotFoundError,
  digestFromCid,
  DigestMismatchError,
  FsContentStore,
  HttpContentStore,
  InvalidCidError,
  type RunningGateway,
  sha256Hex,
  signAccessRequest,
  startGateway,
  ACCESS_HEADER,
} from "./index.ts";
import { buildVersionTree } from "../datanet/index.ts";
import { publishNextVersion, seedDatanet, type SeededDatanet, startTestChain, type TestChain } from "./testchain.ts";

const enc = (s: string) => new TextEncoder().encode(s);

describe("CIDs", () => {
  it("are CIDv1 raw sha2-256 in base32 and map 1:1 to the bytes32 digest", () => {
    const bytes = enc("hello");
    const cid = cidOf(bytes);
    expect(cid).toBe("bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq");
    expect(digestFromCid(cid)).toBe(sha256Hex(bytes));
    expect(cidFromDigest(sha256Hex(bytes))).toBe(cid);
  });
  it("refuses other CIDs and garbage", () => {
    expect(() => digestFromCid("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG")).toThrow(InvalidCidError);
    expect(() => digestFromCid("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi")).toThrow(/only CIDv1 raw sha2-256/);
    expect(() => digestFromCid("not-a-cid")).toThrow(InvalidCidError);
  });
});

describe("FsContentStore", () => {
  it("puts and gets by CID or digest, idempotently, with no temp files left", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cs-"));
    const store = new FsContentStore(dir);
    const r = await store.put(enc("abc"));
    expect(r).toEqual({ cid: cidOf(enc("abc")), digest: sha256Hex(enc("abc")), size: 3 });
    expect(await store.put(enc("abc"))).toEqual(r);
    expect(await store.get(r.cid)).toEqual(enc("abc"));
    expect(await store.get(r.digest)).toEqual(enc("abc"));
    expect(await store.has(r.cid)).toBe(true);
    const files = await readdir(join(dir, "content", r.digest.slice(2, 4)));
    expect(files).toEqual([r.digest.slice(2)]);
  });
  it("verifies every read: a tampered blob is refused, a missing one is not found", async () => {
    const store = new FsContentStore(await mkdtemp(join(tmpdir(), "cs-")));
    const r = await store.put(enc("original"));
    await writeFile(store.pathOf(r.cid), "tampered");
    await expect(store.get(r.cid)).rejects.toBeInstanceOf(DigestMismatchError);
    await expect(store.get(cidOf(enc("never stored")))).rejects.toBeInstanceOf(ContentNotFoundError);
    await expect(store.get("0x1234")).rejects.toBeInstanceOf(InvalidCidError);
  });
});

describe("gateway (real HTTP on loopback, real anvil + DatanetRegistry for grants)", () => {
  let chain: TestChain;
  let seeded: SeededDatanet;
  let gw: RunningGateway;
  let store: FsContentStore;
  const secret = enc("gated training record");
  const digest = sha256Hex(secret);

  beforeAll(async () => {
    chain = await startTestChain();
    const builder = chain.accounts[2]!;
    seeded = await seedDatanet(chain, [{ digest, size: secret.length }], [builder.address]);
    store = new FsContentStore(await mkdtemp(join(tmpdir(), "gw-")));
    gw = await startGateway({ store, chain: { client: chain.client, registry: seeded.registry, chainId: chain.chainId }, logger: pino({ level: "silent" }) });
  });
  afterAll(async () => {
    await gw?.close();
    await chain?.stop();
  });

  it("adds with POST and serves public blobs with GET/HEAD, verified by the client", async () => {
    const http = new HttpContentStore(gw.url);
    const r = await http.put(enc("public blob"));
    expect(await http.get(r.cid)).toEqual(enc("public blob"));
    const res = await fetch(`${gw.url}/ipfs/${r.cid}`);
    expect(res.headers.get("x-content-digest")).toBe(r.digest);
    expect(res.headers.get("cache-control")).toContain("immutable");
    expect((await fetch(`${gw.url}/ipfs/${r.cid}`, { method: "HEAD" })).status).toBe(200);
    expect((await fetch(`${gw.url}/ipfs/${cidOf(enc("missing"))}`)).status).toBe(404);
    expect((await fetch(`${gw.url}/ipfs/garbage`)).status).toBe(400);
    expect((await fetch(`${gw.url}/ipfs`, { method: "POST", body: new Uint8Array(0) })).status).toBe(400);
    expect((await fetch(`${gw.url}/ipfs?datanetId=x1`, { method: "POST", body: enc("y") })).status).toBe(400);
  });

  it("refuses to serve a blob that fails its digest on disk", async () => {
    const r = await store.put(enc("will be corrupted"));
    await writeFile(store.pathOf(r.cid), "corrupted!");
    const res = await fetch(`${gw.url}/ipfs/${r.cid}`);
    expect(res.status).toBe(500);
    expect(await res.text()).toContain("fails its digest");
  });

  it("serves a gated Datanet blob only to a signed AccessRequest from an account with an on-chain grant", async () => {
    const post = await fetch(`${gw.url}/ipfs?datanetId=${seeded.datanetId}`, { method: "POST", body: secret });
    expect(post.status).toBe(201);
    const cid = cidOf(secret);
    const domain = { chainId: chain.chainId, registry: seeded.registry };
    const [owner, contributor, builder, stranger] = chain.accounts as [never, never, (typeof chain.accounts)[0], (typeof chain.accounts)[0]];
    void owner;
    void contributor;

    const none = await fetch(`${gw.url}/ipfs/${cid}`);
    expect(none.status).toBe(403);
    expect(await none.text()).toContain("gated Datanet");

    const v1 = buildVersionTree(seeded.leaves.map(([contributionId, digest, contributor]) => ({ contributionId, digest, contributor })));
    const [id1, , who1] = seeded.leaves[0]!;
    const membership = { contributionId: id1, contributor: who1, proof: v1.proof(id1) };
    const ok = new HttpContentStore(gw.url, accessHeaderProvider(builder, domain, seeded.datanetId, 1n, () => membership));
    expect(await ok.get(cid)).toEqual(secret);

    const noGrant = new HttpContentStore(gw.url, accessHeaderProvider(stranger, domain, seeded.datanetId, 1n, () => membership));
    await expect(noGrant.get(cid)).rejects.toThrow(/has no access grant/);
    const noProof = new HttpContentStore(gw.url, accessHeaderProvider(builder, domain, seeded.datanetId, 1n));
    await expect(noProof.get(cid)).rejects.toThrow(/membership proof/);

    const deadline = BigInt(Math.floor(Date.now() / 1000) + 60);
    const wrongDigest = await signAccessRequest(builder, domain, { datanetId: 1n, versionId: 1n, digest: sha256Hex(enc("other")) as Hex, deadline });
    expect((await fetch(`${gw.url}/ipfs/${cid}`, { headers: { [ACCESS_HEADER]: wrongDigest } })).status).toBe(403);
    const expired = await signAccessRequest(builder, domain, { datanetId: 1n, versionId: 1n, digest, deadline: 1n });
    expect(await (await fetch(`${gw.url}/ipfs/${cid}`, { headers: { [ACCESS_HEADER]: expired } })).text()).toContain("expired");
    const otherDomain = await signAccessRequest(builder, { chainId: 1, registry: seeded.registry }, { datanetId: 1n, versionId: 1n, digest, deadline });
    expect(await (await fetch(`${gw.url}/ipfs/${cid}`, { headers: { [ACCESS_HEADER]: otherDomain } })).text()).toContain("signature does not match");
    const forged = JSON.stringify({ ...JSON.parse(await signAccessRequest(stranger, domain, { datanetId: 1n, versionId: 1n, digest, deadline })), requester: builder.address });
    expect(await (await fetch(`${gw.url}/ipfs/${cid}`, { headers: { [ACCESS_HEADER]: forged } })).text()).toContain("signature does not match");
    const noVersion = await signAccessRequest(builder, domain, { datanetId: 1n, versionId: 2n, digest, deadline });
    expect((await fetch(`${gw.url}/ipfs/${cid}`, { headers: { [ACCESS_HEADER]: noVersion } })).status).toBe(403);
    expect((await fetch(`${gw.url}/ipfs/${cid}`, { headers: { [ACCESS_HEADER]: "{not json" } })).status).toBe(403);
  });

  it("a grant for version 1 does not open a blob first published in version 2", async () => {
    const later = enc("contributed after version 1");
    const leaves = await publishNextVersion(chain, seeded, [{ digest: sha256Hex(later), size: later.length }]);
    await fetch(`${gw.url}/ipfs?datanetId=${seeded.datanetId}`, { method: "POST", body: later });
    const v2 = buildVersionTree(leaves.map(([contributionId, digest, contributor]) => ({ contributionId, digest, contributor })));
    const [id, , who] = leaves.at(-1)!;
    const membership = { contributionId: id, contributor: who, proof: v2.proof(id) };
    const domain = { chainId: chain.chainId, registry: seeded.registry };
    const builder = chain.accounts[2]!;
    const asV1 = new HttpContentStore(gw.url, accessHeaderProvider(builder, domain, seeded.datanetId, 1n, () => membership));
    await expect(asV1.get(cidOf(later))).rejects.toThrow(/not a contribution of Datanet 1 version 1/);
    const asV2 = new HttpContentStore(gw.url, accessHeaderProvider(builder, domain, seeded.datanetId, 2n, () => membership));
    await expect(asV2.get(cidOf(later))).rejects.toThrow(/no access grant for Datanet 1 version 2/);
    const owner = new HttpContentStore(gw.url, accessHeaderProvider(chain.accounts[0]!, domain, seeded.datanetId, 2n, () => membership));
    expect(await owner.get(cidOf(later))).toEqual(later);
  });

  it("refuses gated blobs when no chain is configured", async () => {
    const bare = await startGateway({ store });
    try {
      const res = await fetch(`${bare.url}/ipfs/${cidOf(secret)}`);
      expect(res.status).toBe(403);
    } finally {
      await bare.close();
    }
  });
});
