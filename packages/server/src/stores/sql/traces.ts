/**
 * The TraceStore on SQLite or PostgreSQL, on the tracking store's connection: `trace_info` plus its tags and
 * request metadata (MLflow's SqlAlchemyStore trace semantics). Span data is the client's `traces.json` under
 * the `mlflow.artifactLocation` tag set here on start.
 */
import { sql, type RawBuilder, type Transaction } from 'kysely';
import {
  RunlogError,
  TRACE_ARTIFACT_LOCATION_TAG,
  decodePageToken,
  encodePageToken,
  parseTraceFilter,
  parseTraceOrderBy,
  validateEntityKey,
  type DeleteTracesInput,
  type KeyValue,
  type Page,
  type SearchTracesQuery,
  type TraceClause,
  type TraceInfo,
  type TraceOrderKey,
  type TraceStatus,
  type TraceStore,
} from '@runlog/core';
import { checkDeleteTracesInput, checkTraceMaxResults, prepareTraceEntries, traceNotFound, traceStatusOf } from '../trace-rules.js';
import { chunked, type SqlContext } from './context.js';
import { requireExperimentRow } from './experiments.js';
import { newTimeOrderedId } from './ids.js';
import type { Database, TraceInfoTable } from './schema.js';

type Db = Transaction<Database> | SqlContext['db'];
type KeyValueTable = 'trace_tags' | 'trace_request_metadata';

async function upsert(db: Db, table: KeyValueTable, requestId: string, entries: readonly KeyValue[]): Promise<void> {
  if (entries.length === 0) return;
  await db
    .insertInto(table)
    .values(entries.map((e) => ({ request_id: requestId, key: e.key, value: e.value })))
    .onConflict((oc) => oc.columns(['request_id', 'key']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })))
    .execute();
}

async function loadKeyValues(db: Db, table: KeyValueTable, ids: readonly string[]): Promise<Map<string, KeyValue[]>> {
  const out = new Map<string, KeyValue[]>();
  for (const chunk of chunked(ids)) {
    const rows = await db.selectFrom(table).select(['request_id', 'key', 'value']).where('request_id', 'in', chunk).orderBy('key').execute();
    for (const r of rows) {
      let list = out.get(r.request_id);
      if (!list) out.set(r.request_id, (list = []));
      list.push({ key: r.key, value: r.value });
    }
  }
  return out;
}

async function toTraceInfos(db: Db, rows: readonly TraceInfoTable[]): Promise<TraceInfo[]> {
  const ids = rows.map((r) => r.request_id);
  const [tags, metadata] = await Promise.all([loadKeyValues(db, 'trace_tags', ids), loadKeyValues(db, 'trace_request_metadata', ids)]);
  return rows.map((r) => {
    const info: TraceInfo = {
      request_id: r.request_id,
      experiment_id: String(r.experiment_id),
      timestamp_ms: Number(r.timestamp_ms),
      execution_time_ms: r.execution_time_ms === null ? 0 : Number(r.execution_time_ms),
      status: traceStatusOf(r.status),
    };
    const m = metadata.get(r.request_id);
    if (m) info.request_metadata = m;
    const t = tags.get(r.request_id);
    if (t) info.tags = t;
    return info;
  });
}

async function requireRow(db: Db, requestId: string): Promise<TraceInfoTable> {
  const row = await db.selectFrom('trace_info').selectAll().where('request_id', '=', requestId).executeTakeFirst();
  if (!row) throw traceNotFound(requestId);
  return row;
}

async function readTrace(db: Db, requestId: string): Promise<TraceInfo> {
  const [info] = await toTraceInfos(db, [await requireRow(db, requestId)]);
  if (!info) throw traceNotFound(requestId);
  return info;
}

// ------------------------------------------------------------------------------------------------------------
// Search

/** The value a tag or metadata key has on the trace `t` (NULL when absent). */
function keyValueOf(type: 'tag' | 'request_metadata', key: string): RawBuilder<string | null> {
  const table = sql.table(type === 'tag' ? 'trace_tags' : 'trace_request_metadata');
  return sql<string | null>`(select kv.value from ${table} kv where kv.request_id = t.request_id and kv.key = ${key})`;
}

