/**
 * HTTP transport for the REST stores: MLflow's JSON encoding both ways, error bodies turned back into
 * RunlogError, retries only for statuses MLflow's client treats as transient.
 */
import {
  ERROR_CODE_HTTP_STATUS,
  RunlogError,
  fillPath,
  isErrorCode,
  parseWire,
  stringifyWire,
  type Endpoint,
  type ErrorCode,
  type HttpMethod,
  type RequestOf,
  type ResponseOf,
} from '@runlog/core';
import { isRetryableStatus, retryPolicy, withRetries, type RetryOptions } from './retry.js';

export interface HttpRequest {
  method: HttpMethod;
  path: string;
  query?: Record<string, string | string[]>;
  body?: string;
  headers?: Record<string, string>;
}

export interface HttpResponse {
  status: number;
  text: string;
}

export type Transport = (request: HttpRequest) => Promise<HttpResponse>;

/** Transport options: extra headers, and the retry policy (retry.ts). */
export interface FetchTransportOptions extends RetryOptions {
  headers?: Record<string, string>;
}

function buildUrl(base: string, path: string, query: Record<string, string | string[]> | undefined): string {
  const url = new URL(base.replace(/\/+$/, '') + path);
  for (const [k, v] of Object.entries(query ?? {})) {
    for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, item);
  }
  return url.toString();
}

/** Credentials as MLflow's clients take them: Basic when both username and password are set, else Bearer token. */
export interface TrackingCredentials {
  token?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
}

/** The `Authorization` header for `credentials` (none when there are none); pass it as `headers`. */
export function trackingAuthHeaders(credentials: TrackingCredentials): Record<string, string> {
  const { token, username, password } = credentials;
  if (username && password) {
    const bytes = new TextEncoder().encode(`${username}:${password}`);
    return { authorization: `Basic ${btoa(String.fromCharCode(...bytes))}` };
  }
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** MLflow's credential variables: `MLFLOW_TRACKING_USERNAME`/`MLFLOW_TRACKING_PASSWORD`, `MLFLOW_TRACKING_TOKEN`. */
export function trackingCredentialsFromEnv(env: Readonly<Record<string, string | undefined>>): TrackingCredentials {
  return { token: env.MLFLOW_TRACKING_TOKEN, username: env.MLFLOW_TRACKING_USERNAME, password: env.MLFLOW_TRACKING_PASSWORD };
}

/** A Transport over global fetch against `baseUrl` (the tracking URI). */
export function fetchTransport(baseUrl: string, options: FetchTransportOptions = {}): Transport {
  const policy = retryPolicy(options);
  return (req) =>
    withRetries(
      policy,
      async () => {
        const res = await fetch(buildUrl(baseUrl, req.path, req.query), {
          method: req.method,
          headers: { ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers, ...req.headers },
          ...(req.body !== undefined ? { body: req.body } : {}),
        });
        return { status: res.status, text: await res.text() };
      },
      { retryResult: (res) => isRetryableStatus(res.status) },
    );
}

/** An error response (`{error_code, message}`, or any other body) as a RunlogError; the status picks the code otherwise. */
export function errorFromResponse(res: HttpResponse): RunlogError {
  try {
    const body = JSON.parse(res.text) as { error_code?: unknown; message?: unknown };
    if (isErrorCode(body.error_code)) {
      return new RunlogError(body.error_code, typeof body.message === 'string' ? body.message : res.text);
    }
  } catch {
    // not JSON: fall through to the status
  }
  const code =
    (Object.entries(ERROR_CODE_HTTP_STATUS).find(([, status]) => status === res.status)?.[0] as ErrorCode | undefined) ??
    'INTERNAL_ERROR';
  return new RunlogError(code, `HTTP ${res.status}: ${res.text.slice(0, 500)}`);
}

function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? '';
}

function toQuery(request: Record<string, unknown>): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(request)) {
    if (v === undefined || v === null) continue;
    query[k] = Array.isArray(v) ? v.map((item) => scalarText(item)) : scalarText(v);
  }
  return query;
}

/** Calls one endpoint of the table through a transport, under `/api/2.0` (or `/ajax-api/2.0`). */
export async function callEndpoint<E extends Endpoint>(
  transport: Transport,
  endpoint: E,
  request: RequestOf<E>,
): Promise<ResponseOf<E>> {
  const method = endpoint.methods[0] ?? 'POST';
  const filled = fillPath(endpoint.path, request as Record<string, unknown>);
  const path = `${endpoint.ajaxOnly ? '/ajax-api/2.0' : '/api/2.0'}${filled.path}`;
  const res =
    method === 'GET'
      ? await transport({ method, path, query: toQuery(filled.rest) })
      : await transport({ method, path, body: stringifyWire(filled.rest) });
  if (res.status !== 200) throw errorFromResponse(res);
  return (res.text.trim() === '' ? {} : parseWire(res.text)) as ResponseOf<E>;
}
