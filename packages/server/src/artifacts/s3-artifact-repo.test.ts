/**
 * The S3 artifact repo against (a) s3rver in-process on 127.0.0.1 (random port, temp directory, fresh bucket
 * per run) and (b) a real Ceph RGW (scripts/ceph-rgw.sh; `RUNLOG_TEST_CEPH_ENDPOINT`, default
 * http://127.0.0.1:7480). Outside CI a Ceph that does not answer skips its run with a printed reason; under
 * CI=true it fails the run.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { CreateBucketCommand, DeleteBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { RunlogError, type ArtifactRepo, type ByteStream } from '@runlog/core';
import { describeArtifactRepo } from '../testing/artifact-repo.suite.js';
import { CEPH_ENDPOINT, CEPH_ENV, cephProblem } from '../testing/ceph.js';
import { startS3rver } from '../testing/s3rver.js';
import { createS3ArtifactRepo, parseS3Uri, s3ClientConfig } from './s3-artifact-repo.js';

// ---------------------------------------------------------------------------------------------- backends

interface S3Backend {
  name: string;
  /** AbortMultipartUpload and ListParts (s3rver has neither). */
  fullMultipart: boolean;
  /** What createS3ArtifactRepo reads: endpoint, credentials, region. */
  env: NodeJS.ProcessEnv;
  bucket: string;
}

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function clientFor(backend: S3Backend): S3Client {
  return new S3Client(s3ClientConfig(backend.env));
}

/** s3rver (patched: see testing/s3rver.ts) with a fresh bucket; it lacks AbortMultipartUpload and ListParts. */
async function startS3rverBackend(): Promise<S3Backend> {
  const server = await startS3rver();
  cleanups.push(() => server.close());
  return { name: 's3rver', fullMultipart: false, bucket: server.bucket, env: server.env };
}

/** Ceph RGW with a fresh bucket, or undefined (outside CI) when it does not answer. */
async function connectCeph(): Promise<S3Backend | undefined> {
  const problem = await cephProblem();
  if (problem !== undefined) {
    if (process.env.CI === 'true') throw new Error(`Ceph RGW is required under CI=true: ${CEPH_ENDPOINT}: ${problem}`);
    process.stdout.write(
      `Skipping Ceph RGW S3 tests: nothing answers on ${CEPH_ENDPOINT} (${problem}); start it with scripts/ceph-rgw.sh\n`,
    );
    return undefined;
  }
  const backend: S3Backend = {
    name: 'ceph-rgw',
    fullMultipart: true,
    bucket: `runlog-test-${randomUUID().slice(0, 8)}`,
    env: { ...CEPH_ENV },
  };
  const client = clientFor(backend);
  await client.send(new CreateBucketCommand({ Bucket: backend.bucket }));
  cleanups.push(async () => {
    // Every test cleans its own prefix; what is left is emptied here so the bucket can go.
    await createS3ArtifactRepo(`s3://${backend.bucket}`, backend.env).delete('');
    await client.send(new DeleteBucketCommand({ Bucket: backend.bucket }));
    client.destroy();
  });
  return backend;
}

/** A repo under a fresh prefix of the backend's bucket; cleanup deletes the prefix. */
function tempRepo(backend: S3Backend, prefix = `runs/${randomUUID()}/artifacts`): {
  repo: ArtifactRepo;
  uri: string;
  cleanup: () => Promise<void>;
} {
  const uri = `s3://${backend.bucket}/${prefix}`;
  const repo = createS3ArtifactRepo(uri, backend.env);
  return { repo, uri, cleanup: () => repo.delete('') };
}

// ---------------------------------------------------------------------------------------------- helpers