function clauseCondition(clause: TraceClause): RawBuilder<boolean> {
  const op = sql.raw(clause.comparator);
  if (clause.type !== 'attribute') {
    const table = sql.table(clause.type === 'tag' ? 'trace_tags' : 'trace_request_metadata');
    // A trace without the key matches neither = nor != (MLflow inner-joins the key's rows).
    return sql<boolean>`exists (select 1 from ${table} kv where kv.request_id = t.request_id and kv.key = ${clause.key} and kv.value ${op} ${clause.value})`;
  }
  const column = sql.ref(`t.${clause.key}`);
  if (Array.isArray(clause.value)) return sql<boolean>`${column} ${op} (${sql.join(clause.value)})`;
  return sql<boolean>`${column} ${op} ${clause.value}`;
}

function orderTerms(keys: readonly TraceOrderKey[]): RawBuilder<unknown>[] {
  const terms: RawBuilder<unknown>[] = [];
  for (const k of keys) {
    const value = k.type === 'attribute' ? sql.ref(`t.${k.key}`) : keyValueOf(k.type, k.key);
    // Missing values last in either direction, as MLflow's `case when value is null` term does.
    terms.push(sql`case when ${value} is null then 1 else 0 end`, sql`${value} ${sql.raw(k.ascending ? 'asc' : 'desc')}`);
  }
  const named = (key: string) => keys.some((k) => k.type === 'attribute' && k.key === key);
  if (!named('timestamp_ms')) terms.push(sql`t.timestamp_ms desc`);
  if (!named('request_id')) terms.push(sql`t.request_id asc`);
  return terms;
}

export async function searchTraces(ctx: SqlContext, query: SearchTracesQuery): Promise<Page<TraceInfo>> {
  const { maxResults } = query;
  checkTraceMaxResults(maxResults);
  const clauses = parseTraceFilter(query.filter);
  const orderKeys = parseTraceOrderBy(query.orderBy);
  const offset = decodePageToken(query.pageToken);
  // Experiment ids are integers here; any other spelling names no experiment.
  const experimentIds = query.experimentIds.filter((id) => /^\d{1,18}$/.test(id)).map(Number);
  if (experimentIds.length === 0) return { items: [] };

  const conditions = [sql<boolean>`t.experiment_id in (${sql.join(experimentIds)})`, ...clauses.map(clauseCondition)];
  const result = await sql<TraceInfoTable>`select t.* from trace_info t where ${sql.join(conditions, sql` and `)} order by ${sql.join(
    orderTerms(orderKeys),
  )} limit ${maxResults + 1} offset ${offset}`.execute(ctx.db);
  const items = await toTraceInfos(ctx.db, result.rows.slice(0, maxResults));
  const page: Page<TraceInfo> = { items };
  if (result.rows.length > maxResults) page.next_page_token = encodePageToken(offset + maxResults);
  return page;
}

// ------------------------------------------------------------------------------------------------------------
// Writes

export async function startTrace(
  ctx: SqlContext,
  input: { experimentId: string; timestampMs: number; requestMetadata?: readonly KeyValue[] | undefined; tags?: readonly KeyValue[] | undefined },
): Promise<TraceInfo> {
  const metadata = prepareTraceEntries(input.requestMetadata, 'Request metadata');
  const tags = prepareTraceEntries(input.tags, 'Trace tag');
  return ctx.db.transaction().execute(async (trx) => {
    const experiment = await requireExperimentRow(trx, input.experimentId);
    if (experiment.lifecycle_stage !== 'active') {
      throw RunlogError.invalidParameter(
        `The experiment ${input.experimentId} must be in the 'active' state. Current state is ${experiment.lifecycle_stage}.`,
      );
    }
    const requestId = newTimeOrderedId();
    const location = `${experiment.artifact_location.replace(/\/+$/, '')}/traces/${requestId}/artifacts`;
    await trx
      .insertInto('trace_info')
      .values({ request_id: requestId, experiment_id: experiment.experiment_id, timestamp_ms: input.timestampMs, execution_time_ms: null, status: 'IN_PROGRESS' })
      .execute();
    await upsert(trx, 'trace_request_metadata', requestId, metadata);
    await upsert(trx, 'trace_tags', requestId, [...tags.filter((t) => t.key !== TRACE_ARTIFACT_LOCATION_TAG), { key: TRACE_ARTIFACT_LOCATION_TAG, value: location }]);
    return readTrace(trx, requestId);
  });
}

