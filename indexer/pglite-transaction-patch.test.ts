// SPDX-License-Identifier: MIT
/**
 * Our patch of Ponder's query builder (patches/ponder+<version>.patch): on PGlite, Ponder's `transaction` ran its
 * callback as plain statements, so an indexer stopped or killed in the middle of a flush kept some tables written and
 * its checkpoint behind them; the restart applied those events a second time (the restart e2e caught balances off by
 * exactly three blocks of transfers). The patch runs it in a real PGlite transaction that queries from inside join.
 * The RPC cache's query builder (`isSync`) keeps Ponder's plain statements: its backfill transaction spans a block
 * range's JSON-RPC fetching, which a real transaction would make every other query wait on (cold backfill ~30% slower).
 * These tests drive Ponder's own `createQB` over an in-memory PGlite.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/pglite";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../sdk/addresses/index.ts";

const PONDER = join(REPO_ROOT, "node_modules", "ponder");
const ponderModule = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(PONDER, "dist", "esm", path)).href)) as T;

/** The part of Ponder's query builder these tests use. */
interface QB {
  wrap: <T>(query: (db: { execute: (q: unknown) => Promise<T> }) => Promise<T>) => Promise<T>;
  transaction: <T>(callback: (tx: QB & { $client: PGlite }) => Promise<T>) => Promise<T>;
}

/** Ponder's warnings; a retried statement logs one with `retry_delay` before each retry. */
const warnings: { msg: string; retry_delay?: number }[] = [];
const logger = { trace: () => undefined, debug: () => undefined, info: () => undefined, error: () => undefined, warn: (l: { msg: string }) => void warnings.push(l) };
const common = {
  logger,
  metrics: new Proxy({}, { get: () => ({ observe: () => undefined, inc: () => undefined }) }),
  shutdown: { isKilled: false },
};

let pg: PGlite;
let indexing: QB;
let api: QB;
let ShutdownError: new () => Error;
let createQB: (db: unknown, o: unknown) => QB;