async function readAll(stream: ByteStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function* once(data: Uint8Array): AsyncGenerator<Uint8Array> {
  await Promise.resolve();
  yield data;
}

/** `total` pseudo-random bytes in `chunk`-sized pieces, generated as they are read; `hash` fills as they go. */
async function* generated(total: number, chunk: number, hash: ReturnType<typeof createHash>): AsyncGenerator<Uint8Array> {
  let left = total;
  while (left > 0) {
    const n = Math.min(chunk, left);
    const bytes = randomBytes(n);
    hash.update(bytes);
    left -= n;
    await Promise.resolve();
    yield bytes;
  }
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(RunlogError);
  await expect(promise).rejects.toMatchObject({ errorCode: code });
}

const MiB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------- S3-specific

function describeS3Specific(backend: S3Backend): void {
  describe(`S3 artifact repo specifics (${backend.name})`, () => {
    const itFullMultipart = backend.fullMultipart ? it : it.skip;
    async function withRepo(fn: (repo: ArtifactRepo, uri: string) => Promise<void>): Promise<void> {
      const temp = tempRepo(backend);
      try {
        await fn(temp.repo, temp.uri);
      } finally {
        await temp.cleanup();
      }
    }

    it('multipart: create, PUT parts to the presigned URLs, complete → get returns the concatenation', async () => {
      await withRepo(async (repo) => {
        const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB + 123), randomBytes(1000)];
        const upload = await repo.multipart!.create('model/weights.bin', parts.length);
        expect(upload.upload_id).toBeTruthy();
        expect(upload.credentials.map((c) => c.part_number)).toEqual([1, 2, 3]);
        const etags: { part_number: number; etag: string }[] = [];
        for (const cred of upload.credentials) {
          expect(cred.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
          expect(cred.url).toContain('X-Amz-Signature=');
          const res = await fetch(cred.url, { method: 'PUT', headers: cred.headers, body: parts[cred.part_number - 1] });
          expect(res.status, await res.clone().text()).toBe(200);
          const etag = res.headers.get('etag');
          expect(etag).toBeTruthy();
          etags.push({ part_number: cred.part_number, etag: etag! });
        }
        // Parts arrive in any order; complete sorts them.
        await repo.multipart!.complete('model/weights.bin', upload.upload_id, [etags[2]!, etags[0]!, etags[1]!]);
        const got = await repo.get('model/weights.bin');
        const expected = Buffer.concat(parts);
        expect(got.size).toBe(expected.length);
        expect((await readAll(got.stream)).equals(expected)).toBe(true);
        expect(await repo.list('model')).toEqual([{ path: 'model/weights.bin', is_dir: false, file_size: expected.length }]);
      });
    });

    itFullMultipart('multipart: abort discards the upload; completing it afterwards is RESOURCE_DOES_NOT_EXIST', async () => {
      await withRepo(async (repo) => {
        const upload = await repo.multipart!.create('big.bin', 2);
        const res = await fetch(upload.credentials[0]!.url, { method: 'PUT', body: randomBytes(5 * MiB) });
        expect(res.status).toBe(200);
        const etag = res.headers.get('etag')!;
        await repo.multipart!.abort('big.bin', upload.upload_id);
        await expectCode(repo.multipart!.complete('big.bin', upload.upload_id, [{ part_number: 1, etag }]), 'RESOURCE_DOES_NOT_EXIST');
        await expectCode(repo.get('big.bin'), 'RESOURCE_DOES_NOT_EXIST');
        expect(await repo.list('')).toEqual([]);
      });
    });

    itFullMultipart('multipart: completing an unknown upload id is RESOURCE_DOES_NOT_EXIST', async () => {
      await withRepo(async (repo) => {
        await expectCode(
          repo.multipart!.complete('x.bin', 'no-such-upload', [{ part_number: 1, etag: '"0"' }]),
          'RESOURCE_DOES_NOT_EXIST',
        );
      });
    });

    it('multipart: refuses part counts outside 1..10000 before any request', async () => {
      await withRepo(async (repo) => {
        await expectCode(repo.multipart!.create('x.bin', 0), 'INVALID_PARAMETER_VALUE');
        await expectCode(repo.multipart!.create('x.bin', 10_001), 'INVALID_PARAMETER_VALUE');
        await expectCode(repo.multipart!.create('x.bin', 1.5), 'INVALID_PARAMETER_VALUE');
      });
    });

    it('streams a 1.5 MiB put (single request) and a 20 MiB put (multipart) and reads them back', async () => {
      await withRepo(async (repo) => {
        for (const [file, total] of [['small/one.bin', 1.5 * MiB], ['large/many.bin', 20 * MiB + 17]] as const) {
          const sent = createHash('sha256');
          await repo.put(file, generated(total, 64 * 1024, sent));
          const got = await repo.get(file);
          expect(got.size).toBe(total);
          const received = createHash('sha256');
          let n = 0;
          for await (const chunk of got.stream) {
            received.update(chunk);
            n += chunk.byteLength;
          }
          expect(n).toBe(total);
          expect(received.digest('hex')).toBe(sent.digest('hex'));
        }
      });
    });

    it('a failing body stream fails the put and leaves no object', async () => {
      await withRepo(async (repo) => {
        async function* failing(): AsyncGenerator<Uint8Array> {
          yield randomBytes(9 * MiB);
          await Promise.resolve();
          throw new Error('client went away');
        }
        // On s3rver the failed AbortMultipartUpload's error surfaces instead of the body's.
        await expect(repo.put('broken.bin', failing())).rejects.toThrow(backend.fullMultipart ? 'client went away' : /./);
        await expectCode(repo.get('broken.bin'), 'RESOURCE_DOES_NOT_EXIST');
      });
    });

    it('lists paths relative to the repo root, never outside its prefix', async () => {
      const b = backend;
      const base = `runs/${randomUUID()}`;
      const inner = tempRepo(b, `${base}/artifacts`);
      const sibling = tempRepo(b, `${base}/artifacts2`);
      try {
        await inner.repo.put('a/b/c.txt', once(Buffer.from('abc')));
        await inner.repo.put('top.txt', once(Buffer.from('12345')));
        await sibling.repo.put('other.txt', once(Buffer.from('x')));
        expect(await inner.repo.list('')).toEqual([
          { path: 'a', is_dir: true },
          { path: 'top.txt', is_dir: false, file_size: 5 },
        ]);
        expect(await inner.repo.list('a')).toEqual([{ path: 'a/b', is_dir: true }]);
        expect(await inner.repo.list('a/')).toEqual([{ path: 'a/b', is_dir: true }]);
        expect(await inner.repo.list('a/b')).toEqual([{ path: 'a/b/c.txt', is_dir: false, file_size: 3 }]);
        expect(await inner.repo.list('top.txt')).toEqual([]);
        expect(await sibling.repo.list('')).toEqual([{ path: 'other.txt', is_dir: false, file_size: 1 }]);
        // Deleting the inner repo's root leaves the sibling prefix (same leading characters) alone.
        await inner.repo.delete('');
        expect(await inner.repo.list('')).toEqual([]);
        expect(await sibling.repo.list('')).toEqual([{ path: 'other.txt', is_dir: false, file_size: 1 }]);
      } finally {
        await inner.cleanup();
        await sibling.cleanup();
      }
    });

    it('keeps empty bodies and names with spaces, unicode, + and %', async () => {
      await withRepo(async (repo) => {
        const empty = (async function* (): AsyncGenerator<Uint8Array> {})();
        await repo.put('empty.txt', empty);
        const got = await repo.get('empty.txt');
        expect(got.size).toBe(0);
        expect((await readAll(got.stream)).length).toBe(0);
        const odd = 'dir with space/ü+%25 &=.txt';
        await repo.put(odd, once(Buffer.from('odd')));
        expect((await readAll((await repo.get(odd)).stream)).toString()).toBe('odd');
        expect(await repo.list('dir with space')).toEqual([{ path: odd, is_dir: false, file_size: 3 }]);
        expect(await repo.list('')).toEqual([
          { path: 'dir with space', is_dir: true },
          { path: 'empty.txt', is_dir: false, file_size: 0 },
        ]);
      });
    });

    it('delete of a file leaves files that share its name as a prefix', async () => {
      await withRepo(async (repo) => {
        await repo.put('data', once(Buffer.from('1')));
        await repo.put('data2', once(Buffer.from('2')));
        await repo.put('data/inner.txt', once(Buffer.from('3')));
        await repo.delete('data');
        expect(await repo.list('')).toEqual([{ path: 'data2', is_dir: false, file_size: 1 }]);
      });
    });

    it('lists and deletes past one page (1,000 keys)', async () => {
      await withRepo(async (repo) => {
        const names = Array.from({ length: 1005 }, (_, i) => `many/f${String(i).padStart(4, '0')}.txt`);
        for (let i = 0; i < names.length; i += 50) {
          await Promise.all(names.slice(i, i + 50).map((n) => repo.put(n, once(Buffer.from('x')))));
        }
        const listed = await repo.list('many');
        expect(listed).toHaveLength(1005);
        expect(listed.map((f) => f.path)).toEqual(names);
        await repo.delete('many');
        expect(await repo.list('many')).toEqual([]);
        expect(await repo.list('')).toEqual([]);
      });
    }, 120_000);

    it('works at the bucket root (no prefix)', async () => {
      const b = backend;
      const client = clientFor(b);
      const bucket = `runlog-root-${randomUUID().slice(0, 8)}`;
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      try {
        const repo = createS3ArtifactRepo(`s3://${bucket}/`, b.env);
        await repo.put('dir/x.txt', once(Buffer.from('hello')));
        await repo.put('y.txt', once(Buffer.from('hi')));
        expect(await repo.list('')).toEqual([
          { path: 'dir', is_dir: true },
          { path: 'y.txt', is_dir: false, file_size: 2 },
        ]);
        expect((await readAll((await repo.get('dir/x.txt')).stream)).toString()).toBe('hello');
        await repo.delete('');
        expect(await repo.list('')).toEqual([]);
      } finally {
        await client.send(new DeleteBucketCommand({ Bucket: bucket }));
        client.destroy();
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------- runs

// Ceph first: under CI=true a missing Ceph fails the file before s3rver is started (and left behind).
const ceph = await connectCeph();
const s3rver = await startS3rverBackend();

describeArtifactRepo({ name: 's3 (s3rver)', create: () => Promise.resolve(tempRepo(s3rver)) });
describeS3Specific(s3rver);

if (ceph) {
  describeArtifactRepo({ name: 's3 (ceph-rgw)', create: () => Promise.resolve(tempRepo(ceph)) });
  describeS3Specific(ceph);
} else {
  describe('s3 (ceph-rgw)', () => {
    it.skip('Ceph RGW does not answer outside CI; see the printed reason', () => undefined);
  });
}

// ---------------------------------------------------------------------------------------------- no I/O

describe('S3 artifact repo: configuration and path checks', () => {
  it('parses s3://bucket/prefix', () => {
    expect(parseS3Uri('s3://b/some/prefix/')).toEqual({ bucket: 'b', prefix: 'some/prefix' });
    expect(parseS3Uri('s3://b')).toEqual({ bucket: 'b', prefix: '' });
    expect(parseS3Uri('s3://b/')).toEqual({ bucket: 'b', prefix: '' });
    expect(() => parseS3Uri('file:///tmp/x')).toThrow(RunlogError);
    expect(() => parseS3Uri('s3:///prefix')).toThrow(RunlogError);
  });

  it('reads endpoint (path-style), credentials and region from the environment', () => {
    const cfg = s3ClientConfig({
      MLFLOW_S3_ENDPOINT_URL: 'http://127.0.0.1:9000',
      AWS_ACCESS_KEY_ID: 'id',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_DEFAULT_REGION: 'eu-west-1',
    });
    expect(cfg).toMatchObject({
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
    });
    const plain = s3ClientConfig({});
    expect(plain.region).toBe('us-east-1');
    expect(plain.endpoint).toBeUndefined();
    expect(plain.forcePathStyle).toBeUndefined();
    expect(plain.credentials).toBeUndefined();
  });

  it('refuses `..` segments and absolute paths before any request', async () => {
    // Nothing listens on port 1: a request would fail with a network error, not INVALID_PARAMETER_VALUE.
    const repo = createS3ArtifactRepo('s3://bucket/prefix', {
      MLFLOW_S3_ENDPOINT_URL: 'http://127.0.0.1:1',
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'y',
    });
    for (const bad of ['../x', 'a/../../x', '..', '/etc/passwd', 'a\\..\\x', 'a/./b', 'a//b']) {
      await expectCode(repo.put(bad, once(Buffer.from('x'))), 'INVALID_PARAMETER_VALUE');
      await expectCode(repo.get(bad), 'INVALID_PARAMETER_VALUE');
      await expectCode(repo.list(bad), 'INVALID_PARAMETER_VALUE');
      await expectCode(repo.delete(bad), 'INVALID_PARAMETER_VALUE');
      await expectCode(repo.multipart!.create(bad, 1), 'INVALID_PARAMETER_VALUE');
      await expectCode(repo.multipart!.complete(bad, 'u', [{ part_number: 1, etag: 'e' }]), 'INVALID_PARAMETER_VALUE');
      await expectCode(repo.multipart!.abort(bad, 'u'), 'INVALID_PARAMETER_VALUE');
    }
    await expectCode(repo.get(''), 'INVALID_PARAMETER_VALUE');
  });
});
