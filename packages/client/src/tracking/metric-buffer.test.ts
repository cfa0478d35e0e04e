import { describe, expect, it } from 'vitest';
import { RunlogError } from '@runlog/core';
import { MetricBuffer, MetricColumns } from './metric-buffer.js';
import { trackingUriFromEnv, isRemoteTrackingUri, DEFAULT_LOCAL_TRACKING_URI } from './tracking-uri.js';


describe('MetricBuffer', () => {
  it('sends batches of at most 1000 per run, at most maxInFlight at once, and flush waits for all of them', async () => {
    const sent: { runId: string; n: number }[] = [];
    let inFlight = 0;
    let peak = 0;
    const buffer = new MetricBuffer(
      async (runId, metrics) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setImmediate(r));
        inFlight--;
        sent.push({ runId, n: metrics.length });
      },
      { maxInFlight: 2 },
    );
    for (let i = 0; i < 4500; i++) buffer.add('a', 'm', i, 1, i);
    for (let i = 0; i < 10; i++) buffer.add('b', 'm', i, 1, i);
    expect(buffer.busy).toBe(true);
    await buffer.flush();
    expect(buffer.busy).toBe(false);
    expect(buffer.sent).toBe(4510);
    expect(Math.max(...sent.map((s) => s.n))).toBe(1000);
    expect(sent.filter((s) => s.runId === 'a').reduce((n, s) => n + s.n, 0)).toBe(4500);
    expect(sent.filter((s) => s.runId === 'b')).toEqual([{ runId: 'b', n: 10 }]);
    expect(peak).toBe(2);
  });

  it('rejects the next flush with a send failure once, and reports it to onError', async () => {
    const reported: unknown[] = [];
    const buffer = new MetricBuffer(
      (_runId, metrics) => (metrics.steps[0] === 0 ? Promise.reject(new RunlogError('INVALID_PARAMETER_VALUE', 'bad')) : Promise.resolve()),
      { onError: (err) => reported.push(err) },
    );
    buffer.add('a', 'm', 0, 1, 0);
    await expect(buffer.flush()).rejects.toMatchObject({ errorCode: 'INVALID_PARAMETER_VALUE' });
    expect(reported).toHaveLength(1);
    buffer.add('a', 'm', 1, 1, 1);
    await expect(buffer.flush()).resolves.toBeUndefined();
    expect(buffer.sent).toBe(1);
  });
});

describe('MetricColumns', () => {
  it("serialises as a log-batch metrics list with MLflow's NaN/Infinity strings and escaped keys", () => {
    const cols = new MetricColumns();
    cols.push('loss', 0.25, 10, 0);
    cols.push('a"b', Number.NaN, 11, 1);
    cols.push('loss', Number.POSITIVE_INFINITY, 12, 2);
    cols.push('loss', Number.NEGATIVE_INFINITY, 13, 3);
    const json = cols.toJson(new Map());
    expect(json).toBe(
      '[{"key":"loss","value":0.25,"timestamp":10,"step":0},{"key":"a\\"b","value":"NaN","timestamp":11,"step":1},' +
        '{"key":"loss","value":"Infinity","timestamp":12,"step":2},{"key":"loss","value":"-Infinity","timestamp":13,"step":3}]',
    );
    expect(JSON.parse(json)).toHaveLength(4);
    expect(cols.toMetrics()[1]).toEqual({ key: 'a"b', value: Number.NaN, timestamp: 11, step: 1 });
  });
});

describe('tracking URI from the environment', () => {
  it('prefers RUNLOG_TRACKING_URI, then MLFLOW_TRACKING_URI, ignoring empty values, else the local default', () => {
    expect(trackingUriFromEnv({ RUNLOG_TRACKING_URI: 'http://a', MLFLOW_TRACKING_URI: 'http://b' })).toBe('http://a');
    expect(trackingUriFromEnv({ RUNLOG_TRACKING_URI: ' ', MLFLOW_TRACKING_URI: 'http://b' })).toBe('http://b');
    expect(trackingUriFromEnv({})).toBe(DEFAULT_LOCAL_TRACKING_URI);
    expect(isRemoteTrackingUri('HTTPS://x')).toBe(true);
    expect(isRemoteTrackingUri('sqlite:///x.db')).toBe(false);
    expect(isRemoteTrackingUri('./folder')).toBe(false);
  });
});
