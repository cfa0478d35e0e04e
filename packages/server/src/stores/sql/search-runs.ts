/** Compiles MLflow's run filter and order_by (parsed by core) to one SQL query per page. */
import { sql, type RawBuilder } from 'kysely';
import {
  LIMITS,
  RunlogError,
  decodePageToken,
  encodePageToken,
  parseRunFilter,
  parseRunOrderBy,
  type Page,
  type Run,
  type RunClause,
  type RunOrderKey,
  type SearchRunsQuery,
} from '@runlog/core';
import type { SqlContext } from './context.js';
import { likeExpression } from './like.js';
import { hydrateRuns } from './runs.js';
import type { RunRow } from './schema.js';

const ATTRIBUTE_COLUMNS: Record<string, string> = {
  run_id: 'run_uuid',
  run_name: 'name',
  user_id: 'user_id',
  status: 'status',
  artifact_uri: 'artifact_uri',
  start_time: 'start_time',
  end_time: 'end_time',
};

function attributeColumn(key: string): string {
  const column = ATTRIBUTE_COLUMNS[key];
  if (!column) throw RunlogError.invalidParameter(`Invalid attribute key '${key}' specified.`);
  return column;
}

function compare(ctx: SqlContext, column: RawBuilder<unknown>, clause: RunClause): RawBuilder<boolean> {
  const { comparator, value } = clause;
  if (comparator === 'LIKE' || comparator === 'ILIKE') {
    return likeExpression(ctx.dialect, column, String(value), comparator === 'ILIKE');
  }
  if (comparator === 'IN' || comparator === 'NOT IN') {
    const list = Array.isArray(value) ? value : [String(value)];
    if (list.length === 0) return comparator === 'IN' ? sql<boolean>`1 = 0` : sql<boolean>`1 = 1`;
    return sql<boolean>`${column} ${sql.raw(comparator)} (${sql.join(list)})`;
  }
  return sql<boolean>`${column} ${sql.raw(comparator)} ${value}`;
}

/**
 * A metric/param/tag clause as the set of runs it admits, answered from the (key, value) indexes. The sets of
 * all such clauses are intersected once, instead of probing every run of the experiment per clause.
 */
function candidateRuns(ctx: SqlContext, clause: RunClause): RawBuilder<unknown> | undefined {
  switch (clause.type) {
    case 'metric':
      return sql`select m.run_key from latest_metrics m where m.key = ${clause.key} and m.is_nan = 0 and ${compare(ctx, sql`m.value`, clause)}`;
    case 'param':
      return sql`select p.run_uuid from params p where p.key = ${clause.key} and ${compare(ctx, sql`p.value`, clause)}`;
    case 'tag':
      return sql`select t.run_uuid from tags t where t.key = ${clause.key} and ${compare(ctx, sql`t.value`, clause)}`;
    default:
      return undefined;
  }
}

function runCondition(ctx: SqlContext, clause: RunClause): RawBuilder<boolean> {
  if (clause.type === 'attribute') return compare(ctx, sql.ref(`r.${attributeColumn(clause.key)}`), clause);
  const column =
    clause.key === 'context'
      ? sql`(select it.value from input_tags it where it.input_uuid = i.input_uuid and it.name = 'mlflow.data.context')`
      : sql.ref(`d.${clause.key === 'digest' ? 'digest' : 'name'}`);
  return sql<boolean>`exists (select 1 from inputs i join datasets d on d.dataset_uuid = i.source_id where i.destination_id = r.run_uuid and ${compare(ctx, column, clause)})`;
}

interface OrderPlan {
  joins: RawBuilder<unknown>[];
  terms: RawBuilder<unknown>[];
}

function orderPlan(keys: readonly RunOrderKey[]): OrderPlan {
  const joins: RawBuilder<unknown>[] = [];
  const terms: RawBuilder<unknown>[] = [];
  keys.forEach((k, i) => {
    const dir = sql.raw(k.ascending ? 'asc' : 'desc');
    const alias = sql.raw(`o${i}`);
    if (k.type === 'attribute') {
      const col = sql.ref(`r.${attributeColumn(k.key)}`);
      terms.push(sql`case when ${col} is null then 1 else 0 end`, sql`${col} ${dir}`);
      return;
    }
    const table = sql.raw(k.type === 'metric' ? 'latest_metrics' : k.type === 'param' ? 'params' : 'tags');
    const idColumn = sql.raw(k.type === 'metric' ? 'run_key' : 'run_uuid');
    joins.push(sql`left join ${table} ${alias} on ${alias}.${idColumn} = r.${idColumn} and ${alias}.key = ${k.key}`);
    // Missing values sort last either way; for metrics NaN sorts after numbers but before missing.
    terms.push(sql`case when ${alias}.value is null then 1 else 0 end`);
    if (k.type === 'metric') terms.push(sql`${alias}.is_nan`);
    terms.push(sql`${alias}.value ${dir}`);
  });
  terms.push(sql`r.start_time desc`, sql`r.run_uuid asc`);
  return { joins, terms };
}

export async function searchRuns(ctx: SqlContext, query: SearchRunsQuery): Promise<Page<Run>> {
  const { maxResults } = query;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > LIMITS.maxRunsSearchResults) {
    throw RunlogError.invalidParameter(
      `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be at most ${LIMITS.maxRunsSearchResults}, and a positive integer.`,
    );
  }
  const clauses = parseRunFilter(query.filter);
  const plan = orderPlan(parseRunOrderBy(query.orderBy));
  const offset = decodePageToken(query.pageToken);
  const experimentIds = query.experimentIds.filter((id) => /^\d{1,18}$/.test(id)).map(Number);
  if (experimentIds.length === 0) return { items: [] };

  const conditions: RawBuilder<boolean>[] = [sql<boolean>`r.experiment_id in (${sql.join(experimentIds)})`];
  if (query.viewType !== 'ALL') {
    conditions.push(sql<boolean>`r.lifecycle_stage = ${query.viewType === 'ACTIVE_ONLY' ? 'active' : 'deleted'}`);
  }
  // Metric sets are keyed by run_key, param and tag sets by run_uuid: one intersection per key space.
  const byKey: RawBuilder<unknown>[] = [];
  const byId: RawBuilder<unknown>[] = [];
  for (const clause of clauses) {
    const subquery = candidateRuns(ctx, clause);
    if (!subquery) conditions.push(runCondition(ctx, clause));
    else (clause.type === 'metric' ? byKey : byId).push(subquery);
  }
  if (byKey.length > 0) conditions.push(sql<boolean>`r.run_key in (${sql.join(byKey, sql` intersect `)})`);
  if (byId.length > 0) conditions.push(sql<boolean>`r.run_uuid in (${sql.join(byId, sql` intersect `)})`);

  const result = await sql<RunRow>`select r.* from runs r ${sql.join(plan.joins, sql` `)} where ${sql.join(conditions, sql` and `)} order by ${sql.join(plan.terms)} limit ${maxResults + 1} offset ${offset}`.execute(ctx.db);
  const rows = result.rows.slice(0, maxResults);
  const page: Page<Run> = { items: await hydrateRuns(ctx, rows) };
  if (result.rows.length > maxResults) page.next_page_token = encodePageToken(offset + maxResults);
  return page;
}
