/**
 * MLflow's `mlruns` folder layout, and the checks that keep every id and key inside it: experiment and run ids
 * must match MLflow's id patterns (no separators, no dots), keys pass MLflow's path-unique key rule, and every
 * joined path is checked to stay under the store root.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EXPERIMENT_ID_PATTERN, RUN_ID_PATTERN, RunlogError } from '@runlog/core';
import { exists, listDirs } from './fs-ops.js';
import { META_FILE } from './yaml-files.js';

export const TRASH = '.trash';
export const MODELS = 'models';
/** Sub-folders of an experiment that are not runs. */
export const RESERVED_EXPERIMENT_FOLDERS = new Set(['tags', 'datasets', 'traces']);

export class StoreLayout {
  readonly root: string;
  readonly trash: string;
  readonly models: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.trash = path.join(this.root, TRASH);
    this.models = path.join(this.root, MODELS);
  }

  /** `segments` joined under `base`, refused if the result leaves the store root. */
  inside(base: string, ...segments: string[]): string {
    const joined = path.resolve(base, ...segments);
    if (joined !== this.root && !joined.startsWith(this.root + path.sep)) {
      throw RunlogError.invalidParameter(`Invalid path '${segments.join('/')}': it would leave the store.`);
    }
    return joined;
  }

  activeExperimentIds(): string[] {
    return listDirs(this.root).filter((name) => name !== TRASH && name !== MODELS && EXPERIMENT_ID_PATTERN.test(name));
  }

  deletedExperimentIds(): string[] {
    return listDirs(this.trash).filter((name) => EXPERIMENT_ID_PATTERN.test(name));
  }

  /** The experiment's folder (active first, then .trash), or undefined. Ids outside MLflow's pattern name nothing. */
  experimentDir(id: string, where: 'any' | 'active' | 'deleted' = 'any'): string | undefined {
    if (!EXPERIMENT_ID_PATTERN.test(id) || id === MODELS) return undefined;
    if (where !== 'deleted') {
      const dir = this.inside(this.root, id);
      if (exists(path.join(dir, META_FILE))) return dir;
    }
    if (where !== 'active') {
      const dir = this.inside(this.trash, id);
      if (exists(path.join(dir, META_FILE))) return dir;
    }
    return undefined;
  }

  /** A metric/param/tag file: the key (already validated as path-unique) may hold `/`, i.e. nested folders. */
  keyFile(runDir: string, folder: 'metrics' | 'params' | 'tags', key: string): string {
    return this.inside(runDir, folder, ...key.split('/'));
  }

  modelDir(name: string): string {
    if (name === '.' || name === '..' || /[/\\\0]/.test(name)) {
      throw RunlogError.invalidParameter(`Invalid name: '${name}'. Registered model name cannot contain path separator`);
    }
    return this.inside(this.models, name);
  }
}

export function isRunId(id: string): boolean {
  return RUN_ID_PATTERN.test(id);
}

export function fileUri(p: string): string {
  return pathToFileURL(p).href;
}

/** The local path of a `file:` URI, or undefined for other schemes. */
export function localPathOf(uri: string): string | undefined {
  if (!/^file:/i.test(uri)) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}
