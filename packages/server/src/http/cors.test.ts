import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempApp, type TempApp } from '../testing/temp-stores.js';

const URL = '/api/2.0/mlflow/experiments/search?max_results=1';
const preflight = (origin: string) => ({
  method: 'OPTIONS' as const,
  url: '/api/2.0/mlflow/runs/log-batch',
  headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
});

function corsHeaders(headers: Record<string, unknown>): string[] {
  return Object.keys(headers).filter((h) => h.startsWith('access-control-'));
}

describe('CORS off by default', () => {
  let t: TempApp;
  beforeAll(async () => {
    t = await createTempApp();
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('sends no CORS headers, on requests or preflights', async () => {
    const res = await t.app.inject({ method: 'GET', url: URL, headers: { origin: 'https://ui.example' } });
    expect(res.statusCode).toBe(200);
    expect(corsHeaders(res.headers)).toEqual([]);
    const pre = await t.app.inject(preflight('https://ui.example'));
    expect(corsHeaders(pre.headers)).toEqual([]);
  });
});

describe('--cors-allowed-origins', () => {
  let t: TempApp;
  beforeAll(async () => {
    t = await createTempApp({ flags: { corsAllowedOrigins: 'https://ui.example, http://localhost:3000' } });
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('allows a listed origin, preflight and request', async () => {
    const pre = await t.app.inject(preflight('https://ui.example'));
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('https://ui.example');
    expect(String(pre.headers['access-control-allow-methods'])).toContain('POST');
    const res = await t.app.inject({ method: 'GET', url: URL, headers: { origin: 'http://localhost:3000' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('gives an unlisted origin no allow headers', async () => {
    const pre = await t.app.inject(preflight('https://evil.example'));
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    expect(pre.headers['access-control-allow-methods']).toBeUndefined();
    const res = await t.app.inject({ method: 'GET', url: URL, headers: { origin: 'https://evil.example' } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});
