/**
 * The fluent API's environment variables (local mode on a folder URI): MLFLOW_EXPERIMENT_NAME and
 * MLFLOW_EXPERIMENT_ID pick the experiment, MLFLOW_RUN_ID resumes a run, MLFLOW_TRACKING_USERNAME becomes
 * mlflow.user; and MLFLOW_TRACKING_TOKEN / USERNAME+PASSWORD become the Authorization header over HTTP.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as runlog from '@runlog/client';
import { RunlogClient } from '@runlog/client';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-env-'));
afterAll(async () => {
  await runlog.getClient().close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('fluent API environment (folder tracking URI)', () => {
  const uri = path.join(dir, 'store');

  it('creates the experiment named by MLFLOW_EXPERIMENT_NAME and records the user from MLFLOW_TRACKING_USERNAME', async () => {
    runlog.resetFluentState({ MLFLOW_TRACKING_URI: uri, MLFLOW_EXPERIMENT_NAME: 'from-env', MLFLOW_TRACKING_USERNAME: 'grace' });
    const runId = await runlog.withRun((run) => run.runId);
    const client = runlog.getClient();
    expect(client.local).toBe(true);
    expect(fs.existsSync(path.join(uri, 'runlog.db'))).toBe(true);
    const run = await client.getRun(runId);
    expect((await client.getExperiment(run.info.experiment_id)).name).toBe('from-env');
    expect(run.info.user_id).toBe('grace');
    expect(run.data.tags?.find((t) => t.key === 'mlflow.user')?.value).toBe('grace');
  });

  it('uses MLFLOW_EXPERIMENT_ID, and resumes the run in MLFLOW_RUN_ID', async () => {
    runlog.resetFluentState({ MLFLOW_TRACKING_URI: uri });
    const client = runlog.getClient();
    const experimentId = await client.createExperiment('by-id');
    runlog.resetFluentState({ MLFLOW_TRACKING_URI: uri, MLFLOW_EXPERIMENT_ID: experimentId });
    const first = await runlog.withRun(async (run) => {
      await runlog.logParam('p', 1);
      return run;
    });
    expect(first.experimentId).toBe(experimentId);
    expect((await runlog.getClient().getRun(first.runId)).info.status).toBe('FINISHED');

    runlog.resetFluentState({ MLFLOW_TRACKING_URI: uri, MLFLOW_RUN_ID: first.runId });
    const resumed = await runlog.startRun();
    expect(resumed.runId).toBe(first.runId);
    expect((await runlog.getClient().getRun(first.runId)).info.status).toBe('RUNNING');
    runlog.logMetric('after_resume', 1);
    await runlog.endRun();
    const run = await runlog.getClient().getRun(first.runId);
    expect(run.info.status).toBe('FINISHED');
    expect(run.data.metrics?.map((m) => m.key)).toEqual(['after_resume']);
  });

  it('refuses a deleted experiment', async () => {
    runlog.resetFluentState({ MLFLOW_TRACKING_URI: uri });
    const client = runlog.getClient();
    await client.deleteExperiment(await client.createExperiment('gone'));
    await expect(runlog.setExperiment('gone')).rejects.toMatchObject({ errorCode: 'INVALID_PARAMETER_VALUE' });
  });
});

describe('credentials over HTTP', () => {
  it('sends Bearer from MLFLOW_TRACKING_TOKEN, Basic from MLFLOW_TRACKING_USERNAME/PASSWORD', async () => {
    const seen: (string | undefined)[] = [];
    const server = http.createServer((req, res) => {
      seen.push(req.headers.authorization);
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"experiment":{"experiment_id":"1","name":"x"}}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await new RunlogClient({ trackingUri: url, env: { MLFLOW_TRACKING_TOKEN: 'tok' } }).getExperiment('1');
      await new RunlogClient({ trackingUri: url, env: { MLFLOW_TRACKING_USERNAME: 'u', MLFLOW_TRACKING_PASSWORD: 'p' } }).getExperiment('1');
      await new RunlogClient({ trackingUri: url, env: {} }).getExperiment('1');
    } finally {
      server.close();
    }
    expect(seen).toEqual(['Bearer tok', `Basic ${Buffer.from('u:p').toString('base64')}`, undefined]);
  });
});
