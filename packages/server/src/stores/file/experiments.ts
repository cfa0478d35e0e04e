/** Experiments in the file store: `<root>/<id>/meta.yaml` + `tags/`, deleted ones moved to `.trash/<id>`. */
import fs from 'node:fs';
import path from 'node:path';
import { randomInt } from 'node:crypto';
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
  type ExperimentTag,
  type Page,
  type SearchExperimentsQuery,
} from '@runlog/core';
import { validateArtifactLocation } from '../sql/artifact-location.js';
import type { FileContext } from './context.js';
import { exists, listFilesDeep, mkdirExclusive, readText, removeFile, withStoreLock, writeFileAtomic } from './fs-ops.js';
import { fileUri, localPathOf } from './layout.js';
import { compareValues, idOrder, matches } from './matching.js';
import { num, readMeta, str, writeMeta, type YamlMap } from './yaml-files.js';

export interface ExperimentRecord {
  experiment: Experiment;
  dir: string;
}

export function experimentNotFound(id: string): RunlogError {
  return RunlogError.notFound(`Could not find experiment with ID ${id}`);
}

/**
 * A store copied or moved elsewhere still names its old absolute folder; a `file:` location that no longer
 * exists but ends in this experiment's id is read as the experiment's folder in this store.
 */
function relocate(ctx: FileContext, location: string, id: string): string {
  const local = localPathOf(location);
  if (local === undefined || exists(local) || path.basename(local) !== id) return location;
  return fileUri(path.join(ctx.layout.root, id));
}

export function readTags(dir: string): ExperimentTag[] {
  const tagsDir = path.join(dir, 'tags');
  return listFilesDeep(tagsDir).map((key) => ({ key, value: readText(path.join(tagsDir, ...key.split('/'))) ?? '' }));
}

function toExperiment(ctx: FileContext, id: string, meta: YamlMap, dir: string): Experiment | undefined {
  if (str(meta.experiment_id) !== id) return undefined; // MLflow ignores an experiment whose meta names another id
  const exp: Experiment = {
    experiment_id: id,
    name: str(meta.name),
    artifact_location: relocate(ctx, str(meta.artifact_location), id),
    lifecycle_stage: meta.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
    last_update_time: num(meta.last_update_time) ?? num(meta.creation_time) ?? 0,
    creation_time: num(meta.creation_time) ?? 0,
  };
  const tags = readTags(dir);
  if (tags.length > 0) exp.tags = tags;
  return exp;
}

export function findExperiment(ctx: FileContext, id: string, where: 'any' | 'active' | 'deleted' = 'any'): ExperimentRecord | undefined {
  const dir = ctx.layout.experimentDir(id, where);
  if (!dir) return undefined;
  const meta = readMeta(dir);
  const experiment = meta && toExperiment(ctx, id, meta, dir);
  return experiment ? { experiment, dir } : undefined;
}

export function requireExperiment(ctx: FileContext, id: string): ExperimentRecord {
  const found = findExperiment(ctx, id);
  if (!found) throw experimentNotFound(id);
  return found;
}

function allExperiments(ctx: FileContext, view: SearchExperimentsQuery['viewType']): Experiment[] {
  const ids: [string, 'active' | 'deleted'][] = [];
  if (view !== 'DELETED_ONLY') ids.push(...ctx.layout.activeExperimentIds().map((id): [string, 'active'] => [id, 'active']));
  if (view !== 'ACTIVE_ONLY') ids.push(...ctx.layout.deletedExperimentIds().map((id): [string, 'deleted'] => [id, 'deleted']));
  const out: Experiment[] = [];
  for (const [id, where] of ids) {
    const found = findExperiment(ctx, id, where);
    if (found) out.push(found.experiment);
  }
  return out;
}

function persisted(exp: Experiment): YamlMap {
  return {
    artifact_location: exp.artifact_location,
    creation_time: exp.creation_time,
    experiment_id: exp.experiment_id,
    last_update_time: exp.last_update_time,
    lifecycle_stage: exp.lifecycle_stage,
    name: exp.name,
  };
}

/** An 18-digit id without leading zeros, as MLflow's file store draws them. */
function newExperimentId(): string {
  let id = String(randomInt(1, 10));
  while (id.length < 18) id += String(randomInt(0, 10));
  return id;
}

