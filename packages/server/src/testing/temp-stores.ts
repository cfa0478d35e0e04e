/** Throwaway stores for tests: a SQLite file in a fresh temp dir, or (later) a fresh PostgreSQL schema. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createApp } from '../app.js';
import { buildServerConfig, type ServerConfig } from '../config.js';
import { createSqlTrackingStore, type SqlTrackingStore } from '../stores/sql/sql-tracking-store.js';

export interface TempStore {
  store: SqlTrackingStore;
  dir: string;
  cleanup(): Promise<void>;
}

export async function createTempSqliteStore(defaultArtifactRoot = 'mlflow-artifacts:/'): Promise<TempStore> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-test-'));
  const store = await createSqlTrackingStore({ uri: `sqlite:///${path.join(dir, 'runlog.db')}`, defaultArtifactRoot });
  return {
    store,
    dir,
    cleanup: async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TempApp extends TempStore {
  app: FastifyInstance;
  config: ServerConfig;
}

/** An in-process app over a temp SQLite store; drive it with `app.inject`. */
export async function createTempApp(): Promise<TempApp> {
  const temp = await createTempSqliteStore();
  const config = buildServerConfig({ backendStoreUri: `sqlite:///${path.join(temp.dir, 'runlog.db')}` }, {}, temp.dir);
  const app = await createApp({ config, stores: { tracking: temp.store } });
  return {
    ...temp,
    app,
    config,
    cleanup: async () => {
      await app.close();
      await temp.cleanup();
    },
  };
}
