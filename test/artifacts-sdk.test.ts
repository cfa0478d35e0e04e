/**
 * The SDK's artifact client (`packages/client/src/artifacts.ts`) against a real listening server: uploads of a
 * file and a nested folder (with a 5 MB file), listings, downloads of a folder, of a single file and of
 * everything, byte for byte, progress totals; artifact URI resolution; the refusal of non-proxied stores; and,
 * against a small fake server on loopback, malicious listings, auth headers, the concurrency limit and retries.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunlogError, type TrackingStore } from '@runlog/core';
import {
  createArtifactClient,
  createRestTrackingStore,
  fetchTransport,
  resolveArtifactLocation,
  trackingAuthHeaders,
  trackingCredentialsFromEnv,
  type ArtifactClient,
  type ArtifactProgress,
} from '@runlog/client';
import { createTempApp, type TempApp } from '../packages/server/src/testing/temp-stores.js';
import { rejection } from './helpers/rejection.js';

function tempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `runlog-sdk-${label}-`));
}

function write(root: string, relative: string, content: string | Buffer): void {
  const file = path.join(root, ...relative.split('/'));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

/** Relative path → bytes of every file below `root`. */
function readTree(root: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (dir: string, prefix: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) walk(path.join(dir, entry.name), rel);
      else out.set(rel, fs.readFileSync(path.join(dir, entry.name)));
    }
  };
  walk(root, '');
  return out;
}

function expectSameTree(actual: string, expected: string): void {
  const a = readTree(actual);
  const e = readTree(expected);
  expect([...a.keys()].sort()).toEqual([...e.keys()].sort());
  for (const [rel, bytes] of e) expect(a.get(rel)?.equals(bytes), rel).toBe(true);
}

function recorder(): { events: ArtifactProgress[]; onProgress: (p: ArtifactProgress) => void } {
  const events: ArtifactProgress[] = [];
  return { events, onProgress: (p) => events.push(p) };
}

function expectCompleteProgress(events: readonly ArtifactProgress[], files: number, bytes: number): void {
  expect(events.length).toBeGreaterThan(1);
  expect(events[0]).toMatchObject({ bytesDone: 0, filesDone: 0, filesTotal: files });
  expect(events.at(-1)).toEqual({ bytesDone: bytes, bytesTotal: bytes, filesDone: files, filesTotal: files });
  for (let i = 1; i < events.length; i++) {
    expect(events[i]!.bytesDone).toBeGreaterThanOrEqual(events[i - 1]!.bytesDone);
    expect(events[i]!.filesDone).toBeGreaterThanOrEqual(events[i - 1]!.filesDone);
    expect(events[i]!.bytesDone).toBeLessThanOrEqual(events[i]!.bytesTotal);
  }
}

