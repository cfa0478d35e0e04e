/**
 * The SDK's fluent API and RunlogClient in both modes: remote (a spawned `runlog server`) and local (a SQLite
 * file opened in-process, no server). Experiments by name, system tags, params/tags/metrics, nested runs,
 * FAILED on throw, artifacts, dataset inputs, paging iterators, MLflow error codes, and the metric buffer
 * flushed when a child process ends without awaiting anything.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RunlogError } from '@runlog/core';
import * as runlog from '@runlog/client';
import { RunlogClient } from '@runlog/client';
import { startSpawnedServer, type SpawnedServer } from '../packages/server/src/testing/spawned-server.js';
import { rejection } from './helpers/rejection.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLIENT_DIST = path.join(ROOT, 'packages/client/dist/index.js');

function tags(run: { data: { tags?: { key: string; value: string }[] } }): Record<string, string> {
  return Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));
}

interface Mode {
  name: string;
  setup(): Promise<string>;
  teardown(): Promise<void>;
}

let server: SpawnedServer | undefined;
let localDir: string | undefined;

const modes: Mode[] = [
  {
    name: 'remote',
    setup: async () => (server = await startSpawnedServer()).url,
    teardown: async () => server?.stop(),
  },
  {
    name: 'local',
    setup: () => {
      localDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-local-'));
      return Promise.resolve(`sqlite:///${path.join(localDir, 'runlog.db')}`);
    },
    teardown: () => {
      if (localDir) fs.rmSync(localDir, { recursive: true, force: true });
      return Promise.resolve();
    },
  },
];

describe.each(modes)('SDK in $name mode', (mode) => {
  let uri: string;
  let client: RunlogClient;

  beforeAll(async () => {
    uri = await mode.setup();
    client = new RunlogClient({ trackingUri: uri, env: {} });
  });
  afterAll(async () => {
    await client.close();
    await runlog.getClient().close();
    await mode.teardown();
  });
  beforeEach(() => {
    runlog.resetFluentState({ MLFLOW_TRACKING_USERNAME: 'ada' });
    runlog.setTrackingUri(uri);
  });

  it('sets experiments by name (creating once), and logs params, tags and metrics with MLflow system tags', async () => {
    const exp = await runlog.setExperiment('fluent-basics');
    expect((await runlog.setExperiment('fluent-basics')).experiment_id).toBe(exp.experiment_id);
    const run = await runlog.startRun({ runName: 'first', tags: { team: 'x' } });
    expect(runlog.activeRun()?.runId).toBe(run.runId);
    await runlog.logParams({ lr: 0.01, depth: 6 });
    await runlog.logParam('optimizer', 'adam');
    await runlog.setTags({ stage: 'dev' });
    for (let step = 0; step < 2500; step++) runlog.logMetric('loss', 1 / (step + 1), { step });
    runlog.logMetrics({ acc: 0.9, f1: 0.8 }, { step: 3 });
    runlog.logMetric('odd', Number.NaN, { step: 0 });
    runlog.logMetric('odd', Number.POSITIVE_INFINITY, { step: 1 });
    runlog.logMetric('odd', Number.NEGATIVE_INFINITY, { step: 2 });
    await runlog.endRun();
    expect(runlog.activeRun()).toBeUndefined();

    const stored = await client.getRun(run.runId);
    expect(stored.info).toMatchObject({ status: 'FINISHED', run_name: 'first', experiment_id: exp.experiment_id, user_id: 'ada' });
    expect(stored.info.end_time).toBeGreaterThanOrEqual(stored.info.start_time);
    const t = tags(stored);
    expect(t).toMatchObject({ 'mlflow.user': 'ada', 'mlflow.source.type': 'LOCAL', 'mlflow.runName': 'first', team: 'x', stage: 'dev' });
    expect(t['mlflow.source.name']).toBeTruthy();
    expect(t['mlflow.source.git.commit']).toMatch(/^[0-9a-f]{40}$/); // this repository is a git checkout
    expect(Object.fromEntries((stored.data.params ?? []).map((p) => [p.key, p.value]))).toEqual({ lr: '0.01', depth: '6', optimizer: 'adam' });
    const history = await client.getMetricHistory(run.runId, 'loss');
    expect(history).toHaveLength(2500);
    expect(history.map((m) => m.step)).toEqual(Array.from({ length: 2500 }, (_, i) => i));
    expect((await client.getMetricHistory(run.runId, 'acc'))[0]).toMatchObject({ value: 0.9, step: 3 });
    expect((await client.getMetricHistory(run.runId, 'odd')).map((m) => m.value)).toEqual([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
  });

  it('nests runs, refuses a second top-level run, and ends a run FAILED when its function throws', async () => {
    await runlog.setExperiment('fluent-nesting');
    let childId = '';
    const parentId = await runlog.withRun(async (parent) => {
      const err = await rejection(runlog.startRun());
      expect(err.errorCode).toBe('INVALID_STATE');
      await runlog.withRun((child) => {
        childId = child.runId;
        expect(child.parentRunId).toBe(parent.runId);
        runlog.logMetric('inner', 1);
      });
      expect(runlog.activeRun()?.runId).toBe(parent.runId);
      return parent.runId;
    });
    const child = await client.getRun(childId);
    expect(tags(child)['mlflow.parentRunId']).toBe(parentId);
    expect(child.info.status).toBe('FINISHED');
    expect(await client.getMetricHistory(childId, 'inner')).toHaveLength(1);

    let failedId = '';
    await expect(
      runlog.withRun((run) => {
        failedId = run.runId;
        runlog.logMetric('before_failure', 2, { step: 1 });
        throw new Error('diverged');
      }),
    ).rejects.toThrow('diverged');
    const failed = await client.getRun(failedId);
    expect(failed.info.status).toBe('FAILED');
    expect(await client.getMetricHistory(failedId, 'before_failure')).toHaveLength(1); // flushed before ending
    expect(runlog.activeRun()).toBeUndefined();
  });

  it('refuses a bad metric key at the call, before anything is buffered', async () => {
    await runlog.withRun(() => {
      expect(() => runlog.logMetric('../escape', 1)).toThrow(RunlogError);
      expect(() => runlog.logMetric('ok', 1, { step: 1.5 })).toThrow(/step/);
    });
    expect(() => runlog.logMetric('x', 1)).toThrow(/No active run/);
    await runlog.withRun(() => {
      expect(() => runlog.setTrackingUri('http://127.0.0.1:1')).toThrow(/end it before switching/);
    });
  });

  it('logs artifacts (text, dict, table, image, files) and dataset inputs', async () => {
    await runlog.setExperiment('fluent-artifacts');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-art-'));
    fs.writeFileSync(path.join(dir, 'notes.md'), '# notes');
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const runId = await runlog.withRun(async (run) => {
      await runlog.logText('hello', 'texts/hello.txt');
      await runlog.logDict({ a: 1, b: [1, 2] }, 'config/params.json');
      await runlog.logDict({ a: 1 }, 'config/params.yaml');
      await runlog.logTable({ x: [1, 2], y: ['a', 'b'] }, 'tables/t.json');
      await runlog.logImage(png, 'plots/p.png');
      await expect(runlog.logImage(Uint8Array.from([1, 2, 3]), 'plots/bad.png')).rejects.toThrow(/PNG/);
      await runlog.logArtifact(path.join(dir, 'notes.md'));
      await runlog.logArtifacts(dir, 'folder');
      await runlog.logInput(runlog.datasetFromRecords('iris', [{ a: 1, b: 2.5, c: 'x' }], 's3://bucket/iris.csv'), 'training');
      return run.runId;
    });
    const listed = (await client.listArtifacts(runId)).map((f) => `${f.path}${f.is_dir ? '/' : ''}`);
    expect(listed).toEqual(['config/', 'folder/', 'notes.md', 'plots/', 'tables/', 'texts/']);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-dl-'));
    await client.downloadArtifacts(runId, '', out);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'config/params.json'), 'utf8'))).toEqual({ a: 1, b: [1, 2] });
    expect(fs.readFileSync(path.join(out, 'config/params.yaml'), 'utf8')).toBe('a: 1\n');
    expect(JSON.parse(fs.readFileSync(path.join(out, 'tables/t.json'), 'utf8'))).toEqual({ columns: ['x', 'y'], data: [[1, 'a'], [2, 'b']] });
    expect(fs.readFileSync(path.join(out, 'plots/p.png')).equals(Buffer.from(png))).toBe(true);
    expect(fs.readFileSync(path.join(out, 'folder/notes.md'), 'utf8')).toBe('# notes');
    const run = await client.getRun(runId);
    expect(JSON.parse(tags(run)['mlflow.loggedArtifacts'] ?? '[]')).toEqual([{ path: 'tables/t.json', type: 'table' }]);
    const input = run.inputs.dataset_inputs?.[0];
    expect(input?.tags).toEqual([{ key: 'mlflow.data.context', value: 'training' }]);
    expect(input?.dataset).toMatchObject({ name: 'iris', source_type: 's3', source: '{"uri":"s3://bucket/iris.csv"}' });
    expect(JSON.parse(input?.dataset.schema ?? '{}')).toEqual({
      mlflow_colspec: [
        { type: 'long', name: 'a', required: true },
        { type: 'double', name: 'b', required: true },
        { type: 'string', name: 'c', required: true },
      ],
    });
  });

  it('RunlogClient: pages through runs and experiments with async iterators, and raises MLflow error codes', async () => {
    const experimentId = await client.createExperiment('client-paging', { tags: { owner: 'ada' } });
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add((await client.createRun({ experimentId, runName: `r${i}` })).info.run_id);
    const seen: string[] = [];
    for await (const run of client.iterateRuns({ experimentIds: [experimentId], maxResults: 2 })) seen.push(run.info.run_id);
    expect(new Set(seen)).toEqual(ids);
    expect(seen).toHaveLength(5);
    const names: string[] = [];
    for await (const exp of client.iterateExperiments({ maxResults: 1 })) names.push(exp.name);
    expect(names).toContain('client-paging');
    expect(await client.getExperimentByName('no-such-experiment')).toBeUndefined();
    expect((await rejection(client.getRun('0123456789abcdef0123456789abcdef'))).errorCode).toBe('RESOURCE_DOES_NOT_EXIST');
    expect((await rejection(client.createExperiment('client-paging'))).errorCode).toBe('RESOURCE_ALREADY_EXISTS');
    const runId = [...ids][0]!;
    await client.logParam(runId, 'p', 1);
    expect((await rejection(client.logParam(runId, 'p', 2))).errorCode).toBe('INVALID_PARAMETER_VALUE');
    await client.logBatch(runId, {
      metrics: Array.from({ length: 2500 }, (_, step) => ({ key: 'm', value: step, timestamp: 1, step })),
      params: Array.from({ length: 150 }, (_, i) => ({ key: `p${i}`, value: String(i) })),
    });
    expect(await client.getMetricHistory(runId, 'm')).toHaveLength(2500);
    const bulk = await client.getMetricHistoryBulk([runId], 'm', 10);
    expect(bulk).toHaveLength(10);
    expect(bulk[0]).toMatchObject({ run_id: runId, key: 'm' });
    // MLflow's sampling: five picks at a stride of 500, plus the last step.
    expect((await client.getMetricHistoryBulkInterval([runId], 'm', { maxResults: 5 })).map((p) => p.step)).toEqual([0, 500, 1000, 1500, 2000, 2499]);
    expect((await client.getRun(runId)).data.params).toHaveLength(151);
    await client.setTerminated(runId, 'KILLED');
    expect((await client.getRun(runId)).info.status).toBe('KILLED');
  });

  it('flushes buffered metrics and ends the run when a process ends without awaiting', async () => {
    const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-exit-')), 'train.mjs');
    fs.writeFileSync(
      script,
      [
        `import * as runlog from ${JSON.stringify(pathToFileURL(CLIENT_DIST).href)};`,
        `await runlog.setExperiment('exit-flush');`,
        `const run = await runlog.startRun();`,
        `process.stdout.write(run.runId);`,
        `for (let step = 0; step < 30000; step++) runlog.logMetric('loss', step / 7, { step });`,
      ].join('\n'),
    );
    const child = spawnSync(process.execPath, [script], { env: { ...process.env, MLFLOW_TRACKING_URI: uri, RUNLOG_TRACKING_URI: '' }, encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const runId = child.stdout.trim();
    expect(runId).toMatch(/^[0-9a-f]{32}$/);
    const run = await client.getRun(runId);
    expect(run.info.status).toBe('FINISHED');
    expect(await client.getMetricHistory(runId, 'loss')).toHaveLength(30000);
  }, 90_000);
});
