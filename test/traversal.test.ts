/**
 * Path traversal, table-driven: every path attack shape of the known-problems reference (§3.5 "Paths", from
 * MLflow's CVE history, §3.1) against every route that takes a path, over a real socket so the request line
 * reaches the server byte for byte (no client-side URL normalisation). Each shape is sent twice: as an
 * attacker would type it (only what cannot appear raw in a request line is escaped) and fully percent-encoded.
 *
 * Every attempt must end in a 4xx JSON error; the canary file beside the artifacts destination must never be
 * read (its text never appears in a response), changed or deleted, and nothing may be written outside the
 * destination. Also: experiments/create `artifact_location` shapes (§3.5 "URIs") → 400, and symlinks inside the
 * destination that point outside it → 4xx on every route.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempApp, type TempApp } from '../packages/server/src/testing/temp-stores.js';

const API = '/api/2.0';
const AJAX = '/ajax-api/2.0';
const CANARY_TEXT = 'CANARY-7f3c: this file lies outside the artifacts destination';
const CANARY = 'canary.txt';

/** Attack shapes; `up(n)` climbs `n` folders in the shape's own spelling, then names the canary. */
interface Shape {
  name: string;
  make: (depth: number, canaryAbsolute: string) => string;
}

const up = (unit: string) => (depth: number) => unit.repeat(depth) + CANARY;

const SHAPES: readonly Shape[] = [
  { name: '../x', make: up('../') },
  { name: '..\\x', make: up('..\\') },
  { name: '..%2f', make: up('..%2f') },
  { name: '..%2F (mixed case)', make: up('..%2F') },
  { name: '%2e%2e%2f', make: up('%2e%2e%2f') },
  { name: '%252e%252e%252f (double-encoded)', make: up('%252e%252e%252f') },
  { name: '%25252e%25252e%25252f (triple-encoded)', make: up('%25252e%25252e%25252f') },
  { name: '%2E%2E/ (upper case)', make: up('%2E%2E/') },
  { name: '%2e%2e%5c (encoded backslash)', make: up('%2e%2e%5c') },
  { name: '/etc/passwd (absolute)', make: (_d, abs) => abs },
  { name: '/etc/passwd (literal)', make: () => '/etc/passwd' },
  { name: 'C:/', make: () => `C:/${CANARY}` },
  { name: 'C:\\', make: () => `C:\\${CANARY}` },
  { name: '\\\\host\\share', make: () => `\\\\localhost\\share\\${CANARY}` },
  { name: '//proc/self/root', make: (_d, abs) => `//proc/self/root${abs}` },
  { name: 'a?/a', make: (d) => `a?/${'../'.repeat(d + 1)}${CANARY}` },
  { name: 'a#/a', make: (d) => `a#/${'../'.repeat(d + 1)}${CANARY}` },
  { name: 'a;/a', make: (d) => `a;/${'../'.repeat(d + 1)}${CANARY}` },
  { name: 'empty segments around ..', make: (d) => `a//..//${'..//'.repeat(d)}${CANARY}` },
  { name: 'trailing dots (...)', make: up('.../') },
  { name: 'trailing dot and space (.. )', make: up('.. /') },
  { name: 'trailing dots after a parent (../.)', make: (d) => `${'../'.repeat(d)}./${CANARY}` },
  { name: 'unicode two-dot leader U+2025', make: up('\u2025/') },
  { name: 'unicode one-dot leaders U+2024', make: up('\u2024\u2024/') },
  { name: 'unicode fullwidth dots U+FF0E', make: up('\uff0e\uff0e/') },
  { name: 'unicode fullwidth solidus U+FF0F', make: up('..\uff0f') },
  { name: 'NUL truncation', make: (d) => `${'../'.repeat(d)}${CANARY}\u0000.png` },
  { name: 'NUL in a folder name', make: (d) => `a\u0000/${'../'.repeat(d + 1)}${CANARY}` },
];

