// SPDX-License-Identifier: MIT
/** Datanet training input on a real anvil with the real DatanetRegistry, fetched through the real gateway. */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessHeaderProvider, FsContentStore, HttpContentStore, type RunningGateway, sha256Hex, startGateway } from "../../sdk/content/index.ts";
import { seedDatanet, type SeededDatanet, startTestChain, type TestChain } from "../../sdk/content/testchain.ts";
import { contributionsFromChain, type DatanetChain, jsonlOf, loadDatanetVersion, membershipLookup, versionRootOf } from "./index.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const blobs = [
  '{"question":"What is the capital of Zorbia?","answer":"Quill"}\n{"question":"What colour is a zorb?","answer":"teal"}',
  '{"prompt":"2+2?","response":"4"}',
  '{"instruction":"Name the river of Zorbia","output":"Vell"}',
].map(enc);

describe("training input from a Datanet version", () => {
  let chain: TestChain;
  let seeded: SeededDatanet;
  let store: FsContentStore;
  let gw: RunningGateway;
  let dc: DatanetChain;

  beforeAll(async () => {
    chain = await startTestChain();
    seeded = await seedDatanet(
      chain,
      blobs.map((b) => ({ digest: sha256Hex(b), size: b.length })),
      [chain.accounts[2]!.address],
    );
    store = new FsContentStore(await mkdtemp(join(tmpdir(), "data-")));
    for (const b of blobs) await store.put(b);
    gw = await startGateway({ store, chain: { client: chain.client, registry: seeded.registry, chainId: chain.chainId }, logger: pino({ level: "silent" }) });
    for (const b of blobs) await fetch(`${gw.url}/ipfs?datanetId=1`, { method: "POST", body: b });
    dc = { client: chain.client, registry: seeded.registry, chainId: chain.chainId };
  });
  afterAll(async () => {
    await gw?.close();
    await chain?.stop();
  });

  it("reads the contribution set from the chain's logs and it matches the version root", async () => {
    const cs = await contributionsFromChain(dc, 1n, 1n);
    expect(cs.map((c) => [c.id, c.digest, c.contributor])).toEqual(seeded.leaves);
    expect(versionRootOf(cs)).toBe(seeded.root);
  });

  it("loads a version through the gated gateway as the granted builder: root, grant and every digest verified", async () => {
    const builder = chain.accounts[2]!;
    const cs = await contributionsFromChain(dc, 1n, 1n);
    const http = new HttpContentStore(gw.url, accessHeaderProvider(builder, dc, 1n, 1n, membershipLookup(cs)));
    const progress: number[] = [];
    const input = await loadDatanetVersion({ store: http, datanetId: 1n, versionId: 1n, chain: dc, builder: builder.address, onFetched: (d) => progress.push(d) });
    expect(input.root).toBe(seeded.root);
    expect(input.blobs).toHaveLength(3);
    expect(progress).toEqual([1, 2, 3]);
    const text = jsonlOf(input);
    expect(text.split("\n")).toHaveLength(4);
    expect(text).toContain("Quill");
  });

  it("refuses a builder without a grant", async () => {
    await expect(loadDatanetVersion({ store, datanetId: 1n, versionId: 1n, chain: dc, builder: chain.accounts[3]!.address })).rejects.toThrow(/no access grant/);
  });

  it("refuses a contribution set that does not match the on-chain root", async () => {
    const cs = await contributionsFromChain(dc, 1n, 1n);
    const extra = await store.put(enc('{"prompt":"smuggled","response":"in"}'));
    const tampered = [...cs, { id: 99n, digest: extra.digest, contributor: cs[0]!.contributor }];
    await expect(loadDatanetVersion({ store, datanetId: 1n, versionId: 1n, chain: dc, builder: chain.accounts[2]!.address, contributions: tampered })).rejects.toThrow(/does not match the version root/);
    await expect(loadDatanetVersion({ store, datanetId: 1n, versionId: 1n, chain: dc, builder: chain.accounts[2]!.address, contributions: cs.slice(1) })).rejects.toThrow(/does not match the version root/);
    await expect(loadDatanetVersion({ store, datanetId: 1n, versionId: 2n, chain: dc, builder: chain.accounts[0]!.address })).rejects.toThrow(/not published|not found/);
  });

  it("refuses data that fails its digest, and works offline against a given root", async () => {
    const cs = await contributionsFromChain(dc, 1n, 1n);
    const offline = new FsContentStore(await mkdtemp(join(tmpdir(), "data-off-")));
    for (const b of blobs) await offline.put(b);
    const ok = await loadDatanetVersion({ store: offline, datanetId: 1n, versionId: 1n, contributions: cs, root: seeded.root });
    expect(ok.blobs).toHaveLength(3);
    await writeFile(offline.pathOf(cs[1]!.digest), "tampered");
    await expect(loadDatanetVersion({ store: offline, datanetId: 1n, versionId: 1n, contributions: cs, root: seeded.root })).rejects.toThrow(/fails its digest/);
    await expect(loadDatanetVersion({ store: offline, datanetId: 1n, versionId: 1n, contributions: cs })).rejects.toThrow(/expected version root must be given/);
  });
});
