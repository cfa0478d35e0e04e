/**
 * Table-driven checks of what the tracking API answers to bad input, over HTTP (app.inject).
 *
 * Expectations are MLflow 2.x's (see the MLflow tracking API reference, mlflow-tracking-api.md §1.2, §3, §4), except where
 * a case says otherwise. Every error must be MLflow's `{error_code, message}` JSON, and no caller mistake may
 * produce a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tracking, type Endpoint } from '@runlog/core';
import { createTempApp, type TempApp } from '../packages/server/src/testing/temp-stores.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface Case {
  name: string;
  /** Default POST. */
  method?: Method;
  /** Relative to `/api/2.0/mlflow/` unless it starts with `/`. May hold placeholders, e.g. `{run}`. */
  path: string;
  /** Raw query string, without `?`. May hold placeholders. */
  query?: string;
  /** Sent as JSON. May hold placeholders (in strings). */
  body?: unknown;
  /** Sent verbatim instead of `body`. */
  raw?: string;
  /** Default `application/json` when there is a body; `null` sends no Content-Type header. */
  contentType?: string | null;
  status: number;
  /** Expected `error_code` when status ≥ 400. */
  error?: string;
  /** Substring expected in the error message. */
  message?: string;
}

const API = '/api/2.0/mlflow/';
const AJAX = '/ajax-api/2.0/mlflow/';
const UNKNOWN_RUN = '0123456789abcdef0123456789abcdef';
const UNKNOWN_EXP = '987654321';
const BAD = 'INVALID_PARAMETER_VALUE';
const MISSING = 'Missing value for required parameter';

const ids: Record<string, string> = {};

function fill(text: string): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => ids[name] ?? whole);
}

function urlOf(c: Pick<Case, 'path' | 'query'>): string {
  const path = c.path.startsWith('/') ? c.path : API + c.path;
  return fill(path) + (c.query !== undefined ? `?${fill(c.query)}` : '');
}

let temp: TempApp;

async function send(c: Omit<Case, 'name' | 'status'>) {
  const method = c.method ?? 'POST';
  let payload: string | undefined;
  if (c.raw !== undefined) payload = fill(c.raw);
  else if (c.body !== undefined) payload = fill(JSON.stringify(c.body));
  const headers: Record<string, string> = {};
  const contentType = c.contentType === undefined ? (payload !== undefined ? 'application/json' : null) : c.contentType;
  if (contentType !== null) headers['content-type'] = contentType;
  const res = await temp.app.inject({ method, url: urlOf(c), headers, ...(payload !== undefined ? { payload } : {}) });
  let json: unknown;
  try {
    json = JSON.parse(res.body);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, contentType: String(res.headers['content-type'] ?? ''), text: res.body, json };
}

async function check(c: Case): Promise<void> {
  const res = await send(c);
  const shown = `${c.method ?? 'POST'} ${urlOf(c)} → ${res.status} ${res.text.slice(0, 300)}`;
  expect(res.status, shown).not.toBe(500);
  expect(res.status, shown).toBe(c.status);
  if (c.status >= 400) {
    expect(res.contentType, shown).toMatch(/^application\/json/);
    const body = res.json as { error_code?: unknown; message?: unknown } | undefined;
    expect(typeof body?.message, shown).toBe('string');
    expect(body?.error_code, shown).toBe(c.error);
    if (c.message !== undefined) expect(body?.message, shown).toContain(c.message);
  }
}

const ALL_CASES: Case[] = [];

function table(title: string, cases: readonly Case[]): void {
  ALL_CASES.push(...cases);
  describe(title, () => {
    for (const c of cases) it(c.name, () => check(c));
  });
}

async function ok(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await send({ path, body });
  if (res.status !== 200) throw new Error(`setup ${path} failed: ${res.status} ${res.text}`);
  return res.json as Record<string, unknown>;
}

async function getJson(path: string, query: string): Promise<Record<string, unknown>> {
  const res = await send({ method: 'GET', path, query });
  expect(res.status, res.text).toBe(200);
  return res.json as Record<string, unknown>;
}

async function createRun(experimentId: string): Promise<string> {
  const res = (await ok('runs/create', { experiment_id: experimentId, start_time: 1000 })) as { run: { info: { run_id: string } } };
  return res.run.info.run_id;
}

beforeAll(async () => {
  temp = await createTempApp();
  ids.exp = (await ok('experiments/create', { name: 'validation' })).experiment_id as string;
  ids.run = await createRun(ids.exp);
  ids.run2 = await createRun(ids.exp);
  ids.drun = await createRun(ids.exp);
  await ok('runs/delete', { run_id: ids.drun });
  ids.dexp = (await ok('experiments/create', { name: 'validation-deleted' })).experiment_id as string;
  await ok('experiments/delete', { experiment_id: ids.dexp });
  for (const [run, step, value] of [
    ['run', 0, 1],
    ['run', 1, 0.5],
    ['run2', 0, 2],
  ] as const) {
    await ok('runs/log-metric', { run_id: ids[run], key: 'loss', value, timestamp: 5000 + step, step });
  }
  await ok('runs/log-parameter', { run_id: ids.run, key: 'p', value: '1' });
  await ok('runs/set-tag', { run_id: ids.run, key: 't', value: 'v' });
  ids.U = UNKNOWN_RUN;
  ids.X = UNKNOWN_EXP;
});

afterAll(async () => {
  await temp.cleanup();
});

const metric = { key: 'm', value: 1, timestamp: 1 };
const model = (runId: string) => JSON.stringify({ artifact_path: 'model', flavors: {}, utc_time_created: '2025-01-01 00:00:00', run_id: runId });
const dataset = { name: 'ds', digest: 'abc', source_type: 'local', source: '{}' };

// ---------------------------------------------------------------------------------------------------------------
// Missing required fields: absent, or an empty string, is "Missing value for required parameter 'X'." (400).
// ---------------------------------------------------------------------------------------------------------------
const missing = (name: string, path: string, body: unknown, field: string, method: Method = 'POST'): Case => ({
  name: `${name}: missing ${field}`,
  method,
  path,
  ...(method === 'GET' ? { query: body as string } : { body }),
  status: 400,
  error: BAD,
  message: `${MISSING} '${field}'`,
});

