/** Metric histories: full or paged, bulk across runs, and the downsampled interval view the UI charts use. */
import {
  LIMITS,
  RunlogError,
  decodePageToken,
  encodePageToken,
  metricHistoryBody,
  type BulkIntervalQuery,
  type Metric,
  type MetricHistoryQuery,
  type MetricWithRunId,
  type Page,
} from '@runlog/core';
import { cachedStatement } from './connect.js';
import { chunked, type SqlContext } from './context.js';
import { requireRunRow } from './runs.js';

interface PointRow {
  run_uuid: string;
  step: number;
  timestamp: number;
  value: number;
  is_nan: number;
}

function toMetric(key: string, r: PointRow): Metric {
  return { key, value: r.is_nan ? NaN : Number(r.value), timestamp: Number(r.timestamp), step: Number(r.step) };
}

export async function getMetricHistory(
  ctx: SqlContext,
  runId: string,
  key: string,
  query: MetricHistoryQuery = {},
): Promise<Page<Metric>> {
  await requireRunRow(ctx.db, runId);
  const offset = decodePageToken(query.pageToken);
  const limit = query.maxResults;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw RunlogError.invalidParameter(`Invalid value ${limit} for parameter 'max_results' supplied. It must be a positive integer.`);
  }
  let q = ctx.db
    .selectFrom('metrics')
    .select(['run_uuid', 'step', 'timestamp', 'value', 'is_nan'])
    .where('run_uuid', '=', runId)
    .where('key', '=', key)
    .orderBy('step')
    .orderBy('timestamp')
    .orderBy('value');
  if (limit !== undefined) q = q.limit(limit + 1).offset(offset);
  else if (offset > 0) q = q.offset(offset);
  const rows = await q.execute();
  const items = (limit !== undefined ? rows.slice(0, limit) : rows).map((r) => toMetric(key, r));
  const page: Page<Metric> = { items };
  if (limit !== undefined && rows.length > limit) page.next_page_token = encodePageToken(offset + limit);
  return page;
}

// NaN is stored as 0 + is_nan; ±Infinity are real values. Both leave as MLflow's strings.
const HISTORY_JSON_SQL = `select json_group_array(json_object('key', ?, 'value',
    case when is_nan then 'NaN' when value > 1.7976931348623157e308 then 'Infinity'
         when value < -1.7976931348623157e308 then '-Infinity' else value end,
    'timestamp', timestamp, 'step', step))
  from (select step, timestamp, value, is_nan from metrics where run_uuid = ? and key = ?
        order by step, timestamp, value limit ? offset ?)`;
const HAS_MORE_SQL = 'select 1 from metrics where run_uuid = ? and key = ? order by step, timestamp, value limit 1 offset ?';

/** SQLite builds the history's JSON itself (in C), from the read-only handle. */
export async function getMetricHistoryJson(
  ctx: SqlContext,
  runId: string,
  key: string,
  query: MetricHistoryQuery = {},
): Promise<string> {
  const reader = ctx.conn.sqliteReader;
  if (!reader) {
    const page = await getMetricHistory(ctx, runId, key, query);
    return metricHistoryBody(page.items, page.next_page_token);
  }
  await requireRunRow(ctx.db, runId);
  const offset = decodePageToken(query.pageToken);
  const limit = query.maxResults;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw RunlogError.invalidParameter(`Invalid value ${limit} for parameter 'max_results' supplied. It must be a positive integer.`);
  }
  const metrics = cachedStatement(reader, HISTORY_JSON_SQL).pluck().get(key, runId, key, limit ?? -1, offset) as string;
  const parts: string[] = [];
  if (metrics !== '[]') parts.push(`"metrics":${metrics}`);
  if (limit !== undefined && cachedStatement(reader, HAS_MORE_SQL).pluck().get(runId, key, offset + limit) !== undefined) {
    parts.push(`"next_page_token":${JSON.stringify(encodePageToken(offset + limit))}`);
  }
  return `{${parts.join(',')}}`;
}

export async function getMetricHistoryBulk(
  ctx: SqlContext,
  runIds: readonly string[],
  key: string,
  maxResults: number,
): Promise<MetricWithRunId[]> {
  if (runIds.length === 0) throw RunlogError.invalidParameter('GetMetricHistoryBulk request must specify at least one run_id.');
  if (runIds.length > LIMITS.maxBulkIntervalRunIds) {
    throw RunlogError.invalidParameter(`GetMetricHistoryBulk request cannot specify more than ${LIMITS.maxBulkIntervalRunIds} run_ids. Received ${runIds.length} run_ids.`);
  }
  const rows = await ctx.db
    .selectFrom('metrics')
    .select(['run_uuid', 'step', 'timestamp', 'value', 'is_nan'])
    .where('run_uuid', 'in', [...runIds])
    .where('key', '=', key)
    .orderBy('run_uuid')
    .orderBy('timestamp')
    .orderBy('step')
    .orderBy('value')
    .limit(Math.min(maxResults, LIMITS.maxHistoryBulkResults))
    .execute();
  return rows.map((r) => ({ ...toMetric(key, r), run_id: r.run_uuid }));
}

