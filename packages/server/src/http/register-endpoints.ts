import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RawJson, stringifyWire, type Endpoint } from '@runlog/core';
import { parseEndpointRequest } from './request-input.js';

export const API_PREFIX = '/api/2.0';
export const AJAX_PREFIX = '/ajax-api/2.0';

type Handler = (req: never) => Promise<unknown>;

/** `/mlflow/traces/{request_id}` → Fastify's `/mlflow/traces/:request_id`. */
export function fastifyPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

/**
 * Registers each endpoint under `/api/2.0` and `/ajax-api/2.0` (the latter behind the static prefix):
 * parse with the endpoint's schema, call its handler, reply with MLflow's JSON encoding.
 */
export function registerEndpoints(
  app: FastifyInstance,
  endpoints: Readonly<Record<string, Endpoint>>,
  handlers: Readonly<Record<string, Handler>>,
  staticPrefix: string,
): void {
  for (const [name, endpoint] of Object.entries(endpoints)) {
    const handler = handlers[name] as ((req: unknown) => Promise<unknown>) | undefined;
    if (!handler) throw new Error(`No handler for endpoint ${name}`);
    const prefixes = endpoint.ajaxOnly ? [staticPrefix + AJAX_PREFIX] : [API_PREFIX, staticPrefix + AJAX_PREFIX];
    const route = async (request: FastifyRequest, reply: FastifyReply) => {
      const parsed = await parseEndpointRequest(request, endpoint);
      const body = await handler(parsed);
      return reply.type('application/json').send(body instanceof RawJson ? body.text : stringifyWire(body));
    };
    for (const prefix of prefixes) {
      app.route({ method: [...endpoint.methods], url: prefix + fastifyPath(endpoint.path), handler: route });
    }
  }
}