const rowsIn = async (table: "a" | "b"): Promise<number> => (await pg.query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows[0]!.n;
const countVia = async (qb: QB): Promise<number> =>
  ((await qb.wrap((db) => db.execute(sql`select count(*)::int as n from a`))) as unknown as { rows: { n: number }[] }).rows[0]!.n;
const insert = (qb: QB, table: "a" | "b", id: number) => qb.wrap((db) => db.execute(sql`insert into ${sql.identifier(table)} values (${id})`));

beforeAll(async () => {
  pg = new PGlite();
  await pg.exec("create table a (id int primary key); create table b (id int primary key);");
  ({ createQB } = await ponderModule<{ createQB: (db: unknown, o: unknown) => QB }>("database/queryBuilder.js"));
  ({ ShutdownError } = await ponderModule<{ ShutdownError: new () => Error }>("internal/errors.js"));
  // Two query builders over one instance, as Ponder's user (indexing) and readonly (API) ones.
  indexing = createQB(drizzle(pg, { casing: "snake_case" }), { common, isAdmin: false });
  api = createQB(drizzle(pg, { casing: "snake_case" }), { common, isAdmin: true });
});
beforeEach(async () => {
  await pg.exec("truncate a; truncate b;");
  common.shutdown.isKilled = false;
  warnings.length = 0;
});
afterAll(async () => {
  await pg.close();
});

describe("Ponder PGlite transaction patch", () => {
  it("is in the installed Ponder", () => {
    expect(readFileSync(join(PONDER, "dist", "esm", "database", "queryBuilder.js"), "utf8")).toContain("inTransaction(db.$client, () => callback(db))");
  });

  it("a shutdown between two tables' writes leaves neither written", async () => {
    await expect(
      indexing.transaction(async (tx) => {
        await insert(tx, "a", 1);
        common.shutdown.isKilled = true; // SIGINT arrives in the middle of the flush
        await insert(tx, "b", 1);
      }),
    ).rejects.toBeInstanceOf(ShutdownError);
    expect([await rowsIn("a"), await rowsIn("b")]).toEqual([0, 0]);
  });

  it("COPY through $client (Ponder's flush of large batches) is part of the transaction", async () => {
    await expect(
      indexing.transaction(async (tx) => {
        await tx.$client.query("COPY a FROM '/dev/blob'", [], { blob: new Blob(["1\n2\n3\n"]) });
        expect(await countVia(tx)).toBe(3);
        throw new Error("handler failed");
      }),
    ).rejects.toThrow("handler failed");
    expect(await rowsIn("a")).toBe(0);
    await indexing.transaction(async (tx) => tx.$client.query("COPY a FROM '/dev/blob'", [], { blob: new Blob(["4\n"]) }));
    expect(await rowsIn("a")).toBe(1);
  });

  it("another query builder joins from inside; from outside it waits for the commit (no dirty read, no deadlock)", async () => {
    let begun!: () => void;
    const hasBegun = new Promise<void>((r) => (begun = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const tx = indexing.transaction(async (t) => {
      await insert(t, "a", 1);
      const seenInside = await countVia(api); // same async context: joins the open transaction
      begun();
      await gate;
      await insert(t, "a", 2);
      return seenInside;
    });
    await hasBegun;
    const seenOutside = countVia(api); // started while the transaction holds row 1 uncommitted
    release();
    expect(await tx).toBe(1);
    expect(await seenOutside).toBe(2); // ran after the commit, not between the two inserts

    // Rolled back: an outside reader never sees the rows.
    let begun2!: () => void;
    const hasBegun2 = new Promise<void>((r) => (begun2 = r));
    const failed = indexing.transaction(async (t) => {
      await insert(t, "a", 3);
      begun2();
      await new Promise((r) => setTimeout(r, 20));
      throw new Error("rolled back");
    });
    await hasBegun2;
    const outsideAfterRollback = countVia(api);
    await expect(failed).rejects.toThrow("rolled back");
    expect(await outsideAfterRollback).toBe(2);
  });

  it("a nested transaction runs in the open one (one commit or rollback for both)", async () => {
    await expect(
      indexing.transaction(async (tx) => {
        await tx.transaction(async (inner) => insert(inner, "a", 1));
        await insert(tx, "b", 1);
        throw new Error("outer failed");
      }),
    ).rejects.toThrow("outer failed");
    expect([await rowsIn("a"), await rowsIn("b")]).toEqual([0, 0]);
  });

  it("the RPC cache's (sync) transactions hold no session: a backfill range's fetch does not stall the others", async () => {
    const database = readFileSync(join(PONDER, "dist", "esm", "database", "index.js"), "utf8");
    expect(database).toMatch(/schema: PONDER_SYNC,\s*\}\), \{ common, isAdmin: false, isSync: true \}\)/);
    const sync = createQB(drizzle(pg, { casing: "snake_case" }), { common, isAdmin: false, isSync: true });
    let release!: () => void;
    const network = new Promise<void>((r) => (release = r)); // the JSON-RPC round trips of a block range
    let inserted!: () => void;
    const hasInserted = new Promise<void>((r) => (inserted = r));
    const range = sync.transaction(async (tx) => {
      await insert(tx, "a", 1);
      inserted();
      await network;
      await insert(tx, "b", 1);
    });
    await hasInserted;
    // While the range waits on the network, the indexing commits and the API reads (each statement is durable alone:
    // sync inserts are idempotent and a range's intervals are written last, so a cut-short range is fetched again).
    await indexing.transaction(async (tx) => insert(tx, "a", 2));
    expect(await countVia(api)).toBe(2);
    release();
    await range;
    expect([await rowsIn("a"), await rowsIn("b")]).toEqual([2, 1]);
  });

  it("a failing statement inside a transaction is not retried (the transaction is aborted), outside it is", async () => {
    await expect(indexing.transaction(async (tx) => tx.wrap((db) => db.execute(sql`select 1/0`)))).rejects.toThrow(/division by zero/);
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.filter((w) => w.retry_delay !== undefined)).toEqual([]);
    warnings.length = 0;
    // Outside a transaction Ponder's retry loop still runs (up to 9 retries; the first one is enough to see it).
    const retried = api.wrap((db) => db.execute(sql`select 1/0`)).catch((e: Error) => e);
    for (let i = 0; i < 400 && !warnings.some((w) => w.retry_delay !== undefined); i++) await new Promise((r) => setTimeout(r, 25));
    expect(warnings.some((w) => w.retry_delay !== undefined)).toBe(true);
    common.shutdown.isKilled = true; // ends the retry loop at its next attempt
    expect(await retried).toBeInstanceOf(ShutdownError);
  });
});
