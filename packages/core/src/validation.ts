import { RunlogError } from './errors.js';
import { LIMITS } from './limits.js';

const KEY_PATTERN = /^[/\w.\- :]*$/;

/** posixpath.normpath, enough to tell whether a key names the same file in more than one way. */
function normalisePosix(path: string): string {
  if (path === '') return '.';
  const absolute = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (part !== '..' || !absolute) out.push(part);
  }
  const joined = out.join('/');
  return absolute ? `/${joined}` : joined || '.';
}

/**
 * MLflow's rule for metric, param and tag keys: a restricted alphabet, and a key that stays the same when
 * read as a file path (keys become file names in MLflow's file store).
 */
export function validateEntityKey(kind: string, key: string): void {
  if (!KEY_PATTERN.test(key)) {
    throw RunlogError.invalidParameter(
      `Invalid ${kind} name: '${key}'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).`,
    );
  }
  const norm = normalisePosix(key);
  if (norm !== key || norm === '.' || norm.startsWith('..') || norm.startsWith('/')) {
    throw RunlogError.invalidParameter(
      `Invalid ${kind} name: '${key}'. Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '${norm}'`,
    );
  }
  if (key.length > LIMITS.maxEntityKeyLength) {
    throw RunlogError.invalidParameter(
      `${kind} key '${key.slice(0, 50)}...' had length ${key.length}, which exceeded length limit of ${LIMITS.maxEntityKeyLength}`,
    );
  }
}

/** Long param and tag values are truncated, not rejected (MLflow's MLFLOW_TRUNCATE_LONG_VALUES default). */
export function truncateValue(value: string, limit: number): string {
  return value.length > limit ? value.slice(0, limit) : value;
}

export function validateLength(what: string, value: string, limit: number): void {
  if (value.length > limit) {
    throw RunlogError.invalidParameter(
      `${what} '${value.slice(0, 50)}...' had length ${value.length}, which exceeded length limit of ${limit}`,
    );
  }
}

export function validateExperimentName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '') {
    throw RunlogError.invalidParameter(`Invalid experiment name: '${String(name)}'`);
  }
  validateLength('Experiment name', name, LIMITS.maxExperimentNameLength);
  return name;
}

/** `experiments/search-datasets`: MLflow's checks on the experiment ids, with its messages. */
export function checkSearchDatasetsIds(experimentIds: readonly string[]): void {
  if (experimentIds.length === 0) {
    throw RunlogError.invalidParameter('SearchDatasets request must specify at least one experiment_id.');
  }
  if (experimentIds.length > 20) {
    throw RunlogError.invalidParameter(
      `SearchDatasets request cannot specify more than 20 experiment_ids. Received ${experimentIds.length} experiment_ids.`,
    );
  }
}
