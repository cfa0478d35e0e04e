/**
 * Syntax half of model-version `source` validation. A source is attacker-chosen and later resolved against
 * storage (`get-download-uri`, `model-versions/get-artifact`), so every shape MLflow's CVEs used is refused
 * here: traversal in any encoding, `?`, `#`, `;`, control characters, backslashes, http(s) and unknown
 * schemes. Where the source may point (inside the run's artifact root or a configured store) is the server's
 * half, since only it knows its roots.
 */
import { RunlogError } from '../errors.js';
import { checkUriShape, localPathOfUri, withoutAuthority } from '../safe-path.js';
import { parseModelUri, type ModelReference } from './model-uri.js';
import { REGISTRY_LIMITS } from './validation.js';

export type ClassifiedSource =
  /** `runs:/<run_id>/<path>`: resolved against the run's artifact root. */
  | { kind: 'runs'; runId: string; path: string }
  /** `models:/…`: resolved to the referenced version's storage location (never fetched). */
  | { kind: 'models'; ref: ModelReference }
  /** `mlflow-artifacts:/<path>`: a path in this server's artifact proxy. */
  | { kind: 'proxied'; path: string }
  /** A local path or `file:` URI, as a normalised absolute path. */
  | { kind: 'local'; path: string }
  /** An object-store URI (`s3://…`), normalised. */
  | { kind: 'store'; uri: string };

const STORE_SCHEMES = new Set(['s3']);
function relativeReferences(source: string): RunlogError {
  return RunlogError.invalidParameter(
    `Invalid model version source: '${source}'. If supplying a source as an http, https, local file path, ftp, objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path references present. Please provide an absolute path.`,
  );
}

export function invalidSource(source: string, why: string): RunlogError {
  return RunlogError.invalidParameter(`Invalid model version source: '${source}'. ${why}`);
}

export function localSourceOutsideRun(source: string): RunlogError {
  return invalidSource(
    source,
    'To use a local path as a model version source, the run_id request parameter has to be specified and the local path has to be contained within the artifact directory of the run specified by the run_id.',
  );
}

/** Joins non-empty segments, so `a//b/./c` and `a/b/c` compare equal. */
function cleanPath(path: string): string {
  return path
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');
}

export function classifyModelVersionSource(source: string): ClassifiedSource {
  if (source.length > REGISTRY_LIMITS.maxSourceLength) {
    throw invalidSource(source.slice(0, 100), `A source may be at most ${REGISTRY_LIMITS.maxSourceLength} characters long.`);
  }
  // What was validated is what gets used: the decoded form, never the raw one (GHSA-j62r-wxqq-f3gf).
  const { decoded, scheme, rest } = checkUriShape(source, (why) => invalidSource(source, why), () => relativeReferences(source));
  if (scheme === undefined || scheme === 'file') {
    const local = localPathOfUri(scheme, rest, (why) => invalidSource(source, why));
    if (!local.startsWith('/') || local.startsWith('//')) throw localSourceOutsideRun(source);
    return { kind: 'local', path: `/${cleanPath(local)}` };
  }
  if (scheme.length === 1) throw invalidSource(source, 'Windows drive paths are not allowed.');
  switch (scheme) {
    case 'runs': {
      const m = /^\/([^/]+)(?:\/(.*))?$/.exec(rest);
      if (!m?.[1]) throw invalidSource(source, "A runs:/ source must look like 'runs:/<run_id>/<path>'.");
      return { kind: 'runs', runId: m[1], path: cleanPath(m[2] ?? '') };
    }
    case 'models':
      return { kind: 'models', ref: parseModelUri(decoded).ref };
    case 'mlflow-artifacts':
      return { kind: 'proxied', path: cleanPath(withoutAuthority(rest)) };
    default:
      if (STORE_SCHEMES.has(scheme) && /^\/\/[^/]+/.test(rest)) {
        return { kind: 'store', uri: `${scheme}://${cleanPath(rest.slice(2))}` };
      }
      throw invalidSource(
        source,
        `The '${scheme}' scheme is not accepted: sources must be runs:/, models:/ or mlflow-artifacts:/ URIs, or locations in this server's artifact stores. Runlog never fetches a model from an outside URL.`,
      );
  }
}
