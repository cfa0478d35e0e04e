/**
 * MLflow Tracing over HTTP (app.inject): path parameters, PATCH/DELETE routes, request validation, and
 * `get-trace-artifact` serving the `traces.json` a client uploaded through the artifacts proxy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempApp, type TempApp } from '../packages/server/src/testing/temp-stores.js';

const API = '/api/2.0/mlflow';
const AJAX = '/ajax-api/2.0/mlflow';

let temp: TempApp;
let exp: string;

interface Reply {
  status: number;
  headers: Record<string, unknown>;
  text: string;
  json: Record<string, unknown>;
}

async function send(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown, contentType = 'application/json'): Promise<Reply> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const res = await temp.app.inject({ method, url, ...(payload !== undefined ? { payload, headers: { 'content-type': contentType } } : {}) });
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(res.body) as Record<string, unknown>;
  } catch {
    // not JSON
  }
  return { status: res.statusCode, headers: res.headers, text: res.body, json };
}

interface WireTrace {
  request_id: string;
  status: string;
  execution_time_ms: number;
  tags?: { key: string; value: string }[];
}

async function startTrace(tags: { key: string; value: string }[] = []): Promise<WireTrace> {
  const res = await send('POST', `${API}/traces`, { experiment_id: exp, timestamp_ms: 1000, tags });
  expect(res.status, res.text).toBe(200);
  return res.json.trace_info as WireTrace;
}

function expectError(res: Reply, status: number, code: string, message?: string): void {
  expect(res.status, res.text).toBe(status);
  expect(res.json.error_code, res.text).toBe(code);
  if (message !== undefined) expect(String(res.json.message)).toContain(message);
}

beforeAll(async () => {
  temp = await createTempApp();
  const res = await send('POST', `${API}/experiments/create`, { name: 'traces-http' });
  exp = res.json.experiment_id as string;
});

afterAll(async () => {
  await temp.cleanup();
});

describe('trace routes', () => {
  it('PATCH /traces/{request_id} ends the trace named by the path, not by the body; status may be a number', async () => {
    const a = await startTrace();
    const b = await startTrace();
    const res = await send('PATCH', `${API}/traces/${a.request_id}`, { request_id: b.request_id, timestamp_ms: 1500, status: 2 });
    expect(res.status, res.text).toBe(200);
    expect(res.json.trace_info).toMatchObject({ request_id: a.request_id, status: 'ERROR', execution_time_ms: 500 });
    const other = await send('GET', `${AJAX}/traces/${b.request_id}/info`);
    expect(other.json.trace_info).toMatchObject({ request_id: b.request_id, status: 'IN_PROGRESS', execution_time_ms: 0 });
  });

  it('GET /traces reads repeated experiment_ids and order_by from the query and pages with a token', async () => {
    const other = (await send('POST', `${API}/experiments/create`, { name: 'traces-http-2' })).json.experiment_id as string;
    await send('POST', `${API}/traces`, { experiment_id: other, timestamp_ms: 5 });
    const res = await send('GET', `${API}/traces?experiment_ids=${exp}&experiment_ids=${other}&order_by=timestamp_ms%20ASC&max_results=1`);
    expect(res.status, res.text).toBe(200);
    expect((res.json.traces as WireTrace[]).length).toBe(1);
    expect(typeof res.json.next_page_token).toBe('string');
  });

  it('tags: PATCH sets, DELETE removes, a missing tag is 404', async () => {
    const t = await startTrace([{ key: 'color', value: 'red' }]);
    expect((await send('PATCH', `${API}/traces/${t.request_id}/tags`, { key: 'color', value: 'green' })).status).toBe(200);
    let info = (await send('GET', `${API}/traces/${t.request_id}/info`)).json.trace_info as WireTrace;
    expect(info.tags).toContainEqual({ key: 'color', value: 'green' });
    expect((await send('DELETE', `${API}/traces/${t.request_id}/tags`, { key: 'color' })).status).toBe(200);
    info = (await send('GET', `${API}/traces/${t.request_id}/info`)).json.trace_info as WireTrace;
    expect(info.tags?.some((x) => x.key === 'color')).toBe(false);
    expectError(await send('DELETE', `${API}/traces/${t.request_id}/tags`, { key: 'color' }), 404, 'RESOURCE_DOES_NOT_EXIST');
  });

  it('a percent-encoded request id in the path is decoded before lookup', async () => {
    expectError(await send('GET', `${API}/traces/a%2Fb/info`), 404, 'RESOURCE_DOES_NOT_EXIST', "'a/b'");
  });

  it('answers MLflow validation errors, never a 500', async () => {
    expectError(await send('POST', `${API}/traces`, { timestamp_ms: 1 }), 400, 'INVALID_PARAMETER_VALUE', "'experiment_id'");
    expectError(await send('POST', `${API}/traces`, { experiment_id: '987654', timestamp_ms: 1 }), 404, 'RESOURCE_DOES_NOT_EXIST');
    expectError(await send('POST', `${API}/traces`, { experiment_id: exp }, 'text/plain'), 400, 'INVALID_PARAMETER_VALUE', 'Content-Type');
    expectError(await send('POST', `${API}/traces`, { experiment_id: exp, timestamp_ms: 'soon' }), 400, 'INVALID_PARAMETER_VALUE', "'timestamp_ms'");
    expectError(await send('GET', `${API}/traces`), 400, 'INVALID_PARAMETER_VALUE', "'experiment_ids'");
    expectError(await send('GET', `${API}/traces?experiment_ids=${exp}&max_results=501`), 400, 'INVALID_PARAMETER_VALUE', "'max_results'");
    expectError(await send('GET', `${API}/traces?experiment_ids=${exp}&filter=tags.a%20LIKE%20'x'`), 400, 'INVALID_PARAMETER_VALUE');
    expectError(await send('PATCH', `${API}/traces/nope`, { timestamp_ms: 1, status: 'OK' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    expectError(await send('PATCH', `${API}/traces/nope`, { status: 'DONE' }), 400, 'INVALID_PARAMETER_VALUE', "'status'");
    expectError(await send('PATCH', `${API}/traces/nope/tags`, { value: 'v' }), 400, 'INVALID_PARAMETER_VALUE', "'key'");
    expectError(await send('POST', `${API}/traces/delete-traces`, { experiment_id: exp }), 400, 'INVALID_PARAMETER_VALUE', 'max_timestamp_millis');
    expectError(await send('POST', `${API}/traces/delete-traces`, { max_timestamp_millis: 1 }), 400, 'INVALID_PARAMETER_VALUE', "'experiment_id'");
  });

  it('a wrong method on a path with a parameter is a JSON 405 naming the methods it takes', async () => {
    const res = await send('POST', `${API}/traces/abc/info`, {});
    expectError(res, 405, 'ENDPOINT_NOT_FOUND');
    expect(res.headers.allow).toBe('GET');
    expect((await send('PUT', `${API}/traces/abc/tags`, {})).headers.allow).toBe('PATCH, DELETE');
    expectError(await send('GET', `${API}/traces/abc/unknown`), 404, 'ENDPOINT_NOT_FOUND');
  });

  it('delete-traces answers the count', async () => {
    const t = await startTrace();
    const res = await send('POST', `${API}/traces/delete-traces`, { experiment_id: exp, request_ids: [t.request_id] });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({ traces_deleted: 1 });
    expectError(await send('GET', `${API}/traces/${t.request_id}/info`), 404, 'RESOURCE_DOES_NOT_EXIST');
  });
});

describe('get-trace-artifact', () => {
  it('sends the traces.json uploaded under the trace artifact location, as an attachment', async () => {
    const t = await startTrace();
    const location = t.tags?.find((x) => x.key === 'mlflow.artifactLocation')?.value ?? '';
    expect(location).toBe(`mlflow-artifacts:/${exp}/traces/${t.request_id}/artifacts`);
    const data = JSON.stringify({ spans: [{ name: 'root', context: { span_id: '0x1', trace_id: '0x2' } }], request: '{}', response: '{}' });
    const path = location.replace('mlflow-artifacts:/', '');
    const put = await send('PUT', `/api/2.0/mlflow-artifacts/artifacts/${path}/traces.json`, data);
    expect(put.status, put.text).toBe(200);

    const res = await send('GET', `${AJAX}/get-trace-artifact?request_id=${t.request_id}`);
    expect(res.status, res.text).toBe(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename=traces.json');
    expect(JSON.parse(res.text)).toEqual(JSON.parse(data));
  });

  it('is ajax-only, needs request_id, and answers 404 for unknown traces and traces without data', async () => {
    expect((await send('GET', `${API}/get-trace-artifact?request_id=x`)).status).toBe(404);
    expectError(await send('GET', `${AJAX}/get-trace-artifact`), 400, 'BAD_REQUEST', 'request_id');
    expectError(await send('GET', `${AJAX}/get-trace-artifact?request_id=nope`), 404, 'RESOURCE_DOES_NOT_EXIST');
    const t = await startTrace();
    expectError(await send('GET', `${AJAX}/get-trace-artifact?request_id=${t.request_id}`), 404, 'RESOURCE_DOES_NOT_EXIST');
  });

  it('a trace whose artifact location points outside the served roots is refused with 400', async () => {
    const t = await startTrace();
    await send('PATCH', `${API}/traces/${t.request_id}/tags`, { key: 'mlflow.artifactLocation', value: '/etc' });
    expectError(await send('GET', `${AJAX}/get-trace-artifact?request_id=${t.request_id}`), 400, 'INVALID_PARAMETER_VALUE');
  });
});
