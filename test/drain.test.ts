/**
 * Graceful drain: SIGTERM on the real `runlog server` lets a request in flight finish with 200, refuses new
 * connections, and exits 0. The in-flight request is an artifact upload whose body is sent in two halves,
 * the first after the server's `100 Continue`, the second only after it has announced the signal, so the
 * request provably spans the shutdown.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, CLI, ROOT } from './spawn-cli.js';

/** Resolves with the first match of `pattern` in what `stream` has written so far or writes next. */
function waitFor(stream: NodeJS.ReadableStream, pattern: RegExp): Promise<RegExpMatchArray> {
  let text = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      text += d.toString('utf8');
      const m = pattern.exec(text);
      if (m) {
        stream.off('data', onData);
        resolve(m);
      }
    };
    stream.on('data', onData);
    stream.once('end', () => reject(new Error(`stream ended without ${String(pattern)}: ${text}`)));
  });
}

describe('SIGTERM drain of runlog server', () => {
  let dir: string;
  beforeAll(() => {
    buildCli();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-drain-'));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('finishes the request in flight with 200, refuses new connections and exits 0', async () => {
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MLFLOW_')));
    const args = [CLI, 'server', '--host', '127.0.0.1', '--port', '0', '--backend-store-uri', `sqlite:///${path.join(dir, 'r.db')}`, '--artifacts-destination', path.join(dir, 'artifacts')];
    const child: ChildProcessWithoutNullStreams = spawn(process.execPath, args, { cwd: ROOT, env: base });
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const stderrSignal = waitFor(child.stderr, /SIGTERM received/);
    const [, port] = await waitFor(child.stdout, /listening on http:\/\/127\.0\.0\.1:(\d+)/);

    const half = Buffer.alloc(512 * 1024, 'a');
    const req = http.request({
      host: '127.0.0.1',
      port: Number(port),
      method: 'PUT',
      path: '/api/2.0/mlflow-artifacts/artifacts/drain/blob.bin',
      // The server's `100 Continue` is the event proving it has accepted the connection and parsed the request.
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(half.length * 2), expect: '100-continue' },
    });
    const response = once(req, 'response') as Promise<[http.IncomingMessage]>;
    req.flushHeaders();
    await once(req, 'continue');
    await new Promise<void>((resolve) => req.write(half, () => resolve()));
    child.kill('SIGTERM');
    await stderrSignal;

    // New connections are refused while the upload is still open. The listener closes a moment after the
    // signal is announced (Fastify's close runs its hooks first), so connect until one is refused.
    const connectOnce = () =>
      new Promise<string>((resolve) => {
        const s = net.connect(Number(port), '127.0.0.1');
        s.once('connect', () => {
          s.destroy();
          resolve('connected');
        });
        s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
      });
    let refused = await connectOnce();
    for (let attempt = 0; refused === 'connected' && attempt < 1000; attempt++) refused = await connectOnce();
    expect(refused).toBe('ECONNREFUSED');

    req.end(half);
    const [res] = await response;
    let body = '';
    res.setEncoding('utf8').on('data', (d: string) => (body += d));
    await once(res, 'end');
    expect(res.statusCode, body).toBe(200);
    const [code, signal] = await exited;
    expect(signal).toBeNull();
    expect(code).toBe(0);
    expect(fs.statSync(path.join(dir, 'artifacts', 'drain', 'blob.bin')).size).toBe(half.length * 2);
  });
});
