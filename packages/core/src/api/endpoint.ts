import type { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * One REST call: what the server registers and what the REST client calls. `path` is relative to
 * `/api/2.0` (and mirrored under `/ajax-api/2.0`). `Res` is the response body type (phantom).
 */
export interface Endpoint<S extends z.ZodType = z.ZodType, Res = unknown> {
  readonly name: string;
  readonly methods: readonly HttpMethod[];
  /** May hold `{name}` parameters (`/mlflow/traces/{request_id}`): servers merge them into the request. */
  readonly path: string;
  readonly request: S;
  /** Only under `/ajax-api/2.0` (routes the MLflow UI uses that the REST API lacks). */
  readonly ajaxOnly?: boolean;
  /** Fields that are lists; in a GET query string every other repeated key takes its first value. */
  readonly listFields?: readonly string[];
  /** Phantom field carrying the response type; never set at run time. */
  readonly response?: Res;
}

export function endpoint<Res>() {
  return <S extends z.ZodType>(def: Omit<Endpoint<S, Res>, 'response'>): Endpoint<S, Res> => def;
}

const PATH_PARAM = /\{(\w+)\}/g;

/** The names of the `{name}` parameters in an endpoint path, in order. */
export function pathParamNames(path: string): string[] {
  return [...path.matchAll(PATH_PARAM)].map((m) => m[1] ?? '');
}

/**
 * Fills an endpoint path's `{name}` parameters from the request (percent-encoded) and returns the rest of the
 * request for the query or body. A missing or empty parameter is the caller's mistake.
 */
export function fillPath(path: string, request: Readonly<Record<string, unknown>>): { path: string; rest: Record<string, unknown> } {
  const names = pathParamNames(path);
  const filled = path.replace(PATH_PARAM, (_whole, name: string) => {
    const value = request[name];
    if (typeof value !== 'string' && typeof value !== 'number') throw new TypeError(`missing path parameter '${name}'`);
    const text = String(value);
    if (text === '') throw new TypeError(`empty path parameter '${name}'`);
    return encodeURIComponent(text);
  });
  const rest = Object.fromEntries(Object.entries(request).filter(([key]) => !names.includes(key)));
  return { path: filled, rest };
}

export type RequestOf<E> = E extends Endpoint<infer S> ? z.input<S> : never;
export type ParsedRequestOf<E> = E extends Endpoint<infer S> ? z.output<S> : never;
export type ResponseOf<E> = E extends Endpoint<z.ZodType, infer R> ? R : never;
