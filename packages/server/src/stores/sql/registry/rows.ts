/** Registry rows → MLflow entities, and the batched loads that fill in tags, aliases and latest versions. */
import { sql, type Kysely, type Selectable } from 'kysely';
import {
  RunlogError,
  parseModelVersion,
  validateModelName,
  type KeyValue,
  type ModelVersion,
  type ModelVersionStage,
  type RegisteredModel,
} from '@runlog/core';
import { chunked } from '../context.js';
import type { Database, ModelVersionsTable, RegisteredModelsTable } from '../schema.js';

export type ModelRow = Selectable<RegisteredModelsTable>;
export type VersionRow = Selectable<ModelVersionsTable>;
type Db = Kysely<Database>;

/** A soft-deleted version's stage: never shown, never found. */
export const DELETED_STAGE = 'Deleted_Internal';

export function modelNotFound(name: string): RunlogError {
  return RunlogError.notFound(`Registered Model with name=${name} not found`);
}

export function versionNotFound(name: string, version: string | number): RunlogError {
  return RunlogError.notFound(`Model Version (name=${name}, version=${version}) not found`);
}

export function toModelVersion(row: VersionRow, tags?: KeyValue[], aliases?: string[]): ModelVersion {
  const mv: ModelVersion = {
    name: row.name,
    version: String(row.version),
    creation_timestamp: Number(row.creation_timestamp),
    last_updated_timestamp: Number(row.last_updated_timestamp),
    current_stage: row.current_stage as ModelVersionStage,
    description: row.description,
    source: row.source,
    status: row.status as ModelVersion['status'],
    run_link: row.run_link ?? '',
  };
  if (row.user_id !== null) mv.user_id = row.user_id;
  if (row.run_id !== null) mv.run_id = row.run_id;
  if (row.status_message !== null) mv.status_message = row.status_message;
  if (tags && tags.length > 0) mv.tags = tags;
  if (aliases && aliases.length > 0) mv.aliases = aliases;
  return mv;
}

export async function requireModelRow(db: Db, name: string): Promise<ModelRow> {
  validateModelName(name);
  const row = await db.selectFrom('registered_models').selectAll().where('name', '=', name).executeTakeFirst();
  if (!row) throw modelNotFound(name);
  return row;
}

export async function requireVersionRow(db: Db, name: string, version: string): Promise<VersionRow> {
  const number = parseModelVersion(version);
  const row = await db
    .selectFrom('model_versions')
    .selectAll()
    .where('name', '=', name)
    .where('version', '=', number)
    .where('current_stage', '<>', DELETED_STAGE)
    .executeTakeFirst();
  if (!row) throw versionNotFound(name, version);
  return row;
}

function groupBy<T, K>(rows: readonly T[], key: (row: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const row of rows) {
    const k = key(row);
    let list = out.get(k);
    if (!list) out.set(k, (list = []));
    list.push(row);
  }
  return out;
}

const versionKey = (name: string, version: number | string): string => `${version}\u0000${name}`;

/** Tags of the given versions, keyed by `versionKey`. */
export async function loadVersionTags(db: Db, rows: readonly VersionRow[]): Promise<Map<string, KeyValue[]>> {
  const out = new Map<string, KeyValue[]>();
  if (rows.length === 0) return out;
  const wanted = new Set(rows.map((r) => versionKey(r.name, Number(r.version))));
  for (const names of chunked([...new Set(rows.map((r) => r.name))])) {
    const tags = await db
      .selectFrom('model_version_tags')
      .select(['name', 'version', 'key', 'value'])
      .where('name', 'in', names)
      .orderBy('key')
      .execute();
    for (const t of tags) {
      const k = versionKey(t.name, Number(t.version));
      if (!wanted.has(k)) continue;
      let list = out.get(k);
      if (!list) out.set(k, (list = []));
      list.push({ key: t.key, value: t.value });
    }
  }
  return out;
}

