import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ServerConfig } from '../config.js';
import { MLFLOW_COMPAT_VERSION } from '../version.js';

/** The built UI page, when the ui workspace has been built next to the server. */
function loadUiPage(): string {
  try {
    const require = createRequire(import.meta.url);
    const uiDir = path.dirname(require.resolve('@runlog/ui/package.json'));
    return fs.readFileSync(path.join(uiDir, 'dist', 'index.html'), 'utf8');
  } catch {
    return '<!doctype html><title>Runlog</title><p>Runlog is running. The UI is not built (npm run build).</p>';
  }
}

export function registerMiscRoutes(app: FastifyInstance, config: ServerConfig): void {
  const page = loadUiPage();
  app.get('/health', async (_req, reply) => reply.type('text/plain; charset=utf-8').send('OK'));
  app.get('/version', async (_req, reply) => reply.type('text/plain; charset=utf-8').send(MLFLOW_COMPAT_VERSION));
  app.get(`${config.staticPrefix}/`, async (_req, reply) =>
    reply.type('text/html; charset=utf-8').header('x-content-type-options', 'nosniff').send(page),
  );
}
