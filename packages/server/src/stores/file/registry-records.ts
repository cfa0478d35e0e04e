/**
 * The registry in `<root>/models/`, as MLflow's registry file store lays it out: `<name>/meta.yaml`,
 * `<name>/tags/<key>`, `<name>/aliases/<alias>` (the version number), `<name>/version-<n>/meta.yaml` and
 * `version-<n>/tags/<key>`. This module reads and writes those records; the store operations build on it.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  RunlogError,
  parseModelVersion,
  validateModelName,
  type KeyValue,
  type ModelVersion,
  type ModelVersionStage,
  type RegisteredModel,
} from '@runlog/core';
import type { FileContext } from './context.js';
import { listDirs, listFilesDeep, readText } from './fs-ops.js';
import { num, readMeta, str, writeMeta, type YamlMap } from './yaml-files.js';

/** A soft-deleted version's stage: never shown, never found. */
export const DELETED_STAGE = 'Deleted_Internal';

export interface ModelRecord {
  name: string;
  dir: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description: string;
}

export interface VersionRecord {
  dir: string;
  name: string;
  version: number;
  creation_timestamp: number;
  last_updated_timestamp: number;
  current_stage: string;
  description: string;
  source: string;
  storage_location: string | null;
  run_id: string | null;
  run_link: string | null;
  user_id: string | null;
  status: string;
  status_message: string | null;
}

export function modelNotFound(name: string): RunlogError {
  return RunlogError.notFound(`Registered Model with name=${name} not found`);
}

export function versionNotFound(name: string, version: string | number): RunlogError {
  return RunlogError.notFound(`Model Version (name=${name}, version=${version}) not found`);
}

const nullable = (v: unknown): string | null => (v === null || v === undefined ? null : str(v));

export function readModel(dir: string): ModelRecord | undefined {
  const meta = readMeta(dir);
  if (!meta) return undefined;
  return {
    name: str(meta.name) || path.basename(dir),
    dir,
    creation_timestamp: num(meta.creation_timestamp) ?? 0,
    last_updated_timestamp: num(meta.last_updated_timestamp) ?? num(meta.creation_timestamp) ?? 0,
    description: str(meta.description),
  };
}

export function allModels(ctx: FileContext): ModelRecord[] {
  const out: ModelRecord[] = [];
  for (const name of listDirs(ctx.layout.models)) {
    const m = readModel(path.join(ctx.layout.models, name));
    if (m) out.push(m);
  }
  return out;
}

export function requireModel(ctx: FileContext, name: string): ModelRecord {
  validateModelName(name);
  const m = readModel(ctx.layout.modelDir(name));
  if (!m) throw modelNotFound(name);
  return m;
}

export function readKeyValues(dir: string): KeyValue[] {
  return listFilesDeep(dir).map((key) => ({ key, value: readText(path.join(dir, ...key.split('/'))) ?? '' }));
}

export function readAliases(modelDir: string): { alias: string; version: string }[] {
  return readKeyValues(path.join(modelDir, 'aliases')).map((kv) => ({ alias: kv.key, version: kv.value.trim() }));
}

export function readVersion(dir: string): VersionRecord | undefined {
  const meta = readMeta(dir);
  if (!meta) return undefined;
  const version = num(meta.version) ?? Number(path.basename(dir).slice('version-'.length));
  if (!Number.isSafeInteger(version)) return undefined;
  return {
    dir,
    name: str(meta.name),
    version,
    creation_timestamp: num(meta.creation_timestamp) ?? 0,
    last_updated_timestamp: num(meta.last_updated_timestamp) ?? 0,
    current_stage: str(meta.current_stage, 'None'),
    description: str(meta.description),
    source: str(meta.source),
    storage_location: nullable(meta.storage_location),
    run_id: nullable(meta.run_id),
    run_link: nullable(meta.run_link),
    user_id: nullable(meta.user_id),
    status: str(meta.status, 'READY'),
    status_message: nullable(meta.status_message),
  };
}

/** Every version of a model, deleted ones included (their numbers stay taken), in number order. */
export function versionsOf(modelDir: string): VersionRecord[] {
  return listDirs(modelDir)
    .filter((d) => /^version-\d+$/.test(d))
    .map((d) => readVersion(path.join(modelDir, d)))
    .filter((v): v is VersionRecord => v !== undefined)
    .sort((a, b) => a.version - b.version);
}