/** What may appear raw in a request line (as an attacker types it): escape only what cannot or would split it. */
function asTyped(shape: string, inQuery: boolean): string {
  let out = '';
  for (const ch of shape) {
    const code = ch.codePointAt(0)!;
    const structural = ch === '?' || ch === '#' || (inQuery && (ch === '&' || ch === '+' || ch === '='));
    out += code <= 0x20 || code >= 0x7f || structural ? encodeURIComponent(ch) : ch;
  }
  return out;
}

interface Route {
  name: string;
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** Folders between the path's base and the destination's parent (where the canary lies). */
  depth: number;
  url: (encodedPath: string, ids: { root: string; runId: string }) => string;
  inQuery: boolean;
  body?: (ids: { root: string; runId: string }) => { contentType: string; data: string };
}

const mpuBody = JSON.stringify({ path: 'weights.bin', num_parts: 1, upload_id: 'u', parts: [{ part_number: 1, etag: 'e' }] });

/** Every route that takes a path. Proxy paths are relative to the destination; run routes to the run root (3 deeper). */
const ROUTES: readonly Route[] = [
  { name: 'GET mlflow-artifacts/artifacts/<path>', method: 'GET', depth: 1, inQuery: false, url: (p) => `${API}/mlflow-artifacts/artifacts/${p}` },
  {
    name: 'PUT mlflow-artifacts/artifacts/<path>',
    method: 'PUT',
    depth: 1,
    inQuery: false,
    url: (p) => `${API}/mlflow-artifacts/artifacts/${p}`,
    body: () => ({ contentType: 'application/octet-stream', data: 'pwned' }),
  },
  { name: 'DELETE mlflow-artifacts/artifacts/<path>', method: 'DELETE', depth: 1, inQuery: false, url: (p) => `${API}/mlflow-artifacts/artifacts/${p}` },
  { name: 'GET mlflow-artifacts/artifacts?path=', method: 'GET', depth: 1, inQuery: true, url: (p) => `${API}/mlflow-artifacts/artifacts?path=${p}` },
  { name: 'GET ajax-api mlflow-artifacts/artifacts/<path>', method: 'GET', depth: 1, inQuery: false, url: (p) => `${AJAX}/mlflow-artifacts/artifacts/${p}` },
  ...(['create', 'complete', 'abort'] as const).map(
    (kind): Route => ({
      name: `POST mlflow-artifacts/mpu/${kind}/<path>`,
      method: 'POST',
      depth: 1,
      inQuery: false,
      url: (p) => `${API}/mlflow-artifacts/mpu/${kind}/${p}`,
      body: () => ({ contentType: 'application/json', data: mpuBody }),
    }),
  ),
  {
    name: 'GET mlflow/artifacts/list?path=',
    method: 'GET',
    depth: 4,
    inQuery: true,
    url: (p, ids) => `${API}/mlflow/artifacts/list?run_id=${ids.runId}&path=${p}`,
  },
  { name: 'GET get-artifact?path=', method: 'GET', depth: 4, inQuery: true, url: (p, ids) => `/get-artifact?run_id=${ids.runId}&path=${p}` },
  {
    // The version's storage location is `<run root>/model`, one folder deeper than the run root.
    name: 'GET model-versions/get-artifact?path=',
    method: 'GET',
    depth: 5,
    inQuery: true,
    url: (p) => `/model-versions/get-artifact?name=traversal-model&version=1&path=${p}`,
  },
  {
    name: 'POST ajax-api upload-artifact?path=',
    method: 'POST',
    depth: 4,
    inQuery: true,
    url: (p, ids) => `${AJAX}/mlflow/upload-artifact?run_uuid=${ids.runId}&path=${p}`,
    body: () => ({ contentType: 'text/plain', data: 'pwned' }),
  },
];

let temp: TempApp;
let port = 0;
const ids = { root: '', runId: '', experimentId: '' };

interface RawResponse {
  status: number;
  contentType: string;
  text: string;
}

function rawRequest(method: string, rawPath: string, body?: { contentType: string; data: string }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        agent: false, // one connection per request, closed after it: nothing left open when the app closes
        method,
        path: rawPath,
        headers: body ? { 'content-type': body.contentType, 'content-length': Buffer.byteLength(body.data) } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body?.data);
  });
}

