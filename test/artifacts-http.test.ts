/**
 * The artifact routes over HTTP: MLflow's client call sequences (mlflow-tracking-api.md §6.4) against the
 * proxied `mlflow-artifacts` service, the tracking side's `artifacts/list`, `get-artifact` and `upload-artifact`
 * (§3.1 U3/U4), multipart decline and pass-through, and the 503s of `--no-serve-artifacts` / `--artifacts-only`.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { ArtifactRepo, ByteStream, FileInfo, MultipartUpload } from '@runlog/core';
import { RunlogError } from '@runlog/core';
import { createApp } from '../packages/server/src/app.js';
import { buildServerConfig } from '../packages/server/src/config.js';
import { createTempApp, createTempSqliteStore, type TempApp } from '../packages/server/src/testing/temp-stores.js';

const API = '/api/2.0';
const AJAX = '/ajax-api/2.0';

type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';

async function call(
  app: FastifyInstance,
  method: Method,
  url: string,
  options: { body?: string | Buffer; contentType?: string | null; json?: unknown } = {},
) {
  const headers: Record<string, string> = {};
  let payload: string | Buffer | undefined = options.body;
  if (options.json !== undefined) {
    payload = JSON.stringify(options.json);
    headers['content-type'] = 'application/json';
  }
  if (options.contentType) headers['content-type'] = options.contentType;
  const res = await app.inject({ method, url, headers, ...(payload !== undefined ? { payload } : {}) });
  let json: unknown;
  try {
    json = JSON.parse(res.body);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, body: res.rawPayload, text: res.body, json };
}

async function createRun(app: FastifyInstance, experimentName: string, artifactLocation?: string) {
  const exp = await call(app, 'POST', `${API}/mlflow/experiments/create`, {
    json: { name: experimentName, ...(artifactLocation ? { artifact_location: artifactLocation } : {}) },
  });
  expect(exp.status, exp.text).toBe(200);
  const experimentId = (exp.json as { experiment_id: string }).experiment_id;
  const run = await call(app, 'POST', `${API}/mlflow/runs/create`, { json: { experiment_id: experimentId, start_time: 1 } });
  expect(run.status, run.text).toBe(200);
  const info = (run.json as { run: { info: { run_id: string; artifact_uri: string } } }).run.info;
  return { experimentId, runId: info.run_id, artifactUri: info.artifact_uri };
}

describe('mlflow-artifacts: the Python client call sequences (§6.4)', () => {
  let temp: TempApp;
  let root = '';
  let runId = '';
  let artifactUri = '';
  const put = (rel: string, body: string | Buffer, contentType: string | null = 'text/plain') =>
    call(temp.app, 'PUT', `${API}/mlflow-artifacts/artifacts/${root}/${rel}`, { body, contentType });

  beforeAll(async () => {
    temp = await createTempApp();
    const run = await createRun(temp.app, 'artifacts-exp');
    runId = run.runId;
    artifactUri = run.artifactUri;
    expect(artifactUri).toBe(`mlflow-artifacts:/${run.experimentId}/${runId}/artifacts`);
    root = `${run.experimentId}/${runId}/artifacts`;
  });
  afterAll(async () => {
    await temp.cleanup();
  });

  it('log_artifact: PUT the file → 200 {} and the bytes land under the destination', async () => {
    const res = await put('hello.txt', 'hello world\n');
    expect(res.status, res.text).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json).toEqual({});
    expect(fs.readFileSync(path.join(temp.artifactsDir, root, 'hello.txt'), 'utf8')).toBe('hello world\n');
  });

  it('log_artifact with artifact_path and log_artifacts: nested PUTs create folders', async () => {
    for (const [rel, body, type] of [
      ['sub/dir/hello.txt', 'hello world\n', 'text/plain'],
      ['tree/a.json', '{}', 'text/plain'],
      ['tree/x/b.bin', Buffer.from([0, 1]), 'application/octet-stream'],
      ['conf/params.json', '{"x": 1}', 'text/plain'],
      ['notes.txt', 'some text', 'text/plain'],
    ] as const) {
      const res = await put(rel, body, type);
      expect(res.status, `${rel}: ${res.text}`).toBe(200);
    }
    expect(fs.readFileSync(path.join(temp.artifactsDir, root, 'tree', 'x', 'b.bin'))).toEqual(Buffer.from([0, 1]));
  });

  it('PUT bodies are raw bytes whatever their Content-Type: never parsed (JSON, form, none)', async () => {
    const notJson = '{"this is": not json at all';
    for (const [name, type] of [
      ['raw/as-json.json', 'application/json'],
      ['raw/as-form.txt', 'application/x-www-form-urlencoded'],
      ['raw/no-type.txt', null],
      ['raw/multipart.txt', 'multipart/form-data; boundary=x'],
    ] as const) {
      const res = await put(name, notJson, type);
      expect(res.status, `${name}: ${res.text}`).toBe(200);
      expect(fs.readFileSync(path.join(temp.artifactsDir, root, name), 'utf8')).toBe(notJson);
    }
  });

  it('an empty file uploads and lists with file_size 0', async () => {
    expect((await put('raw/empty.txt', '')).status).toBe(200);
    const list = await call(temp.app, 'GET', `${API}/mlflow-artifacts/artifacts?path=${encodeURIComponent(`${root}/raw`)}`);
    expect((list.json as { files: FileInfo[] }).files).toContainEqual({ path: 'empty.txt', is_dir: false, file_size: 0 });
  });

  it('PUT overwrites', async () => {
    await put('over.txt', 'first');
    await put('over.txt', 'second!');
    const res = await call(temp.app, 'GET', `${API}/mlflow-artifacts/artifacts/${root}/over.txt`);
    expect(res.text).toBe('second!');
  });

  it('list_artifacts (root): basenames, one level, sorted, sizes for files only', async () => {
    const res = await call(temp.app, 'GET', `${API}/mlflow-artifacts/artifacts?path=${encodeURIComponent(root)}`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      files: [
        { path: 'conf', is_dir: true },
        { path: 'hello.txt', is_dir: false, file_size: 12 },
        { path: 'notes.txt', is_dir: false, file_size: 9 },
        { path: 'over.txt', is_dir: false, file_size: 7 },
        { path: 'raw', is_dir: true },
        { path: 'sub', is_dir: true },
        { path: 'tree', is_dir: true },
      ],
    });
  });

  it('list_artifacts (sub folder), also under /ajax-api', async () => {
    for (const prefix of [API, AJAX]) {
      const res = await call(temp.app, 'GET', `${prefix}/mlflow-artifacts/artifacts?path=${encodeURIComponent(`${root}/tree`)}`);
      expect(res.json).toEqual({ files: [{ path: 'a.json', is_dir: false, file_size: 2 }, { path: 'x', is_dir: true }] });
    }
  });

  it('list of a file, of a missing path → {}; without path → the destination root', async () => {
    for (const p of [`${root}/hello.txt`, `${root}/nope`, 'nothing/at/all']) {
      const res = await call(temp.app, 'GET', `${API}/mlflow-artifacts/artifacts?path=${encodeURIComponent(p)}`);
      expect(res.status).toBe(200);
      expect(res.json).toEqual({});
    }
    const top = await call(temp.app, 'GET', `${API}/mlflow-artifacts/artifacts`);
    expect(top.json).toEqual({ files: [{ path: root.split('/')[0], is_dir: true }] });
  });

  it('download_artifacts (file): the list says "not a folder", then GET streams the bytes with headers', async () => {
    const probe = await call(temp.app, 'GET', `${API}/mlflow-artifacts/artifacts?path=${encodeURIComponent(`${root}/hello.txt`)}`);
    expect(probe.json).toEqual({});
    const res = await call(temp.app, 'GET', `${API}/mlflow-artifacts/artifacts/${root}/hello.txt`);
    expect(res.status).toBe(200);
    expect(res.text).toBe('hello world\n');
    expect(res.headers['content-type']).toBe('text/plain');
    expect(res.headers['content-disposition']).toBe('attachment; filename=hello.txt');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-length']).toBe('12');
  });

  it('download_artifacts (folder): recursive lists, then one GET per file', async () => {
    const files: string[] = [];
    const walk = async (rel: string): Promise<void> => {
      const res = await call(temp.app, 'GET', `${API}/mlflow-artifacts/artifacts?path=${encodeURIComponent(`${root}/${rel}`)}`);
      for (const f of (res.json as { files?: FileInfo[] }).files ?? []) {
        if (f.is_dir) await walk(`${rel}/${f.path}`);
        else files.push(`${rel}/${f.path}`);
      }
    };
    await walk('tree');
    expect(files).toEqual(['tree/a.json', 'tree/x/b.bin']);
    const a = await call(temp.app, 'GET', `${API}/mlflow-artifacts/artifacts/${root}/tree/a.json`);
    expect(a.text).toBe('{}');
    expect(a.headers['content-type']).toBe('text/plain');
    const b = await call(temp.app, 'GET', `${API}/mlflow-artifacts/artifacts/${root}/tree/x/b.bin`);
    expect(b.body).toEqual(Buffer.from([0, 1]));
    expect(b.headers['content-type']).toBe('application/octet-stream');
  });

  it('GET of a missing file or of a folder → 404 RESOURCE_DOES_NOT_EXIST (JSON)', async () => {
    for (const rel of ['missing.txt', 'tree', 'tree/x']) {
      const res = await call(temp.app, 'GET', `${API}/mlflow-artifacts/artifacts/${root}/${rel}`);
      expect(res.status).toBe(404);
      expect((res.json as { error_code: string }).error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    }
  });

  it('unicode and spaces in names survive PUT, list and GET', async () => {
    const name = 'ünï cödé/日本 語.txt';
    const url = `${API}/mlflow-artifacts/artifacts/${root}/${name.split('/').map(encodeURIComponent).join('/')}`;
    expect((await call(temp.app, 'PUT', url, { body: 'unicode', contentType: 'text/plain' })).status).toBe(200);
    const res = await call(temp.app, 'GET', url);
    expect(res.text).toBe('unicode');
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="__ _.txt"; filename*=UTF-8''${encodeURIComponent('日本 語.txt')}`,
    );
    const list = await call(temp.app, 'GET', `${API}/mlflow-artifacts/artifacts?path=${encodeURIComponent(`${root}/ünï cödé`)}`);
    expect(list.json).toEqual({ files: [{ path: '日本 語.txt', is_dir: false, file_size: 7 }] });
  });

  it('delete_artifacts: DELETE a file, then a folder → {} and gone; a missing path → {}', async () => {
    const one = await call(temp.app, 'DELETE', `${API}/mlflow-artifacts/artifacts/${root}/notes.txt`);
    expect(one.status).toBe(200);
    expect(one.json).toEqual({});
    expect(fs.existsSync(path.join(temp.artifactsDir, root, 'notes.txt'))).toBe(false);
    const tree = await call(temp.app, 'DELETE', `${API}/mlflow-artifacts/artifacts/${root}/tree`);
    expect(tree.json).toEqual({});
    expect(fs.existsSync(path.join(temp.artifactsDir, root, 'tree'))).toBe(false);
    const again = await call(temp.app, 'DELETE', `${API}/mlflow-artifacts/artifacts/${root}/tree`);
    expect(again.status).toBe(200);
  });

  it('a name longer than the file system takes → 400, not a retried 500', async () => {
    const long = `${'n'.repeat(300)}.txt`;
    expect((await put(long, 'x')).status).toBe(400);
    expect((await call(temp.app, 'GET', `${API}/mlflow-artifacts/artifacts/${root}/${long}`)).status).toBe(400);
    expect((await call(temp.app, 'GET', `/get-artifact?run_id=${runId}&path=${long}`)).status).toBe(400);
  });

  it('DELETE of the destination root is refused (400)', async () => {
    for (const url of [`${API}/mlflow-artifacts/artifacts/`, `${API}/mlflow-artifacts/artifacts/.`, `${API}/mlflow-artifacts/artifacts/a/..%2f`]) {
      const res = await call(temp.app, 'DELETE', url);
      expect(res.status, `${url}: ${res.text}`).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    expect(fs.existsSync(path.join(temp.artifactsDir, root, 'hello.txt'))).toBe(true);
  });

  it('mpu/create, complete and abort → 501 NOT_IMPLEMENTED with the message the client falls back on', async () => {
    const body = { path: '/home/user/big.bin', num_parts: 2, upload_id: 'u1', parts: [{ part_number: 1, etag: 'e', url: 'u' }] };
    for (const kind of ['create', 'complete', 'abort']) {
      for (const prefix of [API, AJAX]) {
        const res = await call(temp.app, 'POST', `${prefix}/mlflow-artifacts/mpu/${kind}/${root}`, { json: body });
        expect(res.status, res.text).toBe(501);
        const json = res.json as { error_code: string; message: string };
        expect(json.error_code).toBe('NOT_IMPLEMENTED');
        expect(json.message.startsWith('Multipart upload is not supported for the current artifact repository')).toBe(true);
      }
    }
  });

  it('mpu input errors are 400 before the 501 (missing path, non-JSON type, bad num_parts)', async () => {
    const url = `${API}/mlflow-artifacts/mpu/create/${root}`;
    const missing = await call(temp.app, 'POST', url, { json: { num_parts: 1 } });
    expect(missing.status).toBe(400);
    expect((missing.json as { message: string }).message).toContain("'path'");
    const wrongType = await call(temp.app, 'POST', url, { body: '{"path":"a","num_parts":1}', contentType: 'text/plain' });
    expect(wrongType.status).toBe(400);
    const parts = await call(temp.app, 'POST', url, { json: { path: 'a.bin', num_parts: 0 } });
    expect(parts.status).toBe(400);
  });

  it('artifacts/list: paths relative to the run root (with the path prefix), sizes, folders; root_uri', async () => {
    for (const prefix of [API, AJAX]) {
      const top = await call(temp.app, 'GET', `${prefix}/mlflow/artifacts/list?run_id=${runId}`);
      expect(top.status, top.text).toBe(200);
      const body = top.json as { root_uri: string; files: FileInfo[] };
      expect(body.root_uri).toBe(artifactUri);
      expect(body.files).toContainEqual({ path: 'hello.txt', is_dir: false, file_size: 12 });
      expect(body.files).toContainEqual({ path: 'sub', is_dir: true });
      const sub = await call(temp.app, 'GET', `${prefix}/mlflow/artifacts/list?run_uuid=${runId}&path=sub/dir`);
      expect(sub.json).toEqual({ root_uri: artifactUri, files: [{ path: 'sub/dir/hello.txt', is_dir: false, file_size: 12 }] });
    }
    const empty = await call(temp.app, 'GET', `${API}/mlflow/artifacts/list?run_id=${runId}&path=nothing`);
    expect(empty.json).toEqual({ root_uri: artifactUri });
  });

  it('artifacts/list: missing run id → 400, unknown run → 404', async () => {
    const missing = await call(temp.app, 'GET', `${API}/mlflow/artifacts/list?path=x`);
    expect(missing.status).toBe(400);
    expect((missing.json as { message: string }).message).toContain("'run_id'");
    const unknown = await call(temp.app, 'GET', `${API}/mlflow/artifacts/list?run_id=0123456789abcdef0123456789abcdef`);
    expect(unknown.status).toBe(404);
    expect((unknown.json as { error_code: string }).error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  describe('get-artifact (U4)', () => {
    const kinds: readonly [string, string | Buffer, string][] = [
      ['show/readme.txt', 'plain text', 'text/plain'],
      ['show/model/MLmodel', 'artifact_path: model\n', 'text/plain'],
      ['show/conda.yaml', 'name: x\n', 'text/plain'],
      ['show/data.json', '{"a":1}', 'text/plain'],
      ['show/image.png', Buffer.from([0x89, 0x50, 0x4e, 0x47]), 'image/png'],
      ['show/model.pkl', Buffer.from([0x80, 0x04]), 'application/octet-stream'],
      ['show/page.html', '<script>alert(1)</script>', 'text/plain'],
      ['show/page.HTM', '<script>alert(1)</script>', 'text/plain'],
      ['show/page.xhtml', '<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>', 'text/plain'],
      ['show/drawing.svg', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 'image/svg+xml'],
    ];

    beforeAll(async () => {
      for (const [rel, body] of kinds) expect((await put(rel, body, 'application/octet-stream')).status).toBe(200);
    });

    for (const [rel, body, type] of kinds) {
      it(`${rel} → ${type}, as an attachment that cannot run`, async () => {
        const res = await call(temp.app, 'GET', `/get-artifact?run_id=${runId}&path=${encodeURIComponent(rel)}`);
        expect(res.status, res.text).toBe(200);
        expect(res.body.equals(Buffer.from(body))).toBe(true);
        expect(res.headers['content-type']).toBe(type);
        expect(res.headers['content-disposition']).toBe(`attachment; filename=${rel.split('/').pop()!}`);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['content-security-policy']).toBe('sandbox');
      });
    }

    it('accepts run_uuid instead of run_id', async () => {
      const res = await call(temp.app, 'GET', `/get-artifact?run_uuid=${runId}&path=hello.txt`);
      expect(res.text).toBe('hello world\n');
    });

    it('a folder → 400 INVALID_PARAMETER_VALUE (MLflow: HTML 500)', async () => {
      for (const p of ['show', 'show/model', '.', '']) {
        const res = await call(temp.app, 'GET', `/get-artifact?run_id=${runId}&path=${encodeURIComponent(p)}`);
        expect(res.status, `${p}: ${res.text}`).toBe(400);
        expect((res.json as { error_code: string }).error_code).toBe('INVALID_PARAMETER_VALUE');
      }
    });

    it('a missing file → 404; missing parameters → 400; unknown run → 404', async () => {
      expect((await call(temp.app, 'GET', `/get-artifact?run_id=${runId}&path=nope.txt`)).status).toBe(404);
      expect((await call(temp.app, 'GET', `/get-artifact?run_id=${runId}`)).status).toBe(400);
      expect((await call(temp.app, 'GET', '/get-artifact?path=a.txt')).status).toBe(400);
      expect((await call(temp.app, 'GET', '/get-artifact?run_id=0123456789abcdef0123456789abcdef&path=a.txt')).status).toBe(404);
    });
  });

  describe('upload-artifact (U3)', () => {
    const url = (query: string) => `${AJAX}/mlflow/upload-artifact?${query}`;

    it('writes the raw body under the run root; 200 with an empty JSON-typed body', async () => {
      const res = await call(temp.app, 'POST', url(`run_uuid=${runId}&path=${encodeURIComponent('ui/upload.png')}`), {
        body: Buffer.from([1, 2, 3, 255]),
        contentType: 'image/png',
      });
      expect(res.status, res.text).toBe(200);
      expect(res.text).toBe('');
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(fs.readFileSync(path.join(temp.artifactsDir, root, 'ui', 'upload.png'))).toEqual(Buffer.from([1, 2, 3, 255]));
    });

    it('takes a JSON-typed body as bytes too', async () => {
      const res = await call(temp.app, 'POST', url(`run_uuid=${runId}&path=ui/x.json`), { body: 'not json', contentType: 'application/json' });
      expect(res.status).toBe(200);
      expect(fs.readFileSync(path.join(temp.artifactsDir, root, 'ui', 'x.json'), 'utf8')).toBe('not json');
    });

    it('refuses more than 10 MB, an empty body, a missing run_uuid or path (400)', async () => {
      const big = await call(temp.app, 'POST', url(`run_uuid=${runId}&path=ui/big.bin`), {
        body: Buffer.alloc(10 * 1024 * 1024 + 1),
        contentType: 'application/octet-stream',
      });
      expect(big.status).toBe(400);
      expect((big.json as { message: string }).message).toContain('10MB');
      expect(fs.existsSync(path.join(temp.artifactsDir, root, 'ui', 'big.bin'))).toBe(false);
      const empty = await call(temp.app, 'POST', url(`run_uuid=${runId}&path=ui/empty.bin`), { body: '', contentType: 'text/plain' });
      expect(empty.status).toBe(400);
      expect((await call(temp.app, 'POST', url('path=ui/a.txt'), { body: 'x', contentType: 'text/plain' })).status).toBe(400);
      expect((await call(temp.app, 'POST', url(`run_uuid=${runId}`), { body: 'x', contentType: 'text/plain' })).status).toBe(400);
    });

    it('an unknown run → 404; the route is ajax-only', async () => {
      const unknown = await call(temp.app, 'POST', url('run_uuid=0123456789abcdef0123456789abcdef&path=a.txt'), { body: 'x', contentType: 'text/plain' });
      expect(unknown.status).toBe(404);
      const api = await call(temp.app, 'POST', `${API}/mlflow/upload-artifact?run_uuid=${runId}&path=a.txt`, { body: 'x', contentType: 'text/plain' });
      expect(api.status).toBe(404);
    });

    it('the uploaded file reads back through get-artifact and artifacts/list', async () => {
      const res = await call(temp.app, 'GET', `/get-artifact?run_id=${runId}&path=ui/upload.png`);
      expect(res.body).toEqual(Buffer.from([1, 2, 3, 255]));
      const list = await call(temp.app, 'GET', `${API}/mlflow/artifacts/list?run_id=${runId}&path=ui`);
      expect((list.json as { files: FileInfo[] }).files).toContainEqual({ path: 'ui/upload.png', is_dir: false, file_size: 4 });
    });
  });
});

describe('mlflow-artifacts over a real socket: large bodies stream both ways', () => {
  let temp: TempApp;
  let base = '';
  beforeAll(async () => {
    temp = await createTempApp();
    await temp.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(temp.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await temp.cleanup();
  });

  it('a 70 MB chunked PUT (over the 64 MB JSON body limit) and its GET', async () => {
    const chunk = randomBytes(1024 * 1024);
    const count = 70;
    const expected = createHash('sha256');
    for (let i = 0; i < count; i++) expected.update(chunk);
    const digest = expected.digest('hex');
    const status = await new Promise<number>((resolve, reject) => {
      // agent: false → `Connection: close`: a kept-alive socket whose streamed response the server has not marked
      // finished yet when the app closes would hold close() up to the keep-alive timeout.
      const req = http.request(`${base}${API}/mlflow-artifacts/artifacts/big/blob.bin`, {
        method: 'PUT',
        agent: false,
        headers: { 'content-type': 'application/octet-stream' },
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      let sent = 0;
      const pump = (): void => {
        while (sent < count) {
          sent += 1;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
    expect(status).toBe(200);
    expect(fs.statSync(path.join(temp.artifactsDir, 'big', 'blob.bin')).size).toBe(count * chunk.length);

    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get(`${base}${API}/mlflow-artifacts/artifacts/big/blob.bin`, { agent: false }, resolve).on('error', reject);
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-length']).toBe(String(count * chunk.length));
    const hash = createHash('sha256');
    let chunks = 0;
    for await (const part of res as AsyncIterable<Buffer>) {
      chunks += 1;
      hash.update(part);
    }
    expect(chunks).toBeGreaterThan(1);
    expect(hash.digest('hex')).toBe(digest);
  }, 60_000);
});

/** An in-memory repo with multipart, recording its calls: the routes must pass multipart through. */
function recordingRepo(calls: unknown[][]): ArtifactRepo {
  const files = new Map<string, Buffer>();
  const drain = async (body: ByteStream) => {
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(Buffer.from(c));
    return Buffer.concat(chunks);
  };
  return {
    put: async (p, body) => {
      files.set(p, await drain(body));
    },
    get: (p) => {
      const data = files.get(p);
      if (!data) return Promise.reject(RunlogError.notFound(p));
      return Promise.resolve({ stream: (async function* () { await Promise.resolve(); yield data; })(), size: data.length });
    },
    list: () => Promise.resolve([]),
    delete: (p) => {
      files.delete(p);
      return Promise.resolve();
    },
    multipart: {
      create: (p, n): Promise<MultipartUpload> => {
        calls.push(['create', p, n]);
        return Promise.resolve({
          upload_id: 'upload-1',
          credentials: Array.from({ length: n }, (_, i) => ({ url: `https://s3.example/${p}?part=${i + 1}`, part_number: i + 1, headers: {} })),
        });
      },
      complete: (p, id, parts) => {
        calls.push(['complete', p, id, parts]);
        return Promise.resolve();
      },
      abort: (p, id) => {
        calls.push(['abort', p, id]);
        return Promise.resolve();
      },
    },
  };
}

