/**
 * A run's artifacts over MLflow's REST API, moved the way MLflow's Python client moves them
 * (mlflow-tracking-api.md §6.1, §6.4):
 * - `runs/get` gives the run's `artifact_uri` (cached per run). `mlflow-artifacts:/<p>` resolves to
 *   `<tracking uri>/api/2.0/mlflow-artifacts/artifacts/<p>`, `mlflow-artifacts://host:port/<p>` to that host (with
 *   the tracking URI's scheme), and `http(s)://…/api/2.0/mlflow-artifacts/artifacts/<p>` stays as it is. Any other
 *   store (a local path, `file:`, `s3:`, …) is refused with NOT_IMPLEMENTED: the SDK does not talk to stores.
 * - Upload: one `PUT …/artifacts/<p>/<artifact path>/<name>` per file, streamed from disk.
 * - List: `GET …/mlflow-artifacts/artifacts?path=<p>/<path>` (basenames, one level), rebuilt into paths relative
 *   to the run's artifact root and sorted.
 * - Download: a list call decides file or folder; folders are walked with list calls, then one GET per file,
 *   streamed to a temp file beside the target and renamed into place.
 * Every entry of a listing must be a safe relative name whose local path stays inside the destination folder;
 * otherwise the download is refused before anything is written. Transfers run `concurrency` at a time (4) and
 * are retried on network errors and on the statuses MLflow's client retries.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import {
  RunlogError,
  artifactEndpoints,
  joinArtifactPath,
  safeArtifactPath,
  tracking as api,
  type FileInfo,
} from '@runlog/core';
import { callEndpoint, errorFromResponse, fetchTransport, type Transport } from './http.js';
import { isRetryableStatus, retryPolicy, withRetries as retrying, type RetryPolicy } from './retry.js';

/** Where MLflow's `mlflow-artifacts` service lives below a server URI. */
export const MLFLOW_ARTIFACTS_API_PATH = '/api/2.0/mlflow-artifacts/artifacts';

export interface ArtifactProgress {
  bytesDone: number;
  bytesTotal: number;
  filesDone: number;
  filesTotal: number;
}

export interface TransferOptions {
  /** Called with running totals: at the start, as bytes move, and as each file completes. */
  onProgress?: (progress: ArtifactProgress) => void;
  /** Files moved at once (default: the client's, 4). */
  concurrency?: number;
  signal?: AbortSignal;
}

export interface ArtifactClientOptions {
  /** The tracking server, `http(s)://host[:port][/prefix]`. */
  trackingUri: string;
  /** Sent with every request (e.g. `trackingAuthHeaders(trackingCredentialsFromEnv(process.env))`). */
  headers?: Record<string, string>;
  /** Transport for `runs/get` (default: `fetchTransport(trackingUri, { headers })`). */
  transport?: Transport;
  /** Default for TransferOptions.concurrency (4). */
  concurrency?: number;
  /** Retries of one request on network errors and transient statuses (5), backoff from `backoffMs` (200): retry.ts. */
  maxRetries?: number;
  backoffMs?: number;
}

/** A proxied artifact root: the server that proxies it and the path below its artifacts destination. */
export interface ArtifactLocation {
  /** Server URI the `/api/2.0/…` paths hang from (no trailing slash). */
  serverUri: string;
  /** Safe relative path of the root below the artifacts destination (`''` for the destination itself). */
  root: string;
}

export interface ArtifactClient {
  /** The run's artifact root, resolved as MLflow's client resolves it. */
  artifactLocation(runId: string): Promise<ArtifactLocation>;
  /** Uploads one file to `<artifactPath>/<its name>`; returns that artifact path. */
  uploadFile(runId: string, localPath: string, artifactPath?: string, options?: TransferOptions): Promise<string>;
  /** Uploads the files below `localDir` to `<artifactPath>/<relative path>`; returns the artifact paths, sorted. */
  uploadDirectory(runId: string, localDir: string, artifactPath?: string, options?: TransferOptions): Promise<string[]>;
  /** One level of the run's artifacts under `path`, paths relative to the run's root, sorted; `[]` for a file. */
  listArtifacts(runId: string, path?: string): Promise<FileInfo[]>;
  /**
   * Downloads the file or folder `path` (`''`: everything) into `destDir/<path>`, recreating the relative paths,
   * and returns that local path.
   */
  downloadArtifacts(runId: string, path: string, destDir: string, options?: TransferOptions): Promise<string>;
}

// ---------------------------------------------------------------------------------------------------------------
// Artifact URIs
// ---------------------------------------------------------------------------------------------------------------

