/**
 * examples/nyc-taxi runs as its README says, on small sizes, against a spawned server; then everything it claims
 * is read back through the REST API: the baseline run and its preprocessor artifact, the search's parent run with
 * one nested trial run per evaluation, the retrained best model registered with the `champion` alias, and the
 * model served by `runlog models serve` answering like the example's own predictions.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Run } from '@runlog/core';
import { RunlogClient, SEARCH_TAG } from '@runlog/client';
import { RUNLOG_CLI, spawnListening, startSpawnedServer, type SpawnedServer } from '../packages/server/src/testing/spawned-server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EVALS = 8;
const ROUNDS = 15;
let server: SpawnedServer;
let client: RunlogClient;

beforeAll(async () => {
  server = await startSpawnedServer();
  client = new RunlogClient({ trackingUri: server.url, env: {} });
});
afterAll(async () => {
  await client.close();
  await server.stop();
});

const tagsOf = (run: Run): Record<string, string> => Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));
const paramsOf = (run: Run): Record<string, string> => Object.fromEntries((run.data.params ?? []).map((p) => [p.key, p.value]));
const metric = (run: Run, key: string): number | undefined => run.data.metrics?.find((m) => m.key === key)?.value;

it('searches, retrains, registers, aliases, loads and serves the taxi-duration model', async () => {
  const child = spawnSync(process.execPath, ['--import', 'tsx', 'examples/nyc-taxi/train.ts'], {
    cwd: ROOT,
    env: { ...process.env, MLFLOW_TRACKING_URI: server.url, RUNLOG_TRACKING_URI: '', TRIPS: '3000', EVALS: String(EVALS), ROUNDS: String(ROUNDS), SEED: '7' },
    encoding: 'utf8',
    timeout: 240_000,
  });
  expect(child.status, `${child.stdout}\n${child.stderr}`).toBe(0);
  const printed = [...child.stdout.matchAll(/predicted (-?[\d.]+), true (-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])] as const);
  expect(printed).toHaveLength(3);
  for (const [p, t] of printed) expect(Math.abs(p - t)).toBeLessThan(Math.max(5, t * 0.35)); // duration noise is ~12 %

  const experiment = await client.getExperimentByName('nyc-taxi-experiment');
  const runs: Run[] = [];
  for await (const r of client.iterateRuns({ experimentIds: [experiment?.experiment_id ?? ''] })) runs.push(r);
  const byName = (name: string): Run[] => runs.filter((r) => r.info.run_name === name);

  const [baseline] = byName('linear-baseline');
  expect(baseline?.info.status).toBe('FINISHED');
  expect(metric(baseline as Run, 'rmse')).toBeGreaterThan(0);
  expect((await client.listArtifacts(baseline?.info.run_id ?? '', 'preprocessor')).map((f) => f.path)).toEqual(['preprocessor/dict_vectorizer.json']);

  const [search] = byName('gbt-tpe-search');
  expect(search?.info.status).toBe('FINISHED');
  const trials = runs.filter((r) => tagsOf(r)['mlflow.parentRunId'] === search?.info.run_id);
  expect(trials).toHaveLength(EVALS);
  for (const trial of trials) {
    expect(trial.info.status).toBe('FINISHED');
    expect(Object.keys(paramsOf(trial)).sort()).toEqual(['learning_rate', 'max_depth', 'min_child_weight', 'reg_lambda']);
    expect(metric(trial, 'loss')).toBe(metric(trial, 'rmse'));
  }
  const bestTrial = trials.find((t) => t.info.run_id === tagsOf(search as Run)[SEARCH_TAG.bestRunId]) as Run;
  expect(metric(bestTrial, 'loss')).toBe(Math.min(...trials.map((t) => metric(t, 'loss') as number)));
  expect(paramsOf(search as Run)).toEqual(paramsOf(bestTrial));

  const version = await client.getModelVersionByAlias('nyc-taxi-duration', 'champion');
  const best = await client.getRun(version.run_id ?? '');
  expect(best.info.run_name).toBe('gbt-best');
  expect(paramsOf(best)).toEqual({ ...paramsOf(bestTrial), num_boost_round: String(ROUNDS) });
  expect(await client.getMetricHistory(best.info.run_id, 'validation-rmse')).toHaveLength(ROUNDS);
  expect((await client.listArtifacts(best.info.run_id, 'preprocessor')).map((f) => f.path)).toEqual(['preprocessor/dict_vectorizer.json']);

  // Served from the registry by alias, it answers as the example's loaded model did.
  const serving = await spawnListening([RUNLOG_CLI, 'models', 'serve', '-m', 'models:/nyc-taxi-duration@champion', '-p', '0', '-h', '127.0.0.1', '--tracking-uri', server.url], 'models serve');
  try {
    const trips = [...child.stdout.matchAll(/trip (\d+)→(\d+), ([\d.]+) km/g)].map((m) => ({ PULocationID: Number(m[1]), DOLocationID: Number(m[2]), trip_distance: Number(m[3]) }));
    const res = await fetch(`${serving.url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dataframe_records: trips }) });
    const body = await res.text();
    expect(res.status, body).toBe(200);
    const served = (JSON.parse(body) as { predictions: number[] }).predictions;
    served.forEach((p, i) => expect(p).toBeCloseTo(printed[i]?.[0] ?? Number.NaN, 2));
  } finally {
    await serving.stop();
  }
}, 300_000); // a search and a retrain in a child process; slow when the suite shares two cores