describe('mlflow-artifacts multipart on a repo that has it', () => {
  const calls: unknown[][] = [];
  let app: FastifyInstance;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const temp = await createTempSqliteStore();
    const config = buildServerConfig({ backendStoreUri: `sqlite:///${path.join(temp.dir, 'runlog.db')}`, artifactsDestination: 's3://bucket/root' }, {}, temp.dir);
    app = await createApp({ config, stores: { tracking: temp.store, registry: temp.registry, artifacts: recordingRepo(calls) } });
    cleanup = async () => {
      await app.close();
      await temp.cleanup();
    };
  });
  afterAll(async () => {
    await cleanup();
  });

  it('create → upload id and one presigned credential per part, for <dir>/<basename of the local file>', async () => {
    const res = await call(app, 'POST', `${API}/mlflow-artifacts/mpu/create/1/run/artifacts/model`, { json: { path: '/home/me/data/weights.bin', num_parts: 3 } });
    expect(res.status, res.text).toBe(200);
    const body = res.json as MultipartUpload;
    expect(body.upload_id).toBe('upload-1');
    expect(body.credentials.map((c) => c.part_number)).toEqual([1, 2, 3]);
    expect(calls.at(-1)).toEqual(['create', '1/run/artifacts/model/weights.bin', 3]);
  });

  it('complete and abort pass the upload id and parts through', async () => {
    const parts = [{ part_number: 1, etag: '"e1"', url: 'x' }, { part_number: 2, etag: '"e2"', url: 'y' }];
    const done = await call(app, 'POST', `${API}/mlflow-artifacts/mpu/complete/1/run/artifacts/model`, { json: { path: 'C:\\Users\\me\\weights.bin', upload_id: 'upload-1', parts } });
    expect(done.status, done.text).toBe(200);
    expect(done.json).toEqual({});
    expect(calls.at(-1)).toEqual(['complete', '1/run/artifacts/model/weights.bin', 'upload-1', [{ part_number: 1, etag: '"e1"' }, { part_number: 2, etag: '"e2"' }]]);
    const aborted = await call(app, 'POST', `${AJAX}/mlflow-artifacts/mpu/abort/1/run/artifacts/model`, { json: { path: 'weights.bin', upload_id: 'upload-1' } });
    expect(aborted.status).toBe(200);
    expect(calls.at(-1)).toEqual(['abort', '1/run/artifacts/model/weights.bin', 'upload-1']);
  });

  it('a body path that is only a traversal is refused before the repo is called', async () => {
    const before = calls.length;
    for (const bad of ['..', '/tmp/..', 'a/%2e%2e', '']) {
      const res = await call(app, 'POST', `${API}/mlflow-artifacts/mpu/create/1/run`, { json: { path: bad, num_parts: 1 } });
      expect(res.status, `${bad}: ${res.text}`).toBe(400);
    }
    expect(calls.length).toBe(before);
  });
});

