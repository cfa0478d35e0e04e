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
import { listRunArtifacts, registerArtifactRoutes, registerUnavailableEndpoints } from './http/artifact-routes.js';
import { installErrorHandling } from './http/errors.js';
import { installHostCheck } from './http/host-check.js';
import { installCors } from './http/cors.js';
import { timeoutOptions } from './http/timeouts.js';
import { registerHealthRoute } from './http/health.js';
import { installPrometheus } from './http/prometheus.js';
import { installAccessLog, loggerOptions } from './http/access-log.js';
import { parseJsonBody } from './http/request-input.js';
import { registerEndpoints } from './http/register-endpoints.js';
import { trackingHandlers } from './http/tracking-handlers.js';
import { registryHandlers } from './http/registry-handlers.js';
import { registerMiscRoutes } from './http/misc-routes.js';
import { createPromptlabRun } from './http/promptlab.js';
import { gatewayProxy } from './http/gateway-proxy.js';
import { createGraphqlService } from './graphql/execute.js';
import { registerGraphqlRoutes } from './graphql/graphql-routes.js';
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
  /** Where `--log-format json` lines go (default stdout); tests pass a stream. */
  logDestination?: NodeJS.WritableStream | undefined;
}

export const BODY_LIMIT_BYTES = 64 * 1024 * 1024;

export async function createApp({ config, stores, logger = false, logDestination }: CreateAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logger ? { level: 'info' } : false,
    ...loggerOptions(config.logFormat, logDestination),
    bodyLimit: BODY_LIMIT_BYTES,
    ...timeoutOptions(config),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
    // `//model-versions/get-artifact` is that route in MLflow (its suite calls it so). Only leading slashes are
    // folded: inside a path a doubled slash is data (an absolute artifact path) and must reach the path checks.
    rewriteUrl: (req) => (req.url ?? '/').replace(/^\/{2,}/, '/'),
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    done(null, parseJsonBody(body as string));
  });
  // Any other type is parsed as JSON too; routes that require application/json check the header themselves.
  // (Artifact uploads register their own raw-body context: see http/artifact-routes.ts.)
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    done(null, parseJsonBody(body as string));
  });
  installErrorHandling(app);
  installHostCheck(app, config.allowedHosts);
  await installCors(app, config.corsAllowedOrigins);
  if (config.exposePrometheus) installPrometheus(app);
  if (config.logFormat === 'json') installAccessLog(app);
  registerMiscRoutes(app, config);
  const trackingStore = stores.tracking;
  registerHealthRoute(app, trackingStore.ping && !config.artifactsOnly ? () => trackingStore.ping?.() ?? Promise.resolve() : undefined);

  const roots = createArtifactRoots(config, stores.openArtifactRepo ?? openArtifactRepo, stores.artifacts);
  if (config.artifactsOnly) {
    registerUnavailableEndpoints(app, tracking, config.staticPrefix);
    registerUnavailableEndpoints(app, registry, config.staticPrefix);
    registerUnavailableEndpoints(app, traceEndpoints, config.staticPrefix);
  } else {
    const handlers = trackingHandlers(stores.tracking);
    // Handlers that need the artifact roots. artifact_location is attacker-chosen and later resolved against storage: checked against this server's roots.
    const checked: typeof handlers = {
      ...handlers,
      createExperiment: async (request) => {
        if (!request.artifact_location) return handlers.createExperiment(request);
        const policy = { localRoots: roots.localRoots, relativeBase: process.cwd() };
        return handlers.createExperiment({
          ...request,
          artifact_location: validateArtifactLocationUri(request.artifact_location, policy),
        });
      },
      createPromptlabRun: (request) => createPromptlabRun(request, { tracking: stores.tracking, roots }),
      // The UI lists endpoints with a GET and invokes one with a POST carrying json_data.
      gatewayProxy: (request) =>
        gatewayProxy(request, request.json_data === undefined ? 'GET' : 'POST', config.deploymentsTarget),
    };
    registerEndpoints(app, tracking, checked, config.staticPrefix);
    const registryRoutes = stores.registry ? registryHandlers({ registry: stores.registry, tracking: stores.tracking, roots }) : undefined;
    if (registryRoutes) registerEndpoints(app, registry, registryRoutes, config.staticPrefix);
    const graphql = createGraphqlService(
      { tracking: checked, registry: registryRoutes, listArtifacts: (input) => listRunArtifacts({ tracking: stores.tracking, roots }, input) },
      { maxRootFields: config.graphqlMaxRootFields, maxAliases: config.graphqlMaxAliases },
      (err) => app.log.error({ err }, 'unhandled error in a GraphQL resolver'),
    );
    registerGraphqlRoutes(app, graphql, config.staticPrefix);
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
