// SPDX-License-Identifier: MIT
/**
 * Our patch of Ponder's RPC cache (patches/ponder+<version>.patch, applied by `npm install`): `insertLogs` writes a
 * range's logs with one `INSERT ... SELECT FROM unnest(...)` instead of drizzle VALUES lists. Runs Ponder's own sync
 * store and migrations on an in-memory PGlite and checks what lands in `ponder_sync.logs`, value by value.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { Kysely, Migrator, WithSchemaPlugin } from "kysely";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../sdk/addresses/index.ts";

const PONDER = join(REPO_ROOT, "node_modules", "ponder");
const ponderModule = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(PONDER, "dist", "esm", path)).href)) as T;

interface RpcLog {
  address: string;
  blockHash: string;
  blockNumber: string;
  data: string;
  logIndex: string;
  transactionHash: string;
  transactionIndex: string;
  topics: string[];
  removed: boolean;
}
type SyncStore = { insertLogs: (a: { logs: RpcLog[]; chainId: number }, context?: unknown) => Promise<void> };

const silent = new Proxy({}, { get: () => () => undefined });
/** Statements per query label (Ponder's query wrapper observes one duration per statement). */
const statements = new Map<string, number>();
const metric = {
  observe: ({ method }: { method: string }) => void statements.set(method, (statements.get(method) ?? 0) + 1),
  inc: () => undefined,
};
const common = {
  logger: silent,
  metrics: new Proxy({}, { get: () => metric }),
  shutdown: { isKilled: false },
  options: { databaseMaxQueryParameters: 16_000 },
};

const hex32 = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;
function rpcLog(block: number, index: number, topics: number): RpcLog {
  return {
    address: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    blockHash: hex32(1_000_000 + block),
    blockNumber: `0x${block.toString(16)}`,
    data: index % 3 === 0 ? "0x" : `0x${"ab".repeat(index % 200)}`,
    logIndex: `0x${index.toString(16)}`,
    transactionHash: hex32(2_000_000 + block * 10 + (index % 7)),
    transactionIndex: `0x${(index % 7).toString(16)}`,
    topics: Array.from({ length: topics }, (_, t) => hex32(block * 1_000 + index * 4 + t)),
    removed: false,
  };
}

describe("Ponder RPC cache patch (insertLogs via unnest)", () => {
  it("is made for the installed Ponder version", () => {
    const version = (JSON.parse(readFileSync(join(PONDER, "package.json"), "utf8")) as { version: string }).version;
    expect(readdirSync(join(REPO_ROOT, "patches"))).toContain(`ponder+${version}.patch`);
    expect(readFileSync(join(PONDER, "dist", "esm", "sync-store", "index.js"), "utf8")).toContain("unnestInsert(PONDER_SYNC.logs");
  });

  it("stores every field of every log exactly, in batches, and ignores logs already stored", async () => {
    const pg = new PGlite();
    try {
      const { createPgliteKyselyDialect } = await ponderModule<{ createPgliteKyselyDialect: (p: PGlite) => never }>("utils/pglite.js");
      const { buildMigrationProvider } = await ponderModule<{ buildMigrationProvider: (l: unknown) => never }>("sync-store/migrations.js");
      const { createQB } = await ponderModule<{ createQB: (db: unknown, o: unknown) => unknown }>("database/queryBuilder.js");
      const { createSyncStore } = await ponderModule<{ createSyncStore: (o: unknown) => SyncStore }>("sync-store/index.js");
      const PONDER_SYNC = await ponderModule<Record<string, unknown>>("sync-store/schema.js");

      const kysely = new Kysely({ dialect: createPgliteKyselyDialect(pg), plugins: [new WithSchemaPlugin("ponder_sync")] });
      const migrated = await new Migrator({ db: kysely, provider: buildMigrationProvider(silent), migrationTableSchema: "ponder_sync" }).migrateToLatest();
      expect(migrated.error).toBeUndefined();
      const qb = createQB(drizzle(pg, { casing: "snake_case", schema: PONDER_SYNC }), { common, isAdmin: false });
      const store = createSyncStore({ common, qb });

      // 12,345 logs: more than one unnest batch (10,000), 0 to 4 topics, empty and long data.
      const logs: RpcLog[] = [];
      for (let b = 1; logs.length < 12_345; b++) for (let i = 0; i < 500 && logs.length < 12_345; i++) logs.push(rpcLog(b, i, i % 5));
      // Characters an array literal must quote or escape (data is a text column: any text round-trips).
      logs[1]!.data = `0x"\\{a,b},NULL 'q' \n\t"`;
      logs[2]!.data = "NULL";
      statements.clear();
      await store.insertLogs({ logs, chainId: 31337 });
      expect(statements.get("insert_logs")).toBe(2); // 10,000 + 2,345
      await store.insertLogs({ logs: logs.slice(0, 700), chainId: 31337 }); // already stored: nothing changes

      // Large data: a statement holds at most 32 Mi characters of it (12 Mi + 12 Mi, then the third alone).
      const big = [0, 1, 2].map((i) => ({ ...rpcLog(10_000, i, 1), data: `0x${String(i).repeat(12 * 1024 * 1024 - 2)}` }));
      statements.clear();
      await store.insertLogs({ logs: big, chainId: 31337 });
      expect(statements.get("insert_logs")).toBe(2);
      const bigRows = (await pg.query<{ log_index: number; length: number; head: string }>(
        "select log_index, length(data) as length, left(data, 3) as head from ponder_sync.logs where block_number = 10000 order by log_index",
      )).rows;
      expect(bigRows).toEqual(big.map((l, i) => ({ log_index: i, length: 12 * 1024 * 1024, head: `0x${i}` })));

      const rows = (await pg.query<Record<string, unknown>>(
        "select * from ponder_sync.logs where block_number < 10000 order by block_number, log_index",
      )).rows;
      expect(rows).toHaveLength(logs.length);
      rows.forEach((row, k) => {
        const log = logs[k]!;
        expect({ ...row, chain_id: String(row.chain_id), block_number: String(row.block_number) }).toEqual({
          chain_id: "31337",
          block_number: BigInt(log.blockNumber).toString(),
          log_index: Number(log.logIndex),
          transaction_index: Number(log.transactionIndex),
          block_hash: log.blockHash,
          transaction_hash: log.transactionHash,
          address: log.address.toLowerCase(),
          topic0: log.topics[0] ?? null,
          topic1: log.topics[1] ?? null,
          topic2: log.topics[2] ?? null,
          topic3: log.topics[3] ?? null,
          data: log.data,
        });
      });
    } finally {
      await pg.close();
    }
  });
});
