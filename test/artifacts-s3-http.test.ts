/**
 * The artifact routes over HTTP with an S3 artifacts destination (`--artifacts-destination s3://<bucket>/<prefix>`)
 * on an in-process s3rver: MLflow's client call sequences (mlflow-tracking-api.md §6.4) — log_artifact(s) PUTs,
 * list_artifacts of the root and a sub folder, download GETs, delete — the tracking side's `artifacts/list` and
 * `get-artifact`, and multipart (create → PUT the parts to the presigned URLs → complete), which the S3 repo
 * implements. Every write is checked in the bucket itself, so nothing silently lands on the local disk.
 *
 * The S3 repo is opened from the destination URI and reads its endpoint and credentials from `process.env`
 * (MLflow's variables), as the server does: they are set for this file and restored afterwards.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { FileInfo, MultipartUpload } from '@runlog/core';
import { s3ClientConfig } from '../packages/server/src/artifacts/s3-artifact-repo.js';
import { startS3rver, type S3rverInstance } from '../packages/server/src/testing/s3rver.js';
import { createTempApp, type TempApp } from '../packages/server/src/testing/temp-stores.js';

const API = '/api/2.0';
const AJAX = '/ajax-api/2.0';
/** Everything the server stores goes under this prefix of the bucket. */
const PREFIX = 'mlflow-artifacts';
const MiB = 1024 * 1024;

type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';