export function requireVersion(ctx: FileContext, name: string, version: string): VersionRecord {
  const number = parseModelVersion(version);
  const model = requireModel(ctx, name);
  const v = readVersion(path.join(model.dir, `version-${number}`));
  if (!v || v.current_stage === DELETED_STAGE) throw versionNotFound(name, version);
  return v;
}

export function writeModelMeta(model: ModelRecord): void {
  const aliases = Object.fromEntries(readAliases(model.dir).map((a) => [a.alias, a.version]));
  writeMeta(model.dir, {
    aliases,
    creation_timestamp: model.creation_timestamp,
    description: model.description === '' ? null : model.description,
    last_updated_timestamp: model.last_updated_timestamp,
    name: model.name,
  });
}

export function versionMeta(v: VersionRecord, aliases: readonly string[]): YamlMap {
  return {
    aliases: [...aliases],
    creation_timestamp: v.creation_timestamp,
    current_stage: v.current_stage,
    description: v.description === '' ? null : v.description,
    last_updated_timestamp: v.last_updated_timestamp,
    name: v.name,
    run_id: v.run_id,
    run_link: v.run_link,
    source: v.source,
    status: v.status,
    status_message: v.status_message,
    storage_location: v.storage_location,
    user_id: v.user_id,
    version: v.version,
  };
}

export function writeVersionMeta(v: VersionRecord, modelDir: string): void {
  const aliases = readAliases(modelDir)
    .filter((a) => a.version === String(v.version))
    .map((a) => a.alias);
  writeMeta(v.dir, versionMeta(v, aliases));
}

/** Moves a model's last-updated time forward (MLflow does on every change to the model or its versions). */
export function touchModel(model: ModelRecord, now: number): void {
  writeModelMeta({ ...model, last_updated_timestamp: now });
}

export function toModelVersion(v: VersionRecord, modelDir: string, withAliases: boolean): ModelVersion {
  const mv: ModelVersion = {
    name: v.name,
    version: String(v.version),
    creation_timestamp: v.creation_timestamp,
    last_updated_timestamp: v.last_updated_timestamp,
    current_stage: v.current_stage as ModelVersionStage,
    description: v.description,
    source: v.source,
    status: v.status as ModelVersion['status'],
    run_link: v.run_link ?? '',
  };
  if (v.user_id !== null) mv.user_id = v.user_id;
  if (v.run_id !== null) mv.run_id = v.run_id;
  if (v.status_message !== null) mv.status_message = v.status_message;
  const tags = readKeyValues(path.join(v.dir, 'tags'));
  if (tags.length > 0) mv.tags = tags;
  if (withAliases) {
    const aliases = readAliases(modelDir)
      .filter((a) => a.version === String(v.version))
      .map((a) => a.alias)
      .sort();
    if (aliases.length > 0) mv.aliases = aliases;
  }
  return mv;
}

/** The highest live version per stage (only `stages` when given), in number order. */
export function latestVersions(model: ModelRecord, stages: readonly string[]): VersionRecord[] {
  const best = new Map<string, VersionRecord>();
  for (const v of versionsOf(model.dir)) {
    if (v.current_stage === DELETED_STAGE) continue;
    if (stages.length > 0 && !stages.includes(v.current_stage)) continue;
    best.set(v.current_stage, v);
  }
  return [...best.values()].sort((a, b) => a.version - b.version);
}

export function toRegisteredModel(model: ModelRecord): RegisteredModel {
  const out: RegisteredModel = {
    name: model.name,
    creation_timestamp: model.creation_timestamp,
    last_updated_timestamp: model.last_updated_timestamp,
  };
  if (model.description !== '') out.description = model.description;
  const latest = latestVersions(model, []).map((v) => toModelVersion(v, model.dir, false));
  if (latest.length > 0) out.latest_versions = latest;
  const tags = readKeyValues(path.join(model.dir, 'tags'));
  if (tags.length > 0) out.tags = tags;
  const aliases = readAliases(model.dir).sort((a, b) => (a.alias < b.alias ? -1 : a.alias > b.alias ? 1 : 0));
  if (aliases.length > 0) out.aliases = aliases;
  return out;
}

export function removeTree(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
