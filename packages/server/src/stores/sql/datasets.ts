import { LIMITS, checkSearchDatasetsIds, type DatasetSummary } from '@runlog/core';
import { sql } from 'kysely';
import type { SqlContext } from './context.js';

/** Distinct (dataset, context) pairs used by runs of the given experiments; the UI's dataset filter. */
export async function searchDatasets(ctx: SqlContext, experimentIds: readonly string[]): Promise<DatasetSummary[]> {
  checkSearchDatasetsIds(experimentIds);
  const ids = experimentIds.filter((id) => /^\d{1,18}$/.test(id)).map(Number);
  if (ids.length === 0) return [];
  const rows = await sql<{ experiment_id: number; name: string; digest: string; context: string | null }>`
    select distinct d.experiment_id, d.name, d.digest, it.value as context
    from datasets d
    join inputs i on i.source_id = d.dataset_uuid
    left join input_tags it on it.input_uuid = i.input_uuid and it.name = 'mlflow.data.context'
    where d.experiment_id in (${sql.join(ids)})
    order by d.experiment_id, d.name, d.digest
    limit ${LIMITS.maxHistoryBulkResults}`.execute(ctx.db);
  return rows.rows.map((r) => {
    const s: DatasetSummary = { experiment_id: String(r.experiment_id), name: r.name, digest: r.digest };
    if (r.context !== null) s.context = r.context;
    return s;
  });
}