describe('--no-serve-artifacts', () => {
  let temp: TempApp;
  beforeAll(async () => {
    temp = await createTempApp({ flags: { serveArtifacts: false } });
  });
  afterAll(async () => {
    await temp.cleanup();
  });

  const proxied: readonly [Method, string][] = [
    ['GET', `${API}/mlflow-artifacts/artifacts?path=a`],
    ['GET', `${API}/mlflow-artifacts/artifacts/a/b.txt`],
    ['PUT', `${API}/mlflow-artifacts/artifacts/a/b.txt`],
    ['DELETE', `${API}/mlflow-artifacts/artifacts/a/b.txt`],
    ['POST', `${API}/mlflow-artifacts/mpu/create/a`],
    ['POST', `${API}/mlflow-artifacts/mpu/complete/a`],
    ['POST', `${API}/mlflow-artifacts/mpu/abort/a`],
    ['GET', `${AJAX}/mlflow-artifacts/artifacts?path=a`],
  ];
  for (const [method, url] of proxied) {
    it(`${method} ${url} → 503 plain text`, async () => {
      const res = await call(temp.app, method, url, method === 'GET' ? {} : { body: '{}', contentType: 'application/json' });
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.text).toContain('--no-serve-artifacts');
      expect(fs.existsSync(path.join(temp.artifactsDir, 'a'))).toBe(false);
    });
  }

  it('run roots are local folders under the default artifact root, served by the tracking-side routes', async () => {
    const { runId, artifactUri } = await createRun(temp.app, 'local-root');
    expect(artifactUri.startsWith(`${temp.artifactsDir}/`)).toBe(true);
    const up = await call(temp.app, 'POST', `${AJAX}/mlflow/upload-artifact?run_uuid=${runId}&path=d/f.txt`, { body: 'local', contentType: 'text/plain' });
    expect(up.status, up.text).toBe(200);
    expect(fs.readFileSync(path.join(artifactUri, 'd', 'f.txt'), 'utf8')).toBe('local');
    const list = await call(temp.app, 'GET', `${API}/mlflow/artifacts/list?run_id=${runId}&path=d`);
    expect(list.json).toEqual({ root_uri: artifactUri, files: [{ path: 'd/f.txt', is_dir: false, file_size: 5 }] });
    const got = await call(temp.app, 'GET', `/get-artifact?run_id=${runId}&path=d/f.txt`);
    expect(got.text).toBe('local');
  });

  it('a run whose root is proxied (mlflow-artifacts:) is not served here → 400, not a fetch or a 500', async () => {
    const { runId } = await createRun(temp.app, 'proxied-root', 'mlflow-artifacts:/elsewhere');
    const res = await call(temp.app, 'GET', `/get-artifact?run_id=${runId}&path=a.txt`);
    expect(res.status).toBe(400);
    expect((res.json as { message: string }).message).toContain('--no-serve-artifacts');
  });
});

