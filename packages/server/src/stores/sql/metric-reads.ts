/** Metric histories: full or paged, bulk across runs, and the downsampled interval view the UI charts use. */
import {
  LIMITS,
  RunlogError,
  decodePageToken,
  encodePageToken,
  chooseIntervalSteps,
  checkBulkIntervalQuery,
  metricHistoryBody,
  type BulkIntervalQuery,
  type Metric,
  type MetricHistoryQuery,
  type MetricWithRunId,
  type Page,
} from '@runlog/core';
import type BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import { cachedStatement } from './connect.js';
import { chunked, type SqlContext } from './context.js';
import { requireRunRow } from './runs.js';

interface PointRow {
  step: number;
  timestamp: number;
  value: number;
  is_nan: number;
}

function toMetric(key: string, r: PointRow): Metric {
  return { key, value: r.is_nan ? NaN : Number(r.value), timestamp: Number(r.timestamp), step: Number(r.step) };
}

/** The page a history request asks for: an offset from the token, and a limit when max_results is given. */
function historyWindow(query: MetricHistoryQuery): { offset: number; limit: number | undefined } {
  const limit = query.maxResults;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw RunlogError.invalidParameter(`Invalid value ${limit} for parameter 'max_results' supplied. It must be a positive integer.`);
  }
  return { offset: decodePageToken(query.pageToken), limit };
}

