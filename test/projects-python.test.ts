/**
 * `runlog run` with MLflow's real Python client in the child: examples/project's `python` entry point
 * (`mlflow.start_run()` + `mlflow.log_metric`) with `python` on PATH being the MLflow 2.17.2 reference, against a
 * spawned `runlog server`. The reference is `../shared/mlflow-reference` next to the repository (present in CI)
 * or `RUNLOG_MLFLOW_REFERENCE`; outside CI the test is skipped, with the reason printed, when it is absent.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RunlogClient } from '@runlog/client';
import { startSpawnedServer, type SpawnedServer } from '../packages/server/src/testing/spawned-server.js';
import { ROOT, runlog } from './spawn-cli.js';

const reference = process.env.RUNLOG_MLFLOW_REFERENCE ?? path.resolve(ROOT, '../shared/mlflow-reference');
const python = path.join(reference, 'bin', 'python');
const present = fs.existsSync(python);
const inCi = process.env.CI === 'true';
if (!present && !inCi) console.warn(`projects-python: skipped, MLflow reference not found at ${reference} (set RUNLOG_MLFLOW_REFERENCE)`);

let server: SpawnedServer;
let client: RunlogClient;

beforeAll(async () => {
  if (!present && !inCi) return;
  server = await startSpawnedServer();
  client = new RunlogClient({ trackingUri: server.url, env: {} });
});
afterAll(async () => {
  await client?.close();
  await server?.stop();
});

it.skipIf(!present && !inCi)("runs MLflow's Python client in the project's run", async () => {
  expect(present, `MLflow reference missing at ${reference}`).toBe(true);
  // A folder whose `python` is the reference interpreter wrapper, first on PATH.
  const bin = fs.mkdtempSync(path.join(server.dir, 'bin-'));
  fs.symlinkSync(python, path.join(bin, 'python'));
  const res = await runlog(['run', 'examples/project', '-e', 'python', '-P', 'epochs=3', '-P', 'rate=0.5', '--experiment-name', 'proj-python'], {
    MLFLOW_TRACKING_URI: server.url,
    PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`,
  });
  expect(res.code, res.stderr).toBe(0);
  const runId = /in run with ID '([0-9a-f]{32})'/.exec(res.stderr)?.[1] ?? '';
  const experiment = await client.getExperimentByName('proj-python');
  const runs = (await client.searchRuns({ experimentIds: [experiment?.experiment_id ?? ''] })).items;
  expect(runs.map((r) => r.info.run_id)).toEqual([runId]);
  const run = await client.getRun(runId);
  expect(run.info.status).toBe('FINISHED');
  expect(run.data.tags?.find((t) => t.key === 'trainer')?.value).toBe('python');
  expect(run.data.tags?.find((t) => t.key === 'mlflow.source.type')?.value).toBe('PROJECT');
  expect((await client.getMetricHistory(runId, 'loss')).map((m) => m.value)).toEqual([0.5, 0.25, 0.125]);
}, 60_000);
