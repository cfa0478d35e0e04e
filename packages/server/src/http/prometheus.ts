/**
 * `--expose-prometheus`: `/metrics` for the tracking server. Requests are counted and timed per route
 * pattern (never the raw URL: ids in paths would make one series per run), plus the metric points ingested.
 * Each process keeps its own registry; with `--workers N` a scrape sees the worker that answered it.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Points a successful log-batch / log-metric request ingested. */
function pointsIn(request: FastifyRequest, route: string): number {
  if (route.endsWith('/mlflow/runs/log-metric')) return 1;
  if (!route.endsWith('/mlflow/runs/log-batch')) return 0;
  const body: unknown = request.body;
  if (typeof body !== 'object' || body === null) return 0;
  const metrics = (body as { metrics?: unknown }).metrics;
  return Array.isArray(metrics) ? metrics.length : 0;
}

export function installPrometheus(app: FastifyInstance): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'runlog_' });
  const requests = new Counter({
    name: 'runlog_http_requests_total',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'runlog_http_request_duration_seconds',
    help: 'HTTP request latency by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const points = new Counter({
    name: 'runlog_metric_points_ingested_total',
    help: 'Metric points stored through log-batch and log-metric',
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    // Unmatched URLs share one label, so a scanner cannot grow the series count.
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    if (reply.statusCode === 200) {
      const n = pointsIn(request, route);
      if (n > 0) points.inc(n);
    }
  });
  app.get('/metrics', async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  return registry;
}
