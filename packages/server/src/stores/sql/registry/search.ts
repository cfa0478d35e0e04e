/** Registered-model and model-version search: MLflow's grammar compiled to SQL, offset page tokens. */
import { sql, type RawBuilder } from 'kysely';
import {
  REGISTRY_LIMITS,
  RunlogError,
  decodePageToken,
  encodePageToken,
  parseModelVersionFilter,
  parseModelVersionOrderBy,
  parseRegisteredModelFilter,
  parseRegisteredModelOrderBy,
  type ModelVersion,
  type Page,
  type RegisteredModel,
  type RegistryClause,
  type SearchRegistryQuery,
} from '@runlog/core';
import type { SqlContext } from '../context.js';
import { likeExpression } from '../like.js';
import { DELETED_STAGE, toModelVersions, toRegisteredModels, type ModelRow, type VersionRow } from './rows.js';

/** Newer MLflow clients add `tags.mlflow.prompt.is_prompt != 'true'` to every search; models without the tag match. */
const PROMPT_TAG = 'mlflow.prompt.is_prompt';

function checkMaxResults(maxResults: number, limit: number): void {
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > limit) {
    throw RunlogError.invalidParameter(
      `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be a positive integer no greater than ${limit}.`,
    );
  }
}

function comparison(ctx: SqlContext, column: RawBuilder<unknown>, clause: RegistryClause): RawBuilder<boolean> {
  const { comparator, value } = clause;
  if (comparator === 'LIKE' || comparator === 'ILIKE') return likeExpression(ctx.dialect, column, String(value), comparator === 'ILIKE');
  if (Array.isArray(value)) {
    // MLflow silently drops run ids with upper-case letters from an IN list.
    const ids = value.filter((v) => v === v.toLowerCase());
    return ids.length > 0 ? sql<boolean>`${column} in (${sql.join(ids)})` : sql<boolean>`1 = 0`;
  }
  return sql<boolean>`${column} ${sql.raw(comparator)} ${value}`;
}

/** A tag clause as an EXISTS over `tagTable` rows of the entity (`match` ties a tag row to the entity). */
function tagCondition(ctx: SqlContext, clause: RegistryClause, tagTable: string, match: RawBuilder<boolean>): RawBuilder<boolean> {
  if (clause.key === PROMPT_TAG && clause.comparator === '!=' && clause.value === 'true') {
    return sql<boolean>`not exists (select 1 from ${sql.table(tagTable)} t where ${match} and t.key = ${PROMPT_TAG} and t.value = 'true')`;
  }
  const cond = comparison(ctx, sql.ref('t.value'), clause);
  return sql<boolean>`exists (select 1 from ${sql.table(tagTable)} t where ${match} and t.key = ${clause.key} and ${cond})`;
}

function whereClause(conditions: readonly RawBuilder<boolean>[]): RawBuilder<unknown> {
  return conditions.length > 0 ? sql`where ${sql.join(conditions, sql` and `)}` : sql``;
}

export async function searchRegisteredModels(ctx: SqlContext, query: SearchRegistryQuery): Promise<Page<RegisteredModel>> {
  checkMaxResults(query.maxResults, REGISTRY_LIMITS.maxRegisteredModelsSearchResults);
  const clauses = parseRegisteredModelFilter(query.filter);
  const orderKeys = parseRegisteredModelOrderBy(query.orderBy);
  const offset = decodePageToken(query.pageToken);

  const conditions = clauses.map((c) =>
    c.type === 'tag' ? tagCondition(ctx, c, 'registered_model_tags', sql<boolean>`t.name = m.name`) : comparison(ctx, sql.ref('m.name'), c),
  );
  const order = orderKeys.map((k) => sql`${sql.ref(`m.${k.key}`)} ${sql.raw(k.ascending ? 'asc' : 'desc')}`);
  if (!orderKeys.some((k) => k.key === 'name')) order.push(sql`m.name asc`);

  const result = await sql<ModelRow>`select m.* from registered_models m ${whereClause(conditions)}
    order by ${sql.join(order)} limit ${query.maxResults + 1} offset ${offset}`.execute(ctx.db);
  const rows = result.rows.slice(0, query.maxResults);
  const page: Page<RegisteredModel> = { items: await toRegisteredModels(ctx.db, rows) };
  if (result.rows.length > query.maxResults) page.next_page_token = encodePageToken(offset + query.maxResults);
  return page;
}

const VERSION_COLUMNS: Readonly<Record<string, string>> = {
  name: 'v.name',
  run_id: 'v.run_id',
  source_path: 'v.source',
  version_number: 'v.version',
  creation_timestamp: 'v.creation_timestamp',
  last_updated_timestamp: 'v.last_updated_timestamp',
};

function versionColumn(key: string): RawBuilder<unknown> {
  const column = VERSION_COLUMNS[key];
  if (column === undefined) throw RunlogError.invalidParameter(`Invalid attribute key '${key}'`);
  return sql.ref(column);
}

export async function searchModelVersions(ctx: SqlContext, query: SearchRegistryQuery): Promise<Page<ModelVersion>> {
  checkMaxResults(query.maxResults, REGISTRY_LIMITS.maxModelVersionsSearchResults);
  const clauses = parseModelVersionFilter(query.filter);
  const orderKeys = parseModelVersionOrderBy(query.orderBy);
  const offset = decodePageToken(query.pageToken);

  const conditions = [sql<boolean>`v.current_stage <> ${DELETED_STAGE}`];
  for (const c of clauses) {
    conditions.push(
      c.type === 'tag'
        ? tagCondition(ctx, c, 'model_version_tags', sql<boolean>`t.name = v.name and t.version = v.version`)
        : comparison(ctx, versionColumn(c.key), c),
    );
  }
  const keys = orderKeys.length > 0 ? [...orderKeys] : [{ key: 'last_updated_timestamp' as const, ascending: false }];
  if (!keys.some((k) => k.key === 'name')) keys.push({ key: 'name', ascending: true });
  if (!keys.some((k) => k.key === 'version_number')) keys.push({ key: 'version_number', ascending: false });
  const order = keys.map((k) => sql`${versionColumn(k.key)} ${sql.raw(k.ascending ? 'asc' : 'desc')}`);

  const result = await sql<VersionRow>`select v.* from model_versions v ${whereClause(conditions)}
    order by ${sql.join(order)} limit ${query.maxResults + 1} offset ${offset}`.execute(ctx.db);
  const rows = result.rows.slice(0, query.maxResults);
  const page: Page<ModelVersion> = { items: await toModelVersions(ctx.db, rows, false) };
  if (result.rows.length > query.maxResults) page.next_page_token = encodePageToken(offset + query.maxResults);
  return page;
}
