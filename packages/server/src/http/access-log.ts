/**
 * `--log-format json`: one structured JSON line per request (pino, through Fastify's logger) with a request id
 * generated here (a client-sent id is never trusted or echoed), the route pattern, status and duration.
 * Headers, bodies and query strings are not logged: they carry tokens and user data.
 */
import crypto from 'node:crypto';
import { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';

export type LogFormat = 'none' | 'json';

export function loggerOptions(
  format: LogFormat,
  destination?: NodeJS.WritableStream,
): Pick<FastifyServerOptions, 'logger' | 'logController' | 'genReqId' | 'requestIdHeader'> {
  if (format === 'none') return {};
  return {
    logger: { level: 'info', ...(destination ? { stream: destination } : {}) },
    // Fastify's own two lines per request are replaced by the one access line below.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: false,
    genReqId: () => crypto.randomUUID(),
  };
}

export function installAccessLog(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? null,
        path: request.url.split('?')[0],
        status: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime * 1000) / 1000,
        remote_address: request.ip,
      },
      'request',
    );
  });
}