function checkNameFree(ctx: FileContext, name: string): void {
  const clash = allExperiments(ctx, 'ALL').find((e) => e.name === name);
  if (!clash) return;
  if (clash.lifecycle_stage === 'deleted') {
    throw RunlogError.alreadyExists(
      `Experiment '${name}' already exists in deleted state. You can restore the experiment, or permanently delete the experiment from the .trash folder (under tracking server's root folder) in order to use this experiment name again.`,
    );
  }
  throw RunlogError.alreadyExists(`Experiment '${name}' already exists.`);
}

function validateExperimentTag(tag: ExperimentTag): void {
  validateEntityKey('experiment tag', tag.key);
  validateLength('Experiment tag key', tag.key, LIMITS.maxExperimentTagKeyLength);
  validateLength('Experiment tag value', tag.value, LIMITS.maxExperimentTagValueLength);
}

function writeExperimentTag(ctx: FileContext, dir: string, tag: ExperimentTag): void {
  writeFileAtomic(ctx.layout.inside(dir, 'tags', ...tag.key.split('/')), tag.value);
}

/** Experiment `0`, created with the store like MLflow does. */
export function createDefaultExperiment(ctx: FileContext): void {
  if (ctx.layout.experimentDir('0')) return;
  const dir = path.join(ctx.layout.root, '0');
  fs.mkdirSync(dir, { recursive: true });
  const now = Date.now();
  writeMeta(dir, persisted({
    experiment_id: '0',
    name: 'Default',
    artifact_location: `${ctx.defaultArtifactRoot.replace(/\/+$/, '')}/0`,
    lifecycle_stage: 'active',
    creation_time: now,
    last_update_time: now,
  }));
}

export async function createExperiment(
  ctx: FileContext,
  name: string,
  artifactLocation: string | undefined,
  tags: readonly ExperimentTag[] = [],
): Promise<string> {
  validateExperimentName(name);
  if (artifactLocation) validateArtifactLocation(artifactLocation);
  for (const tag of tags) validateExperimentTag(tag);
  return withStoreLock(ctx.layout.root, () => {
    checkNameFree(ctx, name);
    let id = newExperimentId();
    while (!mkdirExclusive(path.join(ctx.layout.root, id)) || exists(path.join(ctx.layout.trash, id))) id = newExperimentId();
    const dir = path.join(ctx.layout.root, id);
    const now = Date.now();
    // Tags first: the experiment exists for readers once its meta.yaml does.
    for (const tag of tags) writeExperimentTag(ctx, dir, tag);
    writeMeta(dir, persisted({
      experiment_id: id,
      name,
      artifact_location: artifactLocation || `${ctx.defaultArtifactRoot.replace(/\/+$/, '')}/${id}`,
      lifecycle_stage: 'active',
      creation_time: now,
      last_update_time: now,
    }));
    return id;
  });
}

export function getExperimentByName(ctx: FileContext, name: string): Experiment {
  const found = allExperiments(ctx, 'ALL').find((e) => e.name === name);
  if (!found) throw RunlogError.notFound(`Could not find experiment with name '${name}'`);
  return found;
}

/** Deleting moves the folder to .trash and marks its active runs deleted; restoring undoes both. */
export async function setExperimentLifecycle(ctx: FileContext, id: string, stage: 'active' | 'deleted'): Promise<void> {
  if (stage === 'deleted' && id === '0') {
    // MLflow answers INTERNAL_ERROR (500), which makes its client retry for minutes; this is the caller's mistake.
    throw RunlogError.invalidParameter("Cannot delete the default experiment '0'. This is an internally reserved experiment.");
  }
  await withStoreLock(ctx.layout.root, () => {
    const found = findExperiment(ctx, id, stage === 'deleted' ? 'active' : 'deleted');
    if (!found) {
      throw RunlogError.notFound(`Could not find ${stage === 'deleted' ? '' : 'deleted '}experiment with ID ${id}`);
    }
    if (stage === 'active' && ctx.layout.experimentDir(id, 'active')) {
      throw RunlogError.alreadyExists(`Cannot restore experiment with ID ${id}. An experiment with same ID already exists.`);
    }
    const now = Date.now();
    ctx.runs.setLifecycleOfExperimentRuns(found.dir, stage, now);
    writeMeta(found.dir, { ...persisted(found.experiment), lifecycle_stage: stage, last_update_time: now });
    const target = stage === 'deleted' ? path.join(ctx.layout.trash, id) : path.join(ctx.layout.root, id);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.renameSync(found.dir, target);
    ctx.runs.forgetExperiment(found.dir);
  });
}