table('missing required fields → 400 INVALID_PARAMETER_VALUE', [
  missing('experiments/create', 'experiments/create', {}, 'name'),
  missing('experiments/create (empty string)', 'experiments/create', { name: '' }, 'name'),
  missing('experiments/get', 'experiments/get', undefined, 'experiment_id', 'GET'),
  missing('experiments/get (empty value)', 'experiments/get', 'experiment_id=', 'experiment_id', 'GET'),
  missing('experiments/get-by-name', 'experiments/get-by-name', undefined, 'experiment_name', 'GET'),
  missing('experiments/delete', 'experiments/delete', {}, 'experiment_id'),
  missing('experiments/restore', 'experiments/restore', {}, 'experiment_id'),
  missing('experiments/update', 'experiments/update', { new_name: 'n' }, 'experiment_id'),
  missing('experiments/update', 'experiments/update', { experiment_id: '{exp}' }, 'new_name'),
  missing('experiments/set-experiment-tag', 'experiments/set-experiment-tag', { key: 'k', value: 'v' }, 'experiment_id'),
  missing('experiments/set-experiment-tag', 'experiments/set-experiment-tag', { experiment_id: '{exp}', value: 'v' }, 'key'),
  missing('experiments/delete-experiment-tag', 'experiments/delete-experiment-tag', { key: 'k' }, 'experiment_id'),
  missing('experiments/delete-experiment-tag', 'experiments/delete-experiment-tag', { experiment_id: '{exp}' }, 'key'),
  missing('runs/create tags[0]', 'runs/create', { experiment_id: '{exp}', tags: [{ value: 'v' }] }, 'tags[0].key'),
  missing('runs/update', 'runs/update', { status: 'FINISHED' }, 'run_id'),
  missing('runs/delete', 'runs/delete', {}, 'run_id'),
  missing('runs/restore', 'runs/restore', {}, 'run_id'),
  missing('runs/log-metric', 'runs/log-metric', { key: 'm', value: 1, timestamp: 1 }, 'run_id'),
  missing('runs/log-metric', 'runs/log-metric', { run_id: '{run}', value: 1, timestamp: 1 }, 'key'),
  missing('runs/log-metric', 'runs/log-metric', { run_id: '{run}', key: 'm', timestamp: 1 }, 'value'),
  missing('runs/log-metric', 'runs/log-metric', { run_id: '{run}', key: 'm', value: 1 }, 'timestamp'),
  missing('runs/log-parameter', 'runs/log-parameter', { key: 'k', value: 'v' }, 'run_id'),
  missing('runs/log-parameter', 'runs/log-parameter', { run_id: '{run}', value: 'v' }, 'key'),
  missing('runs/set-tag', 'runs/set-tag', { key: 'k', value: 'v' }, 'run_id'),
  missing('runs/set-tag', 'runs/set-tag', { run_id: '{run}', value: 'v' }, 'key'),
  missing('runs/delete-tag', 'runs/delete-tag', { key: 'k' }, 'run_id'),
  missing('runs/delete-tag', 'runs/delete-tag', { run_id: '{run}' }, 'key'),
  missing('runs/get', 'runs/get', undefined, 'run_id', 'GET'),
  missing('runs/log-batch', 'runs/log-batch', { metrics: [metric] }, 'run_id'),
  missing('runs/log-batch metrics[0]', 'runs/log-batch', { run_id: '{run}', metrics: [{ key: 'm', value: 1 }] }, 'metrics[0].timestamp'),
  missing('runs/log-batch metrics[0]', 'runs/log-batch', { run_id: '{run}', metrics: [{ key: 'm', timestamp: 1 }] }, 'metrics[0].value'),
  missing('runs/log-batch params[0]', 'runs/log-batch', { run_id: '{run}', params: [{ value: '1' }] }, 'params[0].key'),
  missing('runs/log-batch tags[1]', 'runs/log-batch', { run_id: '{run}', tags: [{ key: 'a' }, { key: '' }] }, 'tags[1].key'),
  missing('runs/log-model', 'runs/log-model', { model_json: '{}' }, 'run_id'),
  missing('runs/log-model', 'runs/log-model', { run_id: '{run}' }, 'model_json'),
  missing('runs/log-inputs', 'runs/log-inputs', { datasets: [] }, 'run_id'),
  missing('runs/log-inputs datasets[0]', 'runs/log-inputs', { run_id: '{run}', datasets: [{ dataset: { ...dataset, name: undefined } }] }, 'datasets[0].dataset.name'),
  missing('metrics/get-history', 'metrics/get-history', 'metric_key=loss', 'run_id', 'GET'),
  missing('metrics/get-history', 'metrics/get-history', 'run_id={run}', 'metric_key', 'GET'),
  missing('metrics/get-history-bulk-interval', 'metrics/get-history-bulk-interval', 'metric_key=loss', 'run_ids', 'GET'),
  missing('metrics/get-history-bulk-interval', 'metrics/get-history-bulk-interval', 'run_ids={run}', 'metric_key', 'GET'),
  missing('runs/log-inputs', 'runs/log-inputs', { run_id: '{run}' }, 'datasets'),
  // These three answer with MLflow's own wording for them.
  { ...missing('ajax metrics/get-history-bulk', `${AJAX}metrics/get-history-bulk`, 'metric_key=loss', 'run_id', 'GET'), message: 'GetMetricHistoryBulk request must specify at least one run_id.' },
  { ...missing('ajax metrics/get-history-bulk', `${AJAX}metrics/get-history-bulk`, 'run_id={run}', 'metric_key', 'GET'), message: 'GetMetricHistoryBulk request must specify a metric_key.' },
  { ...missing('ajax experiments/search-datasets', `${AJAX}experiments/search-datasets`, {}, 'experiment_ids'), message: 'SearchDatasets request must specify at least one experiment_id.' },
  { ...missing('ajax runs/create-promptlab-run', `${AJAX}runs/create-promptlab-run`, { experiment_id: '{exp}' }, 'prompt_template'), message: 'CreatePromptlabRun request must specify prompt_template.' },
  { ...missing('ajax runs/create-promptlab-run', `${AJAX}runs/create-promptlab-run`, {}, 'experiment_id'), message: 'CreatePromptlabRun request must specify experiment_id.' },
  {
    name: 'experiments/search: no max_results is 0, which MLflow rejects',
    path: 'experiments/search',
    body: {},
    status: 400,
    error: BAD,
    message: 'max_results',
  },
]);

// ---------------------------------------------------------------------------------------------------------------
// Wrong types.
// ---------------------------------------------------------------------------------------------------------------
const invalid = (name: string, path: string, body: unknown, field: string): Case => ({
  name,
  path,
  body,
  status: 400,
  error: BAD,
  message: `parameter '${field}'`,
});

