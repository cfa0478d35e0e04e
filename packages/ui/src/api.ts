/**
 * The UI's only way to the server: typed calls through `@runlog/core`'s endpoint table, under the
 * `/ajax-api/2.0` paths of the page's own prefix (so `--static-prefix` just works).
 */
import {
  TRACE_ARTIFACT_PATH,
  artifactEndpoints,
  fillPath,
  traceEndpoints,
  tracking,
  type Endpoint,
  type RequestOf,
  type ResponseOf,
} from '@runlog/core';
import { registry } from './registry-endpoints';

export { tracking, artifactEndpoints, registry, traceEndpoints };

/** The server prefix the page was served under: '' at `/`, '/mlflow' under `--static-prefix /mlflow`. */
export function basePrefix(): string {
  if (typeof window === 'undefined') return '';
  const p = window.location.pathname.replace(/[^/]*$/, '');
  return p.endsWith('/') ? p.slice(0, -1) : p;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type Fetcher = (input: string, init?: RequestInit) => Promise<Response>;
let fetcher: Fetcher = (input, init) => fetch(input, init);
/** Tests swap the transport (component tests answer from memory). */
export function setFetcher(f: Fetcher): void {
  fetcher = f;
}

/** A query value as text: scalars as themselves, anything structured as JSON. */
function queryText(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' ? String(v) : JSON.stringify(v);
}

function queryString(request: Record<string, unknown>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(request)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) for (const item of v as unknown[]) q.append(k, queryText(item));
    else q.append(k, queryText(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** One REST call. The request is checked against the endpoint's schema before it leaves the browser. */
export async function call<E extends Endpoint>(ep: E, request: RequestOf<E>, signal?: AbortSignal): Promise<ResponseOf<E>> {
  const checked = ep.request.safeParse(request);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new ApiError(0, 'INVALID_PARAMETER_VALUE', `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid request'}`);
  }
  const method = ep.methods.includes('GET') && ep.methods.length === 1 ? 'GET' : (ep.methods[0] ?? 'POST');
  const filled = fillPath(ep.path, request as Record<string, unknown>);
  const url = `${basePrefix()}/ajax-api/2.0${filled.path}`;
  const body = filled.rest;
  const init: RequestInit = { method, signal: signal ?? null };
  let target = url;
  if (method === 'GET') target += queryString(body);
  else {
    init.headers = { 'content-type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetcher(target, init);
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK', `Cannot reach the Runlog server (${(err as Error).message})`);
  }
  const text = await res.text();
  let json: unknown = {};
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    if (!res.ok) throw new ApiError(res.status, 'HTTP_ERROR', `${res.status} ${res.statusText}: ${text.slice(0, 200)}`);
    throw new ApiError(res.status, 'BAD_RESPONSE', `The server sent something that is not JSON for ${ep.name}`);
  }
  if (!res.ok) {
    const e = json as { error_code?: string; message?: string };
    throw new ApiError(res.status, e.error_code ?? 'HTTP_ERROR', e.message ?? `${res.status} ${res.statusText}`);
  }
  return json as ResponseOf<E>;
}

/** Address of a run artifact's bytes (served by the tracking side's `get-artifact`). */
export function artifactUrl(runId: string, path: string): string {
  return `${basePrefix()}/get-artifact?${new URLSearchParams({ run_id: runId, path }).toString()}`;
}

export async function fetchArtifactText(runId: string, path: string, maxBytes = 2 * 1024 * 1024): Promise<{ text: string; truncated: boolean }> {
  const res = await fetcher(artifactUrl(runId, path));
  if (!res.ok) {
    let msg = `${res.status} ${res.statusText}`;
    try {
      const j = (await res.json()) as { message?: string };
      if (j.message) msg = j.message;
    } catch {
      /* not JSON */
    }
    throw new ApiError(res.status, 'HTTP_ERROR', msg);
  }
  const buf = await res.arrayBuffer();
  const truncated = buf.byteLength > maxBytes;
  const text = new TextDecoder().decode(truncated ? buf.slice(0, maxBytes) : buf);
  return { text, truncated };
}

/** A trace's span data (`traces.json`), from the ajax-only `get-trace-artifact` route. */
export async function fetchTraceData(requestId: string, signal?: AbortSignal): Promise<unknown> {
  const url = `${basePrefix()}/ajax-api/2.0${TRACE_ARTIFACT_PATH}?${new URLSearchParams({ request_id: requestId }).toString()}`;
  const res = await fetcher(url, { signal: signal ?? null });
  const text = await res.text();
  if (!res.ok) {
    let code = 'HTTP_ERROR';
    let message = `${res.status} ${res.statusText}`;
    try {
      const j = JSON.parse(text) as { error_code?: string; message?: string };
      code = j.error_code ?? code;
      message = j.message ?? message;
    } catch {
      /* not JSON */
    }
    throw new ApiError(res.status, code, message);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(res.status, 'BAD_RESPONSE', 'The trace data is not JSON');
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.code && err.code !== 'HTTP_ERROR' ? `${err.message} (${err.code})` : err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
