import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunlogError } from '@runlog/core';
import { buildServerConfig } from './config.js';
import { parseStoreUri } from './stores/sql/connect.js';

describe('server configuration', () => {
  it('defaults to MLflow-like values under ./runlog-data', () => {
    const c = buildServerConfig({}, {}, '/srv/x');
    expect(c.host).toBe('127.0.0.1');
    expect(c.port).toBe(5000);
    expect(c.workers).toBe(1);
    expect(c.dbPoolSize).toBe(10);
    expect(c.serveArtifacts).toBe(true);
    expect(c.defaultArtifactRoot).toBe('mlflow-artifacts:/');
    expect(c.artifactsDestination).toBe(path.join('/srv/x', 'runlog-data', 'artifacts'));
    expect(parseStoreUri(c.backendStoreUri, '/srv/x')).toEqual({ kind: 'sqlite', file: '/srv/x/runlog-data/runlog.db' });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('takes flags over MLflow environment variables', () => {
    const env = { MLFLOW_PORT: '6000', MLFLOW_HOST: '0.0.0.0', RUNLOG_DB_POOL_SIZE: '3' };
    expect(buildServerConfig({}, env, '/w')).toMatchObject({ port: 6000, host: '0.0.0.0', dbPoolSize: 3 });
    expect(buildServerConfig({ port: '7000', dbPoolSize: '5' }, env, '/w')).toMatchObject({ port: 7000, dbPoolSize: 5 });
  });

  it("reads MLflow's GraphQL limits from the environment (default 10) and refuses non-positive ones", () => {
    expect(buildServerConfig({}, {}, '/w')).toMatchObject({ graphqlMaxRootFields: 10, graphqlMaxAliases: 10 });
    const env = { MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS: '3', MLFLOW_SERVER_GRAPHQL_MAX_ALIASES: '20' };
    expect(buildServerConfig({}, env, '/w')).toMatchObject({ graphqlMaxRootFields: 3, graphqlMaxAliases: 20 });
    for (const bad of ['0', '-1', '2.5', 'ten']) {
      expect(() => buildServerConfig({}, { MLFLOW_SERVER_GRAPHQL_MAX_ALIASES: bad }, '/w')).toThrow(/MLFLOW_SERVER_GRAPHQL_MAX_ALIASES/);
    }
  });

  it.each([
    [{ port: '70000' }],
    [{ port: 'abc' }],
    [{ workers: '0' }],
    [{ dbPoolSize: '0' }],
    [{ staticPrefix: 'noslash' }],
    [{ staticPrefix: '/trailing/' }],
  ])('refuses %j', (flags) => {
    expect(() => buildServerConfig(flags, {}, '/w')).toThrow(RunlogError);
  });
});

describe('backend store URIs', () => {
  it.each([
    ['sqlite:///rel.db', { kind: 'sqlite', file: '/cwd/rel.db' }],
    ['sqlite:////abs/dir/x.db', { kind: 'sqlite', file: '/abs/dir/x.db' }],
    ['postgresql://u:p@h:5432/db', { kind: 'postgres', connectionString: 'postgresql://u:p@h:5432/db' }],
    ['postgres://h/db', { kind: 'postgres', connectionString: 'postgresql://h/db' }],
    ['postgresql+psycopg2://u@h/db', { kind: 'postgres', connectionString: 'postgresql://u@h/db' }],
  ])('%s', (uri, expected) => {
    expect(parseStoreUri(uri, '/cwd')).toEqual(expected);
  });

  it.each(['sqlite://', 'sqlite:///:memory:', 'mysql://h/db', 'file:./mlruns'])('refuses %s', (uri) => {
    expect(() => parseStoreUri(uri, '/cwd')).toThrow(RunlogError);
  });
});
