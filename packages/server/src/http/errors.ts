/** Every failure leaves as MLflow's `{error_code, message}` JSON with the code's HTTP status. */
import type { FastifyError, FastifyInstance } from 'fastify';
import { RunlogError, type ErrorCode } from '@runlog/core';

function codeForStatus(status: number): ErrorCode {
  if (status === 404) return 'ENDPOINT_NOT_FOUND';
  if (status === 413) return 'RESOURCE_EXHAUSTED';
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'PERMISSION_DENIED';
  if (status === 429) return 'REQUEST_LIMIT_EXCEEDED';
  return status < 500 ? 'BAD_REQUEST' : 'INTERNAL_ERROR';
}

/** `/a/:id/b` → a RegExp matching concrete paths of that route. */
function paramRoutePattern(url: string): RegExp {
  const escaped = url.split(/:\w+/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('[^/]+')}/?$`);
}

export function installErrorHandling(app: FastifyInstance): void {
  // Routes with path parameters, so a wrong method on `/mlflow/traces/<id>` is a 405 too (hasRoute wants the pattern).
  const paramRoutes = new Map<string, RegExp>();
  app.addHook('onRoute', (route) => {
    if (route.url.includes('/:') && !paramRoutes.has(route.url)) paramRoutes.set(route.url, paramRoutePattern(route.url));
  });
  app.setErrorHandler((error: FastifyError | RunlogError | Error, request, reply) => {
    if (error instanceof RunlogError) {
      void reply.status(error.httpStatus).type('application/json').send(JSON.stringify(error.toJSON()));
      return;
    }
    const status = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'unhandled error');
    const message = status >= 500 ? 'Internal server error' : error.message;
    void reply
      .status(status === 413 ? 413 : status >= 500 ? 500 : 400)
      .type('application/json')
      .send(JSON.stringify({ error_code: codeForStatus(status), message }));
  });
  app.setNotFoundHandler((request, reply) => {
    const url = request.url.split('?')[0] ?? '';
    // A known path asked with the wrong method is 405 with an Allow header, as MLflow's Flask does, but in JSON.
    const urls = [url, ...[...paramRoutes].filter(([, pattern]) => pattern.test(url)).map(([route]) => route)];
    const allowed = METHODS.filter((method) => method !== request.method && urls.some((u) => app.hasRoute({ method, url: u })));
    if (allowed.length > 0) {
      void reply.header('allow', allowed.join(', '));
    }
    void reply
      .status(allowed.length > 0 ? 405 : 404)
      .type('application/json')
      .send(
        JSON.stringify({
          error_code: 'ENDPOINT_NOT_FOUND',
          message:
            allowed.length > 0
              ? `Method ${request.method} is not allowed for ${url}; use ${allowed.join(' or ')}`
              : `No API endpoint found for ${request.method} ${url}`,
        }),
      );
  });
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