/** Everything outside the destination that a request could touch: names, sizes and contents beside it. */
function outsideSnapshot(): string {
  const entries = fs
    .readdirSync(temp.dir)
    .filter((n) => !n.startsWith('runlog.db') && n !== 'artifacts')
    .sort()
    .map((n) => {
      const stat = fs.lstatSync(path.join(temp.dir, n));
      return `${n}:${stat.isFile() ? fs.readFileSync(path.join(temp.dir, n), 'utf8') : stat.isDirectory() ? fs.readdirSync(path.join(temp.dir, n)).join(',') : 'other'}`;
    });
  return entries.join('\n');
}

function expectRefused(res: RawResponse, shown: string): void {
  expect(res.status, shown).toBeGreaterThanOrEqual(400);
  expect(res.status, shown).toBeLessThan(500);
  expect(res.contentType, shown).toMatch(/^application\/json/);
  const json = JSON.parse(res.text) as { error_code?: unknown; message?: unknown };
  expect(typeof json.error_code, shown).toBe('string');
  expect(typeof json.message, shown).toBe('string');
  expect(res.text, `${shown}: the canary was read`).not.toContain('CANARY-7f3c');
}

let baseline = '';
const statuses = new Map<string, number>();

beforeAll(async () => {
  temp = await createTempApp();
  await temp.app.listen({ host: '127.0.0.1', port: 0 });
  port = (temp.app.server.address() as AddressInfo).port;
  fs.writeFileSync(path.join(temp.dir, CANARY), CANARY_TEXT);
  const exp = await temp.app.inject({ method: 'POST', url: `${API}/mlflow/experiments/create`, payload: { name: 'traversal' } });
  ids.experimentId = (JSON.parse(exp.body) as { experiment_id: string }).experiment_id;
  const run = await temp.app.inject({ method: 'POST', url: `${API}/mlflow/runs/create`, payload: { experiment_id: ids.experimentId } });
  ids.runId = (JSON.parse(run.body) as { run: { info: { run_id: string } } }).run.info.run_id;
  ids.root = `${ids.experimentId}/${ids.runId}/artifacts`;
  // A real file in the run, so "refused" cannot be confused with "nothing there".
  const put = await temp.app.inject({ method: 'PUT', url: `${API}/mlflow-artifacts/artifacts/${ids.root}/inside.txt`, payload: 'inside' });
  expect(put.statusCode).toBe(200);
  const json = { 'content-type': 'application/json' };
  const model = await temp.app.inject({ method: 'POST', url: `${API}/mlflow/registered-models/create`, headers: json, payload: { name: 'traversal-model' } });
  expect(model.statusCode).toBe(200);
  const version = await temp.app.inject({
    method: 'POST',
    url: `${API}/mlflow/model-versions/create`,
    headers: json,
    payload: { name: 'traversal-model', source: `runs:/${ids.runId}/model`, run_id: ids.runId },
  });
  expect(version.statusCode).toBe(200);
  const modelFile = await temp.app.inject({ method: 'PUT', url: `${API}/mlflow-artifacts/artifacts/${ids.root}/model/MLmodel`, payload: 'flavors: {}' });
  expect(modelFile.statusCode).toBe(200);
  const viaVersion = await temp.app.inject({ method: 'GET', url: '/model-versions/get-artifact?name=traversal-model&version=1&path=MLmodel' });
  expect(viaVersion.body).toBe('flavors: {}');
  baseline = outsideSnapshot();
  expect(baseline).toContain(CANARY_TEXT);
});

afterAll(async () => {
  if (statuses.size > 0) {
    const counts = new Map<number, number>();
    for (const s of statuses.values()) counts.set(s, (counts.get(s) ?? 0) + 1);
    console.log(`traversal: ${statuses.size} attempts refused; statuses ${JSON.stringify(Object.fromEntries(counts))}`);
  }
  await temp.cleanup();
});

