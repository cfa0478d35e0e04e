import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { createTempApp, type TempApp } from '../testing/temp-stores.js';

describe('/health', () => {
  let t: TempApp;
  beforeAll(async () => {
    t = await createTempApp();
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('answers 200 OK when the database answers', async () => {
    expect(typeof t.store.ping).toBe('function');
    const res = await t.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('OK');
  });

  it('answers 503 TEMPORARILY_UNAVAILABLE when the database does not', async () => {
    const down = { ...t.store, ping: () => Promise.reject(new Error('connection refused')) };
    const app = await createApp({ config: t.config, stores: { tracking: down } });
    try {
      const res = await app.inject({ method: 'GET', url: '/health' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ error_code: 'TEMPORARILY_UNAVAILABLE', message: 'The tracking database is not reachable.' });
    } finally {
      await app.close();
    }
  });

  it('answers 503 when the SQLite connection is gone', async () => {
    const other = await createTempApp();
    await other.store.close();
    try {
      const res = await other.app.inject({ method: 'GET', url: '/health' });
      expect(res.statusCode).toBe(503);
      expect(res.json<{ error_code: string }>().error_code).toBe('TEMPORARILY_UNAVAILABLE');
    } finally {
      await other.app.close();
    }
  });
});
