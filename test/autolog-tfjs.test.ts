/**
 * autolog.tfjs(model) as a fit callback (local mode): params, layer summary, per-epoch metrics, early-stopping
 * settings and stopped epoch, and the model logged with the tfjs flavor; a run is started and ended when none
 * is active, the active one is used (and left active) otherwise.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Run } from '@runlog/core';
import * as runlog from '@runlog/client';
import { RunlogClient, autolog } from '@runlog/client';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-autolog-'));
const uri = `sqlite:///${path.join(dir, 'runlog.db')}`;
let client: RunlogClient;

beforeAll(() => {
  client = new RunlogClient({ trackingUri: uri, env: {} });
});
afterAll(async () => {
  await client.close();
  await runlog.getClient().close();
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  runlog.resetFluentState({});
  runlog.setTrackingUri(uri);
});

const paramsOf = (run: Run): Record<string, string> => Object.fromEntries((run.data.params ?? []).map((p) => [p.key, p.value]));

function model(): tf.Sequential {
  const m = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [2], activation: 'relu', name: 'hidden' }), tf.layers.dense({ units: 1, name: 'out' })] });
  m.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError' });
  return m;
}
const x = tf.tensor2d([[0, 1], [1, 0], [1, 1], [0, 0], [2, 1], [1, 2]]);
const y = tf.tensor2d([[1], [1], [2], [0], [3], [3]]);

it('logs params, summary, per-epoch metrics and the model into a run it starts and ends', async () => {
  await runlog.setExperiment('autolog-tfjs');
  const net = model();
  let logged: runlog.LoggedModel | undefined;
  await net.fit(x, y, { epochs: 4, batchSize: 3, validationData: [x, y], callbacks: [autolog.tfjs(net, { runName: 'fit', onModelLogged: (l) => void (logged = l) })] });
  expect(runlog.activeRun()).toBeUndefined();

  const runId = logged?.modelUri.split('/')[1] ?? '';
  const run = await client.getRun(runId);
  expect(run.info).toMatchObject({ status: 'FINISHED', run_name: 'fit' });
  expect(paramsOf(run)).toMatchObject({ epochs: '4', batch_size: '3', optimizer_name: 'Adam', learning_rate: '0.05', opt_beta1: '0.9' });
  expect((await client.getMetricHistory(runId, 'loss')).map((m) => m.step)).toEqual([0, 1, 2, 3]);
  expect(await client.getMetricHistory(runId, 'val_loss')).toHaveLength(4);
  expect(run.data.metrics?.some((m) => m.key === 'stopped_epoch')).toBe(false);
  const dl = fs.mkdtempSync(path.join(dir, 'dl-'));
  const summary = fs.readFileSync(path.join(await client.downloadArtifacts(runId, 'model_summary.txt', dl)), 'utf8');
  expect(summary).toMatch(/hidden \(Dense\)/);
  expect(summary).toMatch(/Total params: 17/);
  const loaded = await runlog.loadModel(logged?.modelUri ?? '');
  expect(loaded.flavor).toBe('tfjs');
  const [[expected]] = (net.predict(tf.tensor2d([[1, 1]])) as tf.Tensor).arraySync() as number[][] as [[number]];
  expect(((await loaded.predict([[1, 1]])) as number[][])[0]?.[0]).toBeCloseTo(expected, 5);
});

it('records early stopping, and logs into the active run without ending it', async () => {
  await runlog.setExperiment('autolog-tfjs');
  const run = await runlog.startRun({ runName: 'outer' });
  const net = model();
  // minDelta larger than any improvement: no epoch counts as better, so training stops after patience + 1 epochs.
  const stop = tf.callbacks.earlyStopping({ monitor: 'loss', minDelta: 1e9, patience: 2 });
  await net.fit(x, y, { epochs: 20, callbacks: [autolog.tfjs(net, { earlyStopping: stop, logModel: false }), stop] });
  expect(runlog.activeRun()?.runId).toBe(run.runId);
  await runlog.endRun();
  const stored = await client.getRun(run.runId);
  expect(paramsOf(stored)).toMatchObject({ epochs: '20', monitor: 'loss', min_delta: '1000000000', patience: '2' });
  expect(await client.getMetricHistory(run.runId, 'loss')).toHaveLength(3);
  expect(stored.data.metrics?.find((m) => m.key === 'stopped_epoch')?.value).toBe(2);
  expect(await client.listArtifacts(run.runId)).toEqual([expect.objectContaining({ path: 'model_summary.txt' })]);
});
