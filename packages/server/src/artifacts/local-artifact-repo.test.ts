import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunlogError, type ArtifactRepo } from '@runlog/core';
import { chunked, describeArtifactRepo, readAll } from '../testing/artifact-repo.suite.js';
import { createLocalArtifactRepo } from './local-artifact-repo.js';
import { openArtifactRepo } from './open-artifact-repo.js';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-local-repo-'));
}

describeArtifactRepo({
  name: 'local folder',
  create: () => {
    const dir = tempDir();
    // The root does not exist yet: the repo creates it on the first put, and reads of it find nothing.
    const repo = createLocalArtifactRepo(path.join(dir, 'artifacts'));
    return Promise.resolve({ repo, cleanup: () => fs.promises.rm(dir, { recursive: true, force: true }) });
  },
});

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (err) {
    return err instanceof RunlogError ? err.errorCode : `not a RunlogError: ${String(err)}`;
  }
}

describe('local artifact repo: confinement on the real file system', () => {
  let dir: string;
  let root: string;
  let outside: string;
  let repo: ArtifactRepo;
  const CANARY = 'canary: must never be read, overwritten or deleted';

  beforeEach(() => {
    dir = tempDir();
    root = path.join(dir, 'root');
    outside = path.join(dir, 'outside');
    fs.mkdirSync(path.join(root, 'run'), { recursive: true });
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'secret.txt'), CANARY);
    fs.symlinkSync(outside, path.join(root, 'run', 'escape-dir'));
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'run', 'escape-file'));
    fs.symlinkSync('../../outside', path.join(root, 'run', 'relative-escape'));
    repo = createLocalArtifactRepo(root);
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function canaryIntact(): void {
    expect(fs.readdirSync(outside)).toEqual(['secret.txt']);
    expect(fs.readFileSync(path.join(outside, 'secret.txt'), 'utf8')).toBe(CANARY);
  }

  const paths = [
    'run/escape-dir',
    'run/escape-dir/secret.txt',
    'run/escape-dir/new.txt',
    'run/escape-dir/sub/new.txt',
    'run/escape-file',
    'run/relative-escape/secret.txt',
  ];

  for (const p of paths) {
    it(`refuses get, put, list and delete through the symlink at ${p}`, async () => {
      expect(await codeOf(repo.get(p))).toBe('INVALID_PARAMETER_VALUE');
      expect(await codeOf(repo.put(p, chunked(Buffer.from('overwritten'))))).toBe('INVALID_PARAMETER_VALUE');
      expect(await codeOf(repo.list(p))).toBe('INVALID_PARAMETER_VALUE');
      expect(await codeOf(repo.delete(p))).toBe('INVALID_PARAMETER_VALUE');
      canaryIntact();
    });
  }

  it('lists a folder holding escaping symlinks without them, and deletes it without following them', async () => {
    fs.writeFileSync(path.join(root, 'run', 'own.txt'), 'mine');
    expect(await repo.list('run')).toEqual([{ path: 'run/own.txt', is_dir: false, file_size: 4 }]);
    await repo.delete('run');
    expect(fs.existsSync(path.join(root, 'run'))).toBe(false);
    canaryIntact();
  });

  it('follows a symlink that stays inside the root', async () => {
    fs.mkdirSync(path.join(root, 'real'));
    fs.writeFileSync(path.join(root, 'real', 'f.txt'), 'inside');
    fs.symlinkSync(path.join(root, 'real'), path.join(root, 'alias'));
    expect((await readAll((await repo.get('alias/f.txt')).stream)).toString()).toBe('inside');
    expect(await repo.list('alias')).toEqual([{ path: 'alias/f.txt', is_dir: false, file_size: 6 }]);
    await repo.delete('alias');
    expect(fs.readFileSync(path.join(root, 'real', 'f.txt'), 'utf8')).toBe('inside');
  });

  it('works when the root itself is reached through a symlink', async () => {
    const linkedRoot = path.join(dir, 'linked-root');
    fs.symlinkSync(root, linkedRoot);
    const viaLink = createLocalArtifactRepo(linkedRoot);
    await viaLink.put('x/y.txt', chunked(Buffer.from('ok')));
    expect(fs.readFileSync(path.join(root, 'x', 'y.txt'), 'utf8')).toBe('ok');
    expect(await codeOf(viaLink.get('run/escape-file'))).toBe('INVALID_PARAMETER_VALUE');
  });

  it('refuses to write to or delete the root itself', async () => {
    expect(await codeOf(repo.put('', chunked(Buffer.from('x'))))).toBe('INVALID_PARAMETER_VALUE');
    expect(await codeOf(repo.delete(''))).toBe('INVALID_PARAMETER_VALUE');
    expect(await codeOf(repo.delete('.'))).toBe('INVALID_PARAMETER_VALUE');
    expect(fs.existsSync(root)).toBe(true);
  });

  it('refuses to put over a folder or below a file', async () => {
    expect(await codeOf(repo.put('run', chunked(Buffer.from('x'))))).toBe('INVALID_PARAMETER_VALUE');
    fs.writeFileSync(path.join(root, 'file.txt'), 'x');
    expect(await codeOf(repo.put('file.txt/below.txt', chunked(Buffer.from('x'))))).toBe('INVALID_PARAMETER_VALUE');
  });

  it('a name longer than the file system takes is INVALID_PARAMETER_VALUE, not a server fault', async () => {
    const long = `${'n'.repeat(300)}.txt`;
    expect(await codeOf(repo.put(`run/${long}`, chunked(Buffer.from('x'))))).toBe('INVALID_PARAMETER_VALUE');
    expect(await codeOf(repo.get(`run/${long}`))).toBe('INVALID_PARAMETER_VALUE');
    expect(await codeOf(repo.list(long))).toBe('INVALID_PARAMETER_VALUE');
    expect(await codeOf(repo.delete(long))).toBe('INVALID_PARAMETER_VALUE');
  });

  it('copes with the root being removed after first use', async () => {
    await repo.put('x.txt', chunked(Buffer.from('x')));
    fs.rmSync(root, { recursive: true, force: true });
    expect(await codeOf(repo.get('x.txt'))).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(await repo.list('')).toEqual([]);
    await repo.delete('x.txt');
    await repo.put('again/y.txt', chunked(Buffer.from('y')));
    expect(fs.readFileSync(path.join(root, 'again', 'y.txt'), 'utf8')).toBe('y');
  });

  it('leaves no temp file behind after a failed put', async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('partial');
      await Promise.resolve();
      throw new Error('aborted');
    }
    await expect(repo.put('run/half.bin', failing())).rejects.toThrow('aborted');
    expect(fs.readdirSync(path.join(root, 'run')).sort()).toEqual(['escape-dir', 'escape-file', 'relative-escape']);
  });
});

describe('openArtifactRepo', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('opens a local path and a file:// URI as the same local folder', async () => {
    const byPath = await openArtifactRepo(dir);
    await byPath.put('a.txt', chunked(Buffer.from('same')));
    const byUri = await openArtifactRepo(`file://${dir}`);
    expect((await readAll((await byUri.get('a.txt')).stream)).toString()).toBe('same');
    expect(byPath.multipart).toBeUndefined();
  });

  it('opens s3:// with the S3 repo, which offers multipart uploads', async () => {
    const repo = await openArtifactRepo('s3://bucket/prefix');
    expect(repo.multipart).toBeDefined();
  });

  for (const uri of ['file://other-host/x', 'http://example.com/x', 'gs://bucket/x', 'mlflow-artifacts:/x']) {
    it(`refuses ${uri} with INVALID_PARAMETER_VALUE`, async () => {
      expect(await codeOf(openArtifactRepo(uri))).toBe('INVALID_PARAMETER_VALUE');
    });
  }
});
