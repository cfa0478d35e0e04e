/**
 * The ingest hot path: append metric points (idempotently, so a retried batch is a no-op) and move each
 * key's latest value forward when a point beats it on (step, timestamp, value).
 */
import { sql, type Transaction } from 'kysely';
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

export async function insertMetrics(
  _ctx: SqlContext,
  trx: Transaction<Database>,
  rows: readonly MetricsTable[],
): Promise<void> {
  if (rows.length === 0) return;
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
