/** Registry operations over the `models/` folder: models, versions, tags, aliases, stages, search. */
import fs from 'node:fs';
import path from 'node:path';
import {
  REGISTRY_LIMITS,
  RunlogError,
  decodePageToken,
  encodePageToken,
  parseModelVersion,
  parseModelVersionFilter,
  parseModelVersionOrderBy,
  parseRegisteredModelFilter,
  parseRegisteredModelOrderBy,
  parseStage,
  registeredModelNameKey,
  validateAlias,
  validateDescription,
  validateLength,
  validateModelName,
  validateRegistryTag,
  type CreateModelVersionInput,
  type KeyValue,
  type ModelVersion,
  type Page,
  type RegisteredModel,
  type RegistryClause,
  type SearchRegistryQuery,
} from '@runlog/core';
import type { FileContext } from './context.js';
import { mkdirExclusive, readText, removeFile, withStoreLock, writeFileAtomic } from './fs-ops.js';
import { compareValues, matches } from './matching.js';
import {
  DELETED_STAGE,
  allModels,
  latestVersions,
  modelNotFound,
  readAliases,
  readVersion,
  removeTree,
  requireModel,
  requireVersion,
  toModelVersion,
  toRegisteredModel,
  touchModel,
  versionMeta,
  versionNotFound,
  versionsOf,
  writeModelMeta,
  writeVersionMeta,
  type ModelRecord,
  type VersionRecord,
} from './registry-records.js';
import { createMeta } from './yaml-files.js';

function alreadyExists(name: string): RunlogError {
  return RunlogError.alreadyExists(`Registered Model (name=${name}) already exists.`);
}

/** A model other than `except` whose name is the same once percent-decoded and NFC-normalised (CVE-2024-3099). */
function nameClash(ctx: FileContext, name: string, except?: string): ModelRecord | undefined {
  const key = registeredModelNameKey(name) ?? name;
  return allModels(ctx).find((m) => m.name !== except && (registeredModelNameKey(m.name) ?? m.name) === key);
}

function writeTag(ctx: FileContext, dir: string, tag: KeyValue): void {
  writeFileAtomic(ctx.layout.inside(dir, 'tags', ...tag.key.split('/')), tag.value);
}

export async function createRegisteredModel(
  ctx: FileContext,
  name: string,
  tags: readonly KeyValue[] = [],
  description?: string,
): Promise<RegisteredModel> {
  validateModelName(name);
  for (const tag of tags) validateRegistryTag(tag.key, tag.value);
  if (description !== undefined) validateDescription(description);
  const dir = ctx.layout.modelDir(name);
  return withStoreLock(ctx.layout.root, () => {
    const clash = nameClash(ctx, name);
    if (clash) throw alreadyExists(clash.name === name ? name : `${name}, the same name as '${clash.name}' once decoded`);
    if (!mkdirExclusive(dir)) throw alreadyExists(name);
    const now = Date.now();
    const model: ModelRecord = { name, dir, creation_timestamp: now, last_updated_timestamp: now, description: description ?? '' };
    for (const tag of tags) writeTag(ctx, dir, tag);
    writeModelMeta(model);
    return toRegisteredModel(model);
  });
}

export function getRegisteredModel(ctx: FileContext, name: string): RegisteredModel {
  return toRegisteredModel(requireModel(ctx, name));
}

/** Renames the folder, then rewrites the name in the model's and its versions' meta.yaml. */
export async function renameRegisteredModel(ctx: FileContext, name: string, newName: string): Promise<RegisteredModel> {
  validateModelName(newName);
  const target = ctx.layout.modelDir(newName);
  return withStoreLock(ctx.layout.root, () => {
    const model = requireModel(ctx, name);
    if (newName === name) return toRegisteredModel(model);
    if (nameClash(ctx, newName, name) || fs.existsSync(target)) throw alreadyExists(newName);
    fs.renameSync(model.dir, target);
    const now = Date.now();
    const moved: ModelRecord = { ...model, name: newName, dir: target, last_updated_timestamp: now };
    writeModelMeta(moved);
    for (const v of versionsOf(target)) writeVersionMeta({ ...v, name: newName, last_updated_timestamp: now }, target);
    return toRegisteredModel(moved);
  });
}

