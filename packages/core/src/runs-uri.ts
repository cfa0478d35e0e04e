/**
 * `runs:/<run_id>/<path>` URIs as MLflow's client reads them. In core so the SDK's model I/O and its client
 * share them without importing each other.
 */
import { RunlogError } from './errors.js';

export function isRunsUri(uri: string): boolean {
  return /^runs:\//i.test(uri);
}

/** `runs:/<run_id>/<path>` → its parts (MLflow's rules: a leading slash and a non-empty run id). */
export function parseRunsUri(uri: string): { runId: string; path: string } {
  const m = /^runs:\/([^/]+)\/?(.*)$/i.exec(uri);
  if (m === null || m[1] === undefined || m[1] === '') {
    throw RunlogError.invalidParameter(`Not a valid runs URI: '${uri}'. Expected runs:/<run_id>/<relative path>.`);
  }
  return { runId: m[1], path: (m[2] ?? '').replace(/^\/+|\/+$/g, '') };
}

/** The `runs:/` URI of a path in a run's artifacts. */
export function formatRunsUri(runId: string, artifactPath: string): string {
  return `runs:/${runId}/${artifactPath}`;
}
