/**
 * Behavioural conformance suite for `ArtifactRepo` (packages/core/src/stores.ts). Every implementation runs the
 * same cases: local folder here (local-artifact-repo.test.ts), S3 on s3rver and Ceph RGW (s3-artifact-repo.test.ts).
 * Each case gets a fresh, empty repo from `create` and calls `cleanup` afterwards.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RunlogError, type ArtifactRepo, type ByteStream, type FileInfo } from '@runlog/core';

export interface ArtifactRepoBackend {
  name: string;
  create: () => Promise<{ repo: ArtifactRepo; cleanup: () => Promise<void> }>;
}

export async function readAll(stream: ByteStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** A body delivered in chunks, as a request stream would deliver it. */
export async function* chunked(data: Buffer, chunkSize = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < data.length; offset += chunkSize) {
    await Promise.resolve();
    yield data.subarray(offset, offset + chunkSize);
  }
}

function bytes(text: string): ByteStream {
  return chunked(Buffer.from(text, 'utf8'));
}

async function text(repo: ArtifactRepo, path: string): Promise<string> {
  return (await readAll((await repo.get(path)).stream)).toString('utf8');
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(RunlogError);
  expect((error as RunlogError).errorCode).toBe(code);
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

export function describeArtifactRepo(backend: ArtifactRepoBackend): void {
  describe(`ArtifactRepo conformance: ${backend.name}`, () => {
    const test = (name: string, body: (repo: ArtifactRepo) => Promise<void>, timeout?: number) =>
      it(
        name,
        async () => {
          const { repo, cleanup } = await backend.create();
          try {
            await body(repo);
          } finally {
            await cleanup();
          }
        },
        timeout,
      );

    test('put then get round-trips binary bytes (every byte value), with the size', async (repo) => {
      const data = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
      await repo.put('bin/all-bytes.bin', chunked(data, 100));
      const object = await repo.get('bin/all-bytes.bin');
      const back = await readAll(object.stream);
      expect(back.equals(data)).toBe(true);
      if (object.size !== undefined) expect(object.size).toBe(512);
    });

    test('an empty file round-trips and lists with file_size 0', async (repo) => {
      await repo.put('empty.txt', chunked(Buffer.alloc(0)));
      const object = await repo.get('empty.txt');
      expect((await readAll(object.stream)).length).toBe(0);
      if (object.size !== undefined) expect(object.size).toBe(0);
      expect(await repo.list('')).toEqual([{ path: 'empty.txt', is_dir: false, file_size: 0 }]);
    });

    test(
      'a 5 MB body streams in and out unchanged',
      async (repo) => {
        const data = randomBytes(5 * 1024 * 1024 + 123);
        await repo.put('big/blob.bin', chunked(data));
        const object = await repo.get('big/blob.bin');
        if (object.size !== undefined) expect(object.size).toBe(data.length);
        let chunks = 0;
        const hash = createHash('sha256');
        let length = 0;
        for await (const chunk of object.stream) {
          chunks += 1;
          length += chunk.length;
          hash.update(chunk);
        }
        expect(length).toBe(data.length);
        expect(hash.digest('hex')).toBe(sha256(data));
        expect(chunks, 'the body is streamed, not handed over as one buffer').toBeGreaterThan(1);
        expect(await repo.list('big')).toEqual([{ path: 'big/blob.bin', is_dir: false, file_size: data.length }]);
      },
      60_000,
    );

    test('put replaces an existing file', async (repo) => {
      await repo.put('a.txt', bytes('first version'));
      await repo.put('a.txt', bytes('v2'));
      expect(await text(repo, 'a.txt')).toBe('v2');
      expect(await repo.list('')).toEqual([{ path: 'a.txt', is_dir: false, file_size: 2 }]);
    });

    test('put creates nested folders', async (repo) => {
      await repo.put('a/b/c/d.txt', bytes('deep'));
      expect(await text(repo, 'a/b/c/d.txt')).toBe('deep');
      expect(await repo.list('a')).toEqual([{ path: 'a/b', is_dir: true }]);
      expect(await repo.list('a/b')).toEqual([{ path: 'a/b/c', is_dir: true }]);
      expect(await repo.list('a/b/c')).toEqual([{ path: 'a/b/c/d.txt', is_dir: false, file_size: 4 }]);
    });

    test('list gives one level, paths relative to the root, sorted, sizes for files only', async (repo) => {
      await repo.put('run/artifacts/hello.txt', bytes('hello world\n'));
      await repo.put('run/artifacts/notes.txt', bytes('some text'));
      await repo.put('run/artifacts/conf/params.json', bytes('{"x":1}'));
      await repo.put('run/artifacts/tree/a.json', bytes('{}'));
      await repo.put('run/artifacts/tree/x/b.bin', chunked(Buffer.from([0, 1])));
      await repo.put('run/artifacts/sub/dir/hello.txt', bytes('hello world\n'));
      const expected: FileInfo[] = [
        { path: 'run/artifacts/conf', is_dir: true },
        { path: 'run/artifacts/hello.txt', is_dir: false, file_size: 12 },
        { path: 'run/artifacts/notes.txt', is_dir: false, file_size: 9 },
        { path: 'run/artifacts/sub', is_dir: true },
        { path: 'run/artifacts/tree', is_dir: true },
      ];
      expect(await repo.list('run/artifacts')).toEqual(expected);
      expect(await repo.list('run/artifacts/')).toEqual(expected);
      expect(await repo.list('run/artifacts/tree')).toEqual([
        { path: 'run/artifacts/tree/a.json', is_dir: false, file_size: 2 },
        { path: 'run/artifacts/tree/x', is_dir: true },
      ]);
      expect(await repo.list('run/artifacts/tree/x')).toEqual([{ path: 'run/artifacts/tree/x/b.bin', is_dir: false, file_size: 2 }]);
      expect(await repo.list('')).toEqual([{ path: 'run', is_dir: true }]);
    });

    test('list of a file, of a missing path and of an empty repo is []', async (repo) => {
      expect(await repo.list('')).toEqual([]);
      expect(await repo.list('nothing/here')).toEqual([]);
      await repo.put('dir/file.txt', bytes('x'));
      expect(await repo.list('dir/file.txt')).toEqual([]);
      expect(await repo.list('dir/fil')).toEqual([]);
      expect(await repo.list('di')).toEqual([]);
      expect(await repo.list('missing')).toEqual([]);
    });

    test('get of a missing file or of a folder → RESOURCE_DOES_NOT_EXIST', async (repo) => {
      await expectCode(repo.get('missing.txt'), 'RESOURCE_DOES_NOT_EXIST');
      await repo.put('dir/file.txt', bytes('x'));
      await expectCode(repo.get('dir/missing.txt'), 'RESOURCE_DOES_NOT_EXIST');
      await expectCode(repo.get('dir'), 'RESOURCE_DOES_NOT_EXIST');
      await expectCode(repo.get('dir/file.txt/below'), 'RESOURCE_DOES_NOT_EXIST');
    });

    test('delete removes one file and leaves its siblings', async (repo) => {
      await repo.put('d/one.txt', bytes('1'));
      await repo.put('d/two.txt', bytes('2'));
      await repo.delete('d/one.txt');
      await expectCode(repo.get('d/one.txt'), 'RESOURCE_DOES_NOT_EXIST');
      expect(await text(repo, 'd/two.txt')).toBe('2');
      expect(await repo.list('d')).toEqual([{ path: 'd/two.txt', is_dir: false, file_size: 1 }]);
    });

    test('delete removes a whole tree, and not a sibling sharing its name as a prefix', async (repo) => {
      await repo.put('tree/a.txt', bytes('a'));
      await repo.put('tree/x/b.txt', bytes('b'));
      await repo.put('tree/x/y/c.txt', bytes('c'));
      await repo.put('tree2/keep.txt', bytes('keep'));
      await repo.put('tree.txt', bytes('keep too'));
      await repo.delete('tree');
      expect(await repo.list('tree')).toEqual([]);
      await expectCode(repo.get('tree/x/y/c.txt'), 'RESOURCE_DOES_NOT_EXIST');
      expect(await text(repo, 'tree2/keep.txt')).toBe('keep');
      expect(await text(repo, 'tree.txt')).toBe('keep too');
      expect(await repo.list('')).toEqual([
        { path: 'tree.txt', is_dir: false, file_size: 8 },
        { path: 'tree2', is_dir: true },
      ]);
    });

    test('delete of a missing path is not an error', async (repo) => {
      await repo.delete('never/was.txt');
      await repo.put('here.txt', bytes('x'));
      await repo.delete('here.txt');
      await repo.delete('here.txt');
      expect(await repo.list('')).toEqual([]);
    });

    test('unicode and spaces in names round-trip and list as given', async (repo) => {
      const names = ['dir with space/file name 1.txt', 'café/ü ñ.bin', '日本語/ファイル.txt', 'emoji/😀 smile.png'];
      for (const [i, name] of names.entries()) await repo.put(name, bytes(`content ${i}`));
      for (const [i, name] of names.entries()) expect(await text(repo, name)).toBe(`content ${i}`);
      expect((await repo.list('')).map((f) => f.path).sort()).toEqual(['café', 'dir with space', 'emoji', '日本語'].sort());
      expect(await repo.list('dir with space')).toEqual([{ path: 'dir with space/file name 1.txt', is_dir: false, file_size: 9 }]);
      expect(await repo.list('日本語')).toEqual([{ path: '日本語/ファイル.txt', is_dir: false, file_size: 9 }]);
    });

    test('a put whose body fails leaves no file behind and keeps the previous version', async (repo) => {
      async function* failing(): AsyncGenerator<Uint8Array> {
        yield Buffer.from('half of a ');
        await Promise.resolve();
        throw new Error('client went away');
      }
      await expect(repo.put('partial/new.txt', failing())).rejects.toThrow();
      await expectCode(repo.get('partial/new.txt'), 'RESOURCE_DOES_NOT_EXIST');
      expect((await repo.list('partial')).filter((f) => !f.is_dir)).toEqual([]);
      await repo.put('partial/old.txt', bytes('old'));
      await expect(repo.put('partial/old.txt', failing())).rejects.toThrow();
      expect(await text(repo, 'partial/old.txt')).toBe('old');
      expect(await repo.list('partial')).toEqual([{ path: 'partial/old.txt', is_dir: false, file_size: 3 }]);
    });

    test('paths that escape the root are refused before any I/O (INVALID_PARAMETER_VALUE)', async (repo) => {
      for (const bad of ['../x', 'a/../../x', '/etc/passwd', 'a\\..\\x', '..']) {
        await expectCode(repo.put(bad, bytes('x')), 'INVALID_PARAMETER_VALUE');
        await expectCode(repo.get(bad), 'INVALID_PARAMETER_VALUE');
        await expectCode(repo.list(bad), 'INVALID_PARAMETER_VALUE');
        await expectCode(repo.delete(bad), 'INVALID_PARAMETER_VALUE');
      }
    });
  });
}