/** Evenly spaced picks from sorted steps, always keeping the last (MLflow's sampling). */
function sampleSteps(steps: readonly number[], maxResults: number): number[] {
  if (steps.length <= maxResults) return [...steps];
  const out: number[] = [];
  const stride = (steps.length - 1) / (maxResults - 1);
  for (let i = 0; i < maxResults; i++) {
    const s = steps[Math.round(i * stride)];
    if (s !== undefined && out[out.length - 1] !== s) out.push(s);
  }
  const last = steps[steps.length - 1];
  if (last !== undefined && out[out.length - 1] !== last) out.push(last);
  return out;
}

export async function getMetricHistoryBulkInterval(ctx: SqlContext, query: BulkIntervalQuery): Promise<MetricWithRunId[]> {
  const { runIds, metricKey, maxResults } = query;
  if (runIds.length === 0 || runIds.length > LIMITS.maxBulkIntervalRunIds) {
    throw RunlogError.invalidParameter(
      `GetMetricHistoryBulkInterval request must specify between 1 and ${LIMITS.maxBulkIntervalRunIds} run_ids. Received ${runIds.length} run_ids.`,
    );
  }
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > LIMITS.maxBulkIntervalResults) {
    throw RunlogError.invalidParameter(
      `max_results must be between 1 and ${LIMITS.maxBulkIntervalResults}. Received ${maxResults}.`,
    );
  }
  if ((query.startStep === undefined) !== (query.endStep === undefined)) {
    throw RunlogError.invalidParameter('If either start step or end step are specified, both must be specified.');
  }
  if (query.startStep !== undefined && query.endStep !== undefined && query.startStep > query.endStep) {
    throw RunlogError.invalidParameter('end_step must be greater than or equal to start_step.');
  }
  const ids = [...new Set(runIds)];
  let stepsQuery = ctx.db
    .selectFrom('metrics')
    .select('step')
    .distinct()
    .where('run_uuid', 'in', ids)
    .where('key', '=', metricKey);
  if (query.startStep !== undefined && query.endStep !== undefined) {
    stepsQuery = stepsQuery.where('step', '>=', query.startStep).where('step', '<=', query.endStep);
  }
  const allSteps = (await stepsQuery.orderBy('step').execute()).map((r) => Number(r.step));
  if (allSteps.length === 0) return [];
  const lo = query.startStep ?? 0;
  const hi = query.endStep ?? (allSteps[allSteps.length - 1] ?? 0);
  const chosen = new Set(sampleSteps(allSteps.filter((s) => s >= lo && s <= hi), maxResults));
  // Each run's own first and last step in range, so every line starts and ends where its data does.
  const bounds = await ctx.db
    .selectFrom('metrics')
    .select((eb) => ['run_uuid', eb.fn.min('step').as('lo'), eb.fn.max('step').as('hi')])
    .where('run_uuid', 'in', ids)
    .where('key', '=', metricKey)
    .where('step', '>=', lo)
    .where('step', '<=', hi)
    .groupBy('run_uuid')
    .execute();
  for (const b of bounds) {
    chosen.add(Number(b.lo));
    chosen.add(Number(b.hi));
  }
  const steps = [...chosen].sort((a, b) => a - b);
  const out: MetricWithRunId[] = [];
  for (const runId of runIds.filter((id, i) => runIds.indexOf(id) === i)) {
    const points: MetricWithRunId[] = [];
    for (const chunk of chunked(steps, 2500)) {
      const rows = await ctx.db
        .selectFrom('metrics')
        .select(['run_uuid', 'step', 'timestamp', 'value', 'is_nan'])
        .where('run_uuid', '=', runId)
        .where('key', '=', metricKey)
        .where('step', 'in', chunk)
        .orderBy('step')
        .orderBy('timestamp')
        .execute();
      for (const r of rows) points.push({ ...toMetric(metricKey, r), run_id: runId });
    }
    out.push(...points.slice(0, LIMITS.maxHistoryBulkResults));
  }
  return out;
}
