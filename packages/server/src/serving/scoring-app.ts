/**
 * MLflow's scoring server contract (`mlflow models serve`, mlflow-registry-auth-models.md §6) over a loaded
 * model: `/ping` and `/health`, `/version`, `/invocations` (JSON in four forms, or CSV; other content types 415
 * text/plain; `{"predictions": …}` on success; `{error_code, message}` 400s for bad input or a failing model),
 * and `/metrics` (Prometheus text: request count and latency per route).
 */
import { performance } from 'node:perf_hooks';
import Fastify, { type FastifyInstance } from 'fastify';
import { RunlogError } from '@runlog/core';
import { parseScoringCsv, parseScoringJson, scoringContentType, type LoadedModel } from '@runlog/client';
import { RUNLOG_VERSION } from '../version.js';
import { ScoringMetrics } from './scoring-metrics.js';

export interface ScoringAppOptions {
  logger?: boolean;
  /** Largest request body accepted (default 100 MiB). */
  bodyLimit?: number;
}

const KNOWN_ROUTES = new Set(['/ping', '/health', '/version', '/invocations', '/metrics']);

function errorBody(code: string, message: string, stack?: string): string {
  return JSON.stringify({ error_code: code, message, ...(stack !== undefined ? { stack_trace: stack } : {}) });
}

export function createScoringApp(model: LoadedModel, options: ScoringAppOptions = {}): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: options.bodyLimit ?? 100 * 1024 * 1024 });
  const metrics = new ScoringMetrics();
  const started = new WeakMap<object, number>();

  // Bodies arrive as text whatever their type: the route decides (415 for anything but JSON and CSV).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.addHook('onRequest', (request, _reply, done) => {
    started.set(request.raw, performance.now());
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const path = request.url.split('?')[0] ?? '';
    const t0 = started.get(request.raw);
    if (t0 !== undefined) metrics.observe(KNOWN_ROUTES.has(path) ? path : 'other', reply.statusCode, (performance.now() - t0) / 1000);
    done();
  });

  const ping = (): string => '\n';
  app.get('/ping', async (_req, reply) => reply.type('application/json').send(ping()));
  app.get('/health', async (_req, reply) => reply.type('application/json').send(ping()));
  app.get('/version', async (_req, reply) => reply.type('text/plain; charset=utf-8').send(RUNLOG_VERSION));
  app.get('/metrics', async (_req, reply) => reply.type('text/plain; version=0.0.4; charset=utf-8').send(metrics.render()));

  app.post('/invocations', async (request, reply) => {
    const kind = scoringContentType(request.headers['content-type']);
    if (kind === undefined) {
      return reply
        .status(415)
        .type('text/plain; charset=utf-8')
        .send(
          `This predictor only supports the following content types: Types: ['text/csv', 'application/json']. ` +
            `Got '${request.headers['content-type'] ?? ''}'.`,
        );
    }
    const text = typeof request.body === 'string' ? request.body : '';
    let prediction: unknown;
    try {
      const parsed = kind === 'json' ? parseScoringJson(text) : parseScoringCsv(text);
      prediction = await model.predict(parsed.input, parsed.params);
    } catch (err) {
      if (err instanceof RunlogError) return reply.status(400).type('application/json').send(errorBody('BAD_REQUEST', err.message));
      const message = err instanceof Error ? err.message : String(err);
      return reply
        .status(400)
        .type('application/json')
        .send(errorBody('BAD_REQUEST', `Encountered an unexpected error while evaluating the model: ${message}`, err instanceof Error ? err.stack : undefined));
    }
    return reply.type('application/json').send(JSON.stringify({ predictions: prediction }));
  });

  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .type('application/json')
      .send(errorBody('ENDPOINT_NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0] ?? ''}`));
  });
  return app;
}
