/**
 * PostgreSQL ingest. Each column of a batch is one binary array parameter, unnested server-side, so a
 * 1000-point batch is one short statement rather than 6000 bound values.
 *
 * Points are first inserted with a plain INSERT: ON CONFLICT DO NOTHING checks every row against the primary
 * key before inserting it and nearly doubles the server's cost per point. A batch that does repeat a stored
 * point (a client's retry, a re-logged value) fails with unique_violation, its transaction rolls back whole,
 * and the retry (see retryTransientPg) runs the duplicate-tolerant statement instead. Either way the batch is
 * all or nothing and a retried batch is a no-op.
 *
 * Lock order: points are sent in primary-key order and latest values in (run, key) order, metrics before
 * latest_metrics, the same in every transaction, so concurrent batches on the same keys queue instead of
 * deadlocking.
 */
import { CompiledQuery, type Transaction } from 'kysely';
import type pg from 'pg';
import { RunlogError } from '@runlog/core';
import { float8Array, int2Array, int8Array, textArray } from './pg-binary.js';
import { checkRunActive } from './runs.js';
import type { Database } from './schema.js';
import { latestPerKey, type MetricPoint } from './metric-points.js';

/** How an attempt inserts points: plain first; after a unique_violation, skipping the ones already stored. */
export type PointInsertMode = 'plain' | 'skip-duplicates';

const unnestPoints = (first: number): string =>
  `unnest($${first}::text[], $${first + 1}::int8[], $${first + 2}::int8[], $${first + 3}::float8[], $${first + 4}::int2[])` +
  ' as p(key, step, "timestamp", value, is_nan)';

const COLUMNS = '(run_key, key, step, "timestamp", value, is_nan)';
const LATEST_CONFLICT = `on conflict (run_key, key) do update set step = excluded.step, "timestamp" = excluded."timestamp",
    value = excluded.value, is_nan = excluded.is_nan
  where (excluded.step, excluded."timestamp", excluded.value) > (latest_metrics.step, latest_metrics."timestamp", latest_metrics.value)`;
const onConflict = (mode: PointInsertMode): string => (mode === 'plain' ? '' : ' on conflict do nothing');

/** Inside a caller's transaction (batches with params or tags); $1 is the run key. */
const insertSql = (mode: PointInsertMode): string =>
  `insert into metrics ${COLUMNS} select $1::int8, p.* from ${unnestPoints(2)}${onConflict(mode)}`;
const LATEST_SQL = `insert into latest_metrics ${COLUMNS} select $1::int8, p.* from ${unnestPoints(2)} ${LATEST_CONFLICT}`;

/**
 * A metrics-only batch as one statement (its own transaction): look the run up, insert the points and move
 * the latest values only when the run is active, and return its lifecycle stage. One round trip instead of
 * five (BEGIN, run look-up, two inserts, COMMIT). $1 is the run id.
 */
const metricsOnlySql = (mode: PointInsertMode): string => `with r as (select run_key, lifecycle_stage from runs where run_uuid = $1),
  m as (insert into metrics ${COLUMNS} select (select run_key from r), p.* from ${unnestPoints(2)}
        where (select lifecycle_stage from r) = 'active'${onConflict(mode)}),
  l as (insert into latest_metrics ${COLUMNS} select (select run_key from r), p.* from ${unnestPoints(7)}
        where (select lifecycle_stage from r) = 'active' ${LATEST_CONFLICT})
  select lifecycle_stage from r`;
const METRICS_ONLY = { plain: metricsOnlySql('plain'), 'skip-duplicates': metricsOnlySql('skip-duplicates') } as const;

function columns(points: readonly MetricPoint[]): Buffer[] {
  return [
    textArray(points, (p) => p.key),
    int8Array(points, (p) => p.step),
    int8Array(points, (p) => p.timestamp),
    float8Array(points, (p) => p.value),
    int2Array(points, (p) => p.is_nan),
  ];
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The metrics primary key's order within one run. */
function comparePoints(a: MetricPoint, b: MetricPoint): number {
  return (
    compareStrings(a.key, b.key) ||
    a.step - b.step ||
    a.timestamp - b.timestamp ||
    (a.value < b.value ? -1 : a.value > b.value ? 1 : 0) ||
    a.is_nan - b.is_nan
  );
}

/**
 * Points in primary-key order: grouped by key (keys sorted), each group kept in arrival order when that is
 * already ascending (clients log steps in order, so this skips most of a 1000-point sort) and sorted otherwise.
 */
function inKeyOrder(points: readonly MetricPoint[]): MetricPoint[] {
  const groups = new Map<string, MetricPoint[]>();
  for (const p of points) {
    const group = groups.get(p.key);
    if (group) group.push(p);
    else groups.set(p.key, [p]);
  }
  const out: MetricPoint[] = [];
  for (const [, group] of [...groups].sort(([a], [b]) => compareStrings(a, b))) {
    let ascending = true;
    for (let i = 1; ascending && i < group.length; i++) ascending = comparePoints(group[i - 1] as MetricPoint, group[i] as MetricPoint) <= 0;
    if (!ascending) group.sort(comparePoints);
    out.push(...group);
  }
  return out;
}

/** The two parameter sets: every point in key order, and each key's latest point in key order. */
function orderedColumns(points: readonly MetricPoint[]): { all: Buffer[]; latest: Buffer[] } {
  const sorted = inKeyOrder(points);
  const latest = latestPerKey(sorted); // first appearance order of the keys, which is already sorted
  return { all: columns(sorted), latest: columns(latest) };
}

export async function insertMetricsPostgres(
  trx: Transaction<Database>,
  runKey: number,
  points: readonly MetricPoint[],
  mode: PointInsertMode,
): Promise<void> {
  const { all, latest } = orderedColumns(points);
  await trx.executeQuery(CompiledQuery.raw(insertSql(mode), [runKey, ...all]));
  await trx.executeQuery(CompiledQuery.raw(LATEST_SQL, [runKey, ...latest]));
}

/** One statement for a batch of metrics only; prepared once per connection (named). */
export async function logMetricsOnlyPostgres(
  pool: pg.Pool,
  runId: string,
  points: readonly MetricPoint[],
  mode: PointInsertMode,
): Promise<void> {
  const { all, latest } = orderedColumns(points);
  const res = await pool.query<{ lifecycle_stage: string }>({
    name: `runlog_log_metrics_${mode}`,
    text: METRICS_ONLY[mode],
    values: [runId, ...all, ...latest],
  });
  const row = res.rows[0];
  if (!row) throw RunlogError.notFound(`Run '${runId}' not found`);
  checkRunActive(runId, row.lifecycle_stage);
}
