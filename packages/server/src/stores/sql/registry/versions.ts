/** Model versions, their tags and stages in the SQL store. */
import {
  REGISTRY_LIMITS,
  RunlogError,
  parseStage,
  validateDescription,
  validateLength,
  validateModelName,
  validateRegistryTag,
  type CreateModelVersionInput,
  type KeyValue,
  type ModelVersion,
} from '@runlog/core';
import type { SqlContext } from '../context.js';
import {
  DELETED_STAGE,
  fullModelVersion,
  latestVersionRows,
  modelNotFound,
  requireModelRow,
  requireVersionRow,
  toModelVersions,
  type VersionRow,
} from './rows.js';

export async function createModelVersion(ctx: SqlContext, input: CreateModelVersionInput): Promise<ModelVersion> {
  validateModelName(input.name);
  const tags = input.tags ?? [];
  for (const tag of tags) validateRegistryTag(tag.key, tag.value);
  if (input.description !== undefined) validateDescription(input.description);
  if (input.runLink !== undefined) validateLength('run_link', input.runLink, REGISTRY_LIMITS.maxRunLinkLength);
  if (input.runId !== undefined) validateLength('run_id', input.runId, 32);
  return ctx.db.transaction().execute(async (trx) => {
    const now = Date.now();
    // Touching the parent first takes its row lock on PostgreSQL, so concurrent creates number in turn.
    const touched = await trx
      .updateTable('registered_models')
      .set({ last_updated_timestamp: now })
      .where('name', '=', input.name)
      .executeTakeFirst();
    if (Number(touched.numUpdatedRows) === 0) throw modelNotFound(input.name);
    // Deleted versions count: numbers are never reused.
    const max = await trx
      .selectFrom('model_versions')
      .select((eb) => eb.fn.max('version').as('max'))
      .where('name', '=', input.name)
      .executeTakeFirst();
    const row: VersionRow = {
      name: input.name,
      version: Number(max?.max ?? 0) + 1,
      creation_timestamp: now,
      last_updated_timestamp: now,
      description: input.description ?? '',
      user_id: null,
      current_stage: 'None',
      source: input.source,
      storage_location: input.storageLocation ?? null,
      run_id: input.runId || null,
      run_link: input.runLink ?? null,
      status: 'READY',
      status_message: null,
    };
    await trx.insertInto('model_versions').values(row).execute();
    if (tags.length > 0) {
      const unique = new Map(tags.map((t) => [t.key, t.value]));
      await trx
        .insertInto('model_version_tags')
        .values([...unique].map(([key, value]) => ({ name: row.name, version: row.version, key, value })))
        .execute();
    }
    return fullModelVersion(trx, row);
  });
}

export async function getModelVersion(ctx: SqlContext, name: string, version: string): Promise<ModelVersion> {
  return fullModelVersion(ctx.db, await requireVersionRow(ctx.db, name, version));
}

export async function updateModelVersion(
  ctx: SqlContext,
  name: string,
  version: string,
  description: string | undefined,
): Promise<ModelVersion> {
  if (description !== undefined) validateDescription(description);
  return ctx.db.transaction().execute(async (trx) => {
    const row = await requireVersionRow(trx, name, version);
    if (description === undefined) return fullModelVersion(trx, row);
    const now = Date.now();
    await trx
      .updateTable('model_versions')
      .set({ description, last_updated_timestamp: now })
      .where('name', '=', name)
      .where('version', '=', row.version)
      .execute();
    return fullModelVersion(trx, { ...row, description, last_updated_timestamp: now });
  });
}

/** A soft delete, as MLflow does: the number stays taken, the row is redacted, aliases and tags go. */
export async function deleteModelVersion(ctx: SqlContext, name: string, version: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const row = await requireVersionRow(trx, name, version);
    const now = Date.now();
    await trx
      .updateTable('model_versions')
      .set({
        current_stage: DELETED_STAGE,
        source: 'REDACTED-SOURCE-PATH',
        storage_location: null,
        run_id: 'REDACTED-RUN-ID',
        run_link: 'REDACTED-RUN-LINK',
        description: '',
        status_message: null,
        last_updated_timestamp: now,
      })
      .where('name', '=', name)
      .where('version', '=', row.version)
      .execute();
    // MLflow leaves aliases of a deleted version behind (a later @alias lookup then 404s); Runlog removes them.
    await trx.deleteFrom('registered_model_aliases').where('name', '=', name).where('version', '=', row.version).execute();
    await trx.deleteFrom('model_version_tags').where('name', '=', name).where('version', '=', row.version).execute();
    await trx.updateTable('registered_models').set({ last_updated_timestamp: now }).where('name', '=', name).execute();
  });
}

export async function transitionModelVersionStage(
  ctx: SqlContext,
  name: string,
  version: string,
  stage: string,
  archiveExistingVersions: boolean,
): Promise<ModelVersion> {
  const target = parseStage(stage);
  if (archiveExistingVersions && target !== 'Staging' && target !== 'Production') {
    // MLflow raises without an error code here (a 500 the client retries); this is the caller's mistake.
    throw RunlogError.invalidParameter(
      `Model version transition cannot archive existing model versions because '${target}' is not an Active stage. Valid stages are Staging, Production.`,
    );
  }
  return ctx.db.transaction().execute(async (trx) => {
    const row = await requireVersionRow(trx, name, version);
    const now = Date.now();
    if (archiveExistingVersions) {
      await trx
        .updateTable('model_versions')
        .set({ current_stage: 'Archived', last_updated_timestamp: now })
        .where('name', '=', name)
        .where('current_stage', '=', target)
        .where('version', '<>', row.version)
        .execute();
    }
    await trx
      .updateTable('model_versions')
      .set({ current_stage: target, last_updated_timestamp: now })
      .where('name', '=', name)
      .where('version', '=', row.version)
      .execute();
    await trx.updateTable('registered_models').set({ last_updated_timestamp: now }).where('name', '=', name).execute();
    return fullModelVersion(trx, { ...row, current_stage: target, last_updated_timestamp: now });
  });
}

export async function getLatestVersions(ctx: SqlContext, name: string, stages: readonly string[] = []): Promise<ModelVersion[]> {
  const canonical = [...new Set(stages.map(parseStage))];
  await requireModelRow(ctx.db, name);
  const rows = await latestVersionRows(ctx.db, [name], canonical);
  return toModelVersions(ctx.db, rows, false);
}

export async function getModelVersionDownloadUri(ctx: SqlContext, name: string, version: string): Promise<string> {
  const row = await requireVersionRow(ctx.db, name, version);
  return row.storage_location ?? row.source;
}

export async function setModelVersionTag(ctx: SqlContext, name: string, version: string, tag: KeyValue): Promise<void> {
  validateRegistryTag(tag.key, tag.value);
  await ctx.db.transaction().execute(async (trx) => {
    const row = await requireVersionRow(trx, name, version);
    await trx
      .insertInto('model_version_tags')
      .values({ name, version: row.version, key: tag.key, value: tag.value })
      .onConflict((oc) => oc.columns(['name', 'version', 'key']).doUpdateSet({ value: tag.value }))
      .execute();
  });
}

export async function deleteModelVersionTag(ctx: SqlContext, name: string, version: string, key: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const row = await requireVersionRow(trx, name, version);
    await trx
      .deleteFrom('model_version_tags')
      .where('name', '=', name)
      .where('version', '=', row.version)
      .where('key', '=', key)
      .execute();
  });
}