function describeStore(scheme: string | undefined): string {
  if (scheme === undefined || scheme.length === 1) return 'a local path';
  if (scheme === 'file') return 'a local file: URI';
  if (scheme === 'http' || scheme === 'https') return `an ${scheme}:// URL outside the mlflow-artifacts service`;
  return `a ${scheme}:// store`;
}

function unsupportedStore(artifactUri: string, scheme: string | undefined): RunlogError {
  return new RunlogError(
    'NOT_IMPLEMENTED',
    `The artifact root '${artifactUri}' is ${describeStore(scheme)}: direct access to that store is not supported by the ` +
      'Runlog SDK yet. It moves artifacts only through a tracking server that proxies them (mlflow-artifacts:/… or ' +
      `http(s)://…${MLFLOW_ARTIFACTS_API_PATH}/…, as with \`runlog server\` defaults).`,
  );
}

function httpBase(uri: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw RunlogError.invalidParameter(`Invalid ${what} '${uri}': expected an http(s):// URI.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw RunlogError.invalidParameter(`Invalid ${what} '${uri}': expected an http(s):// URI.`);
  }
  return url;
}

function rootPath(raw: string, artifactUri: string): string {
  try {
    return safeArtifactPath(raw.replace(/^\/+/, ''));
  } catch {
    throw RunlogError.invalidParameter(`Invalid artifact root '${artifactUri}': its path is not a safe relative path.`);
  }
}

/**
 * MLflow's `resolve_uri` for proxied artifact roots; NOT_IMPLEMENTED for every other kind of artifact store.
 */
export function resolveArtifactLocation(artifactUri: string, trackingUri: string): ArtifactLocation {
  const trackingUrl = httpBase(trackingUri, 'tracking URI');
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(artifactUri)?.[1]?.toLowerCase();
  if (scheme === 'mlflow-artifacts') {
    let rest = artifactUri.slice(scheme.length + 1);
    let serverUri = `${trackingUrl.origin}${trackingUrl.pathname}`.replace(/\/+$/, '');
    if (rest.startsWith('//')) {
      const slash = rest.indexOf('/', 2);
      const host = rest.slice(2, slash < 0 ? undefined : slash);
      rest = slash < 0 ? '' : rest.slice(slash);
      if (host !== '') serverUri = httpBase(`${trackingUrl.protocol}//${host}`, 'artifact URI host').origin;
    }
    return { serverUri, root: rootPath(rest, artifactUri) };
  }
  if (scheme === 'http' || scheme === 'https') {
    const url = httpBase(artifactUri, 'artifact URI');
    const at = url.pathname.indexOf(MLFLOW_ARTIFACTS_API_PATH);
    const after = url.pathname.charAt(at + MLFLOW_ARTIFACTS_API_PATH.length);
    if (at >= 0 && (after === '' || after === '/')) {
      return {
        serverUri: `${url.origin}${url.pathname.slice(0, at)}`,
        root: rootPath(url.pathname.slice(at + MLFLOW_ARTIFACTS_API_PATH.length), artifactUri),
      };
    }
  }
  throw unsupportedStore(artifactUri, scheme);
}

function encodePath(relative: string): string {
  return relative.split('/').map(encodeURIComponent).join('/');
}

function artifactUrl(location: ArtifactLocation, relative: string): string {
  const full = joinArtifactPath(location.root, relative);
  return `${location.serverUri}${MLFLOW_ARTIFACTS_API_PATH}/${encodePath(full)}`;
}