describe('--artifacts-only', () => {
  let temp: TempApp;
  beforeAll(async () => {
    temp = await createTempApp({ flags: { artifactsOnly: true } });
  });
  afterAll(async () => {
    await temp.cleanup();
  });

  const trackingRoutes: readonly [Method, string][] = [
    ['POST', `${API}/mlflow/experiments/create`],
    ['POST', `${API}/mlflow/runs/create`],
    ['GET', `${API}/mlflow/runs/get?run_id=x`],
    ['POST', `${AJAX}/mlflow/experiments/search`],
    ['GET', `${AJAX}/mlflow/metrics/get-history-bulk?run_id=x&metric_key=m`],
    ['GET', `${API}/mlflow/artifacts/list?run_id=x`],
    ['GET', `${AJAX}/mlflow/artifacts/list?run_id=x`],
    ['GET', '/get-artifact?run_id=x&path=a'],
    ['POST', `${AJAX}/mlflow/upload-artifact?run_uuid=x&path=a`],
    ['POST', `${API}/mlflow/registered-models/create`],
    ['GET', `${API}/mlflow/registered-models/search`],
    ['DELETE', `${API}/mlflow/registered-models/alias`],
    ['GET', `${AJAX}/mlflow/model-versions/get?name=m&version=1`],
    ['GET', '/model-versions/get-artifact?name=m&version=1&path=a'],
  ];
  for (const [method, url] of trackingRoutes) {
    it(`${method} ${url} → 503 plain text`, async () => {
      const res = await call(temp.app, method, url, method === 'GET' ? {} : { body: '{}', contentType: 'application/json' });
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.text).toContain('--artifacts-only');
    });
  }

  it('the mlflow-artifacts routes are served', async () => {
    expect((await call(temp.app, 'PUT', `${API}/mlflow-artifacts/artifacts/x/y.txt`, { body: 'only', contentType: 'text/plain' })).status).toBe(200);
    expect((await call(temp.app, 'GET', `${API}/mlflow-artifacts/artifacts/x/y.txt`)).text).toBe('only');
    expect((await call(temp.app, 'GET', `${API}/mlflow-artifacts/artifacts?path=x`)).json).toEqual({
      files: [{ path: 'y.txt', is_dir: false, file_size: 4 }],
    });
  });

  it('cannot be combined with --no-serve-artifacts', () => {
    expect(() => buildServerConfig({ artifactsOnly: true, serveArtifacts: false }, {}, os.tmpdir())).toThrow(/--artifacts-only/);
  });
});

