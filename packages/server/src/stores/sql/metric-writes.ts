/**
 * The ingest hot path: append metric points (idempotently, so a retried batch is a no-op) and move each
 * key's latest value forward when a point beats it on (step, timestamp, value).
 */
import type BetterSqlite3 from 'better-sqlite3';
import { sql, type Transaction } from 'kysely';
import { cachedStatement } from './connect.js';
import { chunked, type SqlContext } from './context.js';
import type { Database, MetricsTable } from './schema.js';

function isLater(a: MetricsTable, b: MetricsTable): boolean {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  return a.value > b.value;
}

export function latestPerKey(rows: readonly MetricsTable[]): MetricsTable[] {
  const best = new Map<string, MetricsTable>();
  for (const row of rows) {
    const cur = best.get(row.key);
    if (!cur || isLater(row, cur)) best.set(row.key, row);
  }
  return [...best.values()];
}

const LATEST_UPSERT_SQL = `insert into latest_metrics (run_uuid, key, step, timestamp, value, is_nan) values (?, ?, ?, ?, ?, ?)
  on conflict (run_uuid, key) do update set step = excluded.step, timestamp = excluded.timestamp, value = excluded.value, is_nan = excluded.is_nan
  where (excluded.step, excluded.timestamp, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)`;
const METRIC_INSERT_SQL =
  'insert into metrics (run_uuid, key, step, timestamp, value, is_nan) values (?, ?, ?, ?, ?, ?) on conflict do nothing';

/**
 * SQLite fast path: prepared single-row statements on the connection Kysely's transaction holds (so they
 * join that transaction). Building and compiling a 1000-row Kysely insert costs more than the inserts.
 */
function insertMetricsSqlite(sqlite: BetterSqlite3.Database, rows: readonly MetricsTable[]): void {
  const insert = cachedStatement(sqlite, METRIC_INSERT_SQL);
  for (const r of rows) insert.run(r.run_uuid, r.key, r.step, r.timestamp, r.value, r.is_nan);
  const upsert = cachedStatement(sqlite, LATEST_UPSERT_SQL);
  for (const r of latestPerKey(rows)) upsert.run(r.run_uuid, r.key, r.step, r.timestamp, r.value, r.is_nan);
}

export async function insertMetrics(
  ctx: SqlContext,
  trx: Transaction<Database>,
  rows: readonly MetricsTable[],
): Promise<void> {
  if (rows.length === 0) return;
  if (ctx.conn.sqlite) {
    insertMetricsSqlite(ctx.conn.sqlite, rows);
    return;
  }
  for (const chunk of chunked(rows, 1000)) {
    await trx.insertInto('metrics').values(chunk).onConflict((oc) => oc.doNothing()).execute();
  }
  await trx
    .insertInto('latest_metrics')
    .values(latestPerKey(rows))
    .onConflict((oc) =>
      oc
        .columns(['run_uuid', 'key'])
        .doUpdateSet((eb) => ({
          step: eb.ref('excluded.step'),
          timestamp: eb.ref('excluded.timestamp'),
          value: eb.ref('excluded.value'),
          is_nan: eb.ref('excluded.is_nan'),
        }))
        .where(
          sql<boolean>`(excluded.step, excluded.timestamp, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)`,
        ),
    )
    .execute();
}
