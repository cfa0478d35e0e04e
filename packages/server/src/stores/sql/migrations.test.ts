import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { RunlogError } from '@runlog/core';
import { closeConnection, connect } from './connect.js';
import { createSqlTrackingStore } from './sql-tracking-store.js';
import { createSqlTraceStore } from './traces.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A SQLite database as the release before traces left it: schema version 2, no trace tables. */
async function versionTwoDatabase(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-migrate-'));
  dirs.push(dir);
  const uri = `sqlite:///${path.join(dir, 'runlog.db')}`;
  await (await createSqlTrackingStore({ uri, defaultArtifactRoot: 'mlflow-artifacts:/' })).close();
  const conn = connect(uri);
  for (const table of ['trace_tags', 'trace_request_metadata', 'trace_info']) await sql`drop table ${sql.table(table)}`.execute(conn.db);
  await conn.db.deleteFrom('schema_migrations').where('version', '=', 3).execute();
  await closeConnection(conn);
  return uri;
}

describe('migration 3 (traces)', () => {
  it('a version-2 database is refused on open and gets the trace tables on upgrade', async () => {
    const uri = await versionTwoDatabase();
    const refused = await createSqlTrackingStore({ uri, defaultArtifactRoot: 'mlflow-artifacts:/' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RunlogError);
    expect((refused as RunlogError).message).toContain('runlog db upgrade');

    const store = await createSqlTrackingStore({ uri, defaultArtifactRoot: 'mlflow-artifacts:/', upgradeSchema: true });
    try {
      const traces = createSqlTraceStore(store.context);
      const info = await traces.startTrace({ experimentId: '0', timestampMs: 7 });
      expect((await traces.getTraceInfo(info.request_id)).timestamp_ms).toBe(7);
    } finally {
      await store.close();
    }
  });
});