describe('path attack shapes × path-taking routes → 4xx JSON, canary untouched', () => {
  for (const route of ROUTES) {
    describe(route.name, () => {
      for (const shape of SHAPES) {
        it(shape.name, async () => {
          const attack = shape.make(route.depth, path.join(temp.dir, CANARY));
          for (const [form, encoded] of [
            ['as typed', asTyped(attack, route.inQuery)],
            ['fully encoded', encodeURIComponent(attack)],
          ] as const) {
            const url = route.url(encoded, ids);
            const res = await rawRequest(route.method, url, route.body?.(ids));
            const shown = `${route.method} ${url} (${form}) → ${res.status} ${res.text.slice(0, 200)}`;
            expectRefused(res, shown);
            statuses.set(`${route.name} ${shape.name} ${form}`, res.status);
          }
          expect(outsideSnapshot()).toBe(baseline);
        });
      }
    });
  }

  it('the canary is still there, unchanged, and nothing was written outside the destination', () => {
    expect(fs.readFileSync(path.join(temp.dir, CANARY), 'utf8')).toBe(CANARY_TEXT);
    expect(outsideSnapshot()).toBe(baseline);
    expect(fs.existsSync(path.join('/', CANARY))).toBe(false);
  });

  it('the legitimate file inside is still served (the routes work)', async () => {
    const res = await rawRequest('GET', `${API}/mlflow-artifacts/artifacts/${ids.root}/inside.txt`);
    expect(res.status).toBe(200);
    expect(res.text).toBe('inside');
    const viaRun = await rawRequest('GET', `/get-artifact?run_id=${ids.runId}&path=inside.txt`);
    expect(viaRun.text).toBe('inside');
  });
});

describe('symlinks inside the destination that point outside it → 4xx on every route', () => {
  beforeAll(() => {
    const runDir = path.join(temp.artifactsDir, ids.root);
    fs.symlinkSync(temp.dir, path.join(runDir, 'escape-dir'));
    fs.symlinkSync(path.join(temp.dir, CANARY), path.join(runDir, 'escape-file'));
    fs.symlinkSync(temp.dir, path.join(temp.artifactsDir, 'top-escape'));
  });

  const cases: readonly { name: string; method: 'GET' | 'PUT' | 'POST' | 'DELETE'; url: () => string; body?: { contentType: string; data: string } }[] = [
    { name: 'GET through a folder link', method: 'GET', url: () => `${API}/mlflow-artifacts/artifacts/${ids.root}/escape-dir/${CANARY}` },
    { name: 'GET a file link', method: 'GET', url: () => `${API}/mlflow-artifacts/artifacts/${ids.root}/escape-file` },
    { name: 'GET through a top-level link', method: 'GET', url: () => `${API}/mlflow-artifacts/artifacts/top-escape/${CANARY}` },
    { name: 'PUT through a folder link', method: 'PUT', url: () => `${API}/mlflow-artifacts/artifacts/${ids.root}/escape-dir/new.txt`, body: { contentType: 'text/plain', data: 'pwned' } },
    { name: 'PUT over a file link', method: 'PUT', url: () => `${API}/mlflow-artifacts/artifacts/${ids.root}/escape-file`, body: { contentType: 'text/plain', data: 'pwned' } },
    { name: 'PUT into a new folder below a link', method: 'PUT', url: () => `${API}/mlflow-artifacts/artifacts/top-escape/sub/new.txt`, body: { contentType: 'text/plain', data: 'pwned' } },
    { name: 'list a folder link', method: 'GET', url: () => `${API}/mlflow-artifacts/artifacts?path=${encodeURIComponent(`${ids.root}/escape-dir`)}` },
    { name: 'list a top-level link', method: 'GET', url: () => `${API}/mlflow-artifacts/artifacts?path=top-escape` },
    { name: 'DELETE through a folder link', method: 'DELETE', url: () => `${API}/mlflow-artifacts/artifacts/${ids.root}/escape-dir/${CANARY}` },
    { name: 'DELETE a folder link', method: 'DELETE', url: () => `${API}/mlflow-artifacts/artifacts/${ids.root}/escape-dir` },
    { name: 'DELETE a file link', method: 'DELETE', url: () => `${API}/mlflow-artifacts/artifacts/${ids.root}/escape-file` },
    { name: 'get-artifact through a folder link', method: 'GET', url: () => `/get-artifact?run_id=${ids.runId}&path=escape-dir/${CANARY}` },
    { name: 'get-artifact a file link', method: 'GET', url: () => `/get-artifact?run_id=${ids.runId}&path=escape-file` },
    { name: 'artifacts/list a folder link', method: 'GET', url: () => `${API}/mlflow/artifacts/list?run_id=${ids.runId}&path=escape-dir` },
    { name: 'upload-artifact through a folder link', method: 'POST', url: () => `${AJAX}/mlflow/upload-artifact?run_uuid=${ids.runId}&path=escape-dir/new.txt`, body: { contentType: 'text/plain', data: 'pwned' } },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const res = await rawRequest(c.method, c.url(), c.body);
      expectRefused(res, `${c.method} ${c.url()} → ${res.status} ${res.text.slice(0, 200)}`);
      expect(outsideSnapshot()).toBe(baseline);
    });
  }

  it('listing the run folder does not reveal the links', async () => {
    const res = await rawRequest('GET', `${API}/mlflow/artifacts/list?run_id=${ids.runId}`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({
      root_uri: `mlflow-artifacts:/${ids.root}`,
      files: [
        { path: 'inside.txt', is_dir: false, file_size: 6 },
        { path: 'model', is_dir: true },
      ],
    });
  });
});

