/**
 * Drives a real Runlog HTTP server with the third-party npm client `mlflow` (2.0.7), the way a Node user would.
 * The client console.logs every POST body; that is silenced here.
 */
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { RunStatus, ViewType } from 'mlflow/enum.js';
import { createTempApp, type TempApp } from '../packages/server/src/testing/temp-stores.js';

// The package is CommonJS with `module.exports = MLflow`, while its typings declare `export default`:
// load it the way Node does so the runtime value and the type agree.
type MLflowClass = (typeof import('mlflow'))['default'];
const loadCjs = createRequire(import.meta.url);
const MLflow = loadCjs('mlflow') as MLflowClass;

interface ClientFailure {
  status: number;
  data: { error_code?: string; message?: string } | null;
}

/** The client throws `Error("Error: {status, statusText, data}")` on a non-200; `data` is null when the body was not JSON. */
async function failure(call: Promise<unknown>): Promise<ClientFailure> {
  try {
    await call;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return JSON.parse(message.slice(message.indexOf('{'))) as ClientFailure;
  }
  throw new Error('expected the call to fail');
}

describe('the npm `mlflow` client against a live Runlog server', () => {
  let temp: TempApp;
  let client: InstanceType<MLflowClass>;
  let logSpy: MockInstance<typeof console.log>;
  const t0 = 1_700_000_000_000;
  let experimentId = '';
  let runId = '';

  beforeAll(async () => {
    logSpy = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    temp = await createTempApp();
    await temp.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = temp.app.server.address() as AddressInfo;
    client = new MLflow({ endpoint: `http://127.0.0.1:${port}` });
  });

  afterAll(async () => {
    await temp.cleanup();
    logSpy.mockRestore();
  });

  it('creates an experiment', async () => {
    const res = await client.Experiments.create({ name: 'npm-client-exp', artifact_location: '' });
    expect(res.experiment_id).toMatch(/^\d+$/);
    experimentId = res.experiment_id;
    // The client really did send (and log) a JSON body.
    expect(logSpy).toHaveBeenCalledWith(JSON.stringify({ name: 'npm-client-exp', artifact_location: '' }));
  });

  it('gets the experiment', async () => {
    const { experiment } = await client.Experiments.get({ experiment_id: experimentId });
    expect(experiment).toMatchObject({
      experiment_id: experimentId,
      name: 'npm-client-exp',
      lifecycle_stage: 'active',
    });
    expect(typeof experiment.artifact_location).toBe('string');
    expect(experiment.artifact_location).not.toBe('');
  });

  it('creates a run', async () => {
    const { run } = await client.Runs.create({
      experiment_id: experimentId,
      user_id: 'node-user',
      start_time: t0,
      tags: [{ key: 'origin', value: 'npm' }],
    });
    expect(run.info).toMatchObject({
      experiment_id: experimentId,
      user_id: 'node-user',
      status: 'RUNNING',
      start_time: t0,
      lifecycle_stage: 'active',
    });
    expect(run.info.run_id).toMatch(/^[0-9a-f]{32}$/);
    runId = run.info.run_id;
    expect(run.data.tags).toEqual(expect.arrayContaining([{ key: 'origin', value: 'npm' }]));
  });

  it('logs a metric, a param and a tag', async () => {
    await expect(client.Runs.logMetric({ run_id: runId, key: 'loss', value: 0.9, timestamp: t0 + 1, step: 0 })).resolves.toEqual({});
    await expect(client.Runs.logMetric({ run_id: runId, key: 'loss', value: 0.5, timestamp: t0 + 2, step: 1 })).resolves.toEqual({});
    await expect(client.Runs.logParameter({ run_id: runId, key: 'lr', value: '0.01' })).resolves.toEqual({});
    await expect(client.Runs.setTag({ run_id: runId, key: 'stage', value: 'dev' })).resolves.toEqual({});
  });

  it('logs a batch', async () => {
    await expect(
      client.Runs.logBatch({
        run_id: runId,
        metrics: [
          { key: 'acc', value: 0.7, timestamp: t0 + 3, step: 0 },
          { key: 'acc', value: 0.8, timestamp: t0 + 4, step: 1 },
        ],
        params: [{ key: 'batch_size', value: '32' }],
        tags: [{ key: 'temp', value: 'x' }],
      }),
    ).resolves.toEqual({});
  });

  it('deletes a tag', async () => {
    await expect(client.Runs.deleteTag({ run_id: runId, key: 'temp' })).resolves.toEqual({});
  });

  it('gets the run with every logged value visible', async () => {
    const { run } = await client.Runs.get({ run_id: runId });
    expect(run.info.run_id).toBe(runId);
    const metrics = Object.fromEntries(run.data.metrics.map((m) => [m.key, m]));
    expect(metrics.loss).toMatchObject({ key: 'loss', value: 0.5, step: 1, timestamp: t0 + 2 });
    expect(metrics.acc).toMatchObject({ key: 'acc', value: 0.8, step: 1 });
    expect(run.data.params).toEqual(
      expect.arrayContaining([
        { key: 'lr', value: '0.01' },
        { key: 'batch_size', value: '32' },
      ]),
    );
    expect(run.data.params).toHaveLength(2);
    const tags = Object.fromEntries(run.data.tags.map((tag) => [tag.key, tag.value]));
    expect(tags).toMatchObject({ origin: 'npm', stage: 'dev' });
    expect(tags).not.toHaveProperty('temp');
  });

  it('searches runs with a filter', async () => {
    const other = await client.Runs.create({ experiment_id: experimentId, user_id: 'node-user', start_time: t0 + 10 });
    await client.Runs.logParameter({ run_id: other.run.info.run_id, key: 'lr', value: '0.1' });

    const hit = await client.Runs.search({ experiment_ids: [experimentId], filter: "params.lr = '0.01' and metrics.loss < 1" });
    expect(hit.runs.map((r) => r.info.run_id)).toEqual([runId]);

    const all = await client.Runs.search({
      experiment_ids: [experimentId],
      order_by: ['attributes.start_time DESC'],
      max_results: 1,
    });
    expect(all.runs.map((r) => r.info.run_id)).toEqual([other.run.info.run_id]);
    expect(typeof all.next_page_token).toBe('string');
    const page2 = await client.Runs.search({
      experiment_ids: [experimentId],
      order_by: ['attributes.start_time DESC'],
      max_results: 1,
      page_token: all.next_page_token,
    });
    expect(page2.runs.map((r) => r.info.run_id)).toEqual([runId]);

    const none = await client.Runs.search({ experiment_ids: [experimentId], filter: "params.lr = 'nope'" });
    expect(none.runs).toBeUndefined(); // empty lists are omitted, as in MLflow
  });

  it('reads the metric history', async () => {
    const { metrics } = await client.Metrics.getHistory({ run_id: runId, metric_key: 'loss' });
    expect(metrics.map((m) => [m.step, m.value, m.timestamp])).toEqual([
      [0, 0.9, t0 + 1],
      [1, 0.5, t0 + 2],
    ]);
  });

  it('updates the run to FINISHED', async () => {
    const { run_info } = await client.Runs.update({ run_id: runId, status: RunStatus.FINISHED, end_time: t0 + 100 });
    expect(run_info).toMatchObject({ run_id: runId, status: 'FINISHED', end_time: t0 + 100 });
    const { run } = await client.Runs.get({ run_id: runId });
    expect(run.info).toMatchObject({ status: 'FINISHED', end_time: t0 + 100 });
  });

  it('deletes and restores the run', async () => {
    await expect(client.Runs.delete({ run_id: runId })).resolves.toEqual({});
    expect((await client.Runs.get({ run_id: runId })).run.info.lifecycle_stage).toBe('deleted');
    const active = await client.Runs.search({ experiment_ids: [experimentId], run_view_type: ViewType.ACTIVE_ONLY });
    expect(active.runs.map((r) => r.info.run_id)).not.toContain(runId);
    const deleted = await client.Runs.search({ experiment_ids: [experimentId], run_view_type: ViewType.DELETED_ONLY });
    expect(deleted.runs.map((r) => r.info.run_id)).toEqual([runId]);

    await expect(client.Runs.restore({ run_id: runId })).resolves.toEqual({});
    expect((await client.Runs.get({ run_id: runId })).run.info.lifecycle_stage).toBe('active');
  });

  it('renames, deletes and restores the experiment', async () => {
    await expect(client.Experiments.update({ experiment_id: experimentId, new_name: 'npm-client-exp-2' })).resolves.toEqual({});
    expect((await client.Experiments.get({ experiment_id: experimentId })).experiment.name).toBe('npm-client-exp-2');
    await expect(client.Experiments.delete({ experiment_id: experimentId })).resolves.toEqual({});
    expect((await client.Experiments.get({ experiment_id: experimentId })).experiment.lifecycle_stage).toBe('deleted');
    await expect(client.Experiments.restore({ experiment_id: experimentId })).resolves.toEqual({});
    expect((await client.Experiments.get({ experiment_id: experimentId })).experiment.lifecycle_stage).toBe('active');
  });

  it('reports a missing run as a JSON 404 RESOURCE_DOES_NOT_EXIST', async () => {
    const f = await failure(client.Runs.get({ run_id: '0123456789abcdef0123456789abcdef' }));
    expect(f.status).toBe(404);
    expect(f.data?.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('answers experiments/list (removed in MLflow 2.0) with a JSON 404 ENDPOINT_NOT_FOUND', async () => {
    const f = await failure(client.Experiments.list());
    expect(f.status).toBe(404);
    expect(f.data?.error_code).toBe('ENDPOINT_NOT_FOUND');
  });

  it('answers setExperimentTag (the client forgets the slash: .../experimentsset-experiment-tag) with a JSON 404 ENDPOINT_NOT_FOUND', async () => {
    const f = await failure(client.Experiments.setExperimentTag({ experiment_id: experimentId, key: 'k', value: 'v' }));
    expect(f.status).toBe(404);
    expect(f.data?.error_code).toBe('ENDPOINT_NOT_FOUND');
    expect(f.data?.message).toContain('experimentsset-experiment-tag');
  });
});
