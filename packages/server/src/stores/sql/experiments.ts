/** Experiments and their tags in the SQL store. */
import { sql, type RawBuilder, type Transaction } from 'kysely';
import {
  LIMITS,
  RunlogError,
  decodePageToken,
  encodePageToken,
  parseExperimentFilter,
  parseExperimentOrderBy,
  validateEntityKey,
  validateExperimentName,
  validateLength,
  type Experiment,
  type ExperimentClause,
  type ExperimentTag,
  type Page,
  type SearchExperimentsQuery,
} from '@runlog/core';
import { chunked, type SqlContext } from './context.js';
import { likeExpression } from './like.js';
import type { Database, ExperimentsTable } from './schema.js';
import { validateArtifactLocation } from './artifact-location.js';

type ExperimentRow = Omit<ExperimentsTable, 'experiment_id'> & { experiment_id: number };

/** Experiment ids are decimal integers in the SQL store; anything else names no experiment. */
export function parseExperimentId(id: string): number {
  if (!/^\d{1,18}$/.test(id)) throw RunlogError.notFound(`No Experiment with id=${id} exists`);
  return Number(id);
}

function toExperiment(row: ExperimentRow, tags: ExperimentTag[] | undefined): Experiment {
  const exp: Experiment = {
    experiment_id: String(row.experiment_id),
    name: row.name,
    artifact_location: row.artifact_location,
    lifecycle_stage: row.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
    last_update_time: Number(row.last_update_time),
    creation_time: Number(row.creation_time),
  };
  if (tags && tags.length > 0) exp.tags = tags;
  return exp;
}

async function loadTags(ctx: SqlContext, ids: readonly number[]): Promise<Map<number, ExperimentTag[]>> {
  const out = new Map<number, ExperimentTag[]>();
  for (const chunk of chunked(ids)) {
    const rows = await ctx.db
      .selectFrom('experiment_tags')
      .select(['experiment_id', 'key', 'value'])
      .where('experiment_id', 'in', chunk)
      .orderBy('key')
      .execute();
    for (const r of rows) {
      const id = Number(r.experiment_id);
      let list = out.get(id);
      if (!list) out.set(id, (list = []));
      list.push({ key: r.key, value: r.value });
    }
  }
  return out;
}

async function fetchRow(db: Transaction<Database> | SqlContext['db'], id: number): Promise<ExperimentRow | undefined> {
  return db.selectFrom('experiments').selectAll().where('experiment_id', '=', id).executeTakeFirst();
}

export async function requireExperimentRow(
  db: Transaction<Database> | SqlContext['db'],
  experimentId: string,
): Promise<ExperimentRow> {
  const row = await fetchRow(db, parseExperimentId(experimentId));
  if (!row) throw RunlogError.notFound(`No Experiment with id=${experimentId} exists`);
  return row;
}

function joinRoot(root: string, id: number): string {
  return `${root.replace(/\/+$/, '')}/${id}`;
}

export async function createExperiment(
  ctx: SqlContext,
  name: string,
  artifactLocation: string | undefined,
  tags: readonly ExperimentTag[] = [],
): Promise<string> {
  validateExperimentName(name);
  if (artifactLocation) validateArtifactLocation(artifactLocation);
  for (const tag of tags) validateExperimentTag(tag);
  return ctx.db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('experiments').select('experiment_id').where('name', '=', name).executeTakeFirst();
    if (existing) throw RunlogError.alreadyExists(`Experiment '${name}' already exists.`);
    const now = Date.now();
    const inserted = await trx
      .insertInto('experiments')
      .values({
        name,
        artifact_location: artifactLocation ?? '',
        lifecycle_stage: 'active',
        creation_time: now,
        last_update_time: now,
      })
      .returning('experiment_id')
      .executeTakeFirstOrThrow();
    const id = Number(inserted.experiment_id);
    if (!artifactLocation) {
      await trx
        .updateTable('experiments')
        .set({ artifact_location: joinRoot(ctx.defaultArtifactRoot, id) })
        .where('experiment_id', '=', id)
        .execute();
    }
    if (tags.length > 0) {
      await trx
        .insertInto('experiment_tags')
        .values(tags.map((t) => ({ experiment_id: id, key: t.key, value: t.value })))
        .onConflict((oc) => oc.columns(['experiment_id', 'key']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })))
        .execute();
    }
    return String(id);
  });
}

