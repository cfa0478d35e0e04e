/** meta.yaml files: read with the `yaml` library, written byte-compatibly with PyYAML (what MLflow writes). */
import path from 'node:path';
import YAML from 'yaml';
import { RunlogError } from '@runlog/core';
import { pyyamlDump } from '@runlog/client';
import { createFileExclusive, readText, writeFileAtomic, type DurableWrites } from './fs-ops.js';

export const META_FILE = 'meta.yaml';

export type YamlMap = Record<string, unknown>;

/** The mapping in `dir/meta.yaml`; undefined when the file is missing. A malformed file is an internal error. */
export function readMeta(dir: string): YamlMap | undefined {
  return readYamlMap(path.join(dir, META_FILE));
}

/** The mapping in a YAML file; undefined when the file is missing. A malformed file is an internal error. */
export function readYamlMap(file: string): YamlMap | undefined {
  const text = readText(file);
  if (text === undefined) return undefined;
  let data: unknown;
  try {
    data = YAML.parse(text);
  } catch (err) {
    throw new RunlogError('INTERNAL_ERROR', `Malformed ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) throw new RunlogError('INTERNAL_ERROR', `Malformed ${file}: not a mapping`);
  return data as YamlMap;
}

/** Replaces `dir/meta.yaml` atomically (as part of `w` when given, else durably on its own). */
export function writeMeta(dir: string, data: YamlMap, w?: DurableWrites): void {
  const file = path.join(dir, META_FILE);
  if (w) w.replace(file, pyyamlDump(data));
  else writeFileAtomic(file, pyyamlDump(data));
}

/** Creates `dir/meta.yaml`; false when it already exists. */
export function createMeta(dir: string, data: YamlMap, w?: DurableWrites): boolean {
  const file = path.join(dir, META_FILE);
  return w ? w.create(file, pyyamlDump(data)) : createFileExclusive(file, pyyamlDump(data));
}

export function str(value: unknown, fallback = ''): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return fallback;
}

export function num(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return undefined;
}