/** A user-given artifact path: safe and relative, `''` for the root. */
function userArtifactPath(raw: string | undefined): string {
  if (raw === undefined) return '';
  try {
    return safeArtifactPath(raw);
  } catch {
    throw RunlogError.invalidParameter(`Invalid artifact path '${raw}': expected a relative path without '..' segments.`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Progress, retries, concurrency
// ---------------------------------------------------------------------------------------------------------------

class Progress {
  private readonly state: ArtifactProgress;

  constructor(
    private readonly onProgress: ((progress: ArtifactProgress) => void) | undefined,
    filesTotal: number,
    bytesTotal: number,
  ) {
    this.state = { bytesDone: 0, bytesTotal, filesDone: 0, filesTotal };
    this.emit();
  }

  total(n: number): void {
    this.state.bytesTotal += n;
    this.emit();
  }

  bytes(n: number): void {
    if (n === 0) return;
    this.state.bytesDone += n;
    this.emit();
  }

  /** A file is complete: `expected` was counted in the total, `actual` moved. */
  fileDone(expected: number, actual: number): void {
    this.state.bytesTotal += actual - expected;
    this.state.filesDone += 1;
    this.emit();
  }

  private emit(): void {
    this.onProgress?.({ ...this.state });
  }
}

/** A failure worth another attempt (a retryable status); unwrapped when attempts run out. */
class TransientError extends Error {
  constructor(readonly error: RunlogError) {
    super(error.message);
  }
}

async function responseError(res: Response): Promise<Error> {
  const error = errorFromResponse({ status: res.status, text: await res.text().catch(() => '') });
  return isRetryableStatus(res.status) ? new TransientError(error) : error;
}

/** Undici reports network failures (refused, reset, a body cut short) as a TypeError with the reason as cause. */
function unreachable(url: string, err: TypeError): RunlogError {
  const cause: unknown = err.cause;
  let detail = err.message;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    detail = cause.message || (typeof code === 'string' ? code : '') || detail;
  }
  return new RunlogError('TEMPORARILY_UNAVAILABLE', `Request to ${url} failed: ${detail}`);
}

/** `promise`, with network failures turned into a RunlogError naming `url`. */
async function reaching<T>(url: string, promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (err) {
    throw err instanceof TypeError ? unreachable(url, err) : err;
  }
}

function isAbort(err: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (err instanceof Error && err.name === 'AbortError');
}

/** One request under the shared retry policy; what is thrown when attempts run out is the RunlogError. */
async function withRetries<T>(url: string, attempt: () => Promise<T>, policy: RetryPolicy, signal: AbortSignal | undefined): Promise<T> {
  try {
    return await retrying(policy, attempt, {
      retryError: (err) => (err instanceof TransientError || err instanceof TypeError) && !isAbort(err, signal),
      signal,
    });
  } catch (err) {
    if (err instanceof TransientError) throw err.error;
    throw err instanceof TypeError && !isAbort(err, signal) ? unreachable(url, err) : err;
  }
}

/** Runs `work` over `items`, `limit` at a time; the first failure aborts the others and is thrown. */
async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  outer: AbortSignal | undefined,
  work: (item: T, signal: AbortSignal) => Promise<void>,
): Promise<void> {
  outer?.throwIfAborted();
  const controller = new AbortController();
  const forward = (): void => controller.abort(outer?.reason);
  outer?.addEventListener('abort', forward, { once: true });
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item, controller.signal);
      } catch (error) {
        if (failure === undefined) {
          failure = { error };
          controller.abort(error);
        }
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  } finally {
    outer?.removeEventListener('abort', forward);
  }
  if (failure !== undefined) throw failure.error;
}

// ---------------------------------------------------------------------------------------------------------------
// Local files
// ---------------------------------------------------------------------------------------------------------------

interface LocalFile {
  local: string;
  artifact: string;
  size: number;
}

/** A local file name as an artifact path segment: only names the server stores unchanged are accepted. */
function uploadName(name: string, local: string): string {
  let safe: string | undefined;
  try {
    safe = safeArtifactPath(name);
  } catch {
    safe = undefined;
  }
  if (safe !== name) {
    throw RunlogError.invalidParameter(
      `Cannot upload '${local}': '${name}' is not a valid artifact name (the server refuses '#', '?', ';', '\\', ` +
        "'%' escapes, control characters and '..'-like names).",
    );
  }
  return name;
}

/** The files below `dir` (as `os.walk`: symlinks to files are files, symlinked folders are not entered). */
async function walkFiles(dir: string, artifactDir: string, out: LocalFile[]): Promise<void> {
  const entries = await fsp.readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const local = path.join(dir, entry.name);
    const artifact = joinArtifactPath(artifactDir, uploadName(entry.name, local));
    if (entry.isDirectory()) {
      await walkFiles(local, artifact, out);
    } else if (entry.isFile() || entry.isSymbolicLink()) {
      const stat = await fsp.stat(local).catch(() => undefined);
      if (stat?.isFile()) out.push({ local, artifact, size: stat.size });
    }
  }
}

/** Where `relative` (a safe artifact path) lands below `destRoot`; refused if that would be outside it. */
function confinedTarget(destRoot: string, relative: string, shown: string): string {
  const target = path.resolve(destRoot, ...relative.split('/'));
  const inside = path.relative(destRoot, target);
  if (relative !== '' && (inside === '' || inside.startsWith('..') || path.isAbsolute(inside))) {
    throw escapeRefused(shown, destRoot);
  }
  return target;
}

function escapeRefused(shown: string, destRoot: string): RunlogError {
  return new RunlogError(
    'PERMISSION_DENIED',
    `Refusing to download the artifact listed as '${shown}': it is not a safe relative path, so its local path ` +
      `could escape the destination folder '${destRoot}'. Nothing was downloaded.`,
  );
}

