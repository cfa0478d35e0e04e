import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempApp, type TempApp } from '../testing/temp-stores.js';
import { buildServerConfig } from '../config.js';
import { hostMatcher } from './host-check.js';

describe('allowed hosts', () => {
  it('defaults to the loopback names with any port, plus the bound host', () => {
    expect(buildServerConfig({}, {}, '/w').allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]']);
    expect(buildServerConfig({ host: '10.1.2.3' }, {}, '/w').allowedHosts).toContain('10.1.2.3');
    expect(buildServerConfig({ host: '0.0.0.0' }, {}, '/w').allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]']);
    expect(buildServerConfig({}, { RUNLOG_ALLOWED_HOSTS: 'a.example, b.example:8080' }, '/w').allowedHosts).toEqual([
      'a.example',
      'b.example:8080',
    ]);
    expect(buildServerConfig({ allowedHosts: '*' }, { RUNLOG_ALLOWED_HOSTS: 'x' }, '/w').allowedHosts).toEqual(['*']);
  });

  it('matches names case-insensitively, with any port unless the entry names one', () => {
    const m = hostMatcher(['localhost', '127.0.0.1', '[::1]', 'runlog.example:443', '*.corp.example']);
    for (const ok of ['localhost', 'LOCALHOST:80', '127.0.0.1:5000', '[::1]:5000', 'runlog.example:443', 'ml.corp.example:8080']) {
      expect(m(ok), ok).toBe(true);
    }
    for (const bad of [undefined, '', 'evil.example', 'localhost.evil.example', 'runlog.example:80', 'corp.example', '127.0.0.1.nip.io']) {
      expect(m(bad), String(bad)).toBe(false);
    }
    expect(hostMatcher(['*'])('anything.example')).toBe(true);
  });
});

describe('Host check over HTTP', () => {
  let t: TempApp;
  beforeAll(async () => {
    t = await createTempApp();
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('serves loopback Host values', async () => {
    for (const host of ['localhost:80', '127.0.0.1:5000', '[::1]:5000']) {
      const res = await t.app.inject({ method: 'GET', url: '/health', headers: { host } });
      expect(res.statusCode, host).toBe(200);
    }
  });

  it('refuses any other Host with 403 PERMISSION_DENIED without echoing it', async () => {
    for (const url of ['/health', '/api/2.0/mlflow/experiments/search?max_results=1', '/']) {
      const res = await t.app.inject({ method: 'GET', url, headers: { host: 'rebind-attacker.example:5000' } });
      expect(res.statusCode, url).toBe(403);
      const body = res.json<{ error_code: string; message: string }>();
      expect(body.error_code).toBe('PERMISSION_DENIED');
      expect(body.message).toMatch(/not allowed.*--allowed-hosts/);
      expect(res.body).not.toContain('rebind-attacker');
    }
  });
});
