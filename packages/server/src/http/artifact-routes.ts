/**
 * Artifact routes: MLflow's `mlflow-artifacts` proxy service (download, upload, list, delete, multipart) on the
 * artifacts destination, and the tracking side's run-relative routes (`artifacts/list`, `get-artifact`,
 * `upload-artifact`). Bodies stream both ways; nothing holds a whole file in memory.
 *
 * Every path — URL `<path>`, query `path`, a multipart body's `path` — goes through core's `safeArtifactPath`
 * before any storage call (400 INVALID_PARAMETER_VALUE "Invalid path"), and the repos confine it again.
 * Disabled services answer 503 in plain text, as MLflow does: the proxy under `--no-serve-artifacts`, the
 * tracking side under `--artifacts-only`.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import mime from 'mime-types';
import {
  RunlogError,
  artifactBasename,
  artifactEndpoints,
  getArtifactQuery,
  modelVersionArtifactQuery,
  joinArtifactPath,
  parseRequest,
  safeArtifactPath,
  type ArtifactObject,
  type ByteStream,
  type Endpoint,
  type FileInfo,
  type RegistryStore,
  type TrackingStore,
} from '@runlog/core';
import type { ArtifactRoots } from '../artifacts/artifact-roots.js';
import { AJAX_PREFIX, API_PREFIX, fastifyPath } from './register-endpoints.js';
import { parseEndpointRequest, requestInput } from './request-input.js';

export interface ArtifactRouteOptions {
  tracking: TrackingStore;
  registry?: RegistryStore | undefined;
  roots: ArtifactRoots;
  staticPrefix: string;
  serveArtifacts: boolean;
  artifactsOnly: boolean;
}

/** MLflow's `_UnsupportedMultipartUploadException.MESSAGE`; the client falls back to a single PUT on it. */
export const MULTIPART_UNSUPPORTED = 'Multipart upload is not supported for the current artifact repository';
/** MLflow's cap on `upload-artifact` bodies. */
export const MAX_UPLOAD_ARTIFACT_BYTES = 10 * 1024 * 1024;

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

// ---------------------------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------------------------

/** Extensions MLflow serves as text/plain (`mlflow/server/handlers.py` TEXT_EXTENSIONS). */
const TEXT_EXTENSIONS = new Set([
  'txt', 'log', 'err', 'cfg', 'conf', 'cnf', 'cf', 'ini', 'properties', 'prop', 'hocon', 'toml', 'yaml', 'yml',
  'xml', 'json', 'js', 'py', 'py3', 'csv', 'tsv', 'md', 'rst', 'MLmodel', 'mlproject',
]);

/** Types a browser would run as a document or script: sent as text/plain instead. */
function isActiveContent(type: string): boolean {
  return (
    type === 'text/html' ||
    type === 'application/xhtml+xml' ||
    type.endsWith('javascript') ||
    type.endsWith('ecmascript') ||
    ((type.endsWith('/xml') || type.endsWith('+xml')) && type !== 'image/svg+xml')
  );
}

/**
 * MLflow's `_guess_mime_type`: text-like extensions (and extensionless `MLmodel`) → text/plain, else the
 * registered type, else application/octet-stream. HTML, XHTML, XML and script types are downgraded to
 * text/plain; SVG keeps its type for image previews and is neutralised by `Content-Security-Policy: sandbox`.
 */
export function artifactContentType(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  const extension = dot > 0 ? fileName.slice(dot + 1) : fileName;
  if (TEXT_EXTENSIONS.has(extension) || TEXT_EXTENSIONS.has(extension.toLowerCase())) return 'text/plain';
  const type = mime.lookup(fileName);
  if (type === false) return 'application/octet-stream';
  return isActiveContent(type) ? 'text/plain' : type;
}

