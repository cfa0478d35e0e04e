/** The one composition root: config + stores → a Fastify app with every route registered. */
import Fastify, { type FastifyInstance } from 'fastify';
import {
  registry,
  traceEndpoints,
  tracking,
  validateArtifactLocationUri,
  type ArtifactRepo,
  type RegistryStore,
  type TraceStore,
  type TrackingStore,
} from '@runlog/core';
import type { ServerConfig } from './config.js';
import { createArtifactRoots } from './artifacts/artifact-roots.js';
import { openArtifactRepo } from './artifacts/open-artifact-repo.js';
import { registerArtifactRoutes, registerUnavailableEndpoints } from './http/artifact-routes.js';
import { installErrorHandling } from './http/errors.js';
import { parseLenientJson } from './http/request-input.js';
import { registerEndpoints } from './http/register-endpoints.js';
import { trackingHandlers } from './http/tracking-handlers.js';
import { registryHandlers } from './http/registry-handlers.js';
import { registerMiscRoutes } from './http/misc-routes.js';
import { registerTraceArtifactRoute, traceHandlers } from './http/trace-handlers.js';

export interface AppStores {
  tracking: TrackingStore;
  /** The model registry; without one, registry routes answer 404 ENDPOINT_NOT_FOUND. */
  registry?: RegistryStore | undefined;
  /** MLflow Tracing's trace records; without one, trace routes answer 404 ENDPOINT_NOT_FOUND. */
  traces?: TraceStore | undefined;
  /** The artifacts destination's repo; when absent it is opened from `config.artifactsDestination` on first use. */
  artifacts?: ArtifactRepo | undefined;
  /** Opens the repo of an artifact root URI (destination, default artifact root). Default: `openArtifactRepo`. */
  openArtifactRepo?: ((uri: string) => Promise<ArtifactRepo>) | undefined;
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
  // (Artifact uploads register their own raw-body context: see http/artifact-routes.ts.)
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    done(null, parseLenientJson(body as string));
  });
  installErrorHandling(app);
  registerMiscRoutes(app, config);

  const roots = createArtifactRoots(config, stores.openArtifactRepo ?? openArtifactRepo, stores.artifacts);
  if (config.artifactsOnly) {
    registerUnavailableEndpoints(app, tracking, config.staticPrefix);
    registerUnavailableEndpoints(app, registry, config.staticPrefix);
    registerUnavailableEndpoints(app, traceEndpoints, config.staticPrefix);
  } else {
    const handlers = trackingHandlers(stores.tracking);
    // artifact_location is attacker-chosen and later resolved against storage: checked against this server's roots.
    const checked: typeof handlers = {
      ...handlers,
      createExperiment: async (request) => {
        if (request.artifact_location) {
          validateArtifactLocationUri(request.artifact_location, { localRoots: roots.localRoots });
        }
        return handlers.createExperiment(request);
      },
    };
    registerEndpoints(app, tracking, checked, config.staticPrefix);
    if (stores.registry) {
      registerEndpoints(app, registry, registryHandlers({ registry: stores.registry, tracking: stores.tracking, roots }), config.staticPrefix);
    }
    if (stores.traces) {
      registerEndpoints(app, traceEndpoints, traceHandlers(stores.traces), config.staticPrefix);
      registerTraceArtifactRoute(app, { traces: stores.traces, roots, staticPrefix: config.staticPrefix });
    }
  }
  registerArtifactRoutes(app, {
    tracking: stores.tracking,
    registry: stores.registry,
    roots,
    staticPrefix: config.staticPrefix,
    serveArtifacts: config.serveArtifacts,
    artifactsOnly: config.artifactsOnly,
  });
  await app.ready();
  return app;
}
