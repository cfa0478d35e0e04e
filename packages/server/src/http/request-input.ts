/**
 * Turns a Fastify request into the plain object an endpoint schema parses, the way MLflow's handlers read
 * requests: GET from the query string (repeated keys for list fields, first value otherwise; a JSON body
 * when there is no query), everything else from a leniently parsed JSON body.
 */
import type { FastifyRequest } from 'fastify';
import { RunlogError, parseRequest, type Endpoint } from '@runlog/core';
import type { z } from 'zod';

/** Parsed JSON body → its text, kept so a validation error can echo a number as the caller wrote it (`9.0`). */
const rawBodies = new WeakMap<object, string>();

/** The content-type parser's work: lenient JSON, remembering the text behind an object body. */
export function parseJsonBody(text: string): unknown {
  const value = parseLenientJson(text);
  if (value !== null && typeof value === 'object') rawBodies.set(value, text);
  return value;
}

/** MLflow treats unparseable JSON as `{}` and decodes a JSON string holding JSON a second time. */
export function parseLenientJson(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    let value: unknown = JSON.parse(text);
    if (typeof value === 'string') value = JSON.parse(value);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
  } catch {
    return {};
  }
}

function fromQuery(query: Record<string, unknown>, listFields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    if (listFields.includes(key)) out[key] = Array.isArray(value) ? value : [value];
    else out[key] = Array.isArray(value) ? (value as unknown[])[0] : value;
  }
  return out;
}

export function checkJsonContentType(request: FastifyRequest): void {
  const header = request.headers['content-type'];
  if (header === undefined) {
    throw RunlogError.invalidParameter(
      "Bad Request. Missing Content-Type header. Expected 'application/json'.",
    );
  }
  const type = header.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw RunlogError.invalidParameter(
      `Bad Request. Content-Type must be one of ['application/json']. Got '${header.slice(0, 100)}'.`,
    );
  }
}

const MAX_GET_BODY_BYTES = 1024 * 1024;

/** Fastify never parses a GET body; MLflow reads one when a GET has no query string. */
async function readGetBody(request: FastifyRequest): Promise<unknown> {
  const length = Number(request.headers['content-length'] ?? 0);
  if (!(length > 0) && request.headers['transfer-encoding'] === undefined) return {};
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.raw) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > MAX_GET_BODY_BYTES) throw RunlogError.invalidParameter('GET request body is too large.');
    chunks.push(buf);
  }
  return parseLenientJson(Buffer.concat(chunks).toString('utf8'));
}

export async function requestInput(request: FastifyRequest, endpoint: Endpoint): Promise<unknown> {
  const body = request.body;
  if (request.method === 'GET') {
    const query = (request.query ?? {}) as Record<string, unknown>;
    if (Object.keys(query).length > 0) return fromQuery(query, endpoint.listFields ?? []);
    return readGetBody(request);
  }
  if (request.method === 'POST' || request.method === 'PUT') checkJsonContentType(request);
  return body !== null && typeof body === 'object' && !Buffer.isBuffer(body) ? body : {};
}

/** `requestInput` parsed with the endpoint's schema (or `schema`), MLflow's messages on failure. */
export async function parseEndpointRequest<S extends z.ZodType>(
  request: FastifyRequest,
  endpoint: Endpoint<S>,
): Promise<z.output<S>> {
  const input = await requestInput(request, endpoint);
  const raw = input !== null && typeof input === 'object' ? rawBodies.get(input) : undefined;
  // Path parameters (`/mlflow/traces/{request_id}`) win over same-named body fields, as in MLflow's handlers.
  const params = endpoint.path.includes('{') ? (request.params as Record<string, string> | undefined) : undefined;
  const merged = params && Object.keys(params).length > 0 ? { ...(input as object), ...params } : input;
  return parseRequest(endpoint.request, merged, raw);
}
