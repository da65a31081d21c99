// SPDX-License-Identifier: MIT
/**
 * Auto-analyze against a real PGlite (the one Ponder ships) with Ponder's layout: the indexer's tables and
 * `_ponder_meta` in the schema on the search path.
 */
import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzeOnce, GROWTH, MIN_BYTES, startAutoAnalyze, tablesToAnalyze } from "./analyze.ts";

describe("tablesToAnalyze", () => {
  it("takes every non-trivial table the first time, then only tables grown past GROWTH", () => {
    const big = MIN_BYTES * 4;
    const sizes = [
      { name: "small", bytes: MIN_BYTES - 1 },
      { name: "fresh", bytes: big },
      { name: "same", bytes: big },
      { name: "grown", bytes: Math.ceil(big * (1 + GROWTH)) + 1 },
    ];
    const analyzed = new Map([
      ["same", big],
      ["grown", big],
    ]);
    expect(tablesToAnalyze(sizes, analyzed).map((t) => t.name)).toEqual(["fresh", "grown"]);
  });
});

describe("analyzeOnce (PGlite)", () => {
  let pg: PGlite;
  let db: ReturnType<typeof drizzle>;
  const cursorPlan = async () =>
    (await pg.query<{ "QUERY PLAN": string }>(
      "EXPLAIN select * from contribution where datanet_id = 1 and id <= 19000 order by id desc limit 102",
    )).rows.map((r) => r["QUERY PLAN"]).join("\n");
  const analyzedAt = async () =>
    (await pg.query<{ n: number }>("select count(*)::int as n from pg_stats where schemaname = 'idx' and tablename = 'contribution'")).rows[0]!.n;

  beforeAll(async () => {
    pg = new PGlite();
    await pg.exec(`
      create schema idx; set search_path to idx;
      create table _ponder_meta (key text primary key, value jsonb not null);
      insert into _ponder_meta values ('app', '{"is_ready": 0}');
      create table contribution (id numeric(78) primary key, datanet_id numeric(78) not null, contributor text not null, digest text not null);
      create index on contribution (datanet_id, id);
      insert into contribution select g, 1, '0x' || md5(g::text), '0x' || md5(g::text) || md5(g::text) from generate_series(1, 20000) g;
      create table datanet (id numeric(78) primary key);
      insert into datanet values (1);`);
    db = drizzle(pg);
  });
  afterAll(async () => {
    await pg.close();
  });

  it("does nothing until the indexer has caught up", async () => {
    expect(await analyzeOnce(db, new Map())).toEqual([]);
    expect(await analyzedAt()).toBe(0);
  });

  it("analyzes the indexer's tables once ready, and the cursor page then walks the index", async () => {
    // Without statistics the planner fetches every matching row and sorts them.
    expect(await cursorPlan()).toMatch(/Sort/);
    await pg.exec(`update _ponder_meta set value = '{"is_ready": 1}'`);
    const analyzed = new Map<string, number>();
    expect(await analyzeOnce(db, analyzed)).toEqual(["contribution"]); // datanet is below MIN_BYTES, _ponder_meta is Ponder's
    expect(await analyzedAt()).toBeGreaterThan(0);
    expect(await cursorPlan()).not.toMatch(/Sort/);
    expect(await cursorPlan()).toMatch(/Index Scan Backward/);

    // Nothing changed: nothing to do. Grown by more than GROWTH: analyzed again.
    expect(await analyzeOnce(db, analyzed)).toEqual([]);
    await pg.exec(`insert into contribution select g, 2, '0x' || md5(g::text), '0x' || md5(g::text) || md5(g::text) from generate_series(20001, 23000) g`);
    expect(await analyzeOnce(db, analyzed)).toEqual(["contribution"]);
  });
});

describe("startAutoAnalyze (PGlite)", () => {
  it("polls readiness, analyzes once the indexer has caught up, and stops", async () => {
    const pg = new PGlite();
    try {
      await pg.exec(`
        create table _ponder_meta (key text primary key, value jsonb not null);
        insert into _ponder_meta values ('app', '{"is_ready": 0}');
        create table contribution (id numeric(78) primary key, datanet_id numeric(78) not null);
        insert into contribution select g, 1 from generate_series(1, 20000) g;`);
      const inner = drizzle(pg);
      let calls = 0;
      const db = { execute: ((q: Parameters<typeof inner.execute>[0]) => (calls++, inner.execute(q))) as typeof inner.execute };
      const logs: string[] = [];
      const until = async (what: string, ok: () => boolean) => {
        for (let i = 0; !ok(); i++) {
          if (i > 400) throw new Error(`timed out waiting for ${what}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      const stop = startAutoAnalyze(db, (m) => logs.push(m));
      await until("three readiness checks", () => calls >= 3);
      expect(logs).toEqual([]); // not caught up: nothing analyzed
      await pg.exec(`update _ponder_meta set value = '{"is_ready": 1}'`);
      await until("the first ANALYZE", () => logs.length > 0);
      expect(logs[0]).toMatch(/^analyzed contribution in \d+ ms$/);
      stop();
      await new Promise((r) => setTimeout(r, 100)); // a check already under way finishes
      const after = calls;
      await new Promise((r) => setTimeout(r, 600));
      expect(calls).toBe(after);
    } finally {
      await pg.close();
    }
  });
});