/** `attachment; filename=x` as MLflow sends it; RFC 6266 `filename*` when the name is not a plain token. */
export function contentDisposition(fileName: string): string {
  if (/^[A-Za-z0-9._-]+$/.test(fileName)) return `attachment; filename=${fileName}`;
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

function toReadable(stream: ByteStream): Readable {
  return stream instanceof Readable ? stream : Readable.from(stream, { objectMode: false });
}

function sendArtifact(reply: FastifyReply, path: string, object: ArtifactObject): FastifyReply {
  const name = artifactBasename(path);
  void reply
    .header('content-type', artifactContentType(name))
    .header('content-disposition', contentDisposition(name))
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', 'sandbox');
  if (object.size !== undefined) void reply.header('content-length', object.size);
  return reply.send(toReadable(object.stream));
}

function sendJson(reply: FastifyReply, body: unknown): FastifyReply {
  return reply.type('application/json').send(JSON.stringify(body));
}

function unavailable(reply: FastifyReply, route: string, mode: 'no-serve-artifacts' | 'artifacts-only'): FastifyReply {
  const message =
    mode === 'no-serve-artifacts'
      ? `Endpoint: ${route} disabled due to the mlflow server running with \`--no-serve-artifacts\`. ` +
        'To enable artifacts server functionality, run `runlog server` with `--serve-artifacts`'
      : `Endpoint: ${route} disabled due to the mlflow server running in \`--artifacts-only\` mode. ` +
        'To enable tracking server functionality, run `runlog server` without `--artifacts-only`';
  return reply.code(503).type('text/plain; charset=utf-8').send(message);
}

/** In `--artifacts-only` mode, every tracking endpoint answers 503 in plain text (MLflow's `_disable_if_artifacts_only`). */
export function registerUnavailableEndpoints(
  app: FastifyInstance,
  endpoints: Readonly<Record<string, Endpoint>>,
  staticPrefix: string,
): void {
  for (const endpoint of Object.values(endpoints)) {
    const prefixes = endpoint.ajaxOnly ? [staticPrefix + AJAX_PREFIX] : [API_PREFIX, staticPrefix + AJAX_PREFIX];
    for (const prefix of prefixes) {
      app.route({
        method: [...endpoint.methods],
        url: prefix + fastifyPath(endpoint.path),
        handler: async (_request, reply) => unavailable(reply, prefix + endpoint.path, 'artifacts-only'),
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Request pieces
// ---------------------------------------------------------------------------------------------------------------

function urlPath(request: FastifyRequest): string {
  return (request.params as Record<string, string | undefined>)['*'] ?? '';
}

function firstValues(query: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (query !== null && typeof query === 'object') {
    for (const [key, value] of Object.entries(query)) out[key] = Array.isArray(value) ? (value as unknown[])[0] : value;
  }
  return out;
}

/** The request body as bytes: the raw-body parser hands the stream over; without a body it is the request. */
function requestBody(request: FastifyRequest): ByteStream {
  return request.body instanceof Readable ? request.body : request.raw;
}

/** A multipart body's `path` is the client's local file: only its file name is used, and it must be one. */
function multipartFileName(path: string): string {
  const name = safeArtifactPath(path.split(/[\\/]/).pop() ?? '');
  if (name === '' || name.includes('/')) throw RunlogError.invalidParameter('Invalid path');
  return name;
}

/** Yields `source` and fails (400) once more than `max` bytes went through, or when nothing came at all. */
async function* limitedBody(source: ByteStream, max: number): AsyncGenerator<Uint8Array> {
  let size = 0;
  for await (const chunk of source) {
    size += chunk.length;
    if (size > max) throw RunlogError.invalidParameter('Artifact size is too large. Max size is 10MB.');
    yield chunk;
  }
  if (size === 0) throw RunlogError.invalidParameter('Request must specify data.');
}

function relativeTo(prefix: string, files: readonly FileInfo[]): FileInfo[] {
  const cut = prefix === '' ? 0 : prefix.length + 1;
  return files.map((f) => ({ ...f, path: f.path.slice(cut) }));
}

/** `artifacts/list` (also behind GraphQL's `mlflowListArtifacts`): one level below a run's artifact root. */
export async function listRunArtifacts(
  deps: { tracking: TrackingStore; roots: ArtifactRoots },
  input: unknown,
): Promise<{ root_uri: string; files?: FileInfo[] }> {
  const request = parseRequest(artifactEndpoints.listArtifacts.request, input);
  const path = request.path === undefined ? '' : safeArtifactPath(request.path);
  const run = await deps.tracking.getRun(request.run_id);
  const { repo, prefix } = await deps.roots.forRunRoot(run.info.artifact_uri);
  const files = relativeTo(prefix, await repo.list(joinArtifactPath(prefix, path)));
  return { root_uri: run.info.artifact_uri, ...(files.length > 0 ? { files } : {}) };
}

// ---------------------------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------------------------

export function registerArtifactRoutes(app: FastifyInstance, options: ArtifactRouteOptions): void {
  const { tracking, roots, staticPrefix } = options;
  const prefixes = [API_PREFIX, staticPrefix + AJAX_PREFIX];

  const proxied = (handler: Handler): Handler => async (request, reply) =>
    options.serveArtifacts ? handler(request, reply) : unavailable(reply, request.routeOptions.url ?? request.url, 'no-serve-artifacts');
  const trackingSide = (handler: Handler): Handler => async (request, reply) =>
    options.artifactsOnly ? unavailable(reply, request.routeOptions.url ?? request.url, 'artifacts-only') : handler(request, reply);

  // --- mlflow-artifacts: the proxy over the artifacts destination ----------------------------------------------

  const download: Handler = async (request, reply) => {
    const path = safeArtifactPath(urlPath(request));
    const repo = await roots.destination();
    return sendArtifact(reply, path, await repo.get(path));
  };

  const upload: Handler = async (request, reply) => {
    const path = safeArtifactPath(urlPath(request));
    if (path === '') throw RunlogError.invalidParameter('Invalid path');
    const repo = await roots.destination();
    await repo.put(path, requestBody(request));
    return sendJson(reply, {});
  };

  const remove: Handler = async (request, reply) => {
    const path = safeArtifactPath(urlPath(request));
    if (path === '') throw RunlogError.invalidParameter('Invalid path: refusing to delete the artifacts root');
    const repo = await roots.destination();
    await repo.delete(path);
    return sendJson(reply, {});
  };

  const listProxied: Handler = async (request, reply) => {
    const endpoint = artifactEndpoints.listProxiedArtifacts;
    const input = await parseEndpointRequest(request, endpoint);
    const path = input.path === undefined ? '' : safeArtifactPath(input.path);
    const repo = await roots.destination();
    const files = (await repo.list(path)).map((f) => ({ ...f, path: artifactBasename(f.path) }));
    return sendJson(reply, files.length > 0 ? { files } : {});
  };

  const mpuCreate: Handler = async (request, reply) => {
    const directory = safeArtifactPath(urlPath(request));
    const endpoint = artifactEndpoints.createMultipartUpload;
    const input = await parseEndpointRequest(request, endpoint);
    const path = joinArtifactPath(directory, multipartFileName(input.path));
    const { multipart } = await roots.destination();
    if (!multipart) throw new RunlogError('NOT_IMPLEMENTED', MULTIPART_UNSUPPORTED);
    return sendJson(reply, await multipart.create(path, input.num_parts));
  };

  const mpuComplete: Handler = async (request, reply) => {
    const directory = safeArtifactPath(urlPath(request));
    const endpoint = artifactEndpoints.completeMultipartUpload;
    const input = await parseEndpointRequest(request, endpoint);
    const path = joinArtifactPath(directory, multipartFileName(input.path));
    const { multipart } = await roots.destination();
    if (!multipart) throw new RunlogError('NOT_IMPLEMENTED', MULTIPART_UNSUPPORTED);
    const parts = input.parts.map((p) => ({ part_number: p.part_number, etag: p.etag }));
    await multipart.complete(path, input.upload_id, parts);
    return sendJson(reply, {});
  };

  const mpuAbort: Handler = async (request, reply) => {
    const directory = safeArtifactPath(urlPath(request));
    const endpoint = artifactEndpoints.abortMultipartUpload;
    const input = await parseEndpointRequest(request, endpoint);
    const path = joinArtifactPath(directory, multipartFileName(input.path));
    const { multipart } = await roots.destination();
    if (!multipart) throw new RunlogError('NOT_IMPLEMENTED', MULTIPART_UNSUPPORTED);
    await multipart.abort(path, input.upload_id);
    return sendJson(reply, {});
  };

  // --- tracking side: paths relative to a run's artifact root ----------------------------------------------------

  const listRunArtifactsRoute: Handler = async (request, reply) =>
    sendJson(reply, await listRunArtifacts({ tracking, roots }, await requestInput(request, artifactEndpoints.listArtifacts)));

  /** Streams the file at `path` below an artifact root URI (a run's, or a model version's storage location). */
  const sendFileUnder = async (reply: FastifyReply, rootUri: string, path: string, what: string): Promise<FastifyReply> => {
    if (path === '') throw RunlogError.invalidParameter(`Invalid path: '' is the ${what} artifact folder, not a file`);
    const { repo, prefix } = await roots.forRunRoot(rootUri);
    const full = joinArtifactPath(prefix, path);
    let object: ArtifactObject;
    try {
      object = await repo.get(full);
    } catch (err) {
      if (err instanceof RunlogError && err.errorCode === 'RESOURCE_DOES_NOT_EXIST' && (await repo.list(full)).length > 0) {
        throw RunlogError.invalidParameter(`Invalid path: '${path}' is a folder, not a file`);
      }
      throw err;
    }
    return sendArtifact(reply, path, object);
  };

  const getArtifact: Handler = async (request, reply) => {
    const input = parseRequest(getArtifactQuery, firstValues(request.query));
    const path = safeArtifactPath(input.path);
    const run = await tracking.getRun(input.run_id);
    return sendFileUnder(reply, run.info.artifact_uri, path, "run's");
  };

  const getModelVersionArtifact: Handler = async (request, reply) => {
    if (!options.registry) throw new RunlogError('ENDPOINT_NOT_FOUND', 'This server has no model registry');
    const input = parseRequest(modelVersionArtifactQuery, firstValues(request.query));
    const path = safeArtifactPath(input.path);
    // The storage location was validated when the version was created; forRunRoot confines it to this server's roots again.
    const location = await options.registry.getModelVersionDownloadUri(input.name, input.version);
    return sendFileUnder(reply, location, path, "model version's");
  };

  const uploadArtifact: Handler = async (request, reply) => {
    const query = firstValues(request.query);
    const runId = query.run_uuid || query.run_id;
    if (typeof runId !== 'string' || runId === '') throw RunlogError.invalidParameter('Request must specify run_uuid.');
    if (typeof query.path !== 'string' || query.path === '') throw RunlogError.invalidParameter('Request must specify path.');
    const path = safeArtifactPath(query.path);
    if (path === '') throw RunlogError.invalidParameter('Invalid path');
    const declared = Number(request.headers['content-length'] ?? Number.NaN);
    if (declared > MAX_UPLOAD_ARTIFACT_BYTES) {
      throw RunlogError.invalidParameter('Artifact size is too large. Max size is 10MB.');
    }
    if (declared === 0) throw RunlogError.invalidParameter('Request must specify data.');
    const run = await tracking.getRun(runId);
    const { repo, prefix } = await roots.forRunRoot(run.info.artifact_uri);
    await repo.put(joinArtifactPath(prefix, path), limitedBody(requestBody(request), MAX_UPLOAD_ARTIFACT_BYTES));
    return reply.type('application/json').send('');
  };

  for (const prefix of prefixes) {
    app.get(`${prefix}/mlflow-artifacts/artifacts`, proxied(listProxied));
    app.get(`${prefix}/mlflow-artifacts/artifacts/*`, proxied(download));
    app.delete(`${prefix}/mlflow-artifacts/artifacts/*`, proxied(remove));
    app.post(`${prefix}/mlflow-artifacts/mpu/create/*`, proxied(mpuCreate));
    app.post(`${prefix}/mlflow-artifacts/mpu/complete/*`, proxied(mpuComplete));
    app.post(`${prefix}/mlflow-artifacts/mpu/abort/*`, proxied(mpuAbort));
    app.get(`${prefix}${artifactEndpoints.listArtifacts.path}`, trackingSide(listRunArtifactsRoute));
  }
  app.get(`${staticPrefix}/get-artifact`, trackingSide(getArtifact));
  app.get(`${staticPrefix}/model-versions/get-artifact`, trackingSide(getModelVersionArtifact));

  // Upload bodies are any type and any size: in this context no parser buffers or parses them; handlers stream
  // the request itself.
  void app.register((raw, _options, done) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', (_request, payload, done) => {
      done(null, payload);
    });
    for (const prefix of prefixes) raw.put(`${prefix}/mlflow-artifacts/artifacts/*`, proxied(upload));
    raw.post(`${staticPrefix}${AJAX_PREFIX}/mlflow/upload-artifact`, trackingSide(uploadArtifact));
    done();
  });
}