export function updateRegisteredModel(ctx: FileContext, name: string, description: string | undefined): RegisteredModel {
  const text = description ?? '';
  validateDescription(text);
  const model = { ...requireModel(ctx, name), description: text, last_updated_timestamp: Date.now() };
  writeModelMeta(model);
  return toRegisteredModel(model);
}

export function deleteRegisteredModel(ctx: FileContext, name: string): void {
  removeTree(requireModel(ctx, name).dir);
}

export function setRegisteredModelTag(ctx: FileContext, name: string, tag: KeyValue): void {
  validateRegistryTag(tag.key, tag.value);
  writeTag(ctx, requireModel(ctx, name).dir, tag);
}

export function deleteRegisteredModelTag(ctx: FileContext, name: string, key: string): void {
  validateRegistryTag(key, '');
  removeFile(ctx.layout.inside(requireModel(ctx, name).dir, 'tags', ...key.split('/')));
}

function aliasFile(ctx: FileContext, model: ModelRecord, alias: string): string {
  return ctx.layout.inside(model.dir, 'aliases', alias);
}

/** Rewrites the alias lists kept in meta.yaml files (MLflow writes them; the aliases/ folder is what is read). */
function refreshAliasLists(model: ModelRecord, versions: readonly number[], now: number): void {
  touchModel(model, now);
  for (const n of new Set(versions)) {
    const v = readVersion(path.join(model.dir, `version-${n}`));
    if (v) writeVersionMeta(v, model.dir);
  }
}

export function setRegisteredModelAlias(ctx: FileContext, name: string, alias: string, version: string): void {
  validateAlias(alias);
  const number = parseModelVersion(version);
  const model = requireModel(ctx, name);
  requireVersion(ctx, name, version);
  const file = aliasFile(ctx, model, alias);
  const previous = Number(readText(file) ?? number);
  writeFileAtomic(file, String(number));
  refreshAliasLists(model, [previous, number], Date.now());
}

export function deleteRegisteredModelAlias(ctx: FileContext, name: string, alias: string): void {
  validateAlias(alias);
  const model = requireModel(ctx, name);
  const file = aliasFile(ctx, model, alias);
  const previous = readText(file);
  if (previous !== undefined && removeFile(file)) refreshAliasLists(model, [Number(previous)], Date.now());
}

export function getModelVersionByAlias(ctx: FileContext, name: string, alias: string): ModelVersion {
  const model = requireModel(ctx, name);
  const version = /^[\w-]+$/.test(alias) ? readText(aliasFile(ctx, model, alias))?.trim() : undefined;
  // MLflow answers an unknown alias with 400, not 404; clients depend on the code.
  if (version === undefined) throw RunlogError.invalidParameter(`Registered model alias ${alias} not found.`);
  const v = readVersion(path.join(model.dir, `version-${version}`));
  if (!v || v.current_stage === DELETED_STAGE) throw versionNotFound(name, version);
  return toModelVersion(v, model.dir, true);
}

/** Numbers are never reused: the next is one past the highest folder, deleted versions included; mkdir claims it. */
export function createModelVersion(ctx: FileContext, input: CreateModelVersionInput): ModelVersion {
  validateModelName(input.name);
  const tags = input.tags ?? [];
  for (const tag of tags) validateRegistryTag(tag.key, tag.value);
  if (input.description !== undefined) validateDescription(input.description);
  if (input.runLink !== undefined) validateLength('run_link', input.runLink, REGISTRY_LIMITS.maxRunLinkLength);
  if (input.runId !== undefined) validateLength('run_id', input.runId, 32);
  const model = requireModel(ctx, input.name);
  const numbers = versionsOf(model.dir).map((v) => v.version);
  let number = (numbers.length > 0 ? Math.max(...numbers) : 0) + 1;
  while (!mkdirExclusive(path.join(model.dir, `version-${number}`))) number++;
  const now = Date.now();
  const v: VersionRecord = {
    dir: path.join(model.dir, `version-${number}`),
    name: input.name,
    version: number,
    creation_timestamp: now,
    last_updated_timestamp: now,
    current_stage: 'None',
    description: input.description ?? '',
    source: input.source,
    storage_location: input.storageLocation ?? input.source,
    run_id: input.runId || null,
    run_link: input.runLink ?? null,
    user_id: null,
    status: 'READY',
    status_message: null,
  };
  const unique = new Map(tags.map((t) => [t.key, t.value]));
  for (const [key, value] of unique) writeTag(ctx, v.dir, { key, value });
  createMeta(v.dir, versionMeta(v, []));
  touchModel(model, now);
  return toModelVersion(v, model.dir, true);
}