/** Bound on folder depth, against a server whose listing never ends. */
const MAX_DEPTH = 256;

// ---------------------------------------------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------------------------------------------

interface ListedEntry {
  name: string;
  is_dir: boolean;
  file_size?: number;
}

export function createArtifactClient(options: ArtifactClientOptions): ArtifactClient {
  const trackingUri = options.trackingUri.replace(/\/+$/, '');
  httpBase(trackingUri, 'tracking URI');
  const headers = options.headers ?? {};
  const retry = retryPolicy(options);
  const defaultConcurrency = options.concurrency ?? 4;
  const trackingTransport = options.transport ?? fetchTransport(trackingUri, { headers, ...retry });
  const transports = new Map<string, Transport>();
  const locations = new Map<string, Promise<ArtifactLocation>>();

  const transportFor = (serverUri: string): Transport => {
    let transport = transports.get(serverUri);
    if (transport === undefined) {
      transport = serverUri === trackingUri && options.transport ? options.transport : fetchTransport(serverUri, { headers, ...retry });
      transports.set(serverUri, transport);
    }
    return transport;
  };

  const artifactLocation = (runId: string): Promise<ArtifactLocation> => {
    let location = locations.get(runId);
    if (location === undefined) {
      location = reaching(trackingUri, callEndpoint(trackingTransport, api.getRun, { run_id: runId })).then((res) =>
        resolveArtifactLocation(res.run.info.artifact_uri, trackingUri),
      );
      locations.set(runId, location);
      location.catch(() => locations.delete(runId));
    }
    return location;
  };

  const listEntries = async (location: ArtifactLocation, relative: string): Promise<ListedEntry[]> => {
    const res = await reaching(
      location.serverUri,
      callEndpoint(transportFor(location.serverUri), artifactEndpoints.listProxiedArtifacts, {
        path: joinArtifactPath(location.root, relative),
      }),
    );
    return (res.files ?? []).map((f) => ({
      name: typeof f.path === 'string' ? f.path : '',
      is_dir: Boolean(f.is_dir),
      ...(f.file_size !== undefined && f.file_size !== null ? { file_size: Number(f.file_size) } : {}),
    }));
  };

  const putFile = async (location: ArtifactLocation, file: LocalFile, progress: Progress, signal: AbortSignal | undefined): Promise<void> => {
    let moved = 0;
    const url = artifactUrl(location, file.artifact);
    await withRetries(
      url,
      async () => {
        progress.bytes(-moved);
        moved = 0;
        const stat = await fsp.stat(file.local);
        // Exactly the bytes announced in Content-Length; a file that changes meanwhile fails the attempt.
        const stream = stat.size > 0 ? fs.createReadStream(file.local, { end: stat.size - 1 }) : undefined;
        async function* body(): AsyncGenerator<Uint8Array> {
          if (stream === undefined) return;
          try {
            for await (const chunk of stream as AsyncIterable<Buffer>) {
              moved += chunk.length;
              progress.bytes(chunk.length);
              yield chunk;
            }
          } finally {
            stream.destroy();
          }
        }
        try {
          const res = await fetch(url, {
            method: 'PUT',
            headers: { ...headers, 'content-type': 'application/octet-stream', 'content-length': String(stat.size) },
            body: body(),
            duplex: 'half',
            ...(signal ? { signal } : {}),
          });
          if (!res.ok) throw await responseError(res);
          await res.body?.cancel();
        } finally {
          stream?.destroy();
        }
      },
      retry,
      signal,
    );
    progress.fileDone(file.size, moved);
  };

  const getFile = async (
    location: ArtifactLocation,
    relative: string,
    target: string,
    expected: number | undefined,
    progress: Progress,
    signal: AbortSignal | undefined,
  ): Promise<void> => {
    let counted = expected ?? 0;
    let moved = 0;
    const url = artifactUrl(location, relative);
    await withRetries(
      url,
      async () => {
        progress.bytes(-moved);
        moved = 0;
        const res = await fetch(url, { headers, ...(signal ? { signal } : {}) });
        if (!res.ok) throw await responseError(res);
        await fsp.mkdir(path.dirname(target), { recursive: true });
        const length = Number(res.headers.get('content-length') ?? Number.NaN);
        if (expected === undefined && Number.isFinite(length) && length !== counted) {
          progress.total(length - counted);
          counted = length;
        }
        const temp = `${target}.${randomBytes(6).toString('hex')}.part`;
        try {
          const source = res.body ? Readable.fromWeb(res.body as NodeReadableStream<Uint8Array>) : Readable.from([]);
          await pipeline(
            source,
            async function* count(chunks: AsyncIterable<Buffer>) {
              for await (const chunk of chunks) {
                moved += chunk.length;
                progress.bytes(chunk.length);
                yield chunk;
              }
            },
            fs.createWriteStream(temp, { flags: 'wx' }),
          );
          await fsp.rename(temp, target);
        } catch (err) {
          await fsp.rm(temp, { force: true });
          throw err;
        }
      },
      retry,
      signal,
    );
    progress.fileDone(counted, moved);
  };

  return {
    artifactLocation,

    uploadFile: async (runId, localPath, artifactPath, transfer = {}) => {
      const stat = await fsp.stat(localPath);
      if (!stat.isFile()) {
        throw RunlogError.invalidParameter(`'${localPath}' is not a file${stat.isDirectory() ? ' (use uploadDirectory for a folder)' : ''}.`);
      }
      const file = {
        local: localPath,
        artifact: joinArtifactPath(userArtifactPath(artifactPath), uploadName(path.basename(localPath), localPath)),
        size: stat.size,
      };
      const location = await artifactLocation(runId);
      const progress = new Progress(transfer.onProgress, 1, stat.size);
      await putFile(location, file, progress, transfer.signal);
      return file.artifact;
    },

    uploadDirectory: async (runId, localDir, artifactPath, transfer = {}) => {
      const stat = await fsp.stat(localDir);
      if (!stat.isDirectory()) throw RunlogError.invalidParameter(`'${localDir}' is not a folder.`);
      const files: LocalFile[] = [];
      await walkFiles(localDir, userArtifactPath(artifactPath), files);
      const location = await artifactLocation(runId);
      const progress = new Progress(
        transfer.onProgress,
        files.length,
        files.reduce((sum, f) => sum + f.size, 0),
      );
      await forEachLimited(files, transfer.concurrency ?? defaultConcurrency, transfer.signal, (file, signal) =>
        putFile(location, file, progress, signal),
      );
      return files.map((f) => f.artifact).sort();
    },

    listArtifacts: async (runId, artifactPath) => {
      const relative = userArtifactPath(artifactPath);
      const entries = await listEntries(await artifactLocation(runId), relative);
      return entries
        .map((e): FileInfo => ({
          path: relative === '' ? e.name : `${relative}/${e.name}`,
          is_dir: e.is_dir,
          ...(e.file_size !== undefined ? { file_size: e.file_size } : {}),
        }))
        .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    },

    downloadArtifacts: async (runId, artifactPath, destDir, transfer = {}) => {
      const relative = userArtifactPath(artifactPath);
      const destRoot = path.resolve(destDir);
      const location = await artifactLocation(runId);

      // Plan: walk the listings first, so an unsafe entry is refused before any byte is written.
      const files: { relative: string; size: number | undefined; target: string }[] = [];
      const folders: string[] = [];
      const top = await listEntries(location, relative);
      if (relative !== '' && top.length === 0) {
        files.push({ relative, size: undefined, target: confinedTarget(destRoot, relative, relative) });
      } else {
        folders.push(confinedTarget(destRoot, relative, relative));
        const pending: { folder: string; entries: ListedEntry[] }[] = [{ folder: relative, entries: top }];
        for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
          for (const entry of item.entries) {
            const shown = item.folder === '' ? entry.name : `${item.folder}/${entry.name}`;
            let child: string;
            try {
              child = joinArtifactPath(item.folder, entry.name);
            } catch {
              throw escapeRefused(shown, destRoot);
            }
            if (entry.name === '' || child === item.folder || !child.startsWith(item.folder === '' ? '' : `${item.folder}/`)) {
              throw escapeRefused(shown, destRoot);
            }
            if (child.split('/').length > MAX_DEPTH) {
              throw new RunlogError('INVALID_STATE', `Refusing to download '${shown}': folders nested deeper than ${MAX_DEPTH} levels.`);
            }
            const target = confinedTarget(destRoot, child, shown);
            if (entry.is_dir) {
              folders.push(target);
              pending.push({ folder: child, entries: await listEntries(location, child) });
            } else {
              files.push({ relative: child, size: entry.file_size, target });
            }
          }
        }
      }

      for (const folder of folders) await fsp.mkdir(folder, { recursive: true });
      const progress = new Progress(
        transfer.onProgress,
        files.length,
        files.reduce((sum, f) => sum + (f.size ?? 0), 0),
      );
      await forEachLimited(files, transfer.concurrency ?? defaultConcurrency, transfer.signal, (file, signal) =>
        getFile(location, file.relative, file.target, file.size, progress, signal),
      );
      return confinedTarget(destRoot, relative, relative);
    },
  };
}
