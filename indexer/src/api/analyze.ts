// SPDX-License-Identifier: MIT
/**
 * Planner statistics for the indexer's tables, as soon as the indexer has caught up.
 *
 * Without statistics the planner guesses row counts, and plans a cursor page (`after:`) of a 50,000-contribution
 * Datanet as "fetch every matching row, then sort" (150-300 ms on PGlite, ~85 ms on Postgres) instead of walking the
 * `(datanetId, id)` index for 101 rows (under 1 ms). PGlite runs single-process and has no autovacuum daemon, so it
 * never gets statistics at all; Postgres's autovacuum gets there only a minute or more after a backfill. This does
 * autovacuum's "auto-analyze" in the API process: it checks every `READY_CHECK_MS` whether the indexer has caught up
 * (`_ponder_meta.is_ready`), so the first ANALYZE follows the end of the backfill within a fraction of a second (the
 * first queries of a dapp come right after `/ready`); from then on, every `CHECK_MS` it ANALYZEs each indexer table that has grown by more than `GROWTH` since its last ANALYZE (every
 * non-trivial table the first time). ANALYZE only reads the table and writes the planner's statistics (it is allowed
 * on Ponder's read-only API connection); indexed data is never touched. A check is one catalog query, and nothing
 * runs during the backfill, so indexing is not slowed down.
 */
import { sql } from "ponder";
import type { ReadonlyDrizzle } from "ponder";

/** How often the sizes are checked once the indexer has caught up. */
export const CHECK_MS = 5_000;
/** How often readiness is checked until then (one single-row query). */
export const READY_CHECK_MS = 250;
/** Re-analyze a table once it has grown by this fraction (autovacuum's default `analyze_scale_factor`). */
export const GROWTH = 0.1;
/** Tables smaller than this (8 pages) are not worth analyzing: any plan is fast. */
export const MIN_BYTES = 64 * 1024;

type Db = Pick<ReadonlyDrizzle, "execute">;

interface TableSize {
  name: string;
  bytes: number;
}

/** Tables to analyze now: grown past `GROWTH` since their last ANALYZE (sizes in `analyzed`), or never analyzed. */
export function tablesToAnalyze(sizes: TableSize[], analyzed: ReadonlyMap<string, number>): TableSize[] {
  return sizes.filter(({ name, bytes }) => {
    if (bytes < MIN_BYTES) return false;
    const last = analyzed.get(name);
    return last === undefined || bytes > last * (1 + GROWTH);
  });
}

function rowsOf(result: unknown): Record<string, unknown>[] {
  // drizzle's PGlite driver answers { rows }, node-postgres's too.
  const rows = (result as { rows?: unknown }).rows;
  return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
}

/** True once the indexer has caught up with the chain (Ponder's `_ponder_meta.is_ready`). */
export async function indexerReady(db: Db): Promise<boolean> {
  const meta = rowsOf(await db.execute(sql`select (value->>'is_ready')::int as ready from _ponder_meta where key = 'app'`));
  return Number(meta[0]?.ready) === 1;
}

/**
 * One pass: ANALYZE the indexer's tables (in the current schema, Ponder's own `_`-prefixed tables excluded) that need
 * it, if the indexer has caught up. Returns the tables analyzed.
 */
export async function analyzeOnce(db: Db, analyzed: Map<string, number>): Promise<string[]> {
  if (!(await indexerReady(db))) return [];
  const sizes = rowsOf(
    await db.execute(sql`
      select c.relname as name, pg_relation_size(c.oid) as bytes
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind = 'r' and left(c.relname, 1) <> '_'`),
  ).map((r) => ({ name: String(r.name), bytes: Number(r.bytes) }));
  const stale = tablesToAnalyze(sizes, analyzed);
  for (const t of stale) {
    await db.execute(sql`ANALYZE ${sql.identifier(t.name)}`);
    analyzed.set(t.name, t.bytes);
  }
  return stale.map((t) => t.name);
}

/**
 * Starts the checks: every {@link READY_CHECK_MS} until the indexer has caught up, then every {@link CHECK_MS}
 * (unref'd timers: they never keep the process alive). Errors are logged, never thrown. Returns a stop function.
 */
export function startAutoAnalyze(db: Db, log: (msg: string) => void = () => {}): () => void {
  const analyzed = new Map<string, number>();
  let caughtUp = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async (): Promise<void> => {
    const t0 = performance.now();
    try {
      caughtUp ||= await indexerReady(db);
      if (caughtUp) {
        const tables = await analyzeOnce(db, analyzed);
        if (tables.length > 0) log(`analyzed ${tables.join(", ")} in ${Math.round(performance.now() - t0)} ms`);
      }
    } catch (e: unknown) {
      log(`auto-analyze failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      if (!stopped) {
        timer = setTimeout(() => void tick(), caughtUp ? CHECK_MS : READY_CHECK_MS);
        timer.unref();
      }
    }
  };
  timer = setTimeout(() => void tick(), READY_CHECK_MS);
  timer.unref();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
