/** Backend-store URI → store implementation. The only file that knows the concrete stores. */
import {
  createRestRegistryStore,
  createRestTraceStore,
  createRestTrackingStore,
  nodeHttpTransport,
  trackingAuthHeaders,
  trackingCredentialsFromEnv,
} from '@runlog/client';
import type { ServerConfig } from './config.js';
import type { AppStores } from './app.js';
import { openArtifactRepo } from './artifacts/open-artifact-repo.js';
import { createFileRegistryStore } from './stores/file/file-registry-store.js';
import { fileStoreFolder } from './stores/file/file-store-uri.js';
import { createFileTrackingStore } from './stores/file/file-tracking-store.js';
import { createFileTraceStore } from './stores/file/traces.js';
import { createSqlRegistryStore } from './stores/sql/sql-registry-store.js';
import { createSqlTrackingStore } from './stores/sql/sql-tracking-store.js';
import { createSqlTraceStore } from './stores/sql/traces.js';

export async function openStores(
  config: Pick<ServerConfig, 'backendStoreUri' | 'defaultArtifactRoot'> &
    Partial<Pick<ServerConfig, 'serveArtifacts' | 'artifactsDestination' | 'dbPoolSize'>>,
): Promise<AppStores> {
  // The destination is opened up front, so a bad --artifacts-destination fails at start rather than on first use.
  const artifacts =
    config.serveArtifacts && config.artifactsDestination !== undefined
      ? await openArtifactRepo(config.artifactsDestination)
      : undefined;
  if (/^https?:\/\//i.test(config.backendStoreUri)) {
    // Another tracking server as the backend store (as MLflow allows): its REST API through the SDK's stores.
    const transport = nodeHttpTransport(config.backendStoreUri, { headers: trackingAuthHeaders(trackingCredentialsFromEnv(process.env)) });
    return {
      tracking: createRestTrackingStore(transport),
      registry: createRestRegistryStore(transport),
      traces: createRestTraceStore(transport),
      artifacts,
    };
  }
  // A file: URI or a bare path is MLflow's file store (MLflow reads both that way; SQL backends need a scheme).
  const folder = fileStoreFolder(config.backendStoreUri);
  if (folder !== undefined) {
    const fileTracking = createFileTrackingStore({ root: folder, defaultArtifactRoot: config.defaultArtifactRoot });
    return {
      tracking: fileTracking,
      registry: createFileRegistryStore(fileTracking.context),
      traces: createFileTraceStore(fileTracking.context),
      artifacts,
    };
  }
  const tracking = await createSqlTrackingStore({
    uri: config.backendStoreUri,
    defaultArtifactRoot: config.defaultArtifactRoot,
    ...(config.dbPoolSize !== undefined ? { poolSize: config.dbPoolSize } : {}),
  });
  return { tracking, registry: createSqlRegistryStore(tracking.context), traces: createSqlTraceStore(tracking.context), artifacts };
}