describe('artifact SDK against a listening server', () => {
  let temp: TempApp;
  let uri = '';
  let store: TrackingStore;
  let client: ArtifactClient;
  let runId = '';
  let runRoot = '';
  let fixture = '';
  const big = randomBytes(5 * 1024 * 1024 + 123);
  const dirs: string[] = [];
  const scratch = (label: string): string => {
    const dir = tempDir(label);
    dirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    temp = await createTempApp();
    await temp.app.listen({ host: '127.0.0.1', port: 0 });
    uri = `http://127.0.0.1:${(temp.app.server.address() as AddressInfo).port}`;
    store = createRestTrackingStore(fetchTransport(uri));
    const experimentId = await store.createExperiment('sdk-artifacts');
    const run = await store.createRun({ experimentId, startTime: 1 });
    runId = run.info.run_id;
    expect(run.info.artifact_uri).toBe(`mlflow-artifacts:/${experimentId}/${runId}/artifacts`);
    runRoot = path.join(temp.artifactsDir, experimentId, runId, 'artifacts');
    client = createArtifactClient({ trackingUri: uri });

    fixture = scratch('fixture');
    write(fixture, 'a.txt', 'hello\n');
    write(fixture, 'with space.txt', 'spaced\n');
    write(fixture, 'nested/b.json', '{"b": 1}');
    write(fixture, 'nested/empty.txt', '');
    write(fixture, 'nested/deeper/big.bin', big);
    write(fixture, 'nested/deeper/café.txt', 'unicode name');
  });

  afterAll(async () => {
    await temp.cleanup();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('artifactLocation resolves the run root through runs/get', async () => {
    const location = await client.artifactLocation(runId);
    expect(location.serverUri).toBe(uri);
    expect(location.root).toMatch(new RegExp(`^\\d+/${runId}/artifacts$`));
  });

  it('uploadFile puts one file at the root or under an artifact path', async () => {
    const progress = recorder();
    expect(await client.uploadFile(runId, path.join(fixture, 'a.txt'), undefined, progress)).toBe('a.txt');
    expectCompleteProgress(progress.events, 1, 6);
    expect(await client.uploadFile(runId, path.join(fixture, 'nested', 'b.json'), 'single/dir')).toBe('single/dir/b.json');
    expect(fs.readFileSync(path.join(runRoot, 'a.txt'), 'utf8')).toBe('hello\n');
    expect(fs.readFileSync(path.join(runRoot, 'single', 'dir', 'b.json'), 'utf8')).toBe('{"b": 1}');
  });

  it('uploadFile refuses a folder, and uploadDirectory a file', async () => {
    expect((await rejection(client.uploadFile(runId, fixture))).message).toMatch(/not a file.*uploadDirectory/);
    expect((await rejection(client.uploadDirectory(runId, path.join(fixture, 'a.txt')))).message).toMatch(/not a folder/);
  });

  it('uploadDirectory walks the tree (5 MB file included) with progress totals', async () => {
    const progress = recorder();
    const uploaded = await client.uploadDirectory(runId, fixture, 'tree', { ...progress, concurrency: 3 });
    expect(uploaded).toEqual([
      'tree/a.txt',
      'tree/nested/b.json',
      'tree/nested/deeper/big.bin',
      'tree/nested/deeper/café.txt',
      'tree/nested/empty.txt',
      'tree/with space.txt',
    ]);
    const totalBytes = [...readTree(fixture).values()].reduce((sum, b) => sum + b.length, 0);
    expectCompleteProgress(progress.events, 6, totalBytes);
    expectSameTree(path.join(runRoot, 'tree'), fixture);
  });

  it('listArtifacts rebuilds full relative paths, sorted, with sizes', async () => {
    expect(await client.listArtifacts(runId)).toEqual([
      { path: 'a.txt', is_dir: false, file_size: 6 },
      { path: 'single', is_dir: true },
      { path: 'tree', is_dir: true },
    ]);
    expect(await client.listArtifacts(runId, 'tree/nested')).toEqual([
      { path: 'tree/nested/b.json', is_dir: false, file_size: 8 },
      { path: 'tree/nested/deeper', is_dir: true },
      { path: 'tree/nested/empty.txt', is_dir: false, file_size: 0 },
    ]);
    expect(await client.listArtifacts(runId, 'tree/a.txt')).toEqual([]);
    expect(await client.listArtifacts(runId, 'missing')).toEqual([]);
  });

  it('downloadArtifacts of a folder recreates it under destDir/<path>, byte for byte', async () => {
    const dest = scratch('dl-dir');
    const progress = recorder();
    const local = await client.downloadArtifacts(runId, 'tree', dest, { ...progress, concurrency: 2 });
    expect(local).toBe(path.join(dest, 'tree'));
    expectSameTree(local, fixture);
    const totalBytes = [...readTree(fixture).values()].reduce((sum, b) => sum + b.length, 0);
    expectCompleteProgress(progress.events, 6, totalBytes);
  });

  it('downloadArtifacts of a single file, and of a subfolder', async () => {
    const dest = scratch('dl-file');
    const progress = recorder();
    const local = await client.downloadArtifacts(runId, 'tree/nested/deeper/big.bin', dest, progress);
    expect(local).toBe(path.join(dest, 'tree', 'nested', 'deeper', 'big.bin'));
    expect(fs.readFileSync(local).equals(big)).toBe(true);
    expectCompleteProgress(progress.events, 1, big.length);
    expect(fs.readdirSync(path.dirname(local))).toEqual(['big.bin']); // no temp file left behind

    const sub = await client.downloadArtifacts(runId, 'tree/nested/deeper', dest);
    expect(fs.readFileSync(path.join(sub, 'café.txt'), 'utf8')).toBe('unicode name');
  });

  it("downloadArtifacts of '' fetches every artifact of the run", async () => {
    const dest = scratch('dl-all');
    expect(await client.downloadArtifacts(runId, '', dest)).toBe(path.resolve(dest));
    const tree = readTree(dest);
    expect([...tree.keys()].sort()).toEqual([
      'a.txt',
      'single/dir/b.json',
      'tree/a.txt',
      'tree/nested/b.json',
      'tree/nested/deeper/big.bin',
      'tree/nested/deeper/café.txt',
      'tree/nested/empty.txt',
      'tree/with space.txt',
    ]);
    expect(tree.get('tree/nested/deeper/big.bin')?.equals(big)).toBe(true);
  });

  it('a missing artifact is RESOURCE_DOES_NOT_EXIST and leaves nothing behind', async () => {
    const dest = scratch('dl-missing');
    const err = await rejection(client.downloadArtifacts(runId, 'deep/er/nope.txt', dest));
    expect(err.errorCode).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(fs.readdirSync(dest)).toEqual([]);
  });

  it('artifact paths given by the caller must be safe relative paths', async () => {
    for (const bad of ['../x', '/etc', 'a/../../b']) {
      expect((await rejection(client.listArtifacts(runId, bad))).errorCode).toBe('INVALID_PARAMETER_VALUE');
      expect((await rejection(client.downloadArtifacts(runId, bad, scratch('bad')))).errorCode).toBe('INVALID_PARAMETER_VALUE');
    }
    expect((await rejection(client.uploadFile(runId, path.join(fixture, 'a.txt'), '../up'))).errorCode).toBe(
      'INVALID_PARAMETER_VALUE',
    );
  });

  it('a local name the server would not store as is is refused before anything is uploaded', async () => {
    const dir = scratch('badname');
    write(dir, 'fine.txt', 'x');
    write(dir, 'a#b.txt', 'x');
    const err = await rejection(client.uploadDirectory(runId, dir, 'badname'));
    expect(err.message).toMatch(/'a#b.txt' is not a valid artifact name/);
    expect(await client.listArtifacts(runId, 'badname')).toEqual([]);
  });

  it('an unknown run is RESOURCE_DOES_NOT_EXIST', async () => {
    expect((await rejection(client.listArtifacts('0'.repeat(32)))).errorCode).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('a run whose artifact root is not proxied (s3://) is refused with a clear NOT_IMPLEMENTED', async () => {
    const experimentId = await store.createExperiment('sdk-s3', 's3://some-bucket/prefix');
    const run = await store.createRun({ experimentId, startTime: 1 });
    const err = await rejection(client.uploadFile(run.info.run_id, path.join(fixture, 'a.txt')));
    expect(err.errorCode).toBe('NOT_IMPLEMENTED');
    expect(err.message).toContain(`s3://some-bucket/prefix/${run.info.run_id}/artifacts`);
    expect(err.message).toMatch(/a s3:\/\/ store: direct access to that store is not supported by the Runlog SDK yet/);
  });
});

describe('resolveArtifactLocation (MLflow resolve_uri)', () => {
  it('mlflow-artifacts:/<p> hangs from the tracking URI, path prefix included', () => {
    expect(resolveArtifactLocation('mlflow-artifacts:/1/r/artifacts', 'http://h:5000')).toEqual({
      serverUri: 'http://h:5000',
      root: '1/r/artifacts',
    });
    expect(resolveArtifactLocation('mlflow-artifacts:/1/r/artifacts', 'https://h/mlflow/')).toEqual({
      serverUri: 'https://h/mlflow',
      root: '1/r/artifacts',
    });
    expect(resolveArtifactLocation('mlflow-artifacts:///1/r', 'http://h:5000')).toEqual({ serverUri: 'http://h:5000', root: '1/r' });
  });

  it('mlflow-artifacts://host:port/<p> uses that host with the tracking scheme', () => {
    expect(resolveArtifactLocation('mlflow-artifacts://art:8080/1/r/artifacts', 'https://h/mlflow')).toEqual({
      serverUri: 'https://art:8080',
      root: '1/r/artifacts',
    });
  });

  it('http(s)://…/api/2.0/mlflow-artifacts/artifacts/<p> is split at the service path', () => {
    expect(resolveArtifactLocation('http://a:1/x/api/2.0/mlflow-artifacts/artifacts/1/r%20s/artifacts', 'http://h')).toEqual({
      serverUri: 'http://a:1/x',
      root: '1/r s/artifacts',
    });
    expect(resolveArtifactLocation('https://a/api/2.0/mlflow-artifacts/artifacts', 'http://h')).toEqual({
      serverUri: 'https://a',
      root: '',
    });
  });

  it('other stores are NOT_IMPLEMENTED, naming the store', () => {
    const cases: [string, RegExp][] = [
      ['/var/mlruns/1/r/artifacts', /a local path/],
      ['file:///var/mlruns/1/r/artifacts', /a local file: URI/],
      ['s3://bucket/1/r/artifacts', /a s3:\/\/ store/],
      ['gs://bucket/1/r/artifacts', /a gs:\/\/ store/],
      ['http://h/files/1/r', /an http:\/\/ URL outside the mlflow-artifacts service/],
      ['http://h/api/2.0/mlflow-artifacts/artifactsX/1', /outside the mlflow-artifacts service/],
    ];
    for (const [artifactUri, message] of cases) {
      let err: unknown;
      try {
        resolveArtifactLocation(artifactUri, 'http://h');
      } catch (e) {
        err = e;
      }
      expect(err, artifactUri).toBeInstanceOf(RunlogError);
      expect((err as RunlogError).errorCode).toBe('NOT_IMPLEMENTED');
      expect((err as RunlogError).message).toMatch(message);
      expect((err as RunlogError).message).toContain('direct access to that store is not supported by the Runlog SDK yet');
    }
  });

  it('an unsafe root or a non-http tracking URI is INVALID_PARAMETER_VALUE', () => {
    expect(() => resolveArtifactLocation('mlflow-artifacts:/../etc', 'http://h')).toThrow(/not a safe relative path/);
    expect(() => resolveArtifactLocation('mlflow-artifacts:/1', 'file:///tmp/mlruns')).toThrow(/expected an http\(s\):\/\/ URI/);
    expect(() => createArtifactClient({ trackingUri: 'databricks' })).toThrow(/expected an http\(s\):\/\/ URI/);
  });
});

describe('auth headers (MLflow credential variables)', () => {
  it('Basic for username + password, else Bearer token, else nothing', () => {
    expect(trackingAuthHeaders(trackingCredentialsFromEnv({ MLFLOW_TRACKING_USERNAME: 'ü', MLFLOW_TRACKING_PASSWORD: 'p:w' }))).toEqual({
      authorization: `Basic ${Buffer.from('ü:p:w').toString('base64')}`,
    });
    expect(trackingAuthHeaders(trackingCredentialsFromEnv({ MLFLOW_TRACKING_TOKEN: 't0k', MLFLOW_TRACKING_USERNAME: 'u' }))).toEqual({
      authorization: 'Bearer t0k',
    });
    expect(trackingAuthHeaders(trackingCredentialsFromEnv({}))).toEqual({});
  });
});

describe('artifact SDK against a fake server on loopback', () => {
  let fake: FastifyInstance;
  let uri = '';
  const gets: string[] = [];
  const puts: { url: string; authorization?: string | undefined; contentLength?: string | undefined }[] = [];
  const listAuth: (string | undefined)[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const failOnce = new Set<string>();
  const dirs: string[] = [];
  const scratch = (label: string): string => {
    const dir = tempDir(label);
    dirs.push(dir);
    return dir;
  };

  /** Listings by path below the destination: the malicious shapes a server could send. */
  const listings: Record<string, { path: unknown; is_dir?: boolean; file_size?: number }[]> = {
    '0/evil/artifacts': [{ path: 'dotdot', is_dir: true }],
    '0/evil/artifacts/dotdot': [
      { path: 'ok.txt', is_dir: false, file_size: 2 },
      { path: '../escape.txt', is_dir: false, file_size: 2 },
    ],
    '0/evil/artifacts/deep': [{ path: 'inner', is_dir: true }],
    '0/evil/artifacts/deep/inner': [{ path: '../../../../escape.txt', is_dir: false }],
    '0/evil/artifacts/absolute': [{ path: '/tmp/runlog-escape.txt', is_dir: false }],
    '0/evil/artifacts/backslash': [{ path: '..\\escape.txt', is_dir: false }],
    '0/evil/artifacts/drive': [{ path: 'C:escape.txt', is_dir: false }],
    '0/evil/artifacts/empty': [{ path: '', is_dir: true }],
    '0/evil/artifacts/dot': [{ path: '.', is_dir: true }],
    '0/evil/artifacts/nonstring': [{ path: 42, is_dir: false }],
    '0/evil/artifacts/slashy': [{ path: 'a/../../escape.txt', is_dir: false }],
  };

  beforeAll(async () => {
    fake = Fastify();
    fake.get('/api/2.0/mlflow/runs/get', (request, reply) => {
      const runId = (request.query as { run_id: string }).run_id;
      const artifactUri =
        runId === 'local' ? '/var/mlruns/0/local/artifacts' : runId === 'file' ? 'file:///var/mlruns/0/file/artifacts' : `mlflow-artifacts:/0/${runId}/artifacts`;
      return reply.send({ run: { info: { run_id: runId, artifact_uri: artifactUri }, data: {} } });
    });
    fake.get('/api/2.0/mlflow-artifacts/artifacts', (request, reply) => {
      listAuth.push(request.headers.authorization);
      const files = listings[(request.query as { path?: string }).path ?? ''];
      return reply.send(files ? { files } : {});
    });
    fake.get('/api/2.0/mlflow-artifacts/artifacts/*', (request, reply) => {
      gets.push(request.url);
      return reply.send('ok');
    });
    await fake.register((raw, _options, registered) => {
      raw.removeAllContentTypeParsers();
      raw.addContentTypeParser('*', (_request, payload, done) => {
        done(null, payload);
      });
      raw.put('/api/2.0/mlflow-artifacts/artifacts/*', async (request, reply) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          for await (const _chunk of request.body as AsyncIterable<Buffer>) {
            // drain
          }
          await new Promise((resolve) => setTimeout(resolve, 25));
          if (failOnce.delete(request.url)) {
            return await reply.code(503).send({ error_code: 'TEMPORARILY_UNAVAILABLE', message: 'try again' });
          }
          puts.push({ url: request.url, authorization: request.headers.authorization, contentLength: request.headers['content-length'] });
          return {};
        } finally {
          inFlight--;
        }
      });
      registered();
    });
    await fake.listen({ host: '127.0.0.1', port: 0 });
    uri = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await fake.close();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses every listing entry that would escape destDir, before writing anything', async () => {
    const client = createArtifactClient({ trackingUri: uri });
    const parent = scratch('escape');
    const dest = path.join(parent, 'dest');
    const cases: [string, string][] = [
      ['dotdot', 'dotdot/../escape.txt'],
      ['deep', 'deep/inner/../../../../escape.txt'],
      ['absolute', 'absolute//tmp/runlog-escape.txt'],
      ['backslash', 'backslash/..\\escape.txt'],
      ['drive', 'drive/C:escape.txt'],
      ['empty', 'empty/'],
      ['dot', 'dot/.'],
      ['nonstring', 'nonstring/'],
      ['slashy', 'slashy/a/../../escape.txt'],
      ['', 'dotdot/../escape.txt'],
    ];
    for (const [artifactPath, shown] of cases) {
      const err = await rejection(client.downloadArtifacts('evil', artifactPath, dest));
      expect(err.errorCode, artifactPath).toBe('PERMISSION_DENIED');
      expect(err.message).toContain(`Refusing to download the artifact listed as '${shown}'`);
      expect(err.message).toContain('escape the destination folder');
    }
    expect(gets).toEqual([]);
    expect(fs.readdirSync(parent)).toEqual([]);
    expect(fs.existsSync('/tmp/runlog-escape.txt')).toBe(false);
  });

  it('refuses a local-path and a file: artifact root with NOT_IMPLEMENTED', async () => {
    const client = createArtifactClient({ trackingUri: uri });
    for (const runId of ['local', 'file']) {
      const err = await rejection(client.listArtifacts(runId));
      expect(err.errorCode).toBe('NOT_IMPLEMENTED');
      expect(err.message).toMatch(/direct access to that store is not supported by the Runlog SDK yet/);
    }
  });

  it('sends the auth headers on listings and uploads, streams with Content-Length, keeps to the concurrency limit and retries a 503', async () => {
    const dir = scratch('many');
    for (let i = 0; i < 10; i++) write(dir, `f${i}.txt`, `file ${i}`);
    failOnce.add('/api/2.0/mlflow-artifacts/artifacts/0/ok/artifacts/many/f3.txt');
    const client = createArtifactClient({
      trackingUri: uri,
      headers: trackingAuthHeaders({ token: 'secret' }),
      concurrency: 3,
      backoffMs: 1,
    });
    const progress = recorder();
    const uploaded = await client.uploadDirectory('ok', dir, 'many', progress);
    expect(uploaded).toHaveLength(10);
    expect(puts).toHaveLength(10);
    expect(failOnce.size).toBe(0);
    expect(maxInFlight).toBe(3);
    for (const put of puts) {
      expect(put.authorization).toBe('Bearer secret');
      expect(put.contentLength).toBe('6');
    }
    const last = progress.events.at(-1)!;
    expect(last).toEqual({ bytesDone: 60, bytesTotal: 60, filesDone: 10, filesTotal: 10 });
    // the failed attempt's bytes were taken back
    expect(progress.events.some((p, i) => i > 0 && p.bytesDone < progress.events[i - 1]!.bytesDone)).toBe(true);

    await client.listArtifacts('ok');
    expect(listAuth.at(-1)).toBe('Bearer secret');
  });
});
