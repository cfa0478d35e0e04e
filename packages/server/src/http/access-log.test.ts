import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RunlogError } from '@runlog/core';
import { createApp } from '../app.js';
import { buildServerConfig } from '../config.js';
import { createTempApp } from '../testing/temp-stores.js';

interface AccessLine {
  msg: string;
  reqId: string;
  method: string;
  route: string | null;
  path: string;
  status: number;
  duration_ms: number;
}

describe('--log-format json', () => {
  it('defaults to none and refuses unknown formats', () => {
    expect(buildServerConfig({}, {}, '/w').logFormat).toBe('none');
    expect(buildServerConfig({}, { RUNLOG_LOG_FORMAT: 'json' }, '/w').logFormat).toBe('json');
    expect(() => buildServerConfig({ logFormat: 'xml' }, {}, '/w')).toThrow(RunlogError);
  });

  it('writes one JSON line per request with a server-made request id, the route pattern, status and duration', async () => {
    const t = await createTempApp();
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    const config = { ...t.config, logFormat: 'json' as const };
    const app = await createApp({ config, stores: { tracking: t.store }, logDestination: out });
    try {
      const secretQuery = 'run_id=0123456789abcdef0123456789abcdef&token=hunter2';
      await app.inject({ method: 'GET', url: `/api/2.0/mlflow/runs/get?${secretQuery}`, headers: { 'request-id': 'client-chosen', authorization: 'Bearer hunter2' } });
      await app.inject({ method: 'GET', url: '/health' });
    } finally {
      await app.close();
      await t.cleanup();
    }
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as AccessLine).filter((l) => l.msg === 'request');
    expect(lines).toHaveLength(2);
    const [get, health] = lines as [AccessLine, AccessLine];
    expect(get).toMatchObject({ method: 'GET', route: '/api/2.0/mlflow/runs/get', path: '/api/2.0/mlflow/runs/get', status: 404 });
    expect(health).toMatchObject({ route: '/health', status: 200 });
    expect(get.reqId).toMatch(/^[0-9a-f-]{36}$/);
    expect(get.reqId).not.toBe(health.reqId);
    expect(typeof get.duration_ms).toBe('number');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('client-chosen');
  });
});
