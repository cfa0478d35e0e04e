/**
 * Model-version `source` validation, table-driven: every source shape of MLflow's CVE history (known problems §3.1,
 * §3.5 "URIs") is refused with a 4xx JSON error and creates no version; the accepted forms (runs:/, models:/,
 * mlflow-artifacts:/, and locations inside the run's artifact root or this server's stores) resolve to the
 * storage location that get-download-uri then returns. Two servers: one proxying artifacts (the default), one
 * whose runs keep artifacts in a local folder (`--no-serve-artifacts --default-artifact-root <dir>`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempApp, type TempApp } from '../packages/server/src/testing/temp-stores.js';

const API = '/api/2.0/mlflow';
const JSON_HEADERS = { 'content-type': 'application/json' };

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

async function post(temp: TempApp, route: string, payload: unknown): Promise<Reply> {
  const res = await temp.app.inject({ method: 'POST', url: `${API}/${route}`, headers: JSON_HEADERS, payload: JSON.stringify(payload) });
  return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown> };
}

async function get(temp: TempApp, route: string): Promise<Reply> {
  const res = await temp.app.inject({ method: 'GET', url: `${API}/${route}` });
  return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown> };
}

async function newRun(temp: TempApp): Promise<{ runId: string; artifactUri: string }> {
  const run = await post(temp, 'runs/create', { experiment_id: '0' });
  const info = (run.body.run as { info: { run_id: string; artifact_uri: string } }).info;
  return { runId: info.run_id, artifactUri: info.artifact_uri };
}

async function versionCount(temp: TempApp, name: string): Promise<number> {
  const res = await get(temp, `model-versions/search?filter=${encodeURIComponent(`name = '${name}'`)}`);
  return ((res.body.model_versions as unknown[] | undefined) ?? []).length;
}

describe('model-version sources on a server that proxies artifacts', () => {
  let temp: TempApp;
  let run: { runId: string; artifactUri: string };

  beforeAll(async () => {
    temp = await createTempApp();
    run = await newRun(temp);
    expect((await post(temp, 'registered-models/create', { name: 'm' })).status).toBe(200);
    expect((await post(temp, 'model-versions/create', { name: 'm', source: `runs:/${run.runId}/model` })).status).toBe(200);
    expect((await post(temp, 'registered-models/alias', { name: 'm', alias: 'champion', version: '1' })).status).toBe(200);
  });
  afterAll(async () => {
    await temp.cleanup();
  });

  // [name, source, extra request fields]
  const refused: readonly [string, string, Record<string, unknown>?][] = [
    ['file:///etc/ (CVE-2023-1177)', 'file:///etc/'],
    ['file:///etc/ with the run id', 'file:///etc/', { run_id: '{run}' }],
    ['file://./etc (CVE-2023-2780)', 'file://./etc'],
    ['file://host/../../ (CVE-2023-2356)', 'file://localhost/../../../../etc/'],
    ['absolute local path', '/etc/passwd'],
    ['absolute local path with the run id', '/etc/passwd', { run_id: '{run}' }],
    ['relative local path', '../../etc'],
    ['bare relative path', 'model'],
    ['//proc/self/root (CVE-2023-6977)', '//proc/self/root'],
    ['http:///?/../ (CVE-2023-6909)', 'http:///?/../../../../etc/'],
    ['http:///#/../ (CVE-2024-1483)', 'http:///#/../../../../etc/'],
    ['http://host#/../.. (CVE-2024-3848)', 'http://host#/../../../../etc/'],
    ['remote http source (CVE-2023-6018)', 'http://attacker.example/api/2.0/mlflow-artifacts/artifacts/'],
    ['cloud metadata endpoint', 'http://169.254.169.254/latest/meta-data/'],
    ['this server over http', 'http://127.0.0.1:5000/api/2.0/mlflow-artifacts/artifacts/0/x'],
    ['https source', 'https://example.com/model'],
    ['dbfs with an encoded ? and .. (CVE-2024-8859)', 'dbfs:/run/artifacts/a%3f/../../../../../../'],
    ['dbfs source', 'dbfs:/databricks/model'],
    ['ftp source', 'ftp://host/model'],
    ['gs source (no such store configured)', 'gs://bucket/model'],
    ['s3 source outside the stores', 's3://other-bucket/model'],
    ['s3 with relative references', 's3://bucket/a/../../b'],
    ['mlflow-artifacts:/../..', 'mlflow-artifacts:/../../etc'],
    ['mlflow-artifacts with encoded ..', 'mlflow-artifacts:/0/%2e%2e/%2e%2e/etc'],
    ['mlflow-artifacts with double-encoded .. (GHSA-j62r-wxqq-f3gf)', 'mlflow-artifacts:/0/%252e%252e/%252e%252e/etc'],
    ['mlflow-artifacts with a query', 'mlflow-artifacts:/0/x?y=/../../'],
    ['mlflow-artifacts with a fragment', 'mlflow-artifacts:/0/x#/../../'],
    ['mlflow-artifacts with ;', 'mlflow-artifacts:/0/x;/../'],
    ['mlflow-artifacts with NUL', 'mlflow-artifacts:/0/x%00.pkl'],
    ['mlflow-artifacts with a backslash', 'mlflow-artifacts:/0/..\\..\\etc'],
    ['Windows drive path', 'C:\\Windows\\System32'],
    ['runs:/ with ..', 'runs:/{run}/../../../etc'],
    ['runs:/ without a run id', 'runs:/'],
    ['models:/ of a missing model (CVE-2023-6018 chain)', 'models:/ghost/1'],
    ['models:/ of a missing version', 'models:/m/99'],
    ['models:/ with an unknown alias', 'models:/m@nope'],
    ['models:/ with ..', 'models:/m/1/../../etc'],
    ['models:/ with a sub path', 'models:/m/1/extra'],
    ['improper models:/ URI', 'models:/m'],
    ['file:///etc/ tagged as a prompt (CVE-2026-2614)', 'file:///etc/', { tags: [{ key: 'mlflow.prompt.is_prompt', value: 'true' }] }],
    ['schemeless ../ tagged as a prompt (CVE-2026-116690)', '../../../etc', { tags: [{ key: 'mlflow.prompt.is_prompt', value: 'true' }] }],
    ['over-long source', `mlflow-artifacts:/${'a'.repeat(600)}`],
  ];

  for (const [name, source, extra] of refused) {
    it(`refuses ${name}`, async () => {
      const before = await versionCount(temp, 'm');
      const body = JSON.parse(JSON.stringify({ name: 'm', source, ...extra }).replaceAll('{run}', run.runId)) as Record<string, unknown>;
      const res = await post(temp, 'model-versions/create', body);
      expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(400);
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
      expect(['INVALID_PARAMETER_VALUE', 'RESOURCE_DOES_NOT_EXIST']).toContain(res.body.error_code);
      expect(await versionCount(temp, 'm')).toBe(before);
    });
  }

  it('answers a file URI naming another host with MLflow\'s 500 (its own suite asserts it) and stores nothing', async () => {
    const before = await versionCount(temp, 'm');
    const res = await post(temp, 'model-versions/create', { name: 'm', source: 'file://evil.example/etc', run_id: run.runId });
    expect(res.status).toBe(500);
    expect(res.body.error_code).toBe('INTERNAL_ERROR');
    expect(String(res.body.message)).toContain('is not a valid remote uri');
    expect(await versionCount(temp, 'm')).toBe(before);
  });

  it('keeps a runs:/ source of an unknown run as given (MLflow does not look it up) and serves nothing from it', async () => {
    const source = 'runs:/0123456789abcdef0123456789abcdef/model';
    const res = await post(temp, 'model-versions/create', { name: 'm', source });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const version = (res.body.model_version as { version: string }).version;
    expect((res.body.model_version as { source: string }).source).toBe(source);
    const file = await temp.app.inject({ method: 'GET', url: `/model-versions/get-artifact?name=m&version=${version}&path=MLmodel` });
    expect(file.statusCode, file.body).toBeGreaterThanOrEqual(400);
    expect(file.statusCode, file.body).toBeLessThan(500);
    const deleted = await temp.app.inject({ method: 'DELETE', url: `${API}/model-versions/delete`, headers: JSON_HEADERS, payload: JSON.stringify({ name: 'm', version }) });
    expect(deleted.statusCode, deleted.body).toBe(200);
  });

  const accepted: readonly [string, string, (run: { runId: string; artifactUri: string }) => string][] = [
    ['runs:/ resolves through the run', 'runs:/{run}/model', (r) => `${r.artifactUri}/model`],
    ['runs:/ with a nested path', 'runs:/{run}/a/b', (r) => `${r.artifactUri}/a/b`],
    ['mlflow-artifacts:/ is stored as given', 'mlflow-artifacts:/0/{run}/artifacts/model', (r) => `mlflow-artifacts:/0/${r.runId}/artifacts/model`],
    ['models:/name/version resolves to that version', 'models:/m/1', (r) => `${r.artifactUri}/model`],
    ['models:/name@alias resolves to the alias', 'models:/m@champion', (r) => `${r.artifactUri}/model`],
    ['models:/name/latest resolves to the newest version', 'models:/m/latest', (r) => `${r.artifactUri}/model`],
  ];

  for (const [name, source, expected] of accepted) {
    it(`accepts ${name}`, async () => {
      const created = await post(temp, 'model-versions/create', { name: 'm', source: source.replaceAll('{run}', run.runId) });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      const version = (created.body.model_version as { version: string }).version;
      const uri = await get(temp, `model-versions/get-download-uri?name=m&version=${version}`);
      expect(uri.body.artifact_uri).toBe(expected(run));
    });
  }

  it('serves a version file through model-versions/get-artifact and refuses paths out of it', async () => {
    const put = await temp.app.inject({
      method: 'PUT',
      url: `/api/2.0/mlflow-artifacts/artifacts/${run.artifactUri.slice('mlflow-artifacts:/'.length)}/model/MLmodel`,
      payload: 'artifact_path: model\n',
    });
    expect(put.statusCode).toBe(200);
    const file = await temp.app.inject({ method: 'GET', url: '/model-versions/get-artifact?name=m&version=1&path=MLmodel' });
    expect(file.statusCode).toBe(200);
    expect(file.body).toBe('artifact_path: model\n');
    expect(file.headers['content-type']).toMatch(/^text\/plain/);
    const escape = await temp.app.inject({ method: 'GET', url: '/model-versions/get-artifact?name=m&version=1&path=..%2F..%2Fx' });
    expect(escape.statusCode).toBe(400);
    const missing = await temp.app.inject({ method: 'GET', url: '/model-versions/get-artifact?name=m&version=99&path=MLmodel' });
    expect(missing.statusCode).toBe(404);
  });
});

describe('model-version sources on a server whose runs keep artifacts in a local folder', () => {
  let temp: TempApp;
  let run: { runId: string; artifactUri: string };
  let root: string;

  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR ?? '/tmp'), 'runlog-sources-'));
    root = path.join(dir, 'mlruns');
    temp = await createTempApp({ flags: { serveArtifacts: false, defaultArtifactRoot: root } });
    run = await newRun(temp);
    expect(run.artifactUri.startsWith(root)).toBe(true);
    expect((await post(temp, 'registered-models/create', { name: 'local' })).status).toBe(200);
  });
  afterAll(async () => {
    await temp.cleanup();
  });

  it("accepts a local path inside the run's artifact root when the run id is given", async () => {
    const source = `${run.artifactUri}/model`;
    const res = await post(temp, 'model-versions/create', { name: 'local', source, run_id: run.runId });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await get(temp, 'model-versions/get-download-uri?name=local&version=1')).body.artifact_uri).toBe(source);
  });

  it("accepts a file: URI inside the run's artifact root, stored as given, served from the resolved path", async () => {
    const res = await post(temp, 'model-versions/create', { name: 'local', source: `file://${run.artifactUri}/model/sub/..`, run_id: run.runId });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const mv = res.body.model_version as { source: string; version: string };
    expect(mv.source).toBe(`file://${run.artifactUri}/model/sub/..`);
    const uri = await get(temp, `model-versions/get-download-uri?name=local&version=${mv.version}`);
    expect(uri.body.artifact_uri).toBe(`${run.artifactUri}/model`);
  });

  it('refuses a local path without a run id, even inside the artifact root (as MLflow)', async () => {
    const res = await post(temp, 'model-versions/create', { name: 'local', source: `${root}/0/some-run/artifacts/model` });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(String(res.body.message)).toContain('To use a local path as a model version source');
  });

  const refused: readonly [string, (r: { runId: string; artifactUri: string }) => string][] = [
    ['a path beside the artifact root', () => `${path.dirname(root)}/elsewhere`],
    ['a path climbing out of the run root', (r) => `${r.artifactUri}/../../../../etc`],
    ['a path climbing out with encoded dots', (r) => `${r.artifactUri}/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc`],
    ['a sibling folder sharing the prefix', () => `${root}-evil/model`],
    ['/etc', () => '/etc'],
  ];
  for (const [name, source] of refused) {
    it(`refuses ${name}`, async () => {
      const res = await post(temp, 'model-versions/create', { name: 'local', source: source(run), run_id: run.runId });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    });
  }
});
