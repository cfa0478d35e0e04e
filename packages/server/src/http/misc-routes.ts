import type { FastifyInstance } from 'fastify';
import type { ServerConfig } from '../config.js';
import { MLFLOW_COMPAT_VERSION, RUNLOG_VERSION } from '../version.js';

const PLACEHOLDER_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Runlog</title>
<style>body{font:16px system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}
code{background:#f3f3f3;padding:.1rem .3rem;border-radius:3px}</style></head>
<body><h1>Runlog</h1><p>The tracking server is running. The web UI is not built into this version yet.</p>
<p>Point MLflow's Python client here: <code>MLFLOW_TRACKING_URI=http://&lt;this host&gt;</code></p>
<p>Health: <a href="health">health</a> · Version: <a href="version">version</a></p></body></html>`;

export function registerMiscRoutes(app: FastifyInstance, config: ServerConfig): void {
  app.get('/health', async (_req, reply) => reply.type('text/plain; charset=utf-8').send('OK'));
  app.get('/version', async (_req, reply) => reply.type('text/plain; charset=utf-8').send(MLFLOW_COMPAT_VERSION));
  app.get(`${config.staticPrefix}/`, async (_req, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('x-runlog-version', RUNLOG_VERSION)
      .header('x-content-type-options', 'nosniff')
      .send(PLACEHOLDER_PAGE),
  );
}
