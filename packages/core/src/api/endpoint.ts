import type { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * One REST call: what the server registers and what the REST client calls. `path` is relative to
 * `/api/2.0` (and mirrored under `/ajax-api/2.0`). `Res` is the response body type (phantom).
 */
export interface Endpoint<S extends z.ZodType = z.ZodType, Res = unknown> {
  readonly name: string;
  readonly methods: readonly HttpMethod[];
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

export type RequestOf<E> = E extends Endpoint<infer S> ? z.input<S> : never;
export type ParsedRequestOf<E> = E extends Endpoint<infer S> ? z.output<S> : never;
export type ResponseOf<E> = E extends Endpoint<z.ZodType, infer R> ? R : never;
