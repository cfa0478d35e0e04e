/**
 * Artifact path and artifact-location safety: the one place that decides which paths and URIs may reach
 * storage. Pure string work (no I/O, no node:path), so the browser bundle can use it too.
 *
 * Paths (`safeArtifactPath`) follow MLflow's `validate_path_is_safe`, hardened against every bypass in its CVE
 * history: decode percent-escapes until the string stops changing (double and triple encoding), then refuse
 * with 400 INVALID_PARAMETER_VALUE "Invalid path":
 * - NUL and every other control character (C0 and DEL): NUL truncates paths in C APIs, CR/LF would reach
 *   response headers (Content-Disposition);
 * - `#`, `?` and `;`: MLflow refuses only `#`. `?` and `;` are refused too because they are URI delimiters
 *   (query, path parameters): a stored name holding one turns a later URI built from it (run root + path, a
 *   model-version `source`) into a different path once parsed, which is exactly how CVE-2024-3848
 *   (`upload-artifact?path=a?/a`), CVE-2024-8859 (`dbfs:/…/a%3f/../../`) and PR #11473 (`;`) escaped. A file
 *   named `a;b` cannot be logged as an artifact; that is the price;
 * - a backslash (the Windows separator; also `\\host\share`);
 * - an absolute path: a leading `/` (also `//host`, `//proc/self/root`) or a drive letter (`C:`, `C:/x`);
 * - a segment that is `..`, or that Windows would strip to nothing or to `..` (trailing dots and spaces:
 *   `...`, `.. `, `. `), also when it only looks like that after NFKC normalisation (U+2024 ONE DOT LEADER,
 *   U+2025 TWO DOT LEADER, U+FF0E FULLWIDTH FULL STOP, U+FF0F FULLWIDTH SOLIDUS, U+FF3C FULLWIDTH REVERSE
 *   SOLIDUS, U+FF1A FULLWIDTH COLON, …);
 * - a malformed percent-escape (`%zz`, a lone `%`), or more than `MAX_DECODE_ROUNDS` layers of encoding.
 * What survives is normalised: empty and `.` segments dropped (`a//b` → `a/b`, `./a` → `a`), `''` for the
 * root. Names are otherwise kept as given (the NFKC form is only used for checking), so `café.txt` and
 * `日本語.txt` round-trip.
 *
 * Because decoding repeats, a name that itself contains `%XX` is stored decoded (`a%2520b` → `a b`) and a
 * literal `%` that is not an escape is refused: no path can mean two different files.
 */
import { RunlogError } from './errors.js';
import { LIMITS } from './limits.js';
import { validateLength } from './validation.js';

/** More layers than this is not a file name, it is an attack on a decoder somewhere. */
export const MAX_DECODE_ROUNDS = 8;

function invalidPath(): RunlogError {
  return RunlogError.invalidParameter('Invalid path');
}

