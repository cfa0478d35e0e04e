/**
 * What Runlog writes into a file store reads back through MLflow 2.17's own Python client (`MlflowClient` on a
 * `file://` URI): experiments, runs, params, tags, metric histories (NaN, ±Inf, nested keys), datasets, deleted
 * entities, and the registry in `models/`.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedPath } from '../../testing/reference-stores.js';
import { createTempFileStore, type TempFileStore } from '../../testing/temp-file-store.js';

const python = sharedPath('mlflow-reference/bin/python', 'MLflow reference client');
const SCRIPT = fileURLToPath(new URL('./fixtures/read_store.py', import.meta.url));

interface Seen {
  experiments: { id: string; name: string; stage: string; location: string; tags: Record<string, string> }[];
  runs: Record<string, {
    name: string;
    experiment_id: string;
    status: string;
    stage: string;
    start_time: number;
    end_time: number | null;
    artifact_uri: string;
    params: Record<string, string>;
    tags: Record<string, string>;
    metrics: Record<string, string>;
    histories: Record<string, [number, string, number][]>;
    datasets: [string, string, string, Record<string, string>][];
  }>;
  models: { name: string; description: string; tags: Record<string, string>; aliases: Record<string, string>; versions: [string, string, string, string, Record<string, string>][]; champion: string | null }[];
}

describe.skipIf(python === undefined)('a Runlog-written file store read by MLflow', () => {
  let temp: TempFileStore;
  let seen: Seen;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    temp = createTempFileStore();
    const { store, registry } = temp;
    ids.exp = await store.createExperiment('interop', undefined, [{ key: 'team', value: 'ml' }]);
    const run = await store.createRun({ experimentId: ids.exp, runName: 'written-by-runlog', startTime: 1000, userId: 'ada' });
    ids.run = run.info.run_id;
    await store.logBatch(
      ids.run,
      [
        { key: 'loss/train', value: 0.5, timestamp: 10, step: 0 },
        { key: 'loss/train', value: 0.25, timestamp: 11, step: 1 },
        { key: 'acc', value: NaN, timestamp: 12, step: 0 },
        { key: 'acc', value: Infinity, timestamp: 13, step: 1 },
        { key: 'big', value: 1e-7, timestamp: 14, step: 2 },
      ],
      [{ key: 'alpha', value: '0.1' }, { key: 'nested/param', value: 'x' }],
      [{ key: 'developer', value: 'grace' }],
    );
    await store.logInputs(ids.run, [
      { dataset: { name: 'ds', digest: 'abc123', source_type: 'local', source: '{"uri": "data.csv"}' }, tags: [{ key: 'mlflow.data.context', value: 'training' }] },
    ]);
    await store.updateRun(ids.run, { status: 'FINISHED', endTime: 2000 });
    const gone = await store.createRun({ experimentId: ids.exp, runName: 'deleted-run', startTime: 3000 });
    ids.gone = gone.info.run_id;
    await store.deleteRun(ids.gone);
    ids.trashed = await store.createExperiment('trashed');
    await store.deleteExperiment(ids.trashed);

    await registry.createRegisteredModel('interop-model', [{ key: 'task', value: 'regression' }], 'from runlog');
    await registry.createModelVersion({ name: 'interop-model', source: `${run.info.artifact_uri}/model`, runId: ids.run });
    await registry.createModelVersion({ name: 'interop-model', source: `${run.info.artifact_uri}/model`, runId: ids.run, tags: [{ key: 'ok', value: 'yes' }] });
    await registry.setRegisteredModelAlias('interop-model', 'champion', '1');
    await registry.transitionModelVersionStage('interop-model', '1', 'Production', false);

    const text = execFileSync(python ?? '', [SCRIPT, pathToFileURL(temp.root).href], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    seen = JSON.parse(text) as Seen;
  }, 120_000);

  afterAll(async () => {
    await temp.cleanup();
  });

  it('sees every experiment, deleted ones in the trash included, with tags and locations', () => {
    const byName = Object.fromEntries(seen.experiments.map((e) => [e.name, e]));
    expect(Object.keys(byName).sort()).toEqual(['Default', 'interop', 'trashed']);
    expect(byName.interop).toMatchObject({ id: ids.exp, stage: 'active', tags: { team: 'ml' }, location: `${pathToFileURL(temp.root).href}/${ids.exp}` });
    expect(byName.trashed?.stage).toBe('deleted');
  });

  it('sees the runs with their status, params, tags, metrics and histories', () => {
    const run = seen.runs[ids.run ?? ''];
    expect(run).toMatchObject({
      name: 'written-by-runlog',
      experiment_id: ids.exp,
      status: 'FINISHED',
      stage: 'active',
      start_time: 1000,
      end_time: 2000,
      params: { alpha: '0.1', 'nested/param': 'x' },
    });
    expect(run?.tags).toMatchObject({ developer: 'grace', 'mlflow.runName': 'written-by-runlog' });
    expect(run?.histories).toEqual({
      'loss/train': [[10, '0.5', 0], [11, '0.25', 1]],
      acc: [[12, 'nan', 0], [13, 'inf', 1]],
      big: [[14, '1e-07', 2]],
    });
    expect(run?.metrics).toEqual({ 'loss/train': '0.25', acc: 'inf', big: '1e-07' });
    expect(run?.datasets).toEqual([['ds', 'abc123', 'local', { 'mlflow.data.context': 'training' }]]);
    expect(seen.runs[ids.gone ?? '']?.stage).toBe('deleted');
  });

  it('sees the registry: description, tags, versions, stage, alias and version tags', () => {
    expect(seen.models).toHaveLength(1);
    const model = seen.models[0];
    expect(model).toMatchObject({ name: 'interop-model', description: 'from runlog', tags: { task: 'regression' }, aliases: { champion: '1' }, champion: '1' });
    expect(model?.versions.map(([v, stage, , runId, tags]) => [v, stage, runId, tags])).toEqual([
      ['1', 'Production', ids.run, {}],
      ['2', 'None', ids.run, { ok: 'yes' }],
    ]);
  });
});