export async function endTrace(
  ctx: SqlContext,
  requestId: string,
  input: { timestampMs: number; status: TraceStatus; requestMetadata?: readonly KeyValue[] | undefined; tags?: readonly KeyValue[] | undefined },
): Promise<TraceInfo> {
  const metadata = prepareTraceEntries(input.requestMetadata, 'Request metadata');
  const tags = prepareTraceEntries(input.tags, 'Trace tag');
  return ctx.db.transaction().execute(async (trx) => {
    const row = await requireRow(trx, requestId);
    await trx
      .updateTable('trace_info')
      .set({ execution_time_ms: input.timestampMs - Number(row.timestamp_ms), status: input.status })
      .where('request_id', '=', requestId)
      .execute();
    await upsert(trx, 'trace_request_metadata', requestId, metadata);
    await upsert(trx, 'trace_tags', requestId, tags);
    return readTrace(trx, requestId);
  });
}

export async function setTraceTag(ctx: SqlContext, requestId: string, key: string, value: string): Promise<void> {
  validateEntityKey('tag', key);
  const [tag] = prepareTraceEntries([{ key, value }], 'Trace tag');
  await ctx.db.transaction().execute(async (trx) => {
    await requireRow(trx, requestId);
    if (tag) await upsert(trx, 'trace_tags', requestId, [tag]);
  });
}

export async function deleteTraceTag(ctx: SqlContext, requestId: string, key: string): Promise<void> {
  const result = await ctx.db.deleteFrom('trace_tags').where('request_id', '=', requestId).where('key', '=', key).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) {
    throw RunlogError.notFound(`No trace tag with key '${key}' for trace with request_id '${requestId}'`);
  }
}

export async function deleteTraces(ctx: SqlContext, input: DeleteTracesInput): Promise<number> {
  checkDeleteTracesInput(input);
  if (!/^\d{1,18}$/.test(input.experimentId)) return 0;
  const experimentId = Number(input.experimentId);
  return ctx.db.transaction().execute(async (trx) => {
    let ids: string[];
    if (input.requestIds && input.requestIds.length > 0) {
      ids = [];
      for (const chunk of chunked([...new Set(input.requestIds)])) {
        const rows = await trx.selectFrom('trace_info').select('request_id').where('experiment_id', '=', experimentId).where('request_id', 'in', chunk).execute();
        ids.push(...rows.map((r) => r.request_id));
      }
    } else {
      let q = trx
        .selectFrom('trace_info')
        .select('request_id')
        .where('experiment_id', '=', experimentId)
        .where('timestamp_ms', '<=', input.maxTimestampMillis ?? 0)
        // Oldest first, so max_traces deletes the oldest traces.
        .orderBy('timestamp_ms')
        .orderBy('request_id');
      if (input.maxTraces !== undefined) q = q.limit(input.maxTraces);
      ids = (await q.execute()).map((r) => r.request_id);
    }
    for (const chunk of chunked(ids)) {
      await trx.deleteFrom('trace_tags').where('request_id', 'in', chunk).execute();
      await trx.deleteFrom('trace_request_metadata').where('request_id', 'in', chunk).execute();
      await trx.deleteFrom('trace_info').where('request_id', 'in', chunk).execute();
    }
    return ids.length;
  });
}

export function createSqlTraceStore(ctx: SqlContext): TraceStore {
  return {
    startTrace: (input) => startTrace(ctx, input),
    endTrace: (requestId, input) => endTrace(ctx, requestId, input),
    getTraceInfo: (requestId) => readTrace(ctx.db, requestId),
    searchTraces: (query) => searchTraces(ctx, query),
    deleteTraces: (input) => deleteTraces(ctx, input),
    setTraceTag: (requestId, key, value) => setTraceTag(ctx, requestId, key, value),
    deleteTraceTag: (requestId, key) => deleteTraceTag(ctx, requestId, key),
  };
}