async function call(
  app: FastifyInstance,
  method: Method,
  url: string,
  options: { body?: string | Buffer; contentType?: string; json?: unknown } = {},
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

describe('artifact routes on an S3 destination (s3rver)', () => {
  let s3rver: S3rverInstance;
  let s3: S3Client;
  let temp: TempApp;
  const savedEnv: Record<string, string | undefined> = {};
  let runId = '';
  let artifactUri = '';
  let root = '';

  const put = (rel: string, body: string | Buffer, contentType = 'application/octet-stream') =>
    call(temp.app, 'PUT', `${API}/mlflow-artifacts/artifacts/${root}/${rel}`, { body, contentType });
  const listProxied = (path: string, prefix = API) =>
    call(temp.app, 'GET', `${prefix}/mlflow-artifacts/artifacts?path=${encodeURIComponent(path)}`);

  /** The object's bytes in the bucket, or undefined when there is none. */
  async function stored(rel: string): Promise<Buffer | undefined> {
    try {
      const out = await s3.send(new GetObjectCommand({ Bucket: s3rver.bucket, Key: `${PREFIX}/${root}/${rel}` }));
      return Buffer.from(await out.Body!.transformToByteArray());
    } catch (err) {
      if ((err as Error).name === 'NoSuchKey') return undefined;
      throw err;
    }
  }

  async function keysUnder(rel: string): Promise<string[]> {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: s3rver.bucket, Prefix: `${PREFIX}/${root}/${rel}` }));
    return (out.Contents ?? []).map((o) => o.Key!.slice(`${PREFIX}/${root}/`.length)).sort();
  }

  beforeAll(async () => {
    s3rver = await startS3rver();
    for (const [name, value] of Object.entries(s3rver.env)) {
      savedEnv[name] = process.env[name];
      process.env[name] = value;
    }
    s3 = new S3Client(s3ClientConfig(s3rver.env));
    temp = await createTempApp({ flags: { artifactsDestination: `s3://${s3rver.bucket}/${PREFIX}` } });
    expect(temp.config.artifactsDestination).toBe(`s3://${s3rver.bucket}/${PREFIX}`);

    const exp = await call(temp.app, 'POST', `${API}/mlflow/experiments/create`, { json: { name: 's3-artifacts' } });
    expect(exp.status, exp.text).toBe(200);
    const experimentId = (exp.json as { experiment_id: string }).experiment_id;
    const run = await call(temp.app, 'POST', `${API}/mlflow/runs/create`, { json: { experiment_id: experimentId, start_time: 1 } });
    expect(run.status, run.text).toBe(200);
    const info = (run.json as { run: { info: { run_id: string; artifact_uri: string } } }).run.info;
    runId = info.run_id;
    artifactUri = info.artifact_uri;
    expect(artifactUri).toBe(`mlflow-artifacts:/${experimentId}/${runId}/artifacts`);
    root = `${experimentId}/${runId}/artifacts`;
  });

  afterAll(async () => {
    await temp?.cleanup();
    s3?.destroy();
    for (const [name, value] of Object.entries(savedEnv)) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
    await s3rver?.close();
  });

  it('log_artifact: PUT → 200 {}; the object is in the bucket under the destination prefix, not on disk', async () => {
    const res = await put('hello.txt', 'hello world\n', 'text/plain');
    expect(res.status, res.text).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json).toEqual({});
    expect((await stored('hello.txt'))?.toString()).toBe('hello world\n');
    expect(fs.existsSync(temp.artifactsDir)).toBe(false);
  });

  it('log_artifacts: nested PUTs, JSON-typed bodies taken as raw bytes', async () => {
    for (const [rel, body, type] of [
      ['sub/dir/hello.txt', 'hello world\n', 'text/plain'],
      ['tree/a.json', '{"not": json', 'application/json'],
      ['tree/x/b.bin', Buffer.from([0, 1, 255]), 'application/octet-stream'],
      ['notes.txt', 'some text', 'text/plain'],
    ] as const) {
      const res = await put(rel, body, type);
      expect(res.status, `${rel}: ${res.text}`).toBe(200);
    }
    expect(await stored('tree/a.json')).toEqual(Buffer.from('{"not": json'));
    expect(await stored('tree/x/b.bin')).toEqual(Buffer.from([0, 1, 255]));
  });

  it('list_artifacts (root): basenames, one level, sorted, sizes for files only', async () => {
    const res = await listProxied(root);
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({
      files: [
        { path: 'hello.txt', is_dir: false, file_size: 12 },
        { path: 'notes.txt', is_dir: false, file_size: 9 },
        { path: 'sub', is_dir: true },
        { path: 'tree', is_dir: true },
      ],
    });
  });

  it('list_artifacts (sub folder with ?path=), also under /ajax-api; a folder holding only folders lists them', async () => {
    for (const prefix of [API, AJAX]) {
      const res = await listProxied(`${root}/tree`, prefix);
      expect(res.json).toEqual({ files: [{ path: 'a.json', is_dir: false, file_size: 12 }, { path: 'x', is_dir: true }] });
    }
    expect((await listProxied(`${root}/sub`)).json).toEqual({ files: [{ path: 'dir', is_dir: true }] });
    expect((await listProxied(`${root}/tree/`)).json).toEqual((await listProxied(`${root}/tree`)).json);
  });

  it('list of a file or a missing path → {}; without path → the destination root', async () => {
    for (const p of [`${root}/hello.txt`, `${root}/nope`, 'nothing/at/all']) {
      const res = await listProxied(p);
      expect(res.status).toBe(200);
      expect(res.json).toEqual({});
    }
    const top = await call(temp.app, 'GET', `${API}/mlflow-artifacts/artifacts`);
    expect(top.json).toEqual({ files: [{ path: root.split('/')[0], is_dir: true }] });
  });

  it('download_artifacts: GET streams the bytes with length, type and disposition', async () => {
    const res = await call(temp.app, 'GET', `${API}/mlflow-artifacts/artifacts/${root}/hello.txt`);
    expect(res.status).toBe(200);
    expect(res.text).toBe('hello world\n');
    expect(res.headers['content-type']).toBe('text/plain');
    expect(res.headers['content-length']).toBe('12');
    expect(res.headers['content-disposition']).toBe('attachment; filename=hello.txt');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const bin = await call(temp.app, 'GET', `${API}/mlflow-artifacts/artifacts/${root}/tree/x/b.bin`);
    expect(bin.body).toEqual(Buffer.from([0, 1, 255]));
    expect(bin.headers['content-type']).toBe('application/octet-stream');
  });

  it('GET of a missing file or of a folder → 404 RESOURCE_DOES_NOT_EXIST (JSON)', async () => {
    for (const rel of ['missing.txt', 'tree', 'tree/x']) {
      const res = await call(temp.app, 'GET', `${API}/mlflow-artifacts/artifacts/${root}/${rel}`);
      expect(res.status, rel).toBe(404);
      expect((res.json as { error_code: string }).error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    }
  });

  it('unicode and spaces in names survive PUT, list and GET', async () => {
    const name = 'ünï cödé/日本 語.txt';
    const url = `${API}/mlflow-artifacts/artifacts/${root}/${name.split('/').map(encodeURIComponent).join('/')}`;
    expect((await call(temp.app, 'PUT', url, { body: 'unicode', contentType: 'text/plain' })).status).toBe(200);
    expect((await call(temp.app, 'GET', url)).text).toBe('unicode');
    expect((await listProxied(`${root}/ünï cödé`)).json).toEqual({ files: [{ path: '日本 語.txt', is_dir: false, file_size: 7 }] });
    expect(await stored(name)).toEqual(Buffer.from('unicode'));
  });

  it('a 20 MiB PUT goes up as a multipart upload and reads back identical', async () => {
    const data = randomBytes(20 * MiB + 17);
    expect((await put('big/blob.bin', data)).status).toBe(200);
    const res = await call(temp.app, 'GET', `${API}/mlflow-artifacts/artifacts/${root}/big/blob.bin`);
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe(String(data.length));
    expect(createHash('sha256').update(res.body).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    expect((await listProxied(`${root}/big`)).json).toEqual({ files: [{ path: 'blob.bin', is_dir: false, file_size: data.length }] });
  });

  it('artifacts/list (tracking): paths relative to the run root, with ?path=; root_uri', async () => {
    for (const prefix of [API, AJAX]) {
      const top = await call(temp.app, 'GET', `${prefix}/mlflow/artifacts/list?run_id=${runId}`);
      expect(top.status, top.text).toBe(200);
      const body = top.json as { root_uri: string; files: FileInfo[] };
      expect(body.root_uri).toBe(artifactUri);
      expect(body.files).toContainEqual({ path: 'hello.txt', is_dir: false, file_size: 12 });
      expect(body.files).toContainEqual({ path: 'sub', is_dir: true });
      expect(body.files).toContainEqual({ path: 'tree', is_dir: true });
      const sub = await call(temp.app, 'GET', `${prefix}/mlflow/artifacts/list?run_uuid=${runId}&path=sub/dir`);
      expect(sub.json).toEqual({ root_uri: artifactUri, files: [{ path: 'sub/dir/hello.txt', is_dir: false, file_size: 12 }] });
    }
    const empty = await call(temp.app, 'GET', `${API}/mlflow/artifacts/list?run_id=${runId}&path=nothing`);
    expect(empty.json).toEqual({ root_uri: artifactUri });
  });

  it('get-artifact: the file with its headers; a folder → 400; a missing file → 404', async () => {
    const res = await call(temp.app, 'GET', `/get-artifact?run_id=${runId}&path=${encodeURIComponent('tree/x/b.bin')}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual(Buffer.from([0, 1, 255]));
    expect(res.headers['content-disposition']).toBe('attachment; filename=b.bin');
    expect(res.headers['content-security-policy']).toBe('sandbox');
    const text = await call(temp.app, 'GET', `/get-artifact?run_uuid=${runId}&path=hello.txt`);
    expect(text.text).toBe('hello world\n');
    expect(text.headers['content-type']).toBe('text/plain');
    for (const folder of ['tree', 'sub/dir']) {
      const res400 = await call(temp.app, 'GET', `/get-artifact?run_id=${runId}&path=${encodeURIComponent(folder)}`);
      expect(res400.status, folder).toBe(400);
      expect((res400.json as { error_code: string }).error_code).toBe('INVALID_PARAMETER_VALUE');
    }
    expect((await call(temp.app, 'GET', `/get-artifact?run_id=${runId}&path=nope.txt`)).status).toBe(404);
  });

  it('upload-artifact (UI) writes under the run root in the bucket', async () => {
    const res = await call(temp.app, 'POST', `${AJAX}/mlflow/upload-artifact?run_uuid=${runId}&path=${encodeURIComponent('ui/up.png')}`, {
      body: Buffer.from([1, 2, 3]),
      contentType: 'image/png',
    });
    expect(res.status, res.text).toBe(200);
    expect(await stored('ui/up.png')).toEqual(Buffer.from([1, 2, 3]));
  });

  it('mpu/create → an upload id and one presigned part URL per part on the S3 endpoint; PUT the parts, complete → GET returns them', async () => {
    const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB + 123), randomBytes(1000)];
    const created = await call(temp.app, 'POST', `${API}/mlflow-artifacts/mpu/create/${root}/model`, {
      json: { path: '/home/me/data/weights.bin', num_parts: parts.length },
    });
    expect(created.status, created.text).toBe(200);
    const upload = created.json as MultipartUpload;
    expect(upload.upload_id).toEqual(expect.any(String));
    expect(upload.upload_id).not.toBe('');
    expect(upload.credentials.map((c) => c.part_number)).toEqual([1, 2, 3]);
    for (const cred of upload.credentials) {
      const url = new URL(cred.url);
      expect(url.origin).toBe(s3rver.endpoint);
      expect(decodeURIComponent(url.pathname)).toBe(`/${s3rver.bucket}/${PREFIX}/${root}/model/weights.bin`);
      expect(url.searchParams.get('uploadId')).toBe(upload.upload_id);
      expect(url.searchParams.get('partNumber')).toBe(String(cred.part_number));
      expect(url.searchParams.get('X-Amz-Signature')).toBeTruthy();
    }

    // What MLflow's client does next: PUT each part to its URL, then complete with the ETags.
    const etags: { part_number: number; etag: string; url: string }[] = [];
    for (const cred of upload.credentials) {
      const res = await fetch(cred.url, { method: 'PUT', headers: cred.headers, body: parts[cred.part_number - 1] });
      expect(res.status, await res.clone().text()).toBe(200);
      etags.push({ part_number: cred.part_number, etag: res.headers.get('etag')!, url: cred.url });
    }
    expect(await keysUnder('model')).toEqual([]); // nothing visible before complete
    const done = await call(temp.app, 'POST', `${API}/mlflow-artifacts/mpu/complete/${root}/model`, {
      json: { path: '/home/me/data/weights.bin', upload_id: upload.upload_id, parts: [etags[2], etags[0], etags[1]] },
    });
    expect(done.status, done.text).toBe(200);
    expect(done.json).toEqual({});

    const expected = Buffer.concat(parts);
    const got = await call(temp.app, 'GET', `${API}/mlflow-artifacts/artifacts/${root}/model/weights.bin`);
    expect(got.status).toBe(200);
    expect(got.body.equals(expected)).toBe(true);
    expect((await listProxied(`${root}/model`)).json).toEqual({ files: [{ path: 'weights.bin', is_dir: false, file_size: expected.length }] });
  });

  it('delete_artifacts: DELETE a file, then a folder → {} and gone from the bucket; again → {}', async () => {
    const one = await call(temp.app, 'DELETE', `${API}/mlflow-artifacts/artifacts/${root}/notes.txt`);
    expect(one.status, one.text).toBe(200);
    expect(one.json).toEqual({});
    expect(await stored('notes.txt')).toBeUndefined();
    expect((await call(temp.app, 'GET', `${API}/mlflow-artifacts/artifacts/${root}/notes.txt`)).status).toBe(404);

    expect(await keysUnder('tree/')).toEqual(['tree/a.json', 'tree/x/b.bin']);
    const tree = await call(temp.app, 'DELETE', `${API}/mlflow-artifacts/artifacts/${root}/tree`);
    expect(tree.status, tree.text).toBe(200);
    expect(tree.json).toEqual({});
    expect(await keysUnder('tree')).toEqual([]);
    expect((await listProxied(root)).json).toEqual({
      files: [
        { path: 'big', is_dir: true },
        { path: 'hello.txt', is_dir: false, file_size: 12 },
        { path: 'model', is_dir: true },
        { path: 'sub', is_dir: true },
        { path: 'ui', is_dir: true },
        { path: 'ünï cödé', is_dir: true },
      ],
    });
    const again = await call(temp.app, 'DELETE', `${API}/mlflow-artifacts/artifacts/${root}/tree`);
    expect(again.status).toBe(200);
  });

  it('paths that leave the destination are refused (4xx) and write nothing outside the prefix', async () => {
    for (const url of [
      `${API}/mlflow-artifacts/artifacts/${root}/..%2f..%2f..%2f..%2fescape.txt`,
      `${API}/mlflow-artifacts/artifacts/%2e%2e/escape.txt`,
      `${API}/mlflow-artifacts/artifacts/a/..%5c..%5cescape.txt`,
    ]) {
      const res = await call(temp.app, 'PUT', url, { body: 'x', contentType: 'text/plain' });
      expect(res.status, `${url}: ${res.text}`).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    const out = await s3.send(new ListObjectsV2Command({ Bucket: s3rver.bucket }));
    expect((out.Contents ?? []).every((o) => o.Key!.startsWith(`${PREFIX}/`))).toBe(true);
  });
});
