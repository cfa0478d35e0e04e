/**
 * Syntax half of model-version `source` validation. A source is attacker-chosen and later resolved against
 * storage (`get-download-uri`, `model-versions/get-artifact`), so every shape MLflow's CVEs used is refused
 * here: traversal in any encoding, `?`, `#`, `;`, control characters, backslashes, http(s) and unknown
 * schemes. Where the source may point (inside the run's artifact root or a configured store) is the server's
 * half, since only it knows its roots.
 */
import { RunlogError } from '../errors.js';
import { checkUriShape, isParentSegment, localPathOfUri, withoutAuthority } from '../safe-path.js';
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

/** MLflow answers a `file:` URI naming another host with a server error; its own suite asserts the 500. */
function remoteFileUri(source: string): RunlogError {
  return new RunlogError(
    'INTERNAL_ERROR',
    `${source} is not a valid remote uri. For remote access on windows, please consider using a different scheme such as SMB (e.g. smb://<hostname>/<path>).`,
  );
}

/** `/a/b/../c/.` → `/a/c`: a local source is resolved as MLflow resolves it, then confined by the server. */
function resolveLocalPath(path: string): string {
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  return `/${out.join('/')}`;
}

export function classifyModelVersionSource(source: string): ClassifiedSource {
  if (source.length > REGISTRY_LIMITS.maxSourceLength) {
    throw invalidSource(source.slice(0, 100), `A source may be at most ${REGISTRY_LIMITS.maxSourceLength} characters long.`);
  }
  const local = /^(?:file:|[^:/]*(?:\/|$))/i.test(source);
  if (local) {
    // A local path may hold `..` (MLflow resolves it); what it resolves to must lie in the run's artifact
    // directory, which the server checks. Every other unsafe shape is refused as for remote sources.
    const { scheme, rest } = checkUriShape(source, (why) => invalidSource(source, why), () => relativeReferences(source), () => false);
    if (scheme === undefined || scheme === 'file') {
      const host = scheme === 'file' && rest.startsWith('//') ? (rest.slice(2).split('/')[0] ?? '').toLowerCase() : '';
      if (host !== '' && host !== '.' && !host.startsWith('localhost') && !host.startsWith('127.0.0.1')) throw remoteFileUri(source);
      const path = localPathOfUri(scheme, rest, (why) => invalidSource(source, why));
      if (!path.startsWith('/') || path.startsWith('//')) throw localSourceOutsideRun(source);
      return { kind: 'local', path: resolveLocalPath(path) };
    }
  }
  // What was validated is what gets used: the decoded form, never the raw one (GHSA-j62r-wxqq-f3gf). Any unsafe
  // shape gets MLflow's message for relative references.
  const { decoded, scheme, rest } = checkUriShape(source, () => relativeReferences(source), () => relativeReferences(source), isParentSegment);
  if (scheme === undefined || scheme === 'file') throw localSourceOutsideRun(source);
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