describe('--static-prefix applies to /ajax-api and /get-artifact, not to /api', () => {
  let temp: TempApp;
  beforeAll(async () => {
    temp = await createTempApp({ flags: { staticPrefix: '/mlflow' } });
  });
  afterAll(async () => {
    await temp.cleanup();
  });

  it('serves the prefixed routes and 404s the unprefixed ajax ones', async () => {
    const { runId, experimentId } = await createRun(temp.app, 'prefixed');
    const up = await call(temp.app, 'POST', `/mlflow${AJAX}/mlflow/upload-artifact?run_uuid=${runId}&path=p.txt`, { body: 'prefixed', contentType: 'text/plain' });
    expect(up.status, up.text).toBe(200);
    expect((await call(temp.app, 'GET', `/mlflow/get-artifact?run_id=${runId}&path=p.txt`)).text).toBe('prefixed');
    const listed = await call(temp.app, 'GET', `/mlflow${AJAX}/mlflow-artifacts/artifacts?path=${experimentId}/${runId}/artifacts`);
    expect(listed.json).toEqual({ files: [{ path: 'p.txt', is_dir: false, file_size: 8 }] });
    expect((await call(temp.app, 'GET', `${API}/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/p.txt`)).text).toBe('prefixed');
    expect((await call(temp.app, 'GET', `/get-artifact?run_id=${runId}&path=p.txt`)).status).toBe(404);
    expect((await call(temp.app, 'GET', `${AJAX}/mlflow-artifacts/artifacts?path=x`)).status).toBe(404);
  });
});

