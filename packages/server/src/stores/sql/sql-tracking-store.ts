/** The TrackingStore on SQLite or PostgreSQL: composes the per-entity modules over one connection. */
import { sql } from 'kysely';
import type { TrackingStore } from '@runlog/core';
import { closeConnection, connect, type ConnectOptions } from './connect.js';
import type { SqlContext } from './context.js';
import * as experiments from './experiments.js';
import * as metricReads from './metric-reads.js';
import { migrate } from './migrations.js';
import * as runData from './run-data.js';
import * as runs from './runs.js';
import { searchRuns } from './search-runs.js';
import { searchDatasets } from './datasets.js';

export interface SqlStoreOptions extends ConnectOptions {
  uri: string;
  defaultArtifactRoot: string;
  /** Upgrade an existing older schema on open; by default only a fresh database is set up, others refused. */
  upgradeSchema?: boolean;
}

export interface SqlTrackingStore extends TrackingStore {
  readonly context: SqlContext;
}

export async function createSqlTrackingStore(options: SqlStoreOptions): Promise<SqlTrackingStore> {
  const conn = connect(options.uri, options);
  const ctx: SqlContext = { conn, db: conn.db, dialect: conn.dialect, defaultArtifactRoot: options.defaultArtifactRoot };
  try {
    await migrate(
      conn.db,
      conn.dialect,
      (trx) => experiments.initDefaultExperiment(trx, options.defaultArtifactRoot),
      !(options.upgradeSchema ?? false),
    );
    // A database set up by `runlog db upgrade` has no artifact root for experiment 0 yet.
    await conn.db.transaction().execute((trx) => experiments.initDefaultExperiment(trx, options.defaultArtifactRoot));
  } catch (err) {
    await closeConnection(conn);
    throw err;
  }
  return {
    context: ctx,
    createExperiment: (name, location, tags) => experiments.createExperiment(ctx, name, location, tags),
    getExperiment: (id) => experiments.getExperiment(ctx, id),
    getExperimentByName: (name) => experiments.getExperimentByName(ctx, name),
    searchExperiments: (q) => experiments.searchExperiments(ctx, q),
    deleteExperiment: (id) => experiments.setExperimentLifecycle(ctx, id, 'deleted'),
    restoreExperiment: (id) => experiments.setExperimentLifecycle(ctx, id, 'active'),
    renameExperiment: (id, name) => experiments.renameExperiment(ctx, id, name),
    setExperimentTag: (id, tag) => experiments.setExperimentTag(ctx, id, tag),
    deleteExperimentTag: (id, key) => experiments.deleteExperimentTag(ctx, id, key),
    createRun: (input) => runs.createRun(ctx, input),
    getRun: (id) => runs.getRun(ctx, id),
    updateRun: (id, input) => runs.updateRun(ctx, id, input),
    deleteRun: (id) => runs.setRunLifecycle(ctx, id, 'deleted'),
    restoreRun: (id) => runs.setRunLifecycle(ctx, id, 'active'),
    logBatch: (id, m, p, t) => runData.logBatch(ctx, id, m, p, t),
    deleteTag: (id, key) => runData.deleteTag(ctx, id, key),
    logInputs: (id, datasets) => runData.logInputs(ctx, id, datasets),
    recordLoggedModel: (id, model) => runData.recordLoggedModel(ctx, id, model),
    searchRuns: (q) => searchRuns(ctx, q),
    getMetricHistory: (id, key, q) => metricReads.getMetricHistory(ctx, id, key, q),
    getMetricHistoryJson: (id, key, q) => metricReads.getMetricHistoryJson(ctx, id, key, q),
    getMetricHistoryBulkInterval: (q) => metricReads.getMetricHistoryBulkInterval(ctx, q),
    getMetricHistoryBulk: (ids, key, max) => metricReads.getMetricHistoryBulk(ctx, ids, key, max),
    searchDatasets: (ids) => searchDatasets(ctx, ids),
    ping: async () => {
      await sql`select 1`.execute(conn.db);
    },
    close: () => closeConnection(conn),
  };
}
