import { describe, expect, it } from 'vitest';
import { RunlogError } from '../errors.js';
import { parseTraceFilter, parseTraceOrderBy, type TraceClause } from './trace-filter.js';

function expectInvalid(parse: () => unknown, fragment: string): void {
  let thrown: unknown;
  try {
    parse();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(RunlogError);
  expect((thrown as RunlogError).errorCode).toBe('INVALID_PARAMETER_VALUE');
  expect((thrown as RunlogError).message).toContain(fragment);
}

describe('parseTraceFilter', () => {
  it('parses attributes, tags and request metadata with their aliases', () => {
    expect(
      parseTraceFilter("status = 'OK' and trace.timestamp > 10 and tags.team != 'ml' and metadata.user = 'ann' and request_id IN ('a', 'b')"),
    ).toEqual<TraceClause[]>([
      { type: 'attribute', key: 'status', comparator: '=', value: 'OK' },
      { type: 'attribute', key: 'timestamp_ms', comparator: '>', value: 10 },
      { type: 'tag', key: 'team', comparator: '!=', value: 'ml' },
      { type: 'request_metadata', key: 'user', comparator: '=', value: 'ann' },
      { type: 'attribute', key: 'request_id', comparator: 'IN', value: ['a', 'b'] },
    ]);
  });

  it('maps name to the trace name tag, run_id to the source run metadata, execution_time to its column', () => {
    expect(parseTraceFilter("name = 'predict' AND attributes.run_id = 'r1' AND execution_time <= 2.5")).toEqual<TraceClause[]>([
      { type: 'tag', key: 'mlflow.traceName', comparator: '=', value: 'predict' },
      { type: 'request_metadata', key: 'mlflow.sourceRun', comparator: '=', value: 'r1' },
      { type: 'attribute', key: 'execution_time_ms', comparator: '<=', value: 2.5 },
    ]);
    expect(parseTraceFilter("tags.`mlflow.traceName` = 'x'")).toEqual([{ type: 'tag', key: 'mlflow.traceName', comparator: '=', value: 'x' }]);
    // What MLflow's client sends for search_traces(run_id=…): the key keeps its dots.
    expect(parseTraceFilter("metadata.mlflow.sourceRun = 'r1'")).toEqual([
      { type: 'request_metadata', key: 'mlflow.sourceRun', comparator: '=', value: 'r1' },
    ]);
  });

  it('refuses what MLflow refuses', () => {
    expectInvalid(() => parseTraceFilter("tags.team LIKE 'm%'"), "invalid comparator 'LIKE'");
    expectInvalid(() => parseTraceFilter("status > 'OK'"), "invalid comparator '>'");
    expectInvalid(() => parseTraceFilter("name IN ('a')"), "invalid comparator 'IN'");
    expectInvalid(() => parseTraceFilter("experiment_id = '1'"), "invalid attribute key 'experiment_id'");
    expectInvalid(() => parseTraceFilter("params.p = '1'"), "invalid entity type 'params'");
    expectInvalid(() => parseTraceFilter("timestamp = '5'"), 'expected a numeric value');
    expectInvalid(() => parseTraceFilter('status = OK'), 'expected a quoted string');
  });
});

describe('parseTraceOrderBy', () => {
  it('resolves keys and directions in priority order', () => {
    expect(parseTraceOrderBy(['timestamp ASC', 'tags.rank DESC', 'experiment_id', 'name'])).toEqual([
      { type: 'attribute', key: 'timestamp_ms', ascending: true },
      { type: 'tag', key: 'rank', ascending: false },
      { type: 'attribute', key: 'experiment_id', ascending: true },
      { type: 'tag', key: 'mlflow.traceName', ascending: true },
    ]);
  });

  it('refuses a key named twice and unknown attributes', () => {
    expectInvalid(() => parseTraceOrderBy(['timestamp', 'timestamp_ms DESC']), 'more than once');
    expectInvalid(() => parseTraceOrderBy(['nope']), "invalid attribute key 'nope'");
  });
});
