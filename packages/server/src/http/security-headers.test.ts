import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempApp, type TempApp } from '../testing/temp-stores.js';
import { contentSecurityPolicy, inlineScriptHashes } from './security-headers.js';

describe('UI content security policy', () => {
  it('allows inline scripts only by hash, never unsafe-inline or eval', () => {
    const html = '<script>boot()</script><script type="module" src="./assets/x.js"></script>';
    const hash = crypto.createHash('sha256').update('boot()').digest('base64');
    expect(inlineScriptHashes(html)).toEqual([`'sha256-${hash}'`]);
    const csp = contentSecurityPolicy(html);
    const scriptSrc = csp.split('; ').find((d) => d.startsWith('script-src ')) ?? '';
    expect(scriptSrc).toBe(`script-src 'self' 'sha256-${hash}'`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
  });
});

describe('UI security headers over HTTP', () => {
  let t: TempApp;
  beforeAll(async () => {
    t = await createTempApp();
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('sends CSP, frame-ancestors, no-referrer and nosniff with the page, matching its inline scripts', async () => {
    for (const url of ['/', '/index.html']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe/);
      for (const h of inlineScriptHashes(res.body)) expect(csp).toContain(h);
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
  });

  it('sends them with assets too', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/assets/missing.js' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(String(res.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
  });
});