/** Percent-decodes until stable; `undefined` when an escape is malformed or the layers never end. */
export function decodeUntilStable(raw: string): string | undefined {
  let current = raw;
  for (let round = 0; round <= MAX_DECODE_ROUNDS; round++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return undefined;
    }
    if (next === current) return current;
    current = next;
  }
  return undefined;
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
const CONTROL = /[\u0000-\u001f\u007f]/;
const URI_DELIMITERS = /[#?;]/;
const DRIVE = /^[A-Za-z]:/;

/** `..`, or `..` followed by dots and spaces that Windows strips (`.. `, `.. .`); not `...` or `....`. */
export function isParentSegment(segment: string): boolean {
  return /^\.\.[. ]*$/.test(segment) && !/^\.{3,}$/.test(segment);
}

/** A segment Windows reduces to nothing or to dots (`..`, `...`, `.. `, `. `, ` `), except `.` itself. */
function isDotLike(segment: string): boolean {
  return segment !== '.' && /^[. ]+$/.test(segment);
}

/** Segments of an already-decoded relative path, or undefined when it is unsafe. */
function safeSegments(decoded: string): string[] | undefined {
  for (const form of new Set([decoded, decoded.normalize('NFKC')])) {
    if (CONTROL.test(form) || URI_DELIMITERS.test(form) || form.includes('\\')) return undefined;
    if (form.startsWith('/') || DRIVE.test(form)) return undefined;
    if (form.split('/').some(isDotLike)) return undefined;
  }
  return decoded.split('/').filter((s) => s !== '' && s !== '.');
}

/**
 * Decodes `raw` fully, refuses every unsafe shape (see the module comment) and returns the clean relative
 * path (`''` for the root). Throws 400 INVALID_PARAMETER_VALUE "Invalid path".
 */
export function safeArtifactPath(raw: string): string {
  const decoded = decodeUntilStable(raw);
  if (decoded === undefined) throw invalidPath();
  const segments = safeSegments(decoded);
  if (segments === undefined) throw invalidPath();
  return segments.join('/');
}

/**
 * Joins already-decoded relative paths (outputs of `safeArtifactPath`, run-root prefixes, basenames) with `/`,
 * checking each part again (no decoding: a `%` here is a literal character) and normalising the result.
 */
export function joinArtifactPath(...parts: readonly string[]): string {
  const out: string[] = [];
  for (const part of parts) {
    const segments = safeSegments(part);
    if (segments === undefined) throw invalidPath();
    out.push(...segments);
  }
  return out.join('/');
}

/** The last segment of a relative artifact path (`''` for the root). */
export function artifactBasename(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

export interface ArtifactLocationPolicy {
  /**
   * Absolute POSIX paths of the local folders this server keeps artifacts in (its artifacts destination and
   * a local default artifact root). A local artifact location must be one of them or lie below one.
   */
  localRoots: readonly string[];
  /**
   * The absolute folder a schemeless relative location resolves against (MLflow resolves it against the
   * server's working directory). Without one, relative locations are refused.
   */
  relativeBase?: string | undefined;
}

function invalidLocation(location: string, why: string): RunlogError {
  return RunlogError.invalidParameter(`Invalid artifact location '${location.slice(0, 200)}': ${why}`);
}

function isInsideRoot(path: string, root: string): boolean {
  const r = root.replace(/\/+$/, '');
  return r === '' || path === r || path.startsWith(`${r}/`);
}

/**
 * Checks an experiment's `artifact_location` (attacker-chosen, later resolved against storage by this server
 * or by clients) and throws 400 INVALID_PARAMETER_VALUE for the shapes behind MLflow's traversal CVEs:
 * - after full percent-decoding (malformed → refused): control characters, `#`, `?`, `;` or a backslash
 *   anywhere; a `..`-like segment anywhere (also after NFKC);
 * - `runs:` and `models:` URIs (MLflow refuses `runs:`; a model URI is no place to write artifacts);
 * - a one-letter scheme (a Windows drive, `C:/x`);
 * - `mlflow-artifacts:` whose path is not a safe relative path (`mlflow-artifacts:/../..`);
 * - `http(s):` without a host (`http:///…`);
 * - a local location — a schemeless path or a `file:` URI — that is relative, names a host other than
 *   `localhost` (`file://./etc`, `file://host/…`), or is outside `policy.localRoots` (`file:///etc/`, `/etc`).
 * Other schemes (`s3:`, `gs:`, `wasbs:`, `hdfs:`, `dbfs:`, …) pass once the generic checks do: this server
 * only reads or writes them when they lie under a root it was configured with, and never fetches http(s).
 */
/** A URI decoded until stable whose every form passed `checkUriShape`, split at its (lower-case) scheme. */
export interface CheckedUri {
  decoded: string;
  scheme: string | undefined;
  rest: string;
}

/**
 * Decodes `raw` fully and refuses, in the decoded and the NFKC form, what no stored location may hold: control
 * characters, `#`, `?`, `;`, backslashes and `..`-like segments. `fail(why)` builds the caller's error;
 * `failDots` (default: `fail`) the one for `..` segments.
 */
export function checkUriShape(
  raw: string,
  fail: (why: string) => RunlogError,
  failDots: () => RunlogError = () => fail("'..' path segments are not allowed."),
  isTraversal: (segment: string) => boolean = isDotLike,
): CheckedUri {
  const decoded = decodeUntilStable(raw);
  if (decoded === undefined) throw fail('malformed percent-encoding.');
  for (const form of new Set([decoded, decoded.normalize('NFKC')])) {
    if (CONTROL.test(form)) throw fail('control characters are not allowed.');
    if (form.includes('#')) throw fail('URI fragments are not allowed.');
    if (form.includes('?')) throw fail('query strings are not allowed.');
    if (form.includes(';')) throw fail("';' is not allowed.");
    if (form.includes('\\')) throw fail('backslashes are not allowed.');
    if (form.split('/').some(isTraversal)) throw failDots();
  }
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(decoded)?.[1]?.toLowerCase();
  return { decoded, scheme, rest: scheme === undefined ? decoded : decoded.slice(scheme.length + 1) };
}

/** The path of a scheme-less or `file:` URI (`rest` from `checkUriShape`); a `file:` host other than localhost is refused. */
export function localPathOfUri(scheme: string | undefined, rest: string, fail: (why: string) => RunlogError): string {
  if (scheme !== 'file' || !rest.startsWith('//')) return rest;
  const slash = rest.indexOf('/', 2);
  const host = rest.slice(2, slash < 0 ? undefined : slash).toLowerCase();
  if (host !== '' && host !== 'localhost') throw fail('file URIs may not name a host.');
  return slash < 0 ? '/' : rest.slice(slash);
}

/** `//host:port/p` → `/p` (the authority of `mlflow-artifacts://host/p` is not ours to check). */
export function withoutAuthority(rest: string): string {
  if (!rest.startsWith('//')) return rest;
  const slash = rest.indexOf('/', 2);
  return slash < 0 ? '' : rest.slice(slash);
}

export function validateArtifactLocationUri(location: string, policy: ArtifactLocationPolicy): string {
  validateLength('artifact_location', location, LIMITS.maxArtifactLocationLength);
  const fail = (why: string): RunlogError => invalidLocation(location, why);
  const { scheme, rest } = checkUriShape(location, fail);
  if (scheme === undefined || scheme === 'file') {
    const localPath = localPathOfUri(scheme, rest, fail);
    const segments = localPath.split('/').filter((s) => s !== '' && s !== '.');
    if (!localPath.startsWith('/')) {
      // `..` segments were refused above, so the resolved path stays below the base.
      if (scheme === undefined && policy.relativeBase !== undefined) {
        return [policy.relativeBase.replace(/\/+$/, ''), ...segments].join('/');
      }
      throw invalidLocation(location, 'a local artifact location must be an absolute path.');
    }
    const normalised = `/${segments.join('/')}`;
    if (!policy.localRoots.some((root) => isInsideRoot(normalised, root))) {
      throw invalidLocation(location, "a local artifact location must be inside the server's artifact root.");
    }
    return location;
  }
  if (scheme.length === 1) throw invalidLocation(location, 'Windows drive paths are not allowed.');
  if (scheme === 'runs' || scheme === 'models') {
    throw invalidLocation(location, `${scheme}:/ URIs are not allowed as an artifact location.`);
  }
  if (scheme === 'mlflow-artifacts') {
    if (safeSegments(withoutAuthority(rest).replace(/^\/+/, '')) === undefined) throw invalidLocation(location, 'unsafe path.');
    return location;
  }
  if ((scheme === 'http' || scheme === 'https') && !/^\/\/[^/]+/.test(rest)) {
    throw invalidLocation(location, 'an http(s) artifact location needs a host.');
  }
  return location;
}