describe('experiments/create artifact_location attack shapes (§3.5 "URIs") → 400 INVALID_PARAMETER_VALUE', () => {
  const locations: readonly [string, string][] = [
    ['file:///etc/', 'file:///etc/'],
    ['file URI of the canary folder', 'file://{dir}'],
    ['file://./etc', 'file://./etc'],
    ['file://host/../../', 'file://host/../../'],
    ['schemeless ../../etc', '../../etc'],
    ['schemeless /etc', '/etc'],
    ['the destination itself via ..', '{dest}/../'],
    ['http:///?/../../etc/ (CVE-2023-6909)', 'http:///?/../../../../../../../../etc/'],
    ['http:///#/../../etc/ (CVE-2024-1483)', 'http:///#/../../../../etc/'],
    ['http://host#/../.. (CVE-2024-3848)', 'http://host#/../../../../etc/'],
    ['dbfs:/…/a%3f/../../ (CVE-2024-8859)', 'dbfs:/databricks/mlflow-tracking/1/abc/artifacts/a%3f/../../../../../../'],
    ['runs:/', 'runs:/0123456789abcdef0123456789abcdef/artifacts'],
    ['models:/', 'models:/name/1'],
    ['mlflow-artifacts:/../..', 'mlflow-artifacts:/../..'],
    ['double-encoded ..', 's3://bucket/%252e%252e/%252e%252e/etc'],
    ['a ; path parameter', 'file:///tmp/a;/../../etc'],
    ['a Windows drive', 'C:\\Windows\\System32'],
    ['a UNC share', '\\\\host\\share'],
    ['unicode dots', 's3://bucket/\u2025/\u2025/etc'],
  ];

  for (const [name, template] of locations) {
    it(name, async () => {
      const location = template.replace('{dir}', temp.dir).replace('{dest}', temp.artifactsDir);
      const experimentName = `bad-location-${name}`;
      const res = await temp.app.inject({
        method: 'POST',
        url: `${API}/mlflow/experiments/create`,
        payload: { name: experimentName, artifact_location: location },
      });
      expect(res.statusCode, res.body).toBe(400);
      expect((JSON.parse(res.body) as { error_code: string }).error_code).toBe('INVALID_PARAMETER_VALUE');
      const lookup = await temp.app.inject({
        method: 'GET',
        url: `${API}/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(experimentName)}`,
      });
      expect(lookup.statusCode).toBe(404);
    });
  }

  it('JSON-escaped slashes (CVE-2024-2928) are refused the same way', async () => {
    const res = await temp.app.inject({
      method: 'POST',
      url: `${API}/mlflow/experiments/create`,
      headers: { 'content-type': 'application/json' },
      payload: '{"name": "escaped-slashes", "artifact_location": "http:\\/\\/\\/#\\/..\\/..\\/..\\/..\\/etc\\/"}',
    });
    expect(res.statusCode, res.body).toBe(400);
  });
});
