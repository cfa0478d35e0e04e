/**
 * The ingest hot path: append metric points (idempotently, so a retried batch is a no-op) and move each
 * key's latest value forward when a point beats it on (step, timestamp, value).
 */
import type BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, type Transaction } from 'kysely';
import { cachedStatement } from './connect.js';
import type { SqlContext } from './context.js';
import type { Database, MetricsTable } from './schema.js';

/** One point of a batch, before it is tied to its run's key. */
export type MetricPoint = Omit<MetricsTable, 'run_key'>;

function isLater(a: MetricPoint, b: MetricPoint): boolean {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  return a.value > b.value;
}

export function latestPerKey<T extends MetricPoint>(rows: readonly T[]): T[] {
  const best = new Map<string, T>();
  for (const row of rows) {
    const cur = best.get(row.key);
    if (!cur || isLater(row, cur)) best.set(row.key, row);
  }
  return [...best.values()];
}

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

/**
 * PostgreSQL fast path: each statement ships six arrays (one per column) and unnests them server-side, so a
 * 1000-point batch is one short statement with six parameters, not 6000 bound values Kysely must build and
 * compile.
 */
const PG_UNNEST = 'select * from unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[], $5::float8[], $6::smallint[])';
const PG_METRIC_INSERT_SQL = `insert into metrics (run_key, key, step, "timestamp", value, is_nan) ${PG_UNNEST} on conflict do nothing`;
const PG_LATEST_UPSERT_SQL = `insert into latest_metrics (run_key, key, step, "timestamp", value, is_nan) ${PG_UNNEST}
  on conflict (run_key, key) do update set step = excluded.step, "timestamp" = excluded."timestamp", value = excluded.value, is_nan = excluded.is_nan
  where (excluded.step, excluded."timestamp", excluded.value) > (latest_metrics.step, latest_metrics."timestamp", latest_metrics.value)`;

/**
 * A PostgreSQL array literal of numbers, built directly (pg would quote and escape every element). `String`
 * gives 'Infinity' / '-Infinity' for ±Infinity, which float8 accepts; steps and timestamps are safe integers,
 * so they never print in exponent form. NaN never gets here: it is stored as value 0 with is_nan 1.
 */
function numberArray(values: readonly number[]): string {
  return `{${values.join(',')}}`;
}

/** The six column parameters; the key column goes as a JS array, which pg quotes and escapes. */
function columnArrays(rows: readonly MetricsTable[]): unknown[] {
  const n = rows.length;
  const runs = new Array<number>(n);
  const keys = new Array<string>(n);
  const steps = new Array<number>(n);
  const timestamps = new Array<number>(n);
  const values = new Array<number>(n);
  const nans = new Array<number>(n);
  let i = 0;
  for (const r of rows) {
    runs[i] = r.run_key;
    keys[i] = r.key;
    steps[i] = r.step;
    timestamps[i] = r.timestamp;
    values[i] = r.value;
    nans[i] = r.is_nan;
    i++;
  }
  return [numberArray(runs), keys, numberArray(steps), numberArray(timestamps), numberArray(values), numberArray(nans)];
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A total order on the metrics primary key, so concurrent writers of overlapping points lock them in one order. */
function comparePoints(a: MetricsTable, b: MetricsTable): number {
  return (
    a.run_key - b.run_key ||
    compareStrings(a.key, b.key) ||
    a.step - b.step ||
    a.timestamp - b.timestamp ||
    (a.value < b.value ? -1 : a.value > b.value ? 1 : 0) ||
    a.is_nan - b.is_nan
  );
}

/**
 * Row locks are taken in (run_key, key) order, the same in every transaction, so two batches updating the
 * same keys of one run queue behind each other instead of deadlocking.
 */
async function insertMetricsPostgres(trx: Transaction<Database>, rows: readonly MetricsTable[]): Promise<void> {
  const points = [...rows].sort(comparePoints);
  await trx.executeQuery(CompiledQuery.raw(PG_METRIC_INSERT_SQL, columnArrays(points)));
  const latest = latestPerKey(rows).sort((a, b) => a.run_key - b.run_key || compareStrings(a.key, b.key));
  await trx.executeQuery(CompiledQuery.raw(PG_LATEST_UPSERT_SQL, columnArrays(latest)));
}

export async function insertMetrics(
  ctx: SqlContext,
  trx: Transaction<Database>,
  runKey: number,
  points: readonly MetricPoint[],
): Promise<void> {
  if (points.length === 0) return;
  if (ctx.conn.sqlite) {
    insertMetricsSqlite(ctx.conn.sqlite, runKey, points);
    return;
  }
  await insertMetricsPostgres(trx, points.map((p) => ({ run_key: runKey, ...p })));
}

/** serialization_failure and deadlock_detected: the transaction was rolled back and may simply be run again. */
const PG_RETRYABLE = new Set(['40001', '40P01']);
const PG_MAX_ATTEMPTS = 5;

function pgErrorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  const code = err.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Runs a whole transaction again when PostgreSQL aborted it as a deadlock victim or a serialization failure
 * (or with one of `alsoRetry`'s SQLSTATEs), after a short randomised pause so the contenders do not collide
 * again in lockstep. Only for idempotent writes such as log-batch. On SQLite `attempt` runs once: it takes its
 * write lock at BEGIN, so there is nothing to retry.
 */
export async function retryTransientPg<T>(
  ctx: SqlContext,
  attempt: () => Promise<T>,
  alsoRetry: readonly string[] = [],
): Promise<T> {
  if (ctx.dialect !== 'postgres') return attempt();
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      const code = pgErrorCode(err);
      if (n >= PG_MAX_ATTEMPTS || code === undefined || !(PG_RETRYABLE.has(code) || alsoRetry.includes(code))) throw err;
      const ceiling = 10 * 2 ** n; // pauses of 10-30, 20-60, 40-120, 80-240 ms
      await new Promise((resolve) => setTimeout(resolve, ceiling / 2 + Math.random() * ceiling));
    }
  }
}