table('wrong types → 400 INVALID_PARAMETER_VALUE', [
  invalid('int64 as non-numeric string: log-metric timestamp', 'runs/log-metric', { ...metric, run_id: '{run}', timestamp: 'abc' }, 'timestamp'),
  invalid('int64 as non-numeric string: log-metric step', 'runs/log-metric', { ...metric, run_id: '{run}', step: 'first' }, 'step'),
  invalid('int64 as fraction: log-metric timestamp 1.5', 'runs/log-metric', { ...metric, run_id: '{run}', timestamp: 1.5 }, 'timestamp'),
  invalid('int64 out of range: log-metric timestamp 1e20 as text', 'runs/log-metric', { ...metric, run_id: '{run}', timestamp: '100000000000000000000' }, 'timestamp'),
  invalid('int64 as non-numeric string: runs/create start_time', 'runs/create', { experiment_id: '{exp}', start_time: 'yesterday' }, 'start_time'),
  invalid('int64 as non-numeric string: runs/update end_time', 'runs/update', { run_id: '{run2}', end_time: 'later' }, 'end_time'),
  invalid('int64 as non-numeric string: runs/search max_results', 'runs/search', { experiment_ids: ['{exp}'], max_results: 'ten' }, 'max_results'),
  invalid('int64 as non-numeric string: experiments/search max_results', 'experiments/search', { max_results: 'all' }, 'max_results'),
  invalid('int64 as non-numeric string: log-batch metrics[0].step', 'runs/log-batch', { run_id: '{run}', metrics: [{ ...metric, step: 'x' }] }, 'metrics[0].step'),
  invalid('object for a string: experiments/create name', 'experiments/create', { name: { a: 1 } }, 'name'),
  invalid('object for a string: log-parameter key', 'runs/log-parameter', { run_id: '{run}', key: {}, value: '1' }, 'key'),
  invalid('object for a string: set-tag value', 'runs/set-tag', { run_id: '{run}', key: 'k', value: { v: 1 } }, 'value'),
  invalid('object for a string: runs/search filter', 'runs/search', { experiment_ids: ['{exp}'], filter: { a: 1 } }, 'filter'),
  invalid('object for a string: runs/get run_id (POSTed JSON to a GET route is ignored, so via delete)', 'runs/delete', { run_id: { id: 1 } }, 'run_id'),
  invalid('number for a string: experiments/create name', 'experiments/create', { name: 5 }, 'name'),
  invalid('number for a string: log-parameter value', 'runs/log-parameter', { run_id: '{run}', key: 'pn', value: 1 }, 'value'),
  invalid('array for a string: experiments/update new_name', 'experiments/update', { experiment_id: '{exp}', new_name: ['a'] }, 'new_name'),
  invalid('boolean for a double: log-metric value', 'runs/log-metric', { ...metric, run_id: '{run}', value: true }, 'value'),
  invalid('boolean for a double: log-batch metrics[0].value', 'runs/log-batch', { run_id: '{run}', metrics: [{ ...metric, value: false }] }, 'metrics[0].value'),
  invalid('null for a double: log-metric value', 'runs/log-metric', { ...metric, run_id: '{run}', value: null }, 'value'),
  invalid('non-numeric string for a double: log-metric value', 'runs/log-metric', { ...metric, run_id: '{run}', value: 'high' }, 'value'),
  invalid('unknown enum name: runs/update status', 'runs/update', { run_id: '{run2}', status: 'DONE' }, 'status'),
  invalid('unknown enum number: runs/update status', 'runs/update', { run_id: '{run2}', status: 99 }, 'status'),
  invalid('unknown enum name: runs/search run_view_type', 'runs/search', { experiment_ids: ['{exp}'], run_view_type: 'SOME' }, 'run_view_type'),
  invalid('unknown enum name: experiments/search view_type', 'experiments/search', { max_results: 5, view_type: 'EVERYTHING' }, 'view_type'),
  invalid('string for a list: experiments/create tags', 'experiments/create', { name: 'typed-tags', tags: 'x' }, 'tags'),
  invalid('object for a list: log-batch metrics', 'runs/log-batch', { run_id: '{run}', metrics: {} }, 'metrics'),
  invalid('number in a string list: runs/search experiment_ids', 'runs/search', { experiment_ids: [1] }, 'experiment_ids[0]'),
  invalid('number for a list: ajax search-datasets experiment_ids', `${AJAX}experiments/search-datasets`, { experiment_ids: 5 }, 'experiment_ids'),
  invalid('number for a string: runs/search page_token', 'runs/search', { experiment_ids: ['{exp}'], page_token: 5 }, 'page_token'),
  {
    name: 'int64 as non-numeric GET query value: metrics/get-history max_results',
    method: 'GET',
    path: 'metrics/get-history',
    query: 'run_id={run}&metric_key=loss&max_results=abc',
    status: 400,
    error: BAD,
    message: "parameter 'max_results'",
  },
  {
    name: 'int64 as non-numeric GET query value: get-history-bulk-interval start_step',
    method: 'GET',
    path: 'metrics/get-history-bulk-interval',
    query: 'run_ids={run}&metric_key=loss&start_step=a&end_step=2',
    status: 400,
    error: BAD,
    message: "parameter 'start_step'",
  },
  {
    name: 'int64 as non-numeric GET query value: experiments/search max_results',
    method: 'GET',
    path: 'experiments/search',
    query: 'max_results=abc',
    status: 400,
    error: BAD,
    message: "parameter 'max_results'",
  },
]);

