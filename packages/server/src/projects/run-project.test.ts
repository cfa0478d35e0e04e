/**
 * runProject in-process against a local SQLite store given as a relative URI: the child (examples/project's
 * node entry point, in another working directory) must get a URI that points at the same file, and its metrics
 * land in the run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { RunlogClient } from '@runlog/client';
import { absoluteTrackingUri, runProject } from './run-project.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-run-project-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('absoluteTrackingUri', () => {
  it('resolves relative local stores against the given folder and leaves the rest', () => {
    expect(absoluteTrackingUri('sqlite:///runs/r.db', '/home/me')).toBe('sqlite:////home/me/runs/r.db');
    expect(absoluteTrackingUri('sqlite:////abs/r.db', '/home/me')).toBe('sqlite:////abs/r.db');
    expect(absoluteTrackingUri('./store', '/home/me')).toBe('/home/me/store');
    expect(absoluteTrackingUri('http://127.0.0.1:5000', '/home/me')).toBe('http://127.0.0.1:5000');
    expect(absoluteTrackingUri('postgresql://u@h/db', '/home/me')).toBe('postgresql://u@h/db');
  });
});

describe('runProject on a local SQLite store', () => {
  it('gives the child the same store, and its metrics land in the run', async () => {
    const lines: string[] = [];
    const result = await runProject({
      uri: path.join(ROOT, 'examples/project'),
      params: ['epochs=3', 'rate=0.5'],
      trackingUri: 'sqlite:///store/runlog.db',
      cwd: tmp,
      env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(MLFLOW|RUNLOG)_/.test(k))),
      log: (line) => lines.push(line),
    });
    expect(result.status, lines.join('\n')).toBe('FINISHED');
    expect(result.exitCode).toBe(0);
    expect(fs.existsSync(path.join(tmp, 'store', 'runlog.db'))).toBe(true);
    const client = new RunlogClient({ trackingUri: `sqlite:///${path.join(tmp, 'store', 'runlog.db')}`, env: {} });
    try {
      expect((await client.getMetricHistory(result.runId, 'loss')).map((m) => m.value)).toEqual([0.5, 0.25, 0.125]);
      const run = await client.getRun(result.runId);
      expect(run.data.params?.map((p) => [p.key, p.value])).toEqual(
        expect.arrayContaining([
          ['rate', '0.5'],
          ['epochs', '3'],
        ]),
      );
    } finally {
      await client.close();
    }
  }, 60_000);
});
