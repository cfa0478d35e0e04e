/**
 * A file store written by MLflow 2.17.2's own client (the shared reference stores) opens unchanged: every
 * experiment, run, param, tag, metric point and registered model on disk reads back through the stores.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '@runlog/core';
import { copyWritable, sharedPath } from '../../testing/reference-stores.js';
import { createTempFileStore, type TempFileStore } from '../../testing/temp-file-store.js';

const reference = sharedPath('reference/mlflow-stores/filestore/mlruns', 'MLflow-written file store');
const EXPERIMENT = '569083044719917530';

/** Files under a folder as key → content (keys with `/` are nested files). */
function keyFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const abs = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, abs).split(path.sep).join('/')] = fs.readFileSync(abs, 'utf8');
  }
  return out;
}

const asMap = (list: readonly { key: string; value: string }[] | undefined): Record<string, string> =>
  Object.fromEntries((list ?? []).map((kv) => [kv.key, kv.value]));

describe.skipIf(reference === undefined)('a file store written by MLflow 2.17', () => {
  let temp: TempFileStore;
  let source: string;

  beforeAll(() => {
    source = reference ?? '';
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-mlflow-store-'));
    copyWritable(source, path.join(dir, 'mlruns'));
    temp = createTempFileStore(path.join(dir, 'mlruns'));
  });
  afterAll(async () => {
    await temp.cleanup();
    fs.rmSync(path.dirname(temp.root), { recursive: true, force: true });
  });

  it('lists every experiment, active and deleted, with its tags', async () => {
    const page = await temp.store.searchExperiments({ viewType: 'ALL', maxResults: 100 });
    const byName = Object.fromEntries(page.items.map((e) => [e.name, e]));
    expect(Object.keys(byName).sort()).toEqual(['Default', 'deleted-experiment', 'nyc-taxi-experiment']);
    expect(byName['deleted-experiment']?.lifecycle_stage).toBe('deleted');
    const exp = await temp.store.getExperiment(EXPERIMENT);
    expect(asMap(exp.tags)).toEqual({ team: 'ml', 'mlflow.note.content': 'taxi' });
    expect(exp.creation_time).toBe(1796393583596);
    // The store was written under another folder; its artifact location now points into this copy.
    expect(exp.artifact_location).toBe(`file://${path.join(temp.root, EXPERIMENT)}`);
  });

  it('reads every run folder back: info, params, tags, latest metrics and full histories', async () => {
    const expDir = path.join(source, EXPERIMENT);
    const runIds = fs.readdirSync(expDir).filter((n) => /^[0-9a-f]{32}$/.test(n));
    expect(runIds).toHaveLength(6);
    const all = await temp.store.searchRuns({ experimentIds: [EXPERIMENT], viewType: 'ALL', maxResults: 100 });
    expect(all.items.map((r) => r.info.run_id).sort()).toEqual([...runIds].sort());
    for (const runId of runIds) {
      const run: Run = await temp.store.getRun(runId);
      const dir = path.join(expDir, runId);
      expect(asMap(run.data.params)).toEqual(keyFiles(path.join(dir, 'params')));
      expect(asMap(run.data.tags)).toEqual(keyFiles(path.join(dir, 'tags')));
      expect(run.info.run_name).toBe(fs.readFileSync(path.join(dir, 'tags', 'mlflow.runName'), 'utf8'));
      expect(run.info.artifact_uri).toBe(`file://${path.join(temp.root, EXPERIMENT, runId, 'artifacts')}`);
      for (const [key, text] of Object.entries(keyFiles(path.join(dir, 'metrics')))) {
        const lines = text.trim().split('\n');
        const history = await temp.store.getMetricHistory(runId, key);
        expect(history.items).toHaveLength(lines.length);
        expect(history.items.map((m) => `${m.timestamp} ${m.step}`).sort()).toEqual(
          lines.map((l) => l.split(' ')).map(([ts, , step]) => `${ts} ${step ?? '0'}`).sort(),
        );
        expect(run.data.metrics?.some((m) => m.key === key)).toBe(true);
      }
    }
  });

  it('keeps MLflow values: finished status, NaN and +Inf points, the deleted run, the dataset input', async () => {
    const runs = await temp.store.searchRuns({ experimentIds: [EXPERIMENT], viewType: 'ALL', maxResults: 100 });
    const byName = Object.fromEntries(runs.items.map((r) => [r.info.run_name, r]));
    const baseline = byName.baseline;
    expect(baseline?.info.status).toBe('FINISHED');
    expect(baseline?.info.user_id).toBe('root');
    expect(baseline?.data.metrics?.find((m) => m.key === 'rmse')).toMatchObject({ value: 0.2, step: 49 });
    expect(baseline?.data.metrics?.find((m) => m.key === 'nan_metric')?.value).toBeNaN();
    expect(baseline?.data.metrics?.find((m) => m.key === 'inf_metric')?.value).toBe(Infinity);
    expect(baseline?.inputs.dataset_inputs?.[0]).toMatchObject({
      dataset: { name: 'green-2021-01', digest: '2f2885e3', source_type: 'local' },
      tags: [{ key: 'mlflow.data.context', value: 'training' }],
    });
    expect(byName['to-delete']?.info.lifecycle_stage).toBe('deleted');
    const active = await temp.store.searchRuns({ experimentIds: [EXPERIMENT], viewType: 'ACTIVE_ONLY', maxResults: 100 });
    expect(active.items).toHaveLength(5);
    const trials = await temp.store.searchRuns({
      experimentIds: [EXPERIMENT],
      viewType: 'ACTIVE_ONLY',
      maxResults: 100,
      filter: "params.model = 'xgboost' and metrics.rmse < 6.4",
      orderBy: ['metrics.rmse ASC'],
    });
    expect(trials.items.map((r) => r.info.run_name)).toEqual(['trial-2', 'trial-1']);
    expect(await temp.store.searchDatasets([EXPERIMENT])).toEqual([
      { experiment_id: EXPERIMENT, name: 'green-2021-01', digest: '2f2885e3', context: 'training' },
    ]);
  });

  it('reads the registry in models/: tags, description, versions, alias, stage, version tag', async () => {
    const model = await temp.registry.getRegisteredModel('nyc-taxi-regressor');
    expect(model.description).toBe('duration model');
    expect(model.tags).toEqual([{ key: 'task', value: 'regression' }]);
    expect(model.aliases).toEqual([{ alias: 'champion', version: '1' }]);
    expect(model.latest_versions?.map((v) => [v.version, v.current_stage])).toEqual([
      ['1', 'Production'],
      ['2', 'None'],
    ]);
    const v1 = await temp.registry.getModelVersionByAlias('nyc-taxi-regressor', 'champion');
    expect(v1).toMatchObject({ version: '1', current_stage: 'Production', run_id: '3aefa63aa4bd497a9b7dfc890d9223ad', description: '' });
    const v2 = await temp.registry.getModelVersion('nyc-taxi-regressor', '2');
    expect(asMap(v2.tags)).toEqual(keyFiles(path.join(source, 'models', 'nyc-taxi-regressor', 'version-2', 'tags')));
    const search = await temp.registry.searchModelVersions({ maxResults: 10, filter: "name = 'nyc-taxi-regressor'" });
    expect(search.items.map((v) => v.version).sort()).toEqual(['1', '2']);
  });

  it('accepts new writes beside MLflow data, leaving the source folder untouched', async () => {
    const run = await temp.store.createRun({ experimentId: EXPERIMENT, runName: 'runlog-run' });
    await temp.store.logBatch(run.info.run_id, [{ key: 'rmse', value: 1.5, timestamp: 1, step: 0 }], [{ key: 'p', value: 'v' }], []);
    expect((await temp.store.getRun(run.info.run_id)).data.params).toEqual([{ key: 'p', value: 'v' }]);
    expect(fs.existsSync(path.join(source, EXPERIMENT, run.info.run_id))).toBe(false);
  });
});