describe('experiments/create artifact_location against the server roots', () => {
  let temp: TempApp;
  beforeAll(async () => {
    temp = await createTempApp();
  });
  afterAll(async () => {
    await temp.cleanup();
  });

  it('accepts a local folder inside the destination and serves the run from it', async () => {
    const location = path.join(temp.artifactsDir, 'custom');
    const { runId, artifactUri } = await createRun(temp.app, 'inside', location);
    expect(artifactUri).toBe(`${location}/${runId}/artifacts`);
    expect((await call(temp.app, 'POST', `${AJAX}/mlflow/upload-artifact?run_uuid=${runId}&path=f.txt`, { body: 'c', contentType: 'text/plain' })).status).toBe(200);
    expect(fs.readFileSync(path.join(location, runId, 'artifacts', 'f.txt'), 'utf8')).toBe('c');
  });

  it('accepts s3:// and http(s) proxy locations (never fetched), refuses a local folder outside', async () => {
    for (const ok of ['s3://bucket/x', 'https://tracking.example/api/2.0/mlflow-artifacts/artifacts/9']) {
      const res = await call(temp.app, 'POST', `${API}/mlflow/experiments/create`, { json: { name: `ok-${ok}`, artifact_location: ok } });
      expect(res.status, res.text).toBe(200);
    }
    const res = await call(temp.app, 'POST', `${API}/mlflow/experiments/create`, { json: { name: 'outside', artifact_location: os.tmpdir() } });
    expect(res.status).toBe(400);
  });

  it('a run under an s3 root or a non-proxy http(s) root outside the server roots is not served: 400, nothing fetched', async () => {
    for (const location of ['s3://other-bucket/y', 'https://tracking.example/elsewhere']) {
      const { runId } = await createRun(temp.app, `unserved-${location}`, location);
      for (const url of [`${API}/mlflow/artifacts/list?run_id=${runId}`, `/get-artifact?run_id=${runId}&path=a.txt`]) {
        const res = await call(temp.app, 'GET', url);
        expect(res.status, `${location} ${url}: ${res.text}`).toBe(400);
        expect((res.json as { message: string }).message).toContain('not served by this server');
      }
    }
  });

  it('an http(s) proxy root maps to the destination path after /api/2.0/mlflow-artifacts/artifacts/ (host not contacted)', async () => {
    const { runId } = await createRun(temp.app, 'http-proxy-root', 'https://unreachable.invalid/api/2.0/mlflow-artifacts/artifacts/viahttp');
    const up = await call(temp.app, 'POST', `${AJAX}/mlflow/upload-artifact?run_uuid=${runId}&path=h.txt`, { body: 'h', contentType: 'text/plain' });
    expect(up.status, up.text).toBe(200);
    expect(fs.readFileSync(path.join(temp.artifactsDir, 'viahttp', runId, 'artifacts', 'h.txt'), 'utf8')).toBe('h');
  });
});