export function getModelVersion(ctx: FileContext, name: string, version: string): ModelVersion {
  const v = requireVersion(ctx, name, version);
  return toModelVersion(v, path.dirname(v.dir), true);
}

export function updateModelVersion(ctx: FileContext, name: string, version: string, description: string | undefined): ModelVersion {
  if (description !== undefined) validateDescription(description);
  const v = requireVersion(ctx, name, version);
  const modelDir = path.dirname(v.dir);
  if (description === undefined) return toModelVersion(v, modelDir, true);
  const now = Date.now();
  const updated = { ...v, description, last_updated_timestamp: now };
  writeVersionMeta(updated, modelDir);
  touchModel(requireModel(ctx, name), now);
  return toModelVersion(updated, modelDir, true);
}

/** A soft delete, as MLflow does: the folder and number stay, the stage hides it; its aliases and tags go. */
export function deleteModelVersion(ctx: FileContext, name: string, version: string): void {
  const v = requireVersion(ctx, name, version);
  const model = requireModel(ctx, name);
  const now = Date.now();
  for (const a of readAliases(model.dir)) if (a.version === String(v.version)) removeFile(aliasFile(ctx, model, a.alias));
  removeTree(path.join(v.dir, 'tags'));
  writeVersionMeta(
    {
      ...v,
      current_stage: DELETED_STAGE,
      source: 'REDACTED-SOURCE-PATH',
      storage_location: null,
      run_id: 'REDACTED-RUN-ID',
      run_link: 'REDACTED-RUN-LINK',
      description: '',
      status_message: null,
      last_updated_timestamp: now,
    },
    model.dir,
  );
  touchModel(model, now);
}

export function transitionModelVersionStage(
  ctx: FileContext,
  name: string,
  version: string,
  stage: string,
  archiveExistingVersions: boolean,
): ModelVersion {
  const target = parseStage(stage);
  if (archiveExistingVersions && target !== 'Staging' && target !== 'Production') {
    // MLflow raises without an error code here (a 500 the client retries); this is the caller's mistake.
    throw RunlogError.invalidParameter(
      `Model version transition cannot archive existing model versions because '${target}' is not an Active stage. Valid stages are Staging, Production.`,
    );
  }
  const v = requireVersion(ctx, name, version);
  const model = requireModel(ctx, name);
  const now = Date.now();
  if (archiveExistingVersions) {
    for (const other of versionsOf(model.dir)) {
      if (other.version !== v.version && other.current_stage === target) {
        writeVersionMeta({ ...other, current_stage: 'Archived', last_updated_timestamp: now }, model.dir);
      }
    }
  }
  const updated = { ...v, current_stage: target, last_updated_timestamp: now };
  writeVersionMeta(updated, model.dir);
  touchModel(model, now);
  return toModelVersion(updated, model.dir, true);
}

export function getLatestVersions(ctx: FileContext, name: string, stages: readonly string[] = []): ModelVersion[] {
  const canonical = [...new Set(stages.map(parseStage))];
  const model = requireModel(ctx, name);
  return latestVersions(model, canonical).map((v) => toModelVersion(v, model.dir, false));
}

export function getModelVersionDownloadUri(ctx: FileContext, name: string, version: string): string {
  const v = requireVersion(ctx, name, version);
  return v.storage_location ?? v.source;
}

export function setModelVersionTag(ctx: FileContext, name: string, version: string, tag: KeyValue): void {
  validateRegistryTag(tag.key, tag.value);
  writeTag(ctx, requireVersion(ctx, name, version).dir, tag);
}

export function deleteModelVersionTag(ctx: FileContext, name: string, version: string, key: string): void {
  validateRegistryTag(key, '');
  removeFile(ctx.layout.inside(requireVersion(ctx, name, version).dir, 'tags', ...key.split('/')));
}

// ------------------------------------------------------------------------------------------------------------
// Search

