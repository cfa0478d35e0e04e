/** The TrackingStore over MLflow's `mlruns` folder (MLflow's FileStore layout), composing the per-entity modules. */
import fs from 'node:fs';
import type { TrackingStore } from '@runlog/core';
import type { FileContext } from './context.js';
import * as experiments from './experiments.js';
import { StoreLayout } from './layout.js';
import * as history from './metric-history.js';
import { RunIndex } from './run-index.js';
import * as runs from './runs.js';
import { searchDatasets, searchRuns } from './search-runs.js';

export interface FileStoreOptions {
  /** The store folder (created with experiment 0 when missing, as MLflow does). */
  root: string;
  /** Root of new experiments' artifact locations; MLflow's default is the store folder itself (`file:///…/mlruns`). */
  defaultArtifactRoot: string;
  /**
   * fsync run writes before acknowledging them (default true). Off, a crash of the process still loses nothing
   * (the writes are in the OS's cache) but a power loss may lose the last ones; for seeding benchmarks.
   */
  sync?: boolean;
}

export interface FileTrackingStore extends TrackingStore {
  readonly context: FileContext;
}

/** Opens (or creates) a file store. Calls are synchronous file I/O wrapped as promises; errors become rejections. */
export function createFileTrackingStore(options: FileStoreOptions): FileTrackingStore {
  const layout = new StoreLayout(options.root);
  const ctx: FileContext = { layout, defaultArtifactRoot: options.defaultArtifactRoot, runs: new RunIndex(layout), sync: options.sync ?? true };
  fs.mkdirSync(layout.root, { recursive: true });
  experiments.createDefaultExperiment(ctx);
  fs.mkdirSync(layout.trash, { recursive: true });
  const run = <T>(fn: () => T | Promise<T>): Promise<T> => {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  };
  return {
    context: ctx,
    createExperiment: (name, location, tags) => experiments.createExperiment(ctx, name, location, tags),
    getExperiment: (id) => run(() => experiments.requireExperiment(ctx, id).experiment),
    getExperimentByName: (name) => run(() => experiments.getExperimentByName(ctx, name)),
    searchExperiments: (q) => run(() => experiments.searchExperiments(ctx, q)),
    deleteExperiment: (id) => experiments.setExperimentLifecycle(ctx, id, 'deleted'),
    restoreExperiment: (id) => experiments.setExperimentLifecycle(ctx, id, 'active'),
    renameExperiment: (id, name) => experiments.renameExperiment(ctx, id, name),
    setExperimentTag: (id, tag) => run(() => experiments.setExperimentTag(ctx, id, tag)),
    deleteExperimentTag: (id, key) => run(() => experiments.deleteExperimentTag(ctx, id, key)),
    createRun: (input) => run(() => runs.createRun(ctx, input)),
    getRun: (id) => run(() => runs.getRun(ctx, id)),
    updateRun: (id, input) => run(() => runs.updateRun(ctx, id, input)),
    deleteRun: (id) => run(() => runs.setRunLifecycle(ctx, id, 'deleted')),
    restoreRun: (id) => run(() => runs.setRunLifecycle(ctx, id, 'active')),
    logBatch: (id, m, p, t) => run(() => runs.logBatch(ctx, id, m, p, t)),
    deleteTag: (id, key) => run(() => runs.deleteTag(ctx, id, key)),
    logInputs: (id, datasets) => run(() => runs.logInputs(ctx, id, datasets)),
    recordLoggedModel: (id, model) => run(() => runs.recordLoggedModel(ctx, id, model)),
    searchRuns: (q) => run(() => searchRuns(ctx, q)),
    getMetricHistory: (id, key, q) => run(() => history.getMetricHistory(ctx, id, key, q)),
    getMetricHistoryBulkInterval: (q) => run(() => history.getMetricHistoryBulkInterval(ctx, q)),
    getMetricHistoryBulk: (ids, key, max) => run(() => history.getMetricHistoryBulk(ctx, ids, key, max)),
    searchDatasets: (ids) => run(() => searchDatasets(ctx, ids)),
    close: () => Promise.resolve(),
  };
}
