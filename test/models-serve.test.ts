/**
 * `runlog models serve` (spawned from the built CLI) against MLflow's scoring contract:
 * - a model logged from TypeScript into a spawned tracking server, registered, given an alias and served by
 *   `models:/name@alias`: /ping, /health, /version, /invocations in the four JSON forms and CSV, 415 for other
 *   content types, 400s for malformed bodies and schema mismatches, and request counts on /metrics;
 * - an ONNX model folder in MLflow's onnx flavor layout (MLmodel as Python writes it, model.onnx built by the
 *   test) served from its path with correct predictions.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunlogClient } from '@runlog/client';
import { RUNLOG_CLI, spawnListening, startSpawnedServer, type ListeningChild, type SpawnedServer } from '../packages/server/src/testing/spawned-server.js';
import { linearRegressionOnnx } from './helpers/onnx-builder.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

function serve(modelUri: string, trackingUri?: string, extra: readonly string[] = []): Promise<ListeningChild> {
  const args = [RUNLOG_CLI, 'models', 'serve', '-m', modelUri, '-p', '0', '-h', '127.0.0.1', ...(trackingUri ? ['--tracking-uri', trackingUri] : []), ...extra];
  return spawnListening(args, 'models serve');
}

async function post(url: string, body: string, contentType = 'application/json'): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

async function predictions(url: string, body: unknown): Promise<unknown> {
  const res = await post(url, JSON.stringify(body));
  expect(res.status, res.body).toBe(200);
  expect(res.type).toMatch(/^application\/json/);
  return (JSON.parse(res.body) as { predictions: unknown }).predictions;
}

describe('runlog models serve', () => {
  let tracking: SpawnedServer;
  let served: ListeningChild;

  beforeAll(async () => {
    tracking = await startSpawnedServer();
    const client = new RunlogClient({ trackingUri: tracking.url, env: {} });
    const runId = (await client.createRun({ experimentId: '0' })).info.run_id;
    const logged = await client.logModel(runId, {
      model: { flavor: 'js_function', module: path.join(FIXTURES, 'linear-model.mjs'), state: { weights: [2, -1], bias: 0.5 } },
      inputExample: [{ a: 1.5, b: 2 }],
      registeredModelName: 'served-linear',
    });
    await client.setRegisteredModelAlias('served-linear', 'prod', logged.version?.version ?? '');
    served = await serve('models:/served-linear@prod', tracking.url, ['--env-manager', 'local']);
  });
  afterAll(async () => {
    await served.stop();
    await tracking.stop();
  });

  it('answers /ping, /health and /version', async () => {
    for (const route of ['/ping', '/health']) {
      const res = await fetch(`${served.url}${route}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.text()).toBe('\n');
    }
    const version = await fetch(`${served.url}/version`);
    expect(version.status).toBe(200);
    expect(await version.text()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('predicts from dataframe_split, dataframe_records, instances, inputs and CSV', async () => {
    const expected = [2 * 1 - 2 + 0.5, 2 * 3 - 4 + 0.5];
    expect(await predictions(served.url, { dataframe_split: { columns: ['a', 'b'], data: [[1, 2], [3, 4]] } })).toEqual(expected);
    expect(await predictions(served.url, { dataframe_split: { columns: ['b', 'a'], index: [0, 1], data: [[2, 1], [4, 3]] } })).toEqual(expected);
    expect(await predictions(served.url, { dataframe_records: [{ a: 1, b: 2 }, { a: 3, b: 4 }] })).toEqual(expected);
    expect(await predictions(served.url, { instances: [{ a: 1, b: 2 }, { a: 3, b: 4 }] })).toEqual(expected);
    expect(await predictions(served.url, { inputs: { a: [1, 3], b: [2, 4] }, params: {} })).toEqual(expected);
    expect(await predictions(served.url, { inputs: [[1, 2], [3, 4]] })).toEqual(expected);
    const csv = await post(served.url, 'a,b\n1,2\n3,4\n', 'text/csv; charset=utf-8');
    expect(csv.status, csv.body).toBe(200);
    expect(JSON.parse(csv.body)).toEqual({ predictions: expected });
  });

  it('refuses other content types with 415 text/plain', async () => {
    for (const type of ['text/plain', 'application/json; charset=latin-1', 'application/x-www-form-urlencoded']) {
      const res = await post(served.url, '{"inputs": [[1, 2]]}', type);
      expect(res.status, type).toBe(415);
      expect(res.type).toMatch(/^text\/plain/);
    }
  });

  it('answers malformed bodies and signature mismatches with 400 BAD_REQUEST and a clear message', async () => {
    const cases: [string, RegExp][] = [
      ['{"inputs": [[1, 2]], "instances": [[1, 2]]}', /exactly one of the keys/],
      ['{"params": {}}', /exactly one of the keys/],
      ['[1, 2]', /JSON object/],
      ['{"inputs": ', /valid JSON/],
      ['{"dataframe_split": {"columns": ["a", "b"], "data": [[1, 2]], "extra": 1}}', /unexpected keys \["extra"\]/],
      ['{"dataframe_records": [{"a": 1}]}', /missing inputs \["b"\]/],
      ['{"dataframe_records": [{"a": "one", "b": 2}]}', /column a.*double/],
      ['{"inputs": [[1, 2, 3]]}', /expects 2 input columns/],
    ];
    for (const [body, message] of cases) {
      const res = await post(served.url, body);
      expect(res.status, body).toBe(400);
      const error = JSON.parse(res.body) as { error_code: string; message: string };
      expect(error.error_code).toBe('BAD_REQUEST');
      expect(error.message, body).toMatch(message);
    }
    const csv = await post(served.url, 'a\n1\n', 'text/csv');
    expect(csv.status).toBe(400);
  });

  it('exits with a clear message when the model cannot be loaded', async () => {
    await expect(serve('models:/no-such-model@prod', tracking.url)).rejects.toThrow(/exited before listening \(1\)[\s\S]*runlog: .*no-such-model/);
    await expect(serve('models:/served-linear@prod', tracking.url, ['--env-manager', 'conda'])).rejects.toThrow(/env-manager conda is not supported/);
  });

  it('exposes request counts and latency on /metrics', async () => {
    await predictions(served.url, { inputs: [[0, 0]] });
    const text = await (await fetch(`${served.url}/metrics`)).text();
    const count = (labels: string): number => Number(new RegExp(`runlog_scoring_requests_total\\{${labels}\\} (\\d+)`).exec(text)?.[1] ?? 0);
    expect(count('route="/invocations",status="200"')).toBeGreaterThanOrEqual(1);
    expect(count('route="/ping",status="200"')).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/runlog_scoring_request_duration_seconds_count\{route="\/invocations"\} \d+/);
    expect(text).toContain('# TYPE runlog_scoring_request_duration_seconds histogram');
  });
});

// The MLmodel of `mlflow.onnx.save_model(onnx_model, path)` (mlflow 2.x), the test's model.onnx beside it.
const PYTHON_ONNX_MLMODEL = `flavors:
  onnx:
    code: null
    data: model.onnx
    onnx_version: 1.17.0
    providers:
    - CUDAExecutionProvider
    - CPUExecutionProvider
  python_function:
    data: model.onnx
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.onnx
    python_version: 3.11.2
mlflow_version: 2.22.0
model_size_bytes: 262
model_uuid: 0f4b7c6a8f7e4d2a9b1c3d5e7f9a1b2c
signature:
  inputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 2]},
    "name": "input"}]'
  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 1]},
    "name": "variable"}]'
  params: null
utc_time_created: '2026-11-28 06:41:21.935029'
`;

describe('runlog models serve with an ONNX model in MLflow layout', () => {
  let served: ListeningChild;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-onnx-'));
    fs.writeFileSync(path.join(dir, 'MLmodel'), PYTHON_ONNX_MLMODEL);
    fs.writeFileSync(path.join(dir, 'model.onnx'), linearRegressionOnnx([2, -1], 0.5));
    fs.writeFileSync(path.join(dir, 'python_env.yaml'), 'python: 3.11.2\nbuild_dependencies:\n- pip\ndependencies:\n- -r requirements.txt\n');
    served = await serve(dir);
  });
  afterAll(async () => {
    await served.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves correct predictions for the four JSON forms and CSV', async () => {
    expect(await predictions(served.url, { inputs: [[1, 2], [3, 4]] })).toEqual({ variable: [[0.5], [2.5]] });
    expect(await predictions(served.url, { instances: [[1, 2], [3, 4]] })).toEqual({ variable: [[0.5], [2.5]] });
    expect(await predictions(served.url, { inputs: { input: [[0, 1]] } })).toEqual({ variable: [[-0.5]] });
    // A tensor signature turns a data frame into its values first (as pyfunc does), so the reply is by output name.
    expect(await predictions(served.url, { dataframe_split: { columns: ['x', 'y'], data: [[1, 2], [3, 4]] } })).toEqual({ variable: [[0.5], [2.5]] });
    expect(await predictions(served.url, { dataframe_records: [{ x: 1, y: 2 }] })).toEqual({ variable: [[0.5]] });
    const csv = await post(served.url, 'x,y\n3,4\n', 'text/csv');
    expect(JSON.parse(csv.body)).toEqual({ predictions: { variable: [[2.5]] } });
    const wrongShape = await post(served.url, '{"inputs": [[1, 2, 3]]}');
    expect(wrongShape.status).toBe(400);
    expect(wrongShape.body).toMatch(/does not match expected shape \[-1,2\]/);
  });
});
