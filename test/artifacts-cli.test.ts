/**
 * `runlog artifacts upload|list|download`, spawned from the built CLI (`packages/server/dist/cli/main.js`, built
 * here with `tsc -b`) against a real listening server; plus the progress line it draws on a terminal.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRestTrackingStore, fetchTransport } from '@runlog/client';
import { formatBytes, progressLine } from '../packages/server/src/cli/artifacts-command.js';
import { createTempApp, type TempApp } from '../packages/server/src/testing/temp-stores.js';
import { buildCli, runlog } from './spawn-cli.js';

describe('runlog artifacts (spawned CLI)', () => {
  let temp: TempApp;
  let uri = '';
  let runId = '';
  let runRoot = '';
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-cli-artifacts-'));
  const src = path.join(work, 'src');
  const big = randomBytes(2 * 1024 * 1024 + 7);

  beforeAll(async () => {
    buildCli();
    temp = await createTempApp();
    await temp.app.listen({ host: '127.0.0.1', port: 0 });
    uri = `http://127.0.0.1:${(temp.app.server.address() as AddressInfo).port}`;
    const store = createRestTrackingStore(fetchTransport(uri));
    const experimentId = await store.createExperiment('cli-artifacts');
    runId = (await store.createRun({ experimentId, startTime: 1 })).info.run_id;
    runRoot = path.join(temp.artifactsDir, experimentId, runId, 'artifacts');
    fs.mkdirSync(path.join(src, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(src, 'MLmodel'), 'flavors: {}\n');
    fs.writeFileSync(path.join(src, 'sub', 'weights.bin'), big);
    fs.writeFileSync(path.join(work, 'notes.txt'), 'notes\n');
  }, 120_000);

  afterAll(async () => {
    await temp.cleanup();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('upload of a folder: files under --artifact-path, a plain summary on a non-terminal stderr', async () => {
    const res = await runlog(['artifacts', 'upload', '--run-id', runId, '--local-path', src, '--artifact-path', 'model', '--tracking-uri', uri]);
    expect(res.stderr).toMatch(new RegExp(`^Uploaded 2 files \\(2\\.0 MB\\) from .* to artifact path 'model' of run ${runId} in \\d+\\.\\d s\\n$`));
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('');
    expect(res.stderr).not.toContain('\r');
    expect(fs.readFileSync(path.join(runRoot, 'model', 'sub', 'weights.bin')).equals(big)).toBe(true);
    expect(fs.readFileSync(path.join(runRoot, 'model', 'MLmodel'), 'utf8')).toBe('flavors: {}\n');
  });

  it('upload of a file, tracking URI from MLFLOW_TRACKING_URI, short flags', async () => {
    const res = await runlog(['artifacts', 'upload', '-r', runId, '-l', path.join(work, 'notes.txt')], { MLFLOW_TRACKING_URI: uri });
    expect(res.stderr).toMatch(/^Uploaded 1 file \(6 B\) from .*notes\.txt to the artifact root of run/);
    expect(res.code).toBe(0);
    expect(fs.readFileSync(path.join(runRoot, 'notes.txt'), 'utf8')).toBe('notes\n');
  });

  it('list prints one path per line with its size (folders end in / with -), or JSON', async () => {
    const root = await runlog(['artifacts', 'list', '--run-id', runId, '--tracking-uri', uri]);
    expect(root.stderr).toBe('');
    expect(root.code).toBe(0);
    expect(root.stdout).toBe('model/\t-\nnotes.txt\t6\n');
    const model = await runlog(['artifacts', 'list', '-r', runId, '-a', 'model', '--tracking-uri', uri]);
    expect(model.stdout).toBe('model/MLmodel\t12\nmodel/sub/\t-\n');
    const json = await runlog(['artifacts', 'list', '-r', runId, '-a', 'model/sub', '--json', '--tracking-uri', uri]);
    expect(JSON.parse(json.stdout)).toEqual([{ path: 'model/sub/weights.bin', is_dir: false, file_size: big.length }]);
    const empty = await runlog(['artifacts', 'list', '-r', runId, '-a', 'nothing-here', '--tracking-uri', uri]);
    expect(empty).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('download of a folder into --dst-path prints the local path; byte for byte', async () => {
    const dest = path.join(work, 'dl');
    const res = await runlog(['artifacts', 'download', '--run-id', runId, '--artifact-path', 'model', '--dst-path', dest, '--tracking-uri', uri]);
    expect(res.stderr).toMatch(new RegExp(`^Downloaded 2 files \\(2\\.0 MB\\) of run ${runId} in \\d+\\.\\d s\\n$`));
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(`${path.join(dest, 'model')}\n`);
    expect(fs.readFileSync(path.join(dest, 'model', 'sub', 'weights.bin')).equals(big)).toBe(true);
    expect(fs.readFileSync(path.join(dest, 'model', 'MLmodel'), 'utf8')).toBe('flavors: {}\n');
  });

  it('download of a single file without --dst-path lands in a new temp folder', async () => {
    const res = await runlog(['artifacts', 'download', '-r', runId, '-a', 'model/sub/weights.bin', '-j', '1', '--tracking-uri', uri]);
    expect(res.code).toBe(0);
    const local = res.stdout.trim();
    expect(local.startsWith(os.tmpdir())).toBe(true);
    expect(local.endsWith(path.join('model', 'sub', 'weights.bin'))).toBe(true);
    expect(fs.readFileSync(local).equals(big)).toBe(true);
    fs.rmSync(local.slice(0, local.length - 'model/sub/weights.bin'.length), { recursive: true, force: true });
  });

  it('failures exit 1 with `runlog: <message>` on stderr', async () => {
    const missing = await runlog(['artifacts', 'download', '-r', runId, '-a', 'nope.txt', '-d', path.join(work, 'x'), '--tracking-uri', uri]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^runlog: .*nope\.txt/);
    const unknownRun = await runlog(['artifacts', 'list', '-r', 'f'.repeat(32), '--tracking-uri', uri]);
    expect(unknownRun.code).toBe(1);
    expect(unknownRun.stderr).toMatch(/^runlog: Run .* not found/i);
    const traversal = await runlog(['artifacts', 'list', '-r', runId, '-a', '../x', '--tracking-uri', uri]);
    expect(traversal.code).toBe(1);
    expect(traversal.stderr).toMatch(/^runlog: Invalid artifact path '\.\.\/x'/);
    const noRun = await runlog(['artifacts', 'list', '--tracking-uri', uri]);
    expect(noRun.code).toBe(1);
    expect(noRun.stderr).toMatch(/required option '-r, --run-id <id>' not specified/);
    const badConcurrency = await runlog(['artifacts', 'upload', '-r', runId, '-l', src, '-j', '0', '--tracking-uri', uri]);
    expect(badConcurrency.code).toBe(1);
    expect(badConcurrency.stderr).toMatch(/expected a positive integer/);
  });

  it('sends MLFLOW_TRACKING_TOKEN as a Bearer token', async () => {
    const seen: (string | undefined)[] = [];
    const fake = Fastify();
    fake.addHook('onRequest', (request, _reply, done) => {
      seen.push(request.headers.authorization);
      done();
    });
    fake.get('/api/2.0/mlflow/runs/get', (_request, reply) =>
      reply.send({ run: { info: { run_id: 'r', artifact_uri: 'mlflow-artifacts:/0/r/artifacts' } } }),
    );
    fake.get('/api/2.0/mlflow-artifacts/artifacts', (_request, reply) =>
      reply.send({ files: [{ path: 'x.txt', is_dir: false, file_size: '3' }] }),
    );
    await fake.listen({ host: '127.0.0.1', port: 0 });
    try {
      const port = (fake.server.address() as AddressInfo).port;
      const res = await runlog(['artifacts', 'list', '-r', 'r'], { MLFLOW_TRACKING_URI: `http://127.0.0.1:${port}`, MLFLOW_TRACKING_TOKEN: 'tok' });
      expect(res.stdout).toBe('x.txt\t3\n');
      expect(seen).toEqual(['Bearer tok', 'Bearer tok']);
    } finally {
      await fake.close();
    }
  });
});

describe('the terminal progress line', () => {
  it('formats bytes in binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MB');
  });

  it('draws a bar from the byte ratio, else the file ratio', () => {
    expect(progressLine({ bytesDone: 0, bytesTotal: 100, filesDone: 0, filesTotal: 2 }, 10)).toBe('[----------]   0% 0 B/100 B  0/2 files');
    expect(progressLine({ bytesDone: 30, bytesTotal: 100, filesDone: 1, filesTotal: 2 }, 10)).toBe('[###-------]  30% 30 B/100 B  1/2 files');
    expect(progressLine({ bytesDone: 0, bytesTotal: 0, filesDone: 1, filesTotal: 2 }, 10)).toBe('[#####-----]  50% 0 B/0 B  1/2 files');
    expect(progressLine({ bytesDone: 0, bytesTotal: 0, filesDone: 0, filesTotal: 0 }, 10)).toBe('[##########] 100% 0 B/0 B  0/0 files');
  });
});