export async function loadVersionAliases(db: Db, rows: readonly VersionRow[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const names of chunked([...new Set(rows.map((r) => r.name))])) {
    const aliases = await db
      .selectFrom('registered_model_aliases')
      .select(['name', 'alias', 'version'])
      .where('name', 'in', names)
      .orderBy('alias')
      .execute();
    for (const a of aliases) {
      const k = versionKey(a.name, Number(a.version));
      let list = out.get(k);
      if (!list) out.set(k, (list = []));
      list.push(a.alias);
    }
  }
  return out;
}

/** Versions as MLflow returns them; `withAliases` as get/create/update/transition do (search does not). */
export async function toModelVersions(db: Db, rows: readonly VersionRow[], withAliases: boolean): Promise<ModelVersion[]> {
  const [tags, aliases] = await Promise.all([
    loadVersionTags(db, rows),
    withAliases ? loadVersionAliases(db, rows) : Promise.resolve(undefined),
  ]);
  return rows.map((r) => {
    const k = versionKey(r.name, Number(r.version));
    return toModelVersion(r, tags.get(k), aliases?.get(k));
  });
}

export async function fullModelVersion(db: Db, row: VersionRow): Promise<ModelVersion> {
  const [mv] = await toModelVersions(db, [row], true);
  if (!mv) throw versionNotFound(row.name, row.version);
  return mv;
}

/** The highest non-deleted version per (model, stage), for the given models. */
export async function latestVersionRows(db: Db, names: readonly string[], stages?: readonly string[]): Promise<VersionRow[]> {
  const out: VersionRow[] = [];
  for (const chunk of chunked(names, 1000)) {
    const stageFilter =
      stages && stages.length > 0 ? sql`and current_stage in (${sql.join(stages)})` : sql`and current_stage <> ${DELETED_STAGE}`;
    const result = await sql<VersionRow>`
      select mv.* from model_versions mv
      join (select name, current_stage as stage, max(version) as version from model_versions
            where name in (${sql.join(chunk)}) ${stageFilter}
            group by name, current_stage) latest
        on mv.name = latest.name and mv.version = latest.version
      order by mv.name, mv.version`.execute(db);
    out.push(...result.rows);
  }
  return out;
}

/** Registered models with their tags, aliases and latest versions, in the order of `rows`. */
export async function toRegisteredModels(db: Db, rows: readonly ModelRow[]): Promise<RegisteredModel[]> {
  const names = rows.map((r) => r.name);
  // Independent reads: on PostgreSQL they run on separate pooled connections at once (SQLite runs them in turn).
  const [tagRows, aliasRows, latestRows] = await Promise.all([
    selectChunked(names, (chunk) =>
      db.selectFrom('registered_model_tags').select(['name', 'key', 'value']).where('name', 'in', chunk).orderBy('key').execute(),
    ),
    selectChunked(names, (chunk) =>
      db.selectFrom('registered_model_aliases').select(['name', 'alias', 'version']).where('name', 'in', chunk).orderBy('alias').execute(),
    ),
    names.length > 0 ? latestVersionRows(db, names) : Promise.resolve([]),
  ]);
  const tagsByName = groupBy(tagRows, (t) => t.name);
  const aliasesByName = groupBy(aliasRows, (a) => a.name);
  const latest = groupBy(await toModelVersions(db, latestRows, false), (v) => v.name);
  return rows.map((r) => {
    const model: RegisteredModel = {
      name: r.name,
      creation_timestamp: Number(r.creation_timestamp),
      last_updated_timestamp: Number(r.last_updated_timestamp),
    };
    if (r.description !== '') model.description = r.description;
    const versions = latest.get(r.name);
    if (versions) model.latest_versions = versions;
    const tags = tagsByName.get(r.name);
    if (tags) model.tags = tags.map((t) => ({ key: t.key, value: t.value }));
    const aliases = aliasesByName.get(r.name);
    if (aliases) model.aliases = aliases.map((a) => ({ alias: a.alias, version: String(a.version) }));
    return model;
  });
}

async function selectChunked<T>(names: readonly string[], select: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (const chunk of chunked(names)) out.push(...(await select(chunk)));
  return out;
}

export async function fullRegisteredModel(db: Db, row: ModelRow): Promise<RegisteredModel> {
  const [model] = await toRegisteredModels(db, [row]);
  if (!model) throw modelNotFound(row.name);
  return model;
}