/** Newer MLflow clients add `tags.mlflow.prompt.is_prompt != 'true'` to every search; models without the tag match. */
const PROMPT_TAG = 'mlflow.prompt.is_prompt';

function checkMaxResults(maxResults: number, limit: number): void {
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > limit) {
    throw RunlogError.invalidParameter(
      `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be a positive integer no greater than ${limit}.`,
    );
  }
}

function clauseHolds(clause: RegistryClause, actual: string | number | undefined, tags: readonly KeyValue[]): boolean {
  if (clause.type === 'tag') {
    const value = tags.find((t) => t.key === clause.key)?.value;
    if (clause.key === PROMPT_TAG && clause.comparator === '!=' && clause.value === 'true') return value !== 'true';
    return matches(value, clause.comparator, clause.value);
  }
  // MLflow silently drops run ids with upper-case letters from an IN list.
  const value = Array.isArray(clause.value) ? clause.value.filter((v) => v === v.toLowerCase()) : clause.value;
  return matches(actual, clause.comparator, value);
}

function paged<T>(items: readonly T[], maxResults: number, pageToken: string | undefined): Page<T> {
  const offset = decodePageToken(pageToken);
  const page: Page<T> = { items: items.slice(offset, offset + maxResults) };
  if (items.length > offset + maxResults) page.next_page_token = encodePageToken(offset + maxResults);
  return page;
}

export function searchRegisteredModels(ctx: FileContext, query: SearchRegistryQuery): Page<RegisteredModel> {
  checkMaxResults(query.maxResults, REGISTRY_LIMITS.maxRegisteredModelsSearchResults);
  const clauses = parseRegisteredModelFilter(query.filter);
  const orderKeys = parseRegisteredModelOrderBy(query.orderBy);
  const models = allModels(ctx).map((m) => toRegisteredModel(m));
  const hits = models.filter((m) => clauses.every((c) => clauseHolds(c, m.name, m.tags ?? [])));
  const keys = [...orderKeys];
  if (!keys.some((k) => k.key === 'name')) keys.push({ key: 'name', ascending: true });
  hits.sort((a, b) => {
    for (const k of keys) {
      const c = compareValues(a[k.key], b[k.key], k.ascending);
      if (c !== 0) return c;
    }
    return 0;
  });
  return paged(hits, query.maxResults, query.pageToken);
}

function versionValue(v: ModelVersion, key: string): string | number | undefined {
  switch (key) {
    case 'name':
      return v.name;
    case 'run_id':
      return v.run_id;
    case 'source_path':
      return v.source;
    case 'version_number':
      return Number(v.version);
    case 'creation_timestamp':
      return v.creation_timestamp;
    case 'last_updated_timestamp':
      return v.last_updated_timestamp;
    default:
      throw RunlogError.invalidParameter(`Invalid attribute key '${key}'`);
  }
}

export function searchModelVersions(ctx: FileContext, query: SearchRegistryQuery): Page<ModelVersion> {
  checkMaxResults(query.maxResults, REGISTRY_LIMITS.maxModelVersionsSearchResults);
  const clauses = parseModelVersionFilter(query.filter);
  const orderKeys = parseModelVersionOrderBy(query.orderBy);
  const all: ModelVersion[] = [];
  for (const model of allModels(ctx)) {
    for (const v of versionsOf(model.dir)) if (v.current_stage !== DELETED_STAGE) all.push(toModelVersion(v, model.dir, false));
  }
  const hits = all.filter((v) => clauses.every((c) => clauseHolds(c, c.type === 'tag' ? undefined : versionValue(v, c.key), v.tags ?? [])));
  const keys: { key: string; ascending: boolean }[] = orderKeys.length > 0 ? [...orderKeys] : [{ key: 'last_updated_timestamp', ascending: false }];
  if (!keys.some((k) => k.key === 'name')) keys.push({ key: 'name', ascending: true });
  if (!keys.some((k) => k.key === 'version_number')) keys.push({ key: 'version_number', ascending: false });
  hits.sort((a, b) => {
    for (const k of keys) {
      const c = compareValues(versionValue(a, k.key), versionValue(b, k.key), k.ascending);
      if (c !== 0) return c;
    }
    return 0;
  });
  return paged(hits, query.maxResults, query.pageToken);
}

export { modelNotFound };
