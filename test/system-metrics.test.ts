/**
 * System metrics through the fluent API (local mode): startRun({ logSystemMetrics }) and MLflow's environment
 * variable sample into `system/…` metrics with one step per logging, stop when the run ends, and never keep a
 * process alive.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as runlog from '@runlog/client';
import { RunlogClient } from '@runlog/client';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLIENT_DIST = path.join(ROOT, 'packages/client/dist/index.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-sysmetrics-'));
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

/** Waits for a condition (not for a fixed time): the sampler runs on its own timer. */
async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

it('logs system/* metrics with increasing steps while the run is active, and stops when it ends', async () => {
  runlog.resetFluentState({});
  runlog.setTrackingUri(uri);
  await runlog.setExperiment('system-metrics');
  const run = await runlog.startRun({ logSystemMetrics: true, systemMetrics: { samplingInterval: 0.05 } });
  expect(runlog.isLoggingSystemMetrics(run.runId)).toBe(true);
  await until(async () => {
    await runlog.flushMetrics();
    return (await client.getMetricHistory(run.runId, 'system/cpu_utilization_percentage')).length >= 3;
  }, 'three CPU samples');
  await runlog.endRun();
  expect(runlog.isLoggingSystemMetrics(run.runId)).toBe(false);

  const stored = await client.getRun(run.runId);
  const keys = (stored.data.metrics ?? []).map((m) => m.key);
  for (const key of ['cpu_utilization_percentage', 'system_memory_usage_megabytes', 'system_memory_usage_percentage', 'disk_usage_percentage', 'disk_usage_megabytes', 'disk_available_megabytes', 'network_receive_megabytes', 'network_transmit_megabytes']) {
    expect(keys).toContain(`system/${key}`);
  }
  const steps = (await client.getMetricHistory(run.runId, 'system/system_memory_usage_megabytes')).map((m) => m.step);
  expect(steps).toEqual(steps.map((_, i) => i));
});

it('is switched on by MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING (and RUNLOG_…), off by default', async () => {
  for (const [env, expected] of [
    [{}, false],
    [{ MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING: 'true' }, true],
    [{ RUNLOG_ENABLE_SYSTEM_METRICS_LOGGING: '1' }, true],
    [{ MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING: 'false' }, false],
  ] as const) {
    runlog.resetFluentState(env);
    runlog.setTrackingUri(uri);
    const run = await runlog.startRun();
    expect(runlog.isLoggingSystemMetrics(run.runId), JSON.stringify(env)).toBe(expected);
    await runlog.endRun();
    expect(runlog.isLoggingSystemMetrics(run.runId)).toBe(false);
  }
});

it('does not keep a script alive: the run left open ends FINISHED at exit', async () => {
  const script = path.join(dir, 'sampled.mjs');
  fs.writeFileSync(
    script,
    [
      `import * as runlog from ${JSON.stringify(pathToFileURL(CLIENT_DIST).href)};`,
      `const run = await runlog.startRun({ logSystemMetrics: true, systemMetrics: { samplingInterval: 30 } });`,
      `process.stdout.write(JSON.stringify({ runId: run.runId, sampling: runlog.isLoggingSystemMetrics(run.runId) }));`,
    ].join('\n'),
  );
  const started = Date.now();
  const child = spawnSync(process.execPath, [script], { env: { ...process.env, RUNLOG_TRACKING_URI: uri }, encoding: 'utf8', timeout: 60_000 });
  expect(child.status, child.stderr).toBe(0);
  expect(Date.now() - started).toBeLessThan(30_000); // a ref'd timer would hold it for the 30 s interval, and again
  const out = JSON.parse(child.stdout) as { runId: string; sampling: boolean };
  expect(out.sampling).toBe(true);
  const run = await client.getRun(out.runId);
  expect(run.info.status).toBe('FINISHED');
}, 90_000);
