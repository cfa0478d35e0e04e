/**
 * examples/train-regression.ts runs as documented (local mode, a fresh SQLite file) and leaves what it says:
 * a finished run with params, one loss point per epoch, a dataset input, the registered model with the
 * champion alias, and predictions close to the generating function.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { RunlogClient } from '@runlog/client';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-example-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it('trains, logs, registers, loads by alias and predicts', async () => {
  const uri = `sqlite:///${path.join(dir, 'runlog.db')}`;
  const epochs = 40;
  const child = spawnSync(process.execPath, ['--import', 'tsx', 'examples/train-regression.ts'], {
    cwd: ROOT,
    env: { ...process.env, RUNLOG_TRACKING_URI: uri, EPOCHS: String(epochs), MODEL_NAME: 'example-houses' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(child.status, `${child.stdout}\n${child.stderr}`).toBe(0);
  const lines = [...child.stdout.matchAll(/predicted (-?[\d.]+), true (-?[\d.]+)/g)];
  expect(lines).toHaveLength(2);
  for (const [, predicted, truth] of lines) expect(Math.abs(Number(predicted) - Number(truth))).toBeLessThan(3);

  const client = new RunlogClient({ trackingUri: uri, env: {} });
  try {
    const version = await client.getModelVersionByAlias('example-houses', 'champion');
    const run = await client.getRun(version.run_id ?? '');
    expect(run.info.status).toBe('FINISHED');
    expect(run.data.params?.find((p) => p.key === 'epochs')?.value).toBe(String(epochs));
    expect(await client.getMetricHistory(run.info.run_id, 'loss')).toHaveLength(epochs);
    expect(run.inputs.dataset_inputs?.[0]?.dataset.name).toBe('synthetic-houses');
    const model = await client.loadModel('models:/example-houses@champion');
    expect(model.flavor).toBe('tfjs');
  } finally {
    await client.close();
  }
}, 150_000); // a real training run in a child process; slow when the suite shares two cores
