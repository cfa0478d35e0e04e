/** Registered models, their tags and aliases in the SQL store. */
import type { Transaction } from 'kysely';
import {
  RunlogError,
  parseModelVersion,
  registeredModelNameKey,
  validateAlias,
  validateDescription,
  validateModelName,
  validateRegistryTag,
  type KeyValue,
  type ModelVersion,
  type RegisteredModel,
} from '@runlog/core';
import type { SqlContext } from '../context.js';
import type { Database } from '../schema.js';
import {
  fullModelVersion,
  fullRegisteredModel,
  modelNotFound,
  requireModelRow,
  requireVersionRow,
  versionNotFound,
  type ModelRow,
} from './rows.js';

/** A unique-constraint failure on either engine (a concurrent writer won the race to the same name). */
export function isUniqueViolation(err: unknown): boolean {
  if (err === null || typeof err !== 'object') return false;
  const code = (err as { code?: unknown }).code;
  return code === '23505' || (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT'));
}

function alreadyExists(name: string): RunlogError {
  return RunlogError.alreadyExists(`Registered Model (name=${name}) already exists.`);
}

/** The model whose normalised name equals `name`'s, if any. */
async function findByNameKey(trx: Transaction<Database>, name: string): Promise<ModelRow | undefined> {
  const key = registeredModelNameKey(name) ?? name;
  return trx.selectFrom('registered_models').selectAll().where('name_key', '=', key).executeTakeFirst();
}

export async function createRegisteredModel(
  ctx: SqlContext,
  name: string,
  tags: readonly KeyValue[] = [],
  description?: string,
): Promise<RegisteredModel> {
  validateModelName(name);
  for (const tag of tags) validateRegistryTag(tag.key, tag.value);
  if (description !== undefined) validateDescription(description);
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      const clash = await findByNameKey(trx, name);
      if (clash) throw alreadyExists(clash.name === name ? name : `${name}, the same name as '${clash.name}' once decoded`);
      const now = Date.now();
      const row: ModelRow = {
        name,
        name_key: registeredModelNameKey(name) ?? name,
        creation_timestamp: now,
        last_updated_timestamp: now,
        description: description ?? '',
      };
      await trx.insertInto('registered_models').values(row).execute();
      if (tags.length > 0) {
        const unique = new Map(tags.map((t) => [t.key, t.value]));
        await trx
          .insertInto('registered_model_tags')
          .values([...unique].map(([key, value]) => ({ name, key, value })))
          .execute();
      }
      return fullRegisteredModel(trx, row);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw alreadyExists(name);
    throw err;
  }
}

export async function getRegisteredModel(ctx: SqlContext, name: string): Promise<RegisteredModel> {
  return fullRegisteredModel(ctx.db, await requireModelRow(ctx.db, name));
}

export async function renameRegisteredModel(ctx: SqlContext, name: string, newName: string): Promise<RegisteredModel> {
  validateModelName(newName);
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      const row = await requireModelRow(trx, name);
      if (newName === name) return fullRegisteredModel(trx, row);
      const clash = await findByNameKey(trx, newName);
      if (clash && clash.name !== name) throw alreadyExists(newName);
      const now = Date.now();
      await trx
        .updateTable('registered_models')
        .set({ name: newName, name_key: registeredModelNameKey(newName) ?? newName, last_updated_timestamp: now })
        .where('name', '=', name)
        .execute();
      await trx.updateTable('model_versions').set({ name: newName, last_updated_timestamp: now }).where('name', '=', name).execute();
      await trx.updateTable('model_version_tags').set({ name: newName }).where('name', '=', name).execute();
      await trx.updateTable('registered_model_tags').set({ name: newName }).where('name', '=', name).execute();
      await trx.updateTable('registered_model_aliases').set({ name: newName }).where('name', '=', name).execute();
      return fullRegisteredModel(trx, { ...row, name: newName, last_updated_timestamp: now });
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw alreadyExists(newName);
    throw err;
  }
}

export async function updateRegisteredModel(
  ctx: SqlContext,
  name: string,
  description: string | undefined,
): Promise<RegisteredModel> {
  const text = description ?? '';
  validateDescription(text);
  return ctx.db.transaction().execute(async (trx) => {
    const row = await requireModelRow(trx, name);
    const now = Date.now();
    await trx
      .updateTable('registered_models')
      .set({ description: text, last_updated_timestamp: now })
      .where('name', '=', name)
      .execute();
    return fullRegisteredModel(trx, { ...row, description: text, last_updated_timestamp: now });
  });
}

export async function deleteRegisteredModel(ctx: SqlContext, name: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await requireModelRow(trx, name);
    for (const table of ['model_version_tags', 'model_versions', 'registered_model_tags', 'registered_model_aliases'] as const) {
      await trx.deleteFrom(table).where('name', '=', name).execute();
    }
    await trx.deleteFrom('registered_models').where('name', '=', name).execute();
  });
}

export async function setRegisteredModelTag(ctx: SqlContext, name: string, tag: KeyValue): Promise<void> {
  validateRegistryTag(tag.key, tag.value);
  await ctx.db.transaction().execute(async (trx) => {
    await requireModelRow(trx, name);
    await trx
      .insertInto('registered_model_tags')
      .values({ name, key: tag.key, value: tag.value })
      .onConflict((oc) => oc.columns(['name', 'key']).doUpdateSet({ value: tag.value }))
      .execute();
  });
}

export async function deleteRegisteredModelTag(ctx: SqlContext, name: string, key: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await requireModelRow(trx, name);
    await trx.deleteFrom('registered_model_tags').where('name', '=', name).where('key', '=', key).execute();
  });
}

export async function setRegisteredModelAlias(ctx: SqlContext, name: string, alias: string, version: string): Promise<void> {
  validateAlias(alias);
  const number = parseModelVersion(version);
  await ctx.db.transaction().execute(async (trx) => {
    await requireModelRow(trx, name);
    await requireVersionRow(trx, name, version);
    await trx
      .insertInto('registered_model_aliases')
      .values({ name, alias, version: number })
      .onConflict((oc) => oc.columns(['name', 'alias']).doUpdateSet({ version: number }))
      .execute();
  });
}

export async function deleteRegisteredModelAlias(ctx: SqlContext, name: string, alias: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await requireModelRow(trx, name);
    await trx.deleteFrom('registered_model_aliases').where('name', '=', name).where('alias', '=', alias).execute();
  });
}

export async function getModelVersionByAlias(ctx: SqlContext, name: string, alias: string): Promise<ModelVersion> {
  await requireModelRow(ctx.db, name);
  const hit = await ctx.db
    .selectFrom('registered_model_aliases')
    .select('version')
    .where('name', '=', name)
    .where('alias', '=', alias)
    .executeTakeFirst();
  // MLflow answers an unknown alias with 400, not 404; clients depend on the code.
  if (!hit) throw RunlogError.invalidParameter(`Registered model alias ${alias} not found.`);
  const row = await requireVersionRow(ctx.db, name, String(hit.version)).catch(() => {
    throw versionNotFound(name, hit.version);
  });
  return fullModelVersion(ctx.db, row);
}

export { modelNotFound };
