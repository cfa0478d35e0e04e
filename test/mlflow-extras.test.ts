/**
 * Behaviour MLflow 2.17's own suite pins down beyond the core tracking calls: the prompt-lab run, the AI-gateway
 * proxy, another tracking server as the backend store, numbers echoed as Python prints them, relative artifact
 * locations, MLflow's exact bulk-interval sampling and a doubled leading slash. Each is also run by MLflow's suite
 * in CI (test/mlflow-suite.test.ts); these cases make failures readable without Python.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempApp, type TempApp } from '../packages/server/src/testing/temp-stores.js';

const API = '/api/2.0/mlflow';
const AJAX = '/ajax-api/2.0/mlflow';
const JSON_HEADERS = { 'content-type': 'application/json' };

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

async function call(temp: TempApp, method: 'GET' | 'POST', url: string, payload?: unknown, raw?: string): Promise<Reply> {
  const res = await temp.app.inject({
    method,
    url,
    ...(method === 'POST' ? { headers: JSON_HEADERS, payload: raw ?? JSON.stringify(payload ?? {}) } : {}),
  });
  return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown> };
}

describe('MLflow suite extras on one server', () => {
  let temp: TempApp;
  let experimentId = '';
  beforeAll(async () => {
    temp = await createTempApp();
    experimentId = (await call(temp, 'POST', `${API}/experiments/create`, { name: 'extras' })).body.experiment_id as string;
  });
  afterAll(async () => {
    await temp.cleanup();
  });

  it('echoes a float as Python prints it (9.0, not 9) in a type error', async () => {
    const res = await call(temp, 'POST', `${API}/experiments/create`, undefined, '{"name": "x", "artifact_location": 9.0}');
    expect(res.status).toBe(400);
    expect(res.body.message).toContain("Invalid value 9.0 for parameter 'artifact_location'");
    const int = await call(temp, 'POST', `${API}/experiments/create`, undefined, '{"name": 123}');
    expect(int.body.message).toContain("Invalid value 123 for parameter 'name'");
  });

  it("resolves a relative artifact location against the server's working directory, refusing '..'", async () => {
    const created = await call(temp, 'POST', `${API}/experiments/create`, { name: 'relative', artifact_location: 'my_location' });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const got = await call(temp, 'GET', `${API}/experiments/get?experiment_id=${String(created.body.experiment_id)}`);
    expect((got.body.experiment as { artifact_location: string }).artifact_location).toBe(path.join(process.cwd(), 'my_location'));
    const up = await call(temp, 'POST', `${API}/experiments/create`, { name: 'relative-up', artifact_location: '../elsewhere' });
    expect(up.status).toBe(400);
  });

  it('samples get-history-bulk-interval steps exactly as MLflow does', async () => {
    const run = await call(temp, 'POST', `${API}/runs/create`, { experiment_id: experimentId });
    const runId = (run.body.run as { info: { run_id: string } }).info.run_id;
    const metrics = Array.from({ length: 10 }, (_, i) => ({ key: 'm', value: 10, timestamp: 1, step: i }));
    expect((await call(temp, 'POST', `${API}/runs/log-batch`, { run_id: runId, metrics })).status).toBe(200);
    const res = await call(temp, 'GET', `${AJAX}/metrics/get-history-bulk-interval?run_ids=${runId}&metric_key=m&max_results=5`);
    expect((res.body.metrics as { step: number }[]).map((m) => m.step)).toEqual([0, 2, 4, 6, 8, 9]);
    const ranged = await call(temp, 'GET', `${AJAX}/metrics/get-history-bulk-interval?run_ids=${runId}&metric_key=m&max_results=3&start_step=2&end_step=8`);
    // int(i * 7/3) from index 2: 2, 4, 6 — and 8, the last step in range.
    expect((ranged.body.metrics as { step: number }[]).map((m) => m.step)).toEqual([2, 4, 6, 8]);
    const reversed = await call(temp, 'GET', `${AJAX}/metrics/get-history-bulk-interval?run_ids=${runId}&metric_key=m&start_step=1&end_step=0`);
    expect(reversed.body.message).toBe('end_step must be greater than start_step. Found start_step=1 and end_step=0.');
  });

  it('routes a doubled leading slash to the same endpoint (//model-versions/get-artifact)', async () => {
    const res = await temp.app.inject({ method: 'GET', url: '//model-versions/get-artifact?name=model&version=1&path=../x' });
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' });
  });

  it('records a prompt-lab run: params, tags, model and evaluation table, FINISHED', async () => {
    const res = await call(temp, 'POST', `${AJAX}/runs/create-promptlab-run`, {
      experiment_id: experimentId,
      run_name: 'my_run_name',
      prompt_template: 'Say {{ word }}',
      prompt_parameters: [{ key: 'word', value: 'hello' }],
      model_route: 'chat',
      model_parameters: [{ key: 'temperature', value: '0.1' }],
      model_input: 'Say hello',
      model_output: 'hello',
      model_output_parameters: [{ key: 'latency', value: '100' }],
      mlflow_version: '2.17.2',
      user_id: 'ana',
      start_time: 456,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const run = res.body.run as { info: { run_id: string; status: string; start_time: number; user_id: string; run_name: string; artifact_uri: string }; data: { params: unknown[]; tags: unknown[] } };
    expect(run.info).toMatchObject({ status: 'FINISHED', start_time: 456, user_id: 'ana', run_name: 'my_run_name' });
    expect(run.data.params).toEqual(expect.arrayContaining([{ key: 'model_route', value: 'chat' }, { key: 'prompt_template', value: 'Say {{ word }}' }, { key: 'temperature', value: '0.1' }]));
    expect(run.data.tags).toEqual(expect.arrayContaining([{ key: 'mlflow.runSourceType', value: 'PROMPT_ENGINEERING' }, { key: 'mlflow.loggedArtifacts', value: '[{"path": "eval_results_table.json", "type": "table"}]' }]));
    const table = await temp.app.inject({ method: 'GET', url: `/get-artifact?run_id=${run.info.run_id}&path=eval_results_table.json` });
    expect(table.body).toBe('{"columns": ["word", "prompt", "output", "latency"], "data": [["hello", "Say hello", "hello", "100"]]}');
    const mlmodel = await temp.app.inject({ method: 'GET', url: `/get-artifact?run_id=${run.info.run_id}&path=model/MLmodel` });
    expect(mlmodel.statusCode).toBe(200);
    expect(mlmodel.body).toContain('loader_module: mlflow._promptlab');
    const missing = await call(temp, 'POST', `${AJAX}/runs/create-promptlab-run`, { experiment_id: experimentId, prompt_template: 't', prompt_parameters: [] });
    expect(missing.body.message).toBe('CreatePromptlabRun request must specify prompt_parameters.');
  });

  it('answers the gateway proxy as an empty gateway when no deployments target is set', async () => {
    expect((await call(temp, 'GET', `${AJAX}/gateway-proxy`)).body).toEqual({ endpoints: [] });
  });
});

describe('gateway proxy with MLFLOW_DEPLOYMENTS_TARGET', () => {
  let gateway: http.Server;
  let temp: TempApp;
  const seen: string[] = [];
  beforeAll(async () => {
    gateway = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push(`${req.method ?? ''} ${req.url ?? ''} ${body}`);
        res.writeHead(req.url === '/fail' ? 503 : 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true }));
      });
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    const target = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
    temp = await createTempApp({ env: { MLFLOW_DEPLOYMENTS_TARGET: target } });
  });
  afterAll(async () => {
    await temp.cleanup();
    await new Promise<void>((resolve) => gateway.close(() => resolve()));
  });

  it('needs a gateway_path, forwards below the target only, and reports the gateway failing', async () => {
    const missing = await call(temp, 'POST', `${AJAX}/gateway-proxy`, {});
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Deployments proxy request must specify a gateway_path.' });
    const ok = await call(temp, 'POST', `${AJAX}/gateway-proxy`, { gateway_path: 'endpoints/chat/invocations', json_data: { prompt: 'hi' } });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ ok: true });
    expect(seen).toContain('POST /endpoints/chat/invocations {"prompt":"hi"}');
    const escape = await call(temp, 'POST', `${AJAX}/gateway-proxy`, { gateway_path: '../../etc', json_data: {} });
    expect(escape.status).toBe(400);
    const failed = await call(temp, 'GET', `${AJAX}/gateway-proxy?gateway_path=fail`);
    expect(failed.status).toBe(503);
    expect(String(failed.body.message)).toContain('failed with error code 503');
  });
});

describe('another tracking server as the backend store', () => {
  let upstream: TempApp;
  let front: TempApp;
  beforeAll(async () => {
    upstream = await createTempApp();
    await upstream.app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(upstream.app.server.address() as AddressInfo).port}`;
    const { buildServerConfig } = await import('../packages/server/src/config.js');
    const { openStores } = await import('../packages/server/src/open-stores.js');
    const { createApp } = await import('../packages/server/src/app.js');
    const config = buildServerConfig({ backendStoreUri: url, defaultArtifactRoot: url, serveArtifacts: false }, {}, fs.mkdtempSync(path.join(upstream.dir, 'front-')));
    const stores = await openStores(config);
    const app = await createApp({ config, stores });
    front = { ...upstream, app, cleanup: () => app.close() };
  });
  afterAll(async () => {
    await front.cleanup();
    await upstream.cleanup();
  });

  it('writes through to the upstream server and reads its data back, errors included', async () => {
    const created = await call(front, 'POST', `${API}/experiments/create`, { name: 'through' });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const direct = await call(upstream, 'GET', `${API}/experiments/get-by-name?experiment_name=through`);
    expect((direct.body.experiment as { experiment_id: string }).experiment_id).toBe(created.body.experiment_id);
    const model = await call(front, 'POST', `${API}/registered-models/create`, { name: 'through-model' });
    expect(model.status).toBe(200);
    expect((await call(upstream, 'GET', `${API}/registered-models/get?name=through-model`)).status).toBe(200);
    const missing = await call(front, 'GET', `${API}/experiments/get?experiment_id=987654`);
    expect(missing.status).toBe(404);
    expect(missing.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });
});
