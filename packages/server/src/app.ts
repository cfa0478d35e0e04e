/** The one composition root: config + stores → a Fastify app with every route registered. */
import Fastify, { type FastifyInstance } from 'fastify';
import { tracking, type TrackingStore } from '@runlog/core';
import type { ServerConfig } from './config.js';
import { installErrorHandling } from './http/errors.js';
import { parseLenientJson } from './http/request-input.js';
import { registerEndpoints } from './http/register-endpoints.js';
import { trackingHandlers } from './http/tracking-handlers.js';
import { registerMiscRoutes } from './http/misc-routes.js';

export interface AppStores {
  tracking: TrackingStore;
}

export interface CreateAppOptions {
  config: ServerConfig;
  stores: AppStores;
  logger?: boolean;
}

export const BODY_LIMIT_BYTES = 64 * 1024 * 1024;

export async function createApp({ config, stores, logger = false }: CreateAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logger ? { level: 'info' } : false,
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    done(null, parseLenientJson(body as string));
  });
  // Any other type is parsed as JSON too; routes that require application/json check the header themselves.
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    done(null, parseLenientJson(body as string));
  });
  installErrorHandling(app);
  registerMiscRoutes(app, config);
  if (!config.artifactsOnly) {
    registerEndpoints(app, tracking, trackingHandlers(stores.tracking), config.staticPrefix);
  }
  await app.ready();
  return app;
}
