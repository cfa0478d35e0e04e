/**
 * The ingest hot path: append metric points (idempotently, so a retried batch is a no-op) and move each
 * key's latest value forward when a point beats it on (step, timestamp, value).
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Transaction } from 'kysely';
import { cachedStatement } from './connect.js';
import type { SqlContext } from './context.js';
import { latestPerKey, type MetricPoint } from './metric-points.js';
import { insertMetricsPostgres, type PointInsertMode } from './metric-writes-pg.js';
import type { Database } from './schema.js';

export type { MetricPoint } from './metric-points.js';

const LATEST_UPSERT_SQL = `insert into latest_metrics (run_key, key, step, timestamp, value, is_nan) values (?, ?, ?, ?, ?, ?)
  on conflict (run_key, key) do update set step = excluded.step, timestamp = excluded.timestamp, value = excluded.value, is_nan = excluded.is_nan
  where (excluded.step, excluded.timestamp, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)`;
const METRIC_INSERT_SQL =
  'insert into metrics (run_key, key, step, timestamp, value, is_nan) values (?, ?, ?, ?, ?, ?) on conflict do nothing';

/**
 * SQLite fast path: prepared single-row statements on the connection Kysely's transaction holds (so they
 * join that transaction). Building and compiling a 1000-row Kysely insert costs more than the inserts.
 */
function insertMetricsSqlite(sqlite: BetterSqlite3.Database, runKey: number, rows: readonly MetricPoint[]): void {
  const insert = cachedStatement(sqlite, METRIC_INSERT_SQL);
  for (const r of rows) insert.run(runKey, r.key, r.step, r.timestamp, r.value, r.is_nan);
  const upsert = cachedStatement(sqlite, LATEST_UPSERT_SQL);
  for (const r of latestPerKey(rows)) upsert.run(runKey, r.key, r.step, r.timestamp, r.value, r.is_nan);
}

/** `mode` matters on PostgreSQL only (see metric-writes-pg.ts); SQLite's per-row inserts skip duplicates cheaply. */
export async function insertMetrics(
  ctx: SqlContext,
  trx: Transaction<Database>,
  runKey: number,
  points: readonly MetricPoint[],
  mode: PointInsertMode,
): Promise<void> {
  if (points.length === 0) return;
  if (ctx.conn.sqlite) {
    insertMetricsSqlite(ctx.conn.sqlite, runKey, points);
    return;
  }
  await insertMetricsPostgres(trx, runKey, points, mode);
}

/** serialization_failure and deadlock_detected: the transaction was rolled back and may simply be run again. */
const PG_RETRYABLE = new Set(['40001', '40P01']);
const PG_MAX_ATTEMPTS = 5;

function pgErrorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  const code = err.code;
  return typeof code === 'string' ? code : undefined;
}

const UNIQUE_VIOLATION = '23505';

/**
 * Runs a whole transaction again when PostgreSQL aborted it as a deadlock victim or a serialization failure
 * (or with one of `alsoRetry`'s SQLSTATEs), after a short randomised pause so the contenders do not collide
 * again in lockstep. Only for idempotent writes such as log-batch. `attempt` learns whether an earlier attempt
 * hit a unique_violation, so it can switch to a duplicate-tolerant statement; that retry needs no pause, the
 * conflicting row is already committed. On SQLite `attempt` runs once: it takes its write lock at BEGIN, so
 * there is nothing to retry.
 */
export async function retryTransientPg<T>(
  ctx: SqlContext,
  attempt: (afterUniqueViolation: boolean) => Promise<T>,
  alsoRetry: readonly string[] = [],
): Promise<T> {
  if (ctx.dialect !== 'postgres') return attempt(false);
  let afterUniqueViolation = false;
  for (let n = 1; ; n++) {
    try {
      return await attempt(afterUniqueViolation);
    } catch (err) {
      const code = pgErrorCode(err);
      if (n >= PG_MAX_ATTEMPTS || code === undefined || !(PG_RETRYABLE.has(code) || alsoRetry.includes(code))) throw err;
      if (code === UNIQUE_VIOLATION) {
        afterUniqueViolation = true;
        continue;
      }
      const ceiling = 10 * 2 ** n; // pauses of 10-30, 20-60, 40-120, 80-240 ms
      await new Promise((resolve) => setTimeout(resolve, ceiling / 2 + Math.random() * ceiling));
    }
  }
}