export async function getMetricHistory(
  ctx: SqlContext,
  runId: string,
  key: string,
  query: MetricHistoryQuery = {},
): Promise<Page<Metric>> {
  const run = await requireRunRow(ctx.db, runId);
  const { offset, limit } = historyWindow(query);
  let q = ctx.db
    .selectFrom('metrics')
    .select(['step', 'timestamp', 'value', 'is_nan'])
    .where('run_key', '=', run.run_key)
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
  from (select step, timestamp, value, is_nan from metrics where run_key = ? and key = ?
        order by step, timestamp, value limit ? offset ?)`;
const HAS_MORE_SQL = 'select 1 from metrics where run_key = ? and key = ? order by step, timestamp, value limit 1 offset ?';

/**
 * PostgreSQL twin of HISTORY_JSON_SQL: the server prints the points as MLflow's JSON. The outer query is a
 * bare aggregate over the ordered subquery, so the points reach string_agg in step order (an ORDER BY inside
 * the aggregate would sort 100k rows a second time). value::text is the shortest exact form of the double.
 * $3 is the key already encoded as a JSON string.
 */
const PG_HISTORY_JSON_SQL = `select '[' || coalesce(string_agg('{"key":' || $3 || ',"value":' ||
    case when is_nan = 1 then '"NaN"' when value = 'Infinity' then '"Infinity"' when value = '-Infinity' then '"-Infinity"'
         else value::text end || ',"timestamp":' || "timestamp" || ',"step":' || step || '}', ','), '') || ']' as metrics,
    count(*)::int as n
  from (select step, "timestamp", value, is_nan from metrics where run_key = $1 and key = $2
        order by step, "timestamp", value limit $4 offset $5) as page`;

/**
 * The page's points as a JSON array, and whether points follow it. A bounded page asks for one point more
 * than it returns (instead of a second query re-walking the offset) and drops it from the text: items are
 * flat objects whose key comes from a restricted alphabet, so the last `,{` starts the last item.
 */
async function historyJsonPostgres(
  pool: pg.Pool,
  runKey: number,
  key: string,
  limit: number | undefined,
  offset: number,
): Promise<{ metrics: string; more: boolean }> {
  const res = await pool.query<{ metrics: string; n: number }>({
    name: 'runlog_history_json',
    text: PG_HISTORY_JSON_SQL,
    values: [runKey, key, JSON.stringify(key), limit === undefined ? null : limit + 1, offset],
  });
  const row = res.rows[0];
  if (!row) return { metrics: '[]', more: false };
  if (limit === undefined || row.n <= limit) return { metrics: row.metrics, more: false };
  return { metrics: `${row.metrics.slice(0, row.metrics.lastIndexOf(',{'))}]`, more: true };
}

function historyJsonSqlite(
  reader: BetterSqlite3.Database,
  runKey: number,
  key: string,
  limit: number | undefined,
  offset: number,
): { metrics: string; more: boolean } {
  const metrics = cachedStatement(reader, HISTORY_JSON_SQL).pluck().get(key, runKey, key, limit ?? -1, offset) as string;
  const more = limit !== undefined && cachedStatement(reader, HAS_MORE_SQL).pluck().get(runKey, key, offset + limit) !== undefined;
  return { metrics, more };
}

/** The get-history response body, serialised by the database (SQLite from its read-only handle). */
export async function getMetricHistoryJson(
  ctx: SqlContext,
  runId: string,
  key: string,
  query: MetricHistoryQuery = {},
): Promise<string> {
  const { sqliteReader: reader, pgPool: pool } = ctx.conn;
  const run = await requireRunRow(ctx.db, runId);
  const { offset, limit } = historyWindow(query);
  const runKey = Number(run.run_key);
  let page: { metrics: string; more: boolean };
  if (reader) page = historyJsonSqlite(reader, runKey, key, limit, offset);
  else if (pool) page = await historyJsonPostgres(pool, runKey, key, limit, offset);
  else {
    const items = await getMetricHistory(ctx, runId, key, query);
    return metricHistoryBody(items.items, items.next_page_token);
  }
  const { metrics, more } = page;
  const parts: string[] = [];
  if (metrics !== '[]') parts.push(`"metrics":${metrics}`);
  if (more && limit !== undefined) parts.push(`"next_page_token":${JSON.stringify(encodePageToken(offset + limit))}`);
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
    .selectFrom('metrics as m')
    .innerJoin('runs as r', 'r.run_key', 'm.run_key')
    .select(['r.run_uuid', 'm.step', 'm.timestamp', 'm.value', 'm.is_nan'])
    .where('r.run_uuid', 'in', [...runIds])
    .where('m.key', '=', key)
    .orderBy('r.run_uuid')
    .orderBy('m.timestamp')
    .orderBy('m.step')
    .orderBy('m.value')
    .limit(Math.min(maxResults, LIMITS.maxHistoryBulkResults))
    .execute();
  return rows.map((r) => ({ ...toMetric(key, r), run_id: r.run_uuid }));
}

/** Run id → run key for the runs that exist, in the order the ids were given (duplicates dropped). */
async function runKeys(ctx: SqlContext, runIds: readonly string[]): Promise<Map<string, number>> {
  const rows = await ctx.db.selectFrom('runs').select(['run_uuid', 'run_key']).where('run_uuid', 'in', [...runIds]).execute();
  const found = new Map(rows.map((r) => [r.run_uuid, Number(r.run_key)]));
  const out = new Map<string, number>();
  for (const id of runIds) {
    const key = found.get(id);
    if (key !== undefined) out.set(id, key);
  }
  return out;
}

export async function getMetricHistoryBulkInterval(ctx: SqlContext, query: BulkIntervalQuery): Promise<MetricWithRunId[]> {
  const { runIds, metricKey } = query;
  checkBulkIntervalQuery(query);
  const keyOf = await runKeys(ctx, runIds);
  const ids = [...keyOf.values()];
  if (ids.length === 0) return [];
  const rowsOf = (runKey?: number) => {
    const q = ctx.db.selectFrom('metrics').where('key', '=', metricKey);
    return runKey === undefined ? q.where('run_key', 'in', ids) : q.where('run_key', '=', runKey);
  };
  // How many distinct steps, and each run's first and last step (index seeks). When the steps are dense (every
  // integer from the first to the last) the picks are computed without reading every step back: a
  // 1,000,000-step metric answers in a few hundred milliseconds instead of seconds.
  const counted = await ctx.db
    .selectFrom(rowsOf().select('step').groupBy('step').as('s'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  const distinctSteps = Number(counted?.n ?? 0);
  if (distinctSteps === 0) return [];
  const endsOf = async (runKey: number): Promise<[number, number] | undefined> => {
    const first = await rowsOf(runKey).select('step').orderBy('step').limit(1).executeTakeFirst();
    const last = await rowsOf(runKey).select('step').orderBy('step', 'desc').limit(1).executeTakeFirst();
    return first && last ? [Number(first.step), Number(last.step)] : undefined;
  };
  const ends = (await Promise.all(ids.map((k) => endsOf(k)))).filter((e): e is [number, number] => e !== undefined);
  const firstStep = Math.min(...ends.map((e) => e[0]));
  const lastStep = Math.max(...ends.map((e) => e[1]));
  let steps: number[];
  if (distinctSteps === lastStep - firstStep + 1) {
    steps = chooseIntervalSteps(distinctSteps, (i) => firstStep + i, ends, query);
  } else {
    const allSteps = (await rowsOf().select('step').distinct().orderBy('step').execute()).map((r) => Number(r.step));
    steps = chooseIntervalSteps(allSteps.length, (i) => allSteps[i] ?? 0, ends, query);
  }
  const out: MetricWithRunId[] = [];
  for (const [runId, runKey] of keyOf) {
    const points: MetricWithRunId[] = [];
    for (const chunk of chunked(steps, 2500)) {
      const rows = await ctx.db
        .selectFrom('metrics')
        .select(['step', 'timestamp', 'value', 'is_nan'])
        .where('run_key', '=', runKey)
        .where('key', '=', metricKey)
        .where('step', 'in', chunk)
        .orderBy('step')
        .orderBy('timestamp')
        .orderBy('value')
        .execute();
      for (const r of rows) points.push({ ...toMetric(metricKey, r), run_id: runId });
    }
    out.push(...points.slice(0, LIMITS.maxHistoryBulkResults));
  }
  return out;
}
