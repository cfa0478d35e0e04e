import { describe, expect, it } from 'vitest';
import { RunlogError } from '../errors.js';
import { parseRequest } from './request-errors.js';
import { tracking } from './tracking.js';

const parse = (metrics: unknown) => parseRequest(tracking.logBatch.request, { run_id: 'r', metrics });

function errorOf(fn: () => unknown): RunlogError {
  try {
    fn();
  } catch (err) {
    if (err instanceof RunlogError) return err;
    throw err;
  }
  throw new Error('expected a RunlogError');
}

describe('log-batch metrics field', () => {
  it('defaults step to 0 and accepts MLflow encodings', () => {
    const out = parse([
      { key: 'a', value: 1.5, timestamp: 10 },
      { key: 'b', value: 'NaN', timestamp: '11', step: '3' },
      { key: 'c', value: '-Infinity', timestamp: 12, step: 4 },
    ]);
    expect(out.metrics).toEqual([
      { key: 'a', value: 1.5, timestamp: 10, step: 0 },
      { key: 'b', value: NaN, timestamp: 11, step: 3 },
      { key: 'c', value: -Infinity, timestamp: 12, step: 4 },
    ]);
  });

  it('treats an absent list as empty', () => {
    expect(parseRequest(tracking.logBatch.request, { run_id: 'r' }).metrics).toEqual([]);
  });

  it.each([
    [[{ value: 1, timestamp: 1 }], "Missing value for required parameter 'metrics[0].key'."],
    [[{ key: 'a', value: 1, timestamp: 1 }, { key: 'b', timestamp: 1 }], "Missing value for required parameter 'metrics[1].value'."],
    [[{ key: 'a', value: 1 }], "Missing value for required parameter 'metrics[0].timestamp'."],
    [[{ key: 'a', value: true, timestamp: 1 }], "parameter 'metrics[0].value'"],
    [[{ key: 'a', value: 1, timestamp: 1.5 }], "parameter 'metrics[0].timestamp'"],
    [[{ key: 'a', value: 1, timestamp: 1, step: 'x' }], "parameter 'metrics[0].step'"],
    [[{ key: 7, value: 1, timestamp: 1 }], "parameter 'metrics[0].key'"],
    [['not an object'], "parameter 'metrics[0]'"],
    [{ key: 'a' }, "parameter 'metrics'"],
  ])('rejects %j', (metrics, message) => {
    const err = errorOf(() => parse(metrics));
    expect(err.errorCode).toBe('INVALID_PARAMETER_VALUE');
    expect(err.message).toContain(message);
  });
});
