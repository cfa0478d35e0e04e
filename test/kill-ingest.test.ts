/**
 * Crash safety on SQLite: log-batches acknowledged before a SIGKILL are all present after a restart on the
 * same database, and no batch is partly visible (each is one transaction; WAL makes the commit durable).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, CLI, ROOT } from './spawn-cli.js';

const BATCHES = 60;
const POINTS = 200;

function startServer(db: string): { child: ChildProcessWithoutNullStreams; url: Promise<string> } {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MLFLOW_')));
  const child = spawn(process.execPath, [CLI, 'server', '--host', '127.0.0.1', '--port', '0', '--backend-store-uri', `sqlite:///${db}`], { cwd: ROOT, env: base });
  const url = new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (d: Buffer) => {
      text += d.toString('utf8');
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', () => reject(new Error(`server exited before listening: ${text}`)));
  });
  return { child, url };
}

async function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe('SIGKILL during ingest on SQLite', () => {
  let dir: string;
  beforeAll(() => {
    buildCli();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-kill-'));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged batch whole and no batch half-written', async () => {
    const db = path.join(dir, 'r.db');
    const first = startServer(db);
    const url = await first.url;
    const created = await post(`${url}/api/2.0/mlflow/runs/create`, { experiment_id: '0' });
    const runId = ((await created.json()) as { run: { info: { run_id: string } } }).run.info.run_id;

    const acknowledged = new Set<number>();
    const killed = once(first.child, 'exit');
    const sends = Array.from({ length: BATCHES }, async (_, i) => {
      const metrics = Array.from({ length: POINTS }, (_v, step) => ({ key: `k${i}`, value: step, timestamp: 1000 + step, step }));
      try {
        const res = await post(`${url}/api/2.0/mlflow/runs/log-batch`, { run_id: runId, metrics });
        if (res.status === 200) acknowledged.add(i);
        // Kill as soon as a few batches are acknowledged, with the rest still in flight.
        if (acknowledged.size === 5) first.child.kill('SIGKILL');
      } catch {
        // Cut off by the kill: unacknowledged.
      }
    });
    await Promise.all(sends);
    await killed;
    expect(acknowledged.size).toBeGreaterThanOrEqual(5);

    const second = startServer(db);
    try {
      const url2 = await second.url;
      for (let i = 0; i < BATCHES; i++) {
        const res = await fetch(`${url2}/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=k${i}&max_results=${POINTS * 2}`);
        expect(res.status).toBe(200);
        const n = ((await res.json()) as { metrics?: unknown[] }).metrics?.length ?? 0;
        if (acknowledged.has(i)) expect(n, `acknowledged batch ${i}`).toBe(POINTS);
        else expect([0, POINTS], `batch ${i}`).toContain(n);
      }
    } finally {
      second.child.kill('SIGTERM');
      await once(second.child, 'exit');
    }
  });
});