// ---------------------------------------------------------------------------------------------------------------
// Lenient input MLflow accepts: numeric strings for int64, "NaN"/"Infinity" for doubles, enum numbers, run_uuid.
// ---------------------------------------------------------------------------------------------------------------
describe('lenient input is accepted', () => {
  it('numeric strings for int64 fields (log-metric timestamp and step)', async () => {
    await check({ name: '', path: 'runs/log-metric', body: { run_id: '{run2}', key: 'strint', value: 3, timestamp: '17', step: '4' }, status: 200 });
    const history = await getJson('metrics/get-history', `run_id=${ids.run2!}&metric_key=strint`);
    expect(history.metrics).toEqual([{ key: 'strint', value: 3, timestamp: 17, step: 4 }]);
  });

  it('numeric strings for int64 fields (runs/create start_time, runs/search max_results, runs/update end_time)', async () => {
    const created = await send({ path: 'runs/create', body: { experiment_id: '{exp}', start_time: '5' } });
    expect(created.status).toBe(200);
    expect((created.json as { run: { info: { start_time: unknown } } }).run.info.start_time).toBe(5);
    await check({ name: '', path: 'runs/search', body: { experiment_ids: ['{exp}'], max_results: '2' }, status: 200 });
    await check({ name: '', path: 'runs/update', body: { run_id: '{run2}', end_time: '9000' }, status: 200 });
  });

  it('"NaN", "Infinity" and "-Infinity" for doubles, echoed back the same way', async () => {
    for (const [key, value] of [
      ['nan', 'NaN'],
      ['inf', 'Infinity'],
      ['ninf', '-Infinity'],
    ]) {
      await check({ name: '', path: 'runs/log-metric', body: { run_id: '{run2}', key, value, timestamp: 1 }, status: 200 });
    }
    await check({
      name: '',
      path: 'runs/log-batch',
      body: { run_id: '{run2}', metrics: [{ key: 'batch_nan', value: 'NaN', timestamp: 1 }] },
      status: 200,
    });
    const { run } = (await getJson('runs/get', `run_id=${ids.run2!}`)) as { run: { data: { metrics: { key: string; value: unknown }[] } } };
    const values = Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value]));
    expect(values).toMatchObject({ nan: 'NaN', inf: 'Infinity', ninf: '-Infinity', batch_nan: 'NaN' });
  });

  it('numeric strings for doubles', async () => {
    await check({ name: '', path: 'runs/log-metric', body: { run_id: '{run2}', key: 'strdouble', value: '1.5', timestamp: 1 }, status: 200 });
  });

  it('enum numbers (run_view_type 3 = ALL, status 3 = FINISHED)', async () => {
    const res = await send({ path: 'runs/search', body: { experiment_ids: ['{exp}'], run_view_type: 3 } });
    expect(res.status).toBe(200);
    expect((res.json as { runs: { info: { run_id: string } }[] }).runs.map((r) => r.info.run_id)).toContain(ids.drun);
    const updated = await send({ path: 'runs/update', body: { run_id: '{run2}', status: 3 } });
    expect(updated.status).toBe(200);
    expect((updated.json as { run_info: { status: string } }).run_info.status).toBe('FINISHED');
  });

  it('run_uuid in place of run_id (runs/get, metrics/get-history, log-metric)', async () => {
    await check({ name: '', method: 'GET', path: 'runs/get', query: 'run_uuid={run}', status: 200 });
    await check({ name: '', method: 'GET', path: 'metrics/get-history', query: 'run_uuid={run}&metric_key=loss', status: 200 });
    await check({ name: '', path: 'runs/log-metric', body: { run_uuid: '{run}', key: 'uuid', value: 1, timestamp: 1 }, status: 200 });
  });

  it('a body that is a JSON string holding JSON is decoded twice', async () => {
    await check({ name: '', path: 'experiments/create', raw: JSON.stringify(JSON.stringify({ name: 'double-encoded' })), status: 200 });
  });

  it('unknown fields are ignored', async () => {
    await check({ name: '', path: 'runs/set-tag', body: { run_id: '{run}', key: 'k', value: 'v', colour: 'blue' }, status: 200 });
  });

  it('Content-Type parameters and case are ignored', async () => {
    await check({ name: '', path: 'runs/set-tag', body: { run_id: '{run}', key: 'k', value: 'v' }, contentType: 'application/json; charset=utf-8', status: 200 });
    await check({ name: '', path: 'runs/set-tag', body: { run_id: '{run}', key: 'k', value: 'v' }, contentType: 'Application/JSON', status: 200 });
  });

  it('param values over 6000 characters are truncated, not rejected', async () => {
    await check({ name: '', path: 'runs/log-parameter', body: { run_id: '{run2}', key: 'long', value: 'x'.repeat(6001) }, status: 200 });
    const { run } = (await getJson('runs/get', `run_id=${ids.run2!}`)) as { run: { data: { params: { key: string; value: string }[] } } };
    expect(run.data.params.find((p) => p.key === 'long')?.value).toHaveLength(6000);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Transport: malformed JSON, Content-Type, routes, methods.
// ---------------------------------------------------------------------------------------------------------------
table('malformed bodies are read as {} → 400 missing field', [
  { name: 'truncated JSON', path: 'runs/log-metric', raw: '{"run_id": ', status: 400, error: BAD, message: `${MISSING} 'run_id'` },
  { name: 'not JSON at all', path: 'experiments/create', raw: 'not json', status: 400, error: BAD, message: `${MISSING} 'name'` },
  { name: 'JSON array', path: 'experiments/create', raw: '[1, 2]', status: 400, error: BAD, message: `${MISSING} 'name'` },
  { name: 'JSON null', path: 'runs/delete', raw: 'null', status: 400, error: BAD, message: `${MISSING} 'run_id'` },
  { name: 'empty body', path: 'runs/delete', raw: '', status: 400, error: BAD, message: `${MISSING} 'run_id'` },
  { name: 'query string on a POST is ignored', path: 'runs/delete', query: 'run_id={run}', body: {}, status: 400, error: BAD, message: `${MISSING} 'run_id'` },
]);

table('POST Content-Type must be application/json → 400', [
  { name: 'no Content-Type', path: 'runs/log-metric', body: { ...metric, run_id: '{run}' }, contentType: null, status: 400, error: BAD, message: 'Content-Type' },
  { name: 'no Content-Type, no body', path: 'runs/delete', contentType: null, status: 400, error: BAD, message: 'Content-Type' },
  { name: 'text/plain', path: 'runs/log-metric', body: { ...metric, run_id: '{run}' }, contentType: 'text/plain', status: 400, error: BAD, message: 'Content-Type' },
  { name: 'form-urlencoded', path: 'experiments/create', raw: 'name=x', contentType: 'application/x-www-form-urlencoded', status: 400, error: BAD, message: 'Content-Type' },
  { name: 'ajax-api text/plain', path: `${AJAX}experiments/create`, body: { name: 'x' }, contentType: 'text/plain', status: 400, error: BAD, message: 'Content-Type' },
]);

table('unknown routes → 404 ENDPOINT_NOT_FOUND (JSON)', [
  { name: 'GET unknown tracking path', method: 'GET', path: 'does-not-exist', status: 404, error: 'ENDPOINT_NOT_FOUND' },
  { name: 'POST unknown tracking path', path: 'runs/log-everything', body: {}, status: 404, error: 'ENDPOINT_NOT_FOUND' },
  { name: 'experiments/list (removed in MLflow 2.0)', method: 'GET', path: 'experiments/list', status: 404, error: 'ENDPOINT_NOT_FOUND' },
  { name: 'unknown top-level path', method: 'GET', path: '/nope', status: 404, error: 'ENDPOINT_NOT_FOUND' },
  { name: 'unknown API version', method: 'GET', path: '/api/2.1/mlflow/runs/get', query: 'run_id={run}', status: 404, error: 'ENDPOINT_NOT_FOUND' },
  { name: 'unknown ajax-api path', method: 'GET', path: `${AJAX}does-not-exist`, status: 404, error: 'ENDPOINT_NOT_FOUND' },
  { name: 'ajax-only get-history-bulk is not under /api', method: 'GET', path: 'metrics/get-history-bulk', query: 'run_id={run}&metric_key=loss', status: 404, error: 'ENDPOINT_NOT_FOUND' },
  { name: 'ajax-only search-datasets is not under /api', path: 'experiments/search-datasets', body: { experiment_ids: ['{exp}'] }, status: 404, error: 'ENDPOINT_NOT_FOUND' },
]);

function endpointCases(): { name: string; endpoint: Endpoint; url: string }[] {
  const out: { name: string; endpoint: Endpoint; url: string }[] = [];
  for (const endpoint of Object.values(tracking) as Endpoint[]) {
    out.push({ name: endpoint.name, endpoint, url: `${endpoint.ajaxOnly ? '/ajax-api/2.0' : '/api/2.0'}${endpoint.path}` });
  }
  return out;
}

describe('methods a route does not take → 405 ENDPOINT_NOT_FOUND (JSON, not HTML as MLflow)', () => {
  for (const { name, endpoint, url } of endpointCases()) {
    const wrong = (['GET', 'POST', 'DELETE', 'PATCH', 'PUT'] as const).filter((m) => !endpoint.methods.includes(m));
    for (const method of wrong) {
      it(`${method} ${url} (${name})`, () =>
        check({ name, method, path: url, ...(method === 'GET' ? {} : { body: {} }), status: 405, error: 'ENDPOINT_NOT_FOUND' }));
    }
  }
});

// ---------------------------------------------------------------------------------------------------------------
// GET query strings: repeated keys.
// ---------------------------------------------------------------------------------------------------------------
describe('GET query strings', () => {
  it('repeated run_ids for get-history-bulk-interval return every listed run, in run_ids order', async () => {
    const res = (await getJson('metrics/get-history-bulk-interval', `run_ids=${ids.run2!}&run_ids=${ids.run!}&metric_key=loss`)) as {
      metrics: { run_id: string; step: number }[];
    };
    expect(res.metrics.map((m) => [m.run_id, m.step])).toEqual([
      [ids.run2, 0],
      [ids.run, 0],
      [ids.run, 1],
    ]);
  });

  it('a single run_ids value is a one-element list', async () => {
    const res = (await getJson('metrics/get-history-bulk-interval', `run_ids=${ids.run2!}&metric_key=loss`)) as { metrics: { run_id: string }[] };
    expect(new Set(res.metrics.map((m) => m.run_id))).toEqual(new Set([ids.run2]));
  });

  it('a repeated scalar key takes its first value', async () => {
    const res = (await getJson('runs/get', `run_id=${ids.run!}&run_id=${UNKNOWN_RUN}`)) as { run: { info: { run_id: string } } };
    expect(res.run.info.run_id).toBe(ids.run);
  });

  it('repeated run_id for the ajax get-history-bulk', async () => {
    const res = (await getJson(`${AJAX}metrics/get-history-bulk`, `run_id=${ids.run!}&run_id=${ids.run2!}&metric_key=loss`)) as {
      metrics: { run_id: string }[];
    };
    expect(res.metrics.map((m) => m.run_id).sort()).toEqual([ids.run, ids.run, ids.run2].sort());
  });

  it('repeated order_by for GET experiments/search', async () => {
    await check({ name: '', method: 'GET', path: 'experiments/search', query: 'max_results=5&order_by=name&order_by=creation_time', status: 200 });
  });

  // MLflow reads a GET without a query string from its JSON body (§1.2 "GET without a query string").
  it('a GET without a query string reads its JSON body (MLflow compatibility)', async () => {
    const res = await send({ method: 'GET', path: 'runs/get', body: { run_id: '{run}' } });
    expect(res.status, res.text).toBe(200);
    expect((res.json as { run: { info: { run_id: string } } }).run.info.run_id).toBe(ids.run);
  });
});

table('get-history-bulk-interval and get-history-bulk limits → 400', [
  { name: 'more than 100 run_ids', method: 'GET', path: 'metrics/get-history-bulk-interval', query: `metric_key=loss&${Array.from({ length: 101 }, (_, i) => `run_ids=r${i}`).join('&')}`, status: 400, error: BAD },
  { name: 'start_step without end_step', method: 'GET', path: 'metrics/get-history-bulk-interval', query: 'metric_key=loss&run_ids={run}&start_step=1', status: 400, error: BAD },
  { name: 'start_step > end_step', method: 'GET', path: 'metrics/get-history-bulk-interval', query: 'metric_key=loss&run_ids={run}&start_step=5&end_step=1', status: 400, error: BAD },
  { name: 'max_results 0', method: 'GET', path: 'metrics/get-history-bulk-interval', query: 'metric_key=loss&run_ids={run}&max_results=0', status: 400, error: BAD },
  { name: 'max_results 2501', method: 'GET', path: 'metrics/get-history-bulk-interval', query: 'metric_key=loss&run_ids={run}&max_results=2501', status: 400, error: BAD },
  { name: 'ajax get-history-bulk: more than 100 run_id', method: 'GET', path: `${AJAX}metrics/get-history-bulk`, query: `metric_key=loss&${Array.from({ length: 101 }, (_, i) => `run_id=r${i}`).join('&')}`, status: 400, error: BAD },
  { name: 'ajax search-datasets: more than 20 experiment_ids', path: `${AJAX}experiments/search-datasets`, body: { experiment_ids: Array.from({ length: 21 }, (_, i) => String(i)) }, status: 400, error: BAD },
]);

// ---------------------------------------------------------------------------------------------------------------
// Search: filters, order_by, page tokens, max_results.
// ---------------------------------------------------------------------------------------------------------------
const token = (text: string) => Buffer.from(text).toString('base64');

table('search input → 400 INVALID_PARAMETER_VALUE', [
  { name: 'runs/search: bad comparator', path: 'runs/search', body: { experiment_ids: ['{exp}'], filter: 'metrics.loss << 1' }, status: 400, error: BAD },
  { name: 'runs/search: OR', path: 'runs/search', body: { experiment_ids: ['{exp}'], filter: "params.a = '1' OR params.b = '2'" }, status: 400, error: BAD },
  { name: 'runs/search: unknown entity', path: 'runs/search', body: { experiment_ids: ['{exp}'], filter: "colour.x = 'red'" }, status: 400, error: BAD },
  { name: 'runs/search: unterminated string', path: 'runs/search', body: { experiment_ids: ['{exp}'], filter: "params.a = 'x" }, status: 400, error: BAD },
  { name: 'runs/search: 5000 open parentheses', path: 'runs/search', body: { experiment_ids: ['{exp}'], filter: "params.a = 'x' and " + '('.repeat(5000) }, status: 400, error: BAD },
  { name: 'runs/search: bad order_by direction', path: 'runs/search', body: { experiment_ids: ['{exp}'], order_by: ['metrics.loss SIDEWAYS'] }, status: 400, error: BAD },
  { name: 'runs/search: page token not base64', path: 'runs/search', body: { experiment_ids: ['{exp}'], page_token: 'not-a-token!!' }, status: 400, error: BAD },
  { name: 'runs/search: page token not JSON', path: 'runs/search', body: { experiment_ids: ['{exp}'], page_token: token('hello') }, status: 400, error: BAD },
  { name: 'runs/search: page token with negative offset', path: 'runs/search', body: { experiment_ids: ['{exp}'], page_token: token('{"offset": -1}') }, status: 400, error: BAD },
  { name: 'runs/search: max_results 50001', path: 'runs/search', body: { experiment_ids: ['{exp}'], max_results: 50001 }, status: 400, error: BAD, message: '50000' },
  { name: 'runs/search: max_results 0', path: 'runs/search', body: { experiment_ids: ['{exp}'], max_results: 0 }, status: 400, error: BAD },
  { name: 'runs/search: max_results -5', path: 'runs/search', body: { experiment_ids: ['{exp}'], max_results: -5 }, status: 400, error: BAD },
  { name: 'experiments/search: bad filter attribute', path: 'experiments/search', body: { max_results: 5, filter: 'foo = 1' }, status: 400, error: BAD },
  { name: 'experiments/search: bad order_by key', path: 'experiments/search', body: { max_results: 5, order_by: ['bogus ASC'] }, status: 400, error: BAD },
  { name: 'experiments/search: page token not base64', path: 'experiments/search', body: { max_results: 5, page_token: 'zzz' }, status: 400, error: BAD },
  { name: 'experiments/search: max_results 50001', path: 'experiments/search', body: { max_results: 50001 }, status: 400, error: BAD, message: '50000' },
  { name: 'experiments/search: max_results -1', path: 'experiments/search', body: { max_results: -1 }, status: 400, error: BAD },
  { name: 'experiments/search GET: max_results 50001', method: 'GET', path: 'experiments/search', query: 'max_results=50001', status: 400, error: BAD },
]);

table('search limits accepted at the boundary', [
  { name: 'runs/search: max_results 50000', path: 'runs/search', body: { experiment_ids: ['{exp}'], max_results: 50000 }, status: 200 },
  { name: 'experiments/search: max_results 50000', path: 'experiments/search', body: { max_results: 50000 }, status: 200 },
  { name: 'runs/search: no body fields (no experiments, no runs)', path: 'runs/search', body: {}, status: 200 },
]);

// ---------------------------------------------------------------------------------------------------------------
// Validation rules of keys, values and batches.
// ---------------------------------------------------------------------------------------------------------------
const many = (n: number, make: (i: number) => unknown) => Array.from({ length: n }, (_, i) => make(i));

table('log-batch over limits → 400 INVALID_PARAMETER_VALUE', [
  { name: '1001 metrics', path: 'runs/log-batch', body: { run_id: '{run}', metrics: many(1001, (i) => ({ key: 'bm', value: i, timestamp: 1, step: i })) }, status: 400, error: BAD, message: '1000 metrics' },
  { name: '101 params', path: 'runs/log-batch', body: { run_id: '{run}', params: many(101, (i) => ({ key: `bp${i}`, value: '1' })) }, status: 400, error: BAD, message: '100 params' },
  { name: '101 tags', path: 'runs/log-batch', body: { run_id: '{run}', tags: many(101, (i) => ({ key: `bt${i}`, value: '1' })) }, status: 400, error: BAD, message: '100 tags' },
  { name: '1001 entities in total', path: 'runs/log-batch', body: { run_id: '{run}', metrics: many(1000, (i) => ({ key: 'bm', value: i, timestamp: 1, step: i })), params: [{ key: 'one-more', value: '1' }] }, status: 400, error: BAD, message: '1000 total' },
  { name: 'duplicate param keys', path: 'runs/log-batch', body: { run_id: '{run}', params: [{ key: 'dup', value: '1' }, { key: 'dup', value: '2' }] }, status: 400, error: BAD, message: 'Duplicate' },
]);

table('key and value rules → 400 INVALID_PARAMETER_VALUE', [
  { name: 'metric key with a forbidden character', path: 'runs/log-metric', body: { ...metric, run_id: '{run}', key: 'a*b' }, status: 400, error: BAD },
  { name: 'param key that is not path-unique', path: 'runs/log-parameter', body: { run_id: '{run}', key: '../x', value: '1' }, status: 400, error: BAD },
  { name: 'tag key with //', path: 'runs/set-tag', body: { run_id: '{run}', key: 'a//b', value: '1' }, status: 400, error: BAD },
  { name: 'param key of 251 characters', path: 'runs/log-parameter', body: { run_id: '{run}', key: 'k'.repeat(251), value: '1' }, status: 400, error: BAD },
  { name: 'changing a logged param value', path: 'runs/log-parameter', body: { run_id: '{run}', key: 'p', value: '2' }, status: 400, error: BAD, message: 'Changing param values is not allowed' },
  { name: 'log-batch tag key with a forbidden character', path: 'runs/log-batch', body: { run_id: '{run}', tags: [{ key: 'bad?', value: '1' }] }, status: 400, error: BAD },
  { name: 'negative metric timestamp (log-metric)', path: 'runs/log-metric', body: { ...metric, run_id: '{run}', timestamp: -1 }, status: 400, error: BAD, message: 'timestamp' },
  { name: 'negative metric timestamp (log-batch)', path: 'runs/log-batch', body: { run_id: '{run}', metrics: [{ ...metric, timestamp: -1 }] }, status: 400, error: BAD, message: 'timestamp' },
  { name: 'experiment tag key that is not path-unique', path: 'experiments/set-experiment-tag', body: { experiment_id: '{exp}', key: '/abs', value: '1' }, status: 400, error: BAD },
  { name: 'experiment tag key with a forbidden character', path: 'experiments/set-experiment-tag', body: { experiment_id: '{exp}', key: 'a*b', value: '1' }, status: 400, error: BAD },
  { name: 'experiment tag value of 5001 characters', path: 'experiments/set-experiment-tag', body: { experiment_id: '{exp}', key: 'k', value: 'v'.repeat(5001) }, status: 400, error: BAD },
  { name: 'experiment name of spaces', path: 'experiments/create', body: { name: '   ' }, status: 400, error: BAD },
  { name: 'experiment name of 501 characters', path: 'experiments/create', body: { name: 'x'.repeat(501) }, status: 400, error: BAD },
  { name: 'artifact_location of 2049 characters', path: 'experiments/create', body: { name: 'long-location', artifact_location: 'x'.repeat(2049) }, status: 400, error: BAD },
  { name: 'runs:/ artifact_location', path: 'experiments/create', body: { name: 'runs-location', artifact_location: 'runs:/abc/x' }, status: 400, error: BAD },
  { name: 'experiments/update to a name of spaces', path: 'experiments/update', body: { experiment_id: '{exp}', new_name: '  ' }, status: 400, error: BAD },
  { name: 'run_name and mlflow.runName tag disagree', path: 'runs/create', body: { experiment_id: '{exp}', run_name: 'a', tags: [{ key: 'mlflow.runName', value: 'b' }] }, status: 400, error: BAD },
  { name: 'log-model: model_json not JSON', path: 'runs/log-model', body: { run_id: '{run}', model_json: 'nope' }, status: 400, error: BAD },
  { name: 'log-model: model_json without mandatory fields', path: 'runs/log-model', body: { run_id: '{run}', model_json: '{}' }, status: 400, error: BAD },
  { name: 'log-inputs: digest of 37 characters', path: 'runs/log-inputs', body: { run_id: '{run}', datasets: [{ dataset: { ...dataset, digest: 'd'.repeat(37) } }] }, status: 400, error: BAD },
]);

// ---------------------------------------------------------------------------------------------------------------
// Unknown and inactive entities.
// ---------------------------------------------------------------------------------------------------------------
const NF = 'RESOURCE_DOES_NOT_EXIST';

table('unknown run → 404 RESOURCE_DOES_NOT_EXIST', [
  { name: 'runs/get', method: 'GET', path: 'runs/get', query: 'run_id={U}', status: 404, error: NF },
  { name: 'runs/update', path: 'runs/update', body: { run_id: '{U}', status: 'FINISHED' }, status: 404, error: NF },
  { name: 'runs/delete', path: 'runs/delete', body: { run_id: '{U}' }, status: 404, error: NF },
  { name: 'runs/restore', path: 'runs/restore', body: { run_id: '{U}' }, status: 404, error: NF },
  { name: 'runs/log-metric', path: 'runs/log-metric', body: { ...metric, run_id: '{U}' }, status: 404, error: NF },
  { name: 'runs/log-parameter', path: 'runs/log-parameter', body: { run_id: '{U}', key: 'k', value: '1' }, status: 404, error: NF },
  { name: 'runs/set-tag', path: 'runs/set-tag', body: { run_id: '{U}', key: 'k', value: '1' }, status: 404, error: NF },
  { name: 'runs/delete-tag', path: 'runs/delete-tag', body: { run_id: '{U}', key: 'k' }, status: 404, error: NF },
  { name: 'runs/log-batch', path: 'runs/log-batch', body: { run_id: '{U}', params: [{ key: 'a', value: '1' }] }, status: 404, error: NF },
  { name: 'runs/log-model', path: 'runs/log-model', body: { run_id: '{U}', model_json: model(UNKNOWN_RUN) }, status: 404, error: NF },
  { name: 'runs/log-inputs', path: 'runs/log-inputs', body: { run_id: '{U}', datasets: [] }, status: 404, error: NF },
  { name: 'metrics/get-history (FileStore behaviour)', method: 'GET', path: 'metrics/get-history', query: 'run_id={U}&metric_key=loss', status: 404, error: NF },
  { name: 'ajax runs/get', method: 'GET', path: `${AJAX}runs/get`, query: 'run_id={U}', status: 404, error: NF },
  { name: 'run id that is not an id', method: 'GET', path: 'runs/get', query: 'run_id=..%2Fetc', status: 404, error: NF },
]);

table('unknown experiment → 404 RESOURCE_DOES_NOT_EXIST', [
  { name: 'experiments/get', method: 'GET', path: 'experiments/get', query: 'experiment_id={X}', status: 404, error: NF },
  { name: 'experiments/get-by-name', method: 'GET', path: 'experiments/get-by-name', query: 'experiment_name=nope', status: 404, error: NF },
  { name: 'experiments/delete', path: 'experiments/delete', body: { experiment_id: '{X}' }, status: 404, error: NF },
  { name: 'experiments/restore', path: 'experiments/restore', body: { experiment_id: '{X}' }, status: 404, error: NF },
  { name: 'experiments/update', path: 'experiments/update', body: { experiment_id: '{X}', new_name: 'q' }, status: 404, error: NF },
  { name: 'experiments/set-experiment-tag', path: 'experiments/set-experiment-tag', body: { experiment_id: '{X}', key: 'a', value: 'b' }, status: 404, error: NF },
  { name: 'experiments/delete-experiment-tag', path: 'experiments/delete-experiment-tag', body: { experiment_id: '{X}', key: 'a' }, status: 404, error: NF },
  { name: 'runs/create', path: 'runs/create', body: { experiment_id: '{X}' }, status: 404, error: NF },
  { name: 'experiment id that is not a number', method: 'GET', path: 'experiments/get', query: 'experiment_id=..%2Fx', status: 404, error: NF },
  { name: 'experiment id with 23 digits', method: 'GET', path: 'experiments/get', query: 'experiment_id=12345678901234567890123', status: 404, error: NF },
]);

table('unknown tag → 404 RESOURCE_DOES_NOT_EXIST', [
  { name: 'runs/delete-tag', path: 'runs/delete-tag', body: { run_id: '{run}', key: 'never-set' }, status: 404, error: NF },
  { name: 'experiments/delete-experiment-tag', path: 'experiments/delete-experiment-tag', body: { experiment_id: '{exp}', key: 'never-set' }, status: 404, error: NF },
]);

table('writes to a deleted run → 400 INVALID_PARAMETER_VALUE', [
  { name: 'runs/log-metric', path: 'runs/log-metric', body: { ...metric, run_id: '{drun}' }, status: 400, error: BAD },
  { name: 'runs/log-parameter', path: 'runs/log-parameter', body: { run_id: '{drun}', key: 'k', value: '1' }, status: 400, error: BAD },
  { name: 'runs/set-tag', path: 'runs/set-tag', body: { run_id: '{drun}', key: 'k', value: '1' }, status: 400, error: BAD },
  { name: 'runs/delete-tag', path: 'runs/delete-tag', body: { run_id: '{drun}', key: 'k' }, status: 400, error: BAD },
  { name: 'runs/log-batch', path: 'runs/log-batch', body: { run_id: '{drun}', params: [{ key: 'a', value: '1' }] }, status: 400, error: BAD },
  { name: 'runs/update', path: 'runs/update', body: { run_id: '{drun}', status: 'FINISHED' }, status: 400, error: BAD },
  { name: 'runs/log-model', path: 'runs/log-model', body: { run_id: '{drun}', model_json: '{"artifact_path":"m","flavors":{},"utc_time_created":"x","run_id":"{drun}"}' }, status: 400, error: BAD },
  { name: 'runs/log-inputs', path: 'runs/log-inputs', body: { run_id: '{drun}', datasets: [{ dataset }] }, status: 400, error: BAD },
  { name: 'runs/get still reads it', method: 'GET', path: 'runs/get', query: 'run_id={drun}', status: 200 },
]);

table('experiment lifecycle mistakes', [
  { name: 'duplicate experiment name → 400 RESOURCE_ALREADY_EXISTS', path: 'experiments/create', body: { name: 'validation' }, status: 400, error: 'RESOURCE_ALREADY_EXISTS' },
  { name: 'name of a deleted experiment → 400 RESOURCE_ALREADY_EXISTS', path: 'experiments/create', body: { name: 'validation-deleted' }, status: 400, error: 'RESOURCE_ALREADY_EXISTS' },
  { name: 'rename onto an existing name → 400 RESOURCE_ALREADY_EXISTS', path: 'experiments/update', body: { experiment_id: '{exp}', new_name: 'validation-deleted' }, status: 400, error: 'RESOURCE_ALREADY_EXISTS' },
  // MLflow: 500 INVALID_STATE (SQL store) / bare Exception (FileStore). A caller mistake, so Runlog answers 400.
  { name: 'rename a deleted experiment → 400 (MLflow: 500)', path: 'experiments/update', body: { experiment_id: '{dexp}', new_name: 'zz' }, status: 400, error: BAD },
  // MLflow's SQL store: 400 INVALID_PARAMETER_VALUE; its FileStore: 500 INVALID_STATE.
  { name: 'create a run in a deleted experiment → 400', path: 'runs/create', body: { experiment_id: '{dexp}' }, status: 400, error: BAD },
  { name: 'set a tag on a deleted experiment → 400', path: 'experiments/set-experiment-tag', body: { experiment_id: '{dexp}', key: 'a', value: 'b' }, status: 400, error: BAD },
  // MLflow: 500 INTERNAL_ERROR, which makes its client retry for minutes; Runlog answers 400.
  { name: 'delete the default experiment → 400 (MLflow: 500)', path: 'experiments/delete', body: { experiment_id: '0' }, status: 400, error: BAD },
  // Both MLflow stores look the experiment up among *active* ones to delete, among *deleted* ones to restore.
  { name: 'delete an already deleted experiment → 404', path: 'experiments/delete', body: { experiment_id: '{dexp}' }, status: 404, error: NF },
  { name: 'restore an active experiment → 404', path: 'experiments/restore', body: { experiment_id: '{exp}' }, status: 404, error: NF },
]);

// ---------------------------------------------------------------------------------------------------------------
// /ajax-api mirrors /api.
// ---------------------------------------------------------------------------------------------------------------
table('/ajax-api/2.0/mlflow/ routes', [
  { name: 'GET runs/get', method: 'GET', path: `${AJAX}runs/get`, query: 'run_id={run}', status: 200 },
  { name: 'GET experiments/get without its field', method: 'GET', path: `${AJAX}experiments/get`, status: 400, error: BAD, message: `${MISSING} 'experiment_id'` },
  { name: 'POST runs/log-metric without a body field', path: `${AJAX}runs/log-metric`, body: {}, status: 400, error: BAD, message: MISSING },
  { name: 'POST runs/search bad filter', path: `${AJAX}runs/search`, body: { experiment_ids: ['{exp}'], filter: 'metrics.loss << 1' }, status: 400, error: BAD },
  { name: 'GET get-history-bulk', method: 'GET', path: `${AJAX}metrics/get-history-bulk`, query: 'run_id={run}&metric_key=loss', status: 200 },
  { name: 'POST search-datasets', path: `${AJAX}experiments/search-datasets`, body: { experiment_ids: ['{exp}'] }, status: 200 },
  { name: 'DELETE runs/create', method: 'DELETE', path: `${AJAX}runs/create`, body: {}, status: 405, error: 'ENDPOINT_NOT_FOUND' },
]);

// ---------------------------------------------------------------------------------------------------------------
// Health and version.
// ---------------------------------------------------------------------------------------------------------------
describe('misc routes', () => {
  it('/health → 200 "OK"', async () => {
    const res = await temp.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('OK');
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
  });

  it('/version → 200 text', async () => {
    const res = await temp.app.inject({ method: 'GET', url: '/version' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toMatch(/^\d+\.\d+\.\d+/);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// No 500 for garbage, on every endpoint.
// ---------------------------------------------------------------------------------------------------------------
const GARBAGE_BODIES: readonly [string, string][] = [
  ['array', '[]'],
  ['string', '"hello"'],
  ['number', '42'],
  ['nested nonsense', JSON.stringify({ run_id: { $ne: 1 }, experiment_id: ['1'], name: [], key: null, value: {}, metrics: 'x', params: [1], tags: [null], experiment_ids: [{}], run_ids: {}, max_results: {}, filter: [], datasets: [{ dataset: 1 }] })],
  ['huge key', JSON.stringify({ run_id: '{run}', experiment_id: '{exp}', name: 'k'.repeat(100_000), key: 'k'.repeat(100_000), value: 'v', metric_key: 'k'.repeat(100_000), timestamp: 1 })],
  ['deep nesting', '{"a":'.repeat(2000) + '1' + '}'.repeat(2000)],
  ['control characters', JSON.stringify({ run_id: '\u0000\u0001', experiment_id: '\u0000', name: '\u0000', key: '\u0000', value: '\u0000', timestamp: 1 })],
];

const GARBAGE_QUERIES: readonly [string, string][] = [
  ['empty values', 'run_id=&run_ids=&metric_key=&experiment_id=&experiment_name=&max_results='],
  ['percent garbage', 'run_id=%ZZ&metric_key=%&experiment_id=%00'],
  ['huge values', `run_id=${'r'.repeat(5000)}&run_ids=${'r'.repeat(5000)}&metric_key=${'k'.repeat(5000)}&experiment_id=${'9'.repeat(5000)}&experiment_name=${'n'.repeat(5000)}`],
  ['bracket keys', 'run_ids[]=a&run_id[0]=b&metric_key[x]=c&max_results[]=1'],
  ['negative numbers', 'run_ids={run}&run_id={run}&metric_key=loss&max_results=-1&start_step=-5&end_step=-1'],
];

describe('no 500 for garbage input on any endpoint', () => {
  for (const { name, endpoint, url } of endpointCases()) {
    if (endpoint.methods.includes('POST')) {
      for (const [label, raw] of GARBAGE_BODIES) {
        it(`POST ${url} (${name}) with ${label}`, async () => {
          const res = await send({ path: url, raw });
          expect(res.status, res.text.slice(0, 300)).toBeLessThan(500);
          expect(res.contentType).toMatch(/^application\/json/);
          if (res.status !== 200) expect(typeof (res.json as { error_code?: unknown }).error_code).toBe('string');
        });
      }
    }
    if (endpoint.methods.includes('GET')) {
      for (const [label, query] of GARBAGE_QUERIES) {
        it(`GET ${url} (${name}) with ${label}`, async () => {
          const res = await send({ method: 'GET', path: url, query });
          expect(res.status, res.text.slice(0, 300)).toBeLessThan(500);
          expect(res.contentType).toMatch(/^application\/json/);
          if (res.status !== 200) expect(typeof (res.json as { error_code?: unknown }).error_code).toBe('string');
        });
      }
    }
  }
});

describe('coverage', () => {
  it('every tracking endpoint has a table case answering 400 or 404 to bad input', () => {
    // Without MLFLOW_DEPLOYMENTS_TARGET the gateway proxy answers every call with an empty gateway (as MLflow);
    // its 400s need a target and are in test/mlflow-extras.test.ts.
    const elsewhere = new Set(['/ajax-api/2.0/mlflow/gateway-proxy']);
    const uncovered = endpointCases()
      .filter(({ url }) => !elsewhere.has(url))
      .filter(({ url }) => !ALL_CASES.some((c) => c.status >= 400 && c.status < 500 && urlOf(c).split('?')[0] === url))
      .map(({ url }) => url);
    expect(uncovered).toEqual([]);
  });
});
