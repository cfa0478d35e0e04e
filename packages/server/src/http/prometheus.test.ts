import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServerConfig } from '../config.js';
import { createTempApp, type TempApp } from '../testing/temp-stores.js';

describe('--expose-prometheus', () => {
  it('is off by default and accepts no value or MLflow directory value', async () => {
    expect(buildServerConfig({}, {}, '/w').exposePrometheus).toBe(false);
    expect(buildServerConfig({ exposePrometheus: true }, {}, '/w').exposePrometheus).toBe(true);
    expect(buildServerConfig({ exposePrometheus: 'metrics-dir' }, {}, '/w').exposePrometheus).toBe(true);
    const t = await createTempApp();
    try {
      expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
    } finally {
      await t.cleanup();
    }
  });
});

describe('/metrics', () => {
  let t: TempApp;
  beforeAll(async () => {
    t = await createTempApp({ flags: { exposePrometheus: true } });
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('counts requests per route pattern, times them, and counts ingested points', async () => {
    const run = await t.app.inject({ method: 'POST', url: '/api/2.0/mlflow/runs/create', payload: { experiment_id: '0' } });
    const runId = run.json<{ run: { info: { run_id: string } } }>().run.info.run_id;
    const metrics = [1, 2, 3].map((step) => ({ key: 'loss', value: 1 / step, timestamp: 1000 + step, step }));
    expect((await t.app.inject({ method: 'POST', url: '/api/2.0/mlflow/runs/log-batch', payload: { run_id: runId, metrics } })).statusCode).toBe(200);
    const one = { run_id: runId, key: 'acc', value: 0.5, timestamp: 1, step: 0 };
    expect((await t.app.inject({ method: 'POST', url: '/api/2.0/mlflow/runs/log-metric', payload: one })).statusCode).toBe(200);
    await t.app.inject({ method: 'GET', url: `/api/2.0/mlflow/runs/get?run_id=${runId}` });
    await t.app.inject({ method: 'GET', url: `/no/such/${runId}` });

    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.body;
    expect(text).toMatch(/runlog_http_requests_total\{method="POST",route="\/api\/2\.0\/mlflow\/runs\/log-batch",status="200"\} 1/);
    expect(text).toMatch(/runlog_http_request_duration_seconds_count\{method="GET",route="\/api\/2\.0\/mlflow\/runs\/get"\} 1/);
    expect(text).toMatch(/route="unmatched"/);
    expect(text).toMatch(/runlog_metric_points_ingested_total 4\b/);
    // Labels hold route patterns only: no run id, no query string.
    expect(text).not.toContain(runId);
  });
});
