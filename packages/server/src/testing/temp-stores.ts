/** Throwaway stores for tests: a SQLite file in a fresh temp dir, or (later) a fresh PostgreSQL schema. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { createApp } from '../app.js';
import { buildServerConfig, type ServerConfig, type ServerFlags } from '../config.js';
import { createSqlTrackingStore, type SqlTrackingStore } from '../stores/sql/sql-tracking-store.js';
import { createSqlRegistryStore } from '../stores/sql/sql-registry-store.js';
import { createSqlTraceStore } from '../stores/sql/traces.js';
import type { RegistryStore, TraceStore } from '@runlog/core';

export interface TempStore {
  store: SqlTrackingStore;
  /** The registry over the same database. */
  registry: RegistryStore;
  /** The trace store over the same database. */
  traces: TraceStore;
  dir: string;
  cleanup(): Promise<void>;
}

export async function createTempSqliteStore(
  defaultArtifactRoot = 'mlflow-artifacts:/',
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-test-')),
): Promise<TempStore> {
  const store = await createSqlTrackingStore({ uri: `sqlite:///${path.join(dir, 'runlog.db')}`, defaultArtifactRoot });
  return {
    store,
    registry: createSqlRegistryStore(store.context),
    traces: createSqlTraceStore(store.context),
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
  /** The temp artifacts destination (`<dir>/artifacts`); created on the first upload. */
  artifactsDir: string;
}

export interface TempAppOptions {
  /** Server flags on top of the temp backend store and artifacts destination (e.g. `serveArtifacts: false`). */
  flags?: ServerFlags;
  /** The tracking store behind the app: a temp SQLite file (default) or a fresh schema of the test PostgreSQL. */
  backend?: 'sqlite' | 'postgres';
  /** Environment the config reads (MLflow's variables); none by default. */
  env?: NodeJS.ProcessEnv;
}

/** An in-process app over a temp store and a temp artifacts destination; drive it with `app.inject`. */
export async function createTempApp(options: TempAppOptions = {}): Promise<TempApp> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-test-'));
  const artifactsDir = path.join(dir, 'artifacts');
  const config = buildServerConfig(
    { backendStoreUri: `sqlite:///${path.join(dir, 'runlog.db')}`, artifactsDestination: artifactsDir, ...options.flags },
    options.env ?? {},
    dir,
  );
  const temp = options.backend === 'postgres' ? await tempPgStoreIn(dir, config.defaultArtifactRoot) : await createTempSqliteStore(config.defaultArtifactRoot, dir);
  const app = await createApp({ config, stores: { tracking: temp.store, registry: temp.registry, traces: temp.traces } });
  return {
    ...temp,
    app,
    config,
    artifactsDir,
    cleanup: async () => {
      await app.close();
      await temp.cleanup();
    },
  };
}

/** A temp PostgreSQL store whose cleanup also removes `dir` (the app's artifacts). */
async function tempPgStoreIn(dir: string, defaultArtifactRoot: string): Promise<TempStore> {
  const temp = await createTempPgStore(defaultArtifactRoot);
  return {
    store: temp.store,
    registry: temp.registry,
    traces: temp.traces,
    dir,
    cleanup: async () => {
      await temp.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const TEST_PG_URL = process.env.RUNLOG_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

/** Whether PostgreSQL answers; outside CI a missing server skips the PostgreSQL runs with a printed reason. */
export async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch (err) {
    if (process.env.CI === 'true') throw new Error(`PostgreSQL is required under CI=true: ${String(err)}`);
    process.stdout.write(`Skipping PostgreSQL tests: cannot connect to ${TEST_PG_URL} (${String(err)})\n`);
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A store in a fresh schema of the test database, dropped on cleanup. */
export async function createTempPgStore(defaultArtifactRoot = 'mlflow-artifacts:/'): Promise<TempStore> {
  const schema = `runlog_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  try {
    await admin.query(`create schema ${schema}`);
  } finally {
    await admin.end();
  }
  const store = await createSqlTrackingStore({ uri: TEST_PG_URL, defaultArtifactRoot, pgSchema: schema, poolSize: 4 });
  return {
    store,
    registry: createSqlRegistryStore(store.context),
    traces: createSqlTraceStore(store.context),
    dir: '',
    cleanup: async () => {
      await store.close();
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      try {
        await c.query(`drop schema if exists ${schema} cascade`);
      } finally {
        await c.end();
      }
    },
  };
}
