/** Backend-store URI → store implementation. The only file that knows the concrete stores. */
import type { ServerConfig } from './config.js';
import type { AppStores } from './app.js';
import { createSqlTrackingStore } from './stores/sql/sql-tracking-store.js';

export async function openStores(config: Pick<ServerConfig, 'backendStoreUri' | 'defaultArtifactRoot'>): Promise<AppStores> {
  const tracking = await createSqlTrackingStore({
    uri: config.backendStoreUri,
    defaultArtifactRoot: config.defaultArtifactRoot,
  });
  return { tracking };
}