export async function renameExperiment(ctx: FileContext, id: string, newName: string): Promise<void> {
  validateExperimentName(newName);
  await withStoreLock(ctx.layout.root, () => {
    const found = requireExperiment(ctx, id);
    if (found.experiment.lifecycle_stage !== 'active') throw RunlogError.invalidParameter('Cannot rename a non-active experiment.');
    if (found.experiment.name === newName) return;
    checkNameFree(ctx, newName);
    writeMeta(found.dir, { ...persisted(found.experiment), name: newName, last_update_time: Date.now() });
  });
}

function requireActiveExperiment(ctx: FileContext, id: string): ExperimentRecord {
  const found = requireExperiment(ctx, id);
  if (found.experiment.lifecycle_stage !== 'active') {
    throw RunlogError.invalidParameter(`The experiment ${id} must be in the 'active' lifecycle_stage to set tags`);
  }
  return found;
}

export function setExperimentTag(ctx: FileContext, id: string, tag: ExperimentTag): void {
  validateExperimentTag(tag);
  writeExperimentTag(ctx, requireActiveExperiment(ctx, id).dir, tag);
}

export function deleteExperimentTag(ctx: FileContext, id: string, key: string): void {
  validateEntityKey('experiment tag', key);
  const found = requireActiveExperiment(ctx, id);
  if (!removeFile(ctx.layout.inside(found.dir, 'tags', ...key.split('/')))) {
    throw RunlogError.notFound(`No tag with name: ${key} in experiment with id ${id}`);
  }
}

function experimentValue(exp: Experiment, key: string): string | number | undefined {
  switch (key) {
    case 'name':
      return exp.name;
    case 'creation_time':
      return exp.creation_time;
    case 'last_update_time':
      return exp.last_update_time;
    case 'experiment_id':
      return exp.experiment_id;
    default:
      return undefined;
  }
}

export function searchExperiments(ctx: FileContext, query: SearchExperimentsQuery): Page<Experiment> {
  const { maxResults } = query;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > LIMITS.maxExperimentsSearchResults) {
    throw RunlogError.invalidParameter(
      `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be a positive integer no greater than ${LIMITS.maxExperimentsSearchResults}.`,
    );
  }
  const clauses = parseExperimentFilter(query.filter);
  const orderKeys = parseExperimentOrderBy(query.orderBy);
  const offset = decodePageToken(query.pageToken);
  const hits = allExperiments(ctx, query.viewType).filter((exp) =>
    clauses.every((c) => {
      if (c.type === 'tag') return matches(exp.tags?.find((t) => t.key === c.key)?.value, c.comparator, c.value);
      if (c.key === 'experiment_id' && typeof c.value === 'number') return matches(Number(exp.experiment_id), c.comparator, c.value);
      return matches(experimentValue(exp, c.key), c.comparator, c.value);
    }),
  );
  const keys = orderKeys.length > 0 ? [...orderKeys] : [{ key: 'creation_time' as const, ascending: false }];
  hits.sort((a, b) => {
    for (const k of keys) {
      const c =
        k.key === 'experiment_id'
          ? (k.ascending ? 1 : -1) * idOrder(a.experiment_id, b.experiment_id)
          : compareValues(experimentValue(a, k.key), experimentValue(b, k.key), k.ascending);
      if (c !== 0) return c;
    }
    const tie = idOrder(a.experiment_id, b.experiment_id);
    return orderKeys.length === 0 ? tie : -tie;
  });
  const page: Page<Experiment> = { items: hits.slice(offset, offset + maxResults) };
  if (hits.length > offset + maxResults) page.next_page_token = encodePageToken(offset + maxResults);
  return page;
}
