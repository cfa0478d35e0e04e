export { createApp, type AppStores, type CreateAppOptions } from './app.js';
export { buildServerConfig, type ServerConfig, type ServerFlags } from './config.js';
export { openStores } from './open-stores.js';
export { createSqlTrackingStore, type SqlStoreOptions } from './stores/sql/sql-tracking-store.js';
export { startServer, type RunningServer } from './serve.js';
export { openLocalBackend } from './local-backend.js';
export { createScoringApp, type ScoringAppOptions } from './serving/scoring-app.js';
