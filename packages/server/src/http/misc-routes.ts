import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ServerConfig } from '../config.js';
import { MLFLOW_COMPAT_VERSION } from '../version.js';
import { uiSecurityHeaders } from './security-headers.js';

/** The built UI's directory (packages/ui/dist), when the ui workspace has been built next to the server. */
function uiDistDir(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    return path.join(path.dirname(require.resolve('@runlog/ui/package.json')), 'dist');
  } catch {
    return undefined;
  }
}

/** The built UI page. */
function loadUiPage(dist: string | undefined): string {
  try {
    if (!dist) throw new Error('no ui package');
    return fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  } catch {
    return '<!doctype html><title>Runlog</title><p>Runlog is running. The UI is not built (npm run build).</p>';
  }
}

const ASSET_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};
const ASSET_NAME = /^[A-Za-z0-9._-]+$/;

/**
 * The UI's hashed build assets (`<prefix>/assets/<name>`): immutable, sent precompressed (`<name>.gz`, written by
 * the UI build) when the client accepts gzip. Names are a flat allow-listed pattern: no path ever reaches the
 * file system from the URL.
 */
function registerUiAssets(app: FastifyInstance, prefix: string, dist: string | undefined, headers: Readonly<Record<string, string>>): void {
  const assets = dist ? path.join(dist, 'assets') : undefined;
  app.get<{ Params: { name: string } }>(`${prefix}/assets/:name`, async (req, reply) => {
    const name = req.params.name;
    const type = ASSET_TYPES[path.extname(name)];
    void reply.headers(headers);
    if (!assets || !ASSET_NAME.test(name) || name.startsWith('.') || !type) {
      return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
    }
    const file = path.join(assets, name);
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    let body: Buffer;
    let encoded = false;
    try {
      if (gzip && fs.existsSync(`${file}.gz`)) {
        body = await fs.promises.readFile(`${file}.gz`);
        encoded = true;
      } else {
        body = await fs.promises.readFile(file);
      }
    } catch {
      return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
    }
    if (encoded) reply.header('content-encoding', 'gzip');
    return reply
      .type(type)
      .header('vary', 'accept-encoding')
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(body);
  });
}

export function registerMiscRoutes(app: FastifyInstance, config: ServerConfig): void {
  const dist = uiDistDir();
  const page = loadUiPage(dist);
  const headers = uiSecurityHeaders(page);
  app.get('/version', async (_req, reply) => reply.type('text/plain; charset=utf-8').send(MLFLOW_COMPAT_VERSION));
  const sendPage = async (_req: unknown, reply: FastifyReply): Promise<FastifyReply> =>
    reply
      .type('text/html; charset=utf-8')
      .headers(headers)
      .header('cache-control', 'no-cache')
      .send(page);
  app.get(`${config.staticPrefix}/`, sendPage);
  app.get(`${config.staticPrefix}/index.html`, sendPage);
  registerUiAssets(app, config.staticPrefix, dist, headers);
}