/** Fills in experiment 0's artifact location once the server's default root is known. */
export async function initDefaultExperiment(trx: Transaction<Database>, defaultArtifactRoot: string): Promise<void> {
  await trx
    .updateTable('experiments')
    .set({ artifact_location: joinRoot(defaultArtifactRoot, 0) })
    .where('experiment_id', '=', 0)
    .where('artifact_location', '=', '')
    .execute();
}

export async function getExperiment(ctx: SqlContext, experimentId: string): Promise<Experiment> {
  const row = await requireExperimentRow(ctx.db, experimentId);
  const tags = await loadTags(ctx, [row.experiment_id]);
  return toExperiment(row, tags.get(row.experiment_id));
}

export async function getExperimentByName(ctx: SqlContext, name: string): Promise<Experiment> {
  const row = await ctx.db.selectFrom('experiments').selectAll().where('name', '=', name).executeTakeFirst();
  if (!row) throw RunlogError.notFound(`Could not find experiment with name '${name}'`);
  const tags = await loadTags(ctx, [row.experiment_id]);
  return toExperiment(row, tags.get(row.experiment_id));
}

function validateExperimentTag(tag: ExperimentTag): void {
  validateEntityKey('experiment tag', tag.key);
  validateLength('Experiment tag key', tag.key, LIMITS.maxExperimentTagKeyLength);
  validateLength('Experiment tag value', tag.value, LIMITS.maxExperimentTagValueLength);
}

export async function setExperimentLifecycle(ctx: SqlContext, experimentId: string, stage: 'active' | 'deleted'): Promise<void> {
  const id = parseExperimentId(experimentId);
  if (stage === 'deleted' && id === 0) {
    // MLflow answers INTERNAL_ERROR (500), which makes its client retry for minutes; this is the caller's mistake.
    throw RunlogError.invalidParameter('Cannot delete the default experiment \'0\'. This is an internally reserved experiment.');
  }
  await ctx.db.transaction().execute(async (trx) => {
    const row = await fetchRow(trx, id);
    // Deleting looks among active experiments only, restoring among deleted ones (as MLflow's stores do).
    if (!row || row.lifecycle_stage === stage) {
      throw RunlogError.notFound(`No ${stage === 'deleted' ? 'active' : 'deleted'} experiment with id=${experimentId} exists`);
    }
    const now = Date.now();
    await trx.updateTable('experiments').set({ lifecycle_stage: stage, last_update_time: now }).where('experiment_id', '=', id).execute();
    await trx
      .updateTable('runs')
      .set({ lifecycle_stage: stage, deleted_time: stage === 'deleted' ? now : null })
      .where('experiment_id', '=', id)
      .where('lifecycle_stage', '=', stage === 'deleted' ? 'active' : 'deleted')
      .execute();
  });
}

export async function renameExperiment(ctx: SqlContext, experimentId: string, newName: string): Promise<void> {
  validateExperimentName(newName);
  await ctx.db.transaction().execute(async (trx) => {
    const row = await requireExperimentRow(trx, experimentId);
    if (row.lifecycle_stage !== 'active') {
      throw RunlogError.invalidParameter('Cannot rename a non-active experiment.');
    }
    if (row.name === newName) return;
    const clash = await trx.selectFrom('experiments').select('experiment_id').where('name', '=', newName).executeTakeFirst();
    if (clash) throw RunlogError.alreadyExists(`Experiment '${newName}' already exists.`);
    await trx
      .updateTable('experiments')
      .set({ name: newName, last_update_time: Date.now() })
      .where('experiment_id', '=', row.experiment_id)
      .execute();
  });
}

export async function setExperimentTag(ctx: SqlContext, experimentId: string, tag: ExperimentTag): Promise<void> {
  validateExperimentTag(tag);
  await ctx.db.transaction().execute(async (trx) => {
    const row = await requireExperimentRow(trx, experimentId);
    if (row.lifecycle_stage !== 'active') {
      throw RunlogError.invalidParameter(
        `The experiment ${experimentId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
      );
    }
    await trx
      .insertInto('experiment_tags')
      .values({ experiment_id: row.experiment_id, key: tag.key, value: tag.value })
      .onConflict((oc) => oc.columns(['experiment_id', 'key']).doUpdateSet({ value: tag.value }))
      .execute();
  });
}

export async function deleteExperimentTag(ctx: SqlContext, experimentId: string, key: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const row = await requireExperimentRow(trx, experimentId);
    if (row.lifecycle_stage !== 'active') {
      throw RunlogError.invalidParameter(
        `The experiment ${experimentId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
      );
    }
    const res = await trx
      .deleteFrom('experiment_tags')
      .where('experiment_id', '=', row.experiment_id)
      .where('key', '=', key)
      .executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) {
      throw RunlogError.notFound(`No tag with name: ${key} in experiment with id ${experimentId}`);
    }
  });
}

function clauseCondition(ctx: SqlContext, clause: ExperimentClause): RawBuilder<boolean> {
  const op = sql.raw(clause.comparator);
  if (clause.type === 'tag') {
    const value = String(clause.value);
    const cond =
      clause.comparator === 'LIKE' || clause.comparator === 'ILIKE'
        ? likeExpression(ctx.dialect, sql.ref('t.value'), value, clause.comparator === 'ILIKE')
        : sql<boolean>`t.value ${op} ${value}`;
    return sql<boolean>`exists (select 1 from experiment_tags t where t.experiment_id = e.experiment_id and t.key = ${clause.key} and ${cond})`;
  }
  const column = sql.ref(`e.${clause.key}`);
  if (clause.comparator === 'LIKE' || clause.comparator === 'ILIKE') {
    return likeExpression(ctx.dialect, column, String(clause.value), clause.comparator === 'ILIKE');
  }
  if (Array.isArray(clause.value)) {
    const list = clause.value.length > 0 ? sql.join(clause.value) : sql`null`;
    return sql<boolean>`${column} ${op} (${list})`;
  }
  return sql<boolean>`${column} ${op} ${clause.value}`;
}

export async function searchExperiments(ctx: SqlContext, query: SearchExperimentsQuery): Promise<Page<Experiment>> {
  const { maxResults } = query;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > LIMITS.maxExperimentsSearchResults) {
    throw RunlogError.invalidParameter(
      `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be a positive integer no greater than ${LIMITS.maxExperimentsSearchResults}.`,
    );
  }
  const clauses = parseExperimentFilter(query.filter);
  const orderKeys = parseExperimentOrderBy(query.orderBy);
  const offset = decodePageToken(query.pageToken);

  const conditions: RawBuilder<boolean>[] = [];
  if (query.viewType !== 'ALL') conditions.push(sql<boolean>`e.lifecycle_stage = ${query.viewType === 'ACTIVE_ONLY' ? 'active' : 'deleted'}`);
  for (const clause of clauses) conditions.push(clauseCondition(ctx, clause));
  const where = conditions.length > 0 ? sql`where ${sql.join(conditions, sql` and `)}` : sql``;

  const order = orderKeys.map((k) => sql`${sql.ref(`e.${k.key}`)} ${sql.raw(k.ascending ? 'asc' : 'desc')}`);
  if (orderKeys.length === 0) order.push(sql`e.creation_time desc`, sql`e.experiment_id asc`);
  else if (!orderKeys.some((k) => k.key === 'experiment_id')) order.push(sql`e.experiment_id desc`);

  const result = await sql<ExperimentRow>`select e.* from experiments e ${where} order by ${sql.join(order)} limit ${maxResults + 1} offset ${offset}`.execute(ctx.db);
  const rows = result.rows.slice(0, maxResults);
  const tags = await loadTags(ctx, rows.map((r) => Number(r.experiment_id)));
  const items = rows.map((r) => toExperiment({ ...r, experiment_id: Number(r.experiment_id) }, tags.get(Number(r.experiment_id))));
  const page: Page<Experiment> = { items };
  if (result.rows.length > maxResults) page.next_page_token = encodePageToken(offset + maxResults);
  return page;
}
