import { describe, expect, it } from 'vitest';
import { RunlogError } from '../errors.js';
import type { ExperimentOrderKey, RunOrderKey } from './ast.js';
import { parseExperimentOrderBy, parseRunOrderBy, splitOrderByClauses } from './order-by.js';

function expectInvalid(parse: () => unknown, ...fragments: string[]): void {
  let thrown: unknown;
  try {
    parse();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(RunlogError);
  const error = thrown as RunlogError;
  expect(error.errorCode).toBe('INVALID_PARAMETER_VALUE');
  for (const fragment of fragments) expect(error.message).toContain(fragment);
}

describe('splitOrderByClauses', () => {
  it('splits comma-joined clauses outside quotes and drops blank pieces', () => {
    expect(splitOrderByClauses(undefined)).toEqual([]);
    expect(splitOrderByClauses([])).toEqual([]);
    expect(splitOrderByClauses([''])).toEqual([]);
    expect(splitOrderByClauses(['a DESC, b', 'c'])).toEqual(['a DESC', 'b', 'c']);
    expect(splitOrderByClauses(['metrics."a,b" DESC,params.`c,d`', "x',y'"])).toEqual(['metrics."a,b" DESC', 'params.`c,d`', "x',y'"]);
    expect(splitOrderByClauses(['a,,b,'])).toEqual(['a', 'b']);
    expect(splitOrderByClauses('name, creation_time DESC')).toEqual(['name', 'creation_time DESC']);
  });

  it('keeps an unterminated quote in its piece so the parser reports it', () => {
    expect(splitOrderByClauses(['a, metrics."b,c'])).toEqual(['a', 'metrics."b,c']);
  });
});

describe('parseRunOrderBy', () => {
  it('parses the example of the reference (§5.3)', () => {
    expect(parseRunOrderBy(['metrics.rmse ASC', 'params.lr DESC', 'attributes.start_time'])).toEqual<RunOrderKey[]>([
      { type: 'metric', key: 'rmse', ascending: true },
      { type: 'param', key: 'lr', ascending: false },
      { type: 'attribute', key: 'start_time', ascending: true },
    ]);
  });

  it('returns no keys when order_by is absent or empty', () => {
    expect(parseRunOrderBy(undefined)).toEqual([]);
    expect(parseRunOrderBy([])).toEqual([]);
  });

  const cases: [string, RunOrderKey][] = [
    ['metrics.rmse', { type: 'metric', key: 'rmse', ascending: true }],
    ['metric.rmse desc', { type: 'metric', key: 'rmse', ascending: false }],
    ['metrics.rmse DeSc', { type: 'metric', key: 'rmse', ascending: false }],
    ['metrics.rmse asc', { type: 'metric', key: 'rmse', ascending: true }],
    ['metrics.`val loss` DESC', { type: 'metric', key: 'val loss', ascending: false }],
    ['metrics."val loss"', { type: 'metric', key: 'val loss', ascending: true }],
    ['`metrics`.`a`', { type: 'metric', key: 'a', ascending: true }],
    ['params.a.b', { type: 'param', key: 'a.b', ascending: true }],
    ['parameters.lr', { type: 'param', key: 'lr', ascending: true }],
    ['tags.mlflow.runName DESC', { type: 'tag', key: 'mlflow.runName', ascending: false }],
    ['tag.x', { type: 'tag', key: 'x', ascending: true }],
    ['run_id', { type: 'attribute', key: 'run_id', ascending: true }],
    ['attributes.run_name DESC', { type: 'attribute', key: 'run_name', ascending: false }],
    ['attr.user_id', { type: 'attribute', key: 'user_id', ascending: true }],
    ['run.status', { type: 'attribute', key: 'status', ascending: true }],
    ['start_time DESC', { type: 'attribute', key: 'start_time', ascending: false }],
    ['end_time', { type: 'attribute', key: 'end_time', ascending: true }],
    ['artifact_uri', { type: 'attribute', key: 'artifact_uri', ascending: true }],
    ['created', { type: 'attribute', key: 'start_time', ascending: true }],
    ['attributes.Created DESC', { type: 'attribute', key: 'start_time', ascending: false }],
    ['  metrics.a   DESC  ', { type: 'metric', key: 'a', ascending: false }],
  ];

  it.each(cases)('%s', (clause, expected) => {
    expect(parseRunOrderBy([clause])).toEqual([expected]);
  });

  it('accepts a single comma-joined string of clauses', () => {
    expect(parseRunOrderBy(['metrics.a DESC, params."b,c" ASC,start_time'])).toEqual<RunOrderKey[]>([
      { type: 'metric', key: 'a', ascending: false },
      { type: 'param', key: 'b,c', ascending: true },
      { type: 'attribute', key: 'start_time', ascending: true },
    ]);
  });

  const invalid: [string, ...string[]][] = [
    ['metrics.a DESC extra', "expected '<identifier> [ASC|DESC]'", "'extra'"],
    ['metrics.a b DESC', "expected '<identifier> [ASC|DESC]'"],
    ['metrics.a DOWN', "invalid ordering direction 'DOWN'", 'expected ASC or DESC'],
    ["metrics.a 'DESC'", 'invalid ordering direction'],
    ['metrics.a 1', 'invalid ordering direction'],
    ['DESC', "invalid attribute key 'DESC'"],
    ['foo.a', "invalid entity type 'foo'"],
    ['dataset.name', 'runs cannot be ordered by dataset fields'],
    ['experiment_id', "invalid attribute key 'experiment_id'", "'run_id'"],
    ['`Run name`', "invalid attribute key 'Run name'"],
    ['metrics.', "expected a key after '.'"],
    ['metrics.""', 'is empty'],
    ['metrics."a', 'unterminated quote'],
    ["'metrics.a'", 'expected an identifier'],
    ['(metrics.a)', 'expected an identifier'],
    ['metrics.a;', "unexpected character ';'"],
  ];

  it.each(invalid)('rejects %s', (clause, ...fragments) => {
    expectInvalid(() => parseRunOrderBy([clause]), `Invalid order_by clause '${clause}'`, ...fragments);
  });

  it('rejects non-string elements', () => {
    expectInvalid(() => parseRunOrderBy([1] as unknown as string[]), 'expected a list of strings');
  });
});

describe('parseExperimentOrderBy', () => {
  it('parses every orderable attribute, bare or prefixed', () => {
    expect(
      parseExperimentOrderBy(['name', 'experiment_id DESC', 'attribute.creation_time asc', 'attributes.last_update_time DESC']),
    ).toEqual<ExperimentOrderKey[]>([
      { key: 'name', ascending: true },
      { key: 'experiment_id', ascending: false },
      { key: 'creation_time', ascending: true },
      { key: 'last_update_time', ascending: false },
    ]);
    expect(parseExperimentOrderBy(['`name` DESC, "creation_time"'])).toEqual<ExperimentOrderKey[]>([
      { key: 'name', ascending: false },
      { key: 'creation_time', ascending: true },
    ]);
    expect(parseExperimentOrderBy(undefined)).toEqual([]);
  });

  const invalid: [string, ...string[]][] = [
    ['tags.owner', 'experiments cannot be ordered by tags'],
    ['metrics.a', "invalid entity type 'metrics'"],
    ['artifact_location', "invalid attribute key 'artifact_location'", "'experiment_id'"],
    ['name DESC ASC', "expected '<identifier> [ASC|DESC]'"],
    ['name UP', 'invalid ordering direction'],
  ];

  it.each(invalid)('rejects %s', (clause, ...fragments) => {
    expectInvalid(() => parseExperimentOrderBy([clause]), `Invalid order_by clause '${clause}'`, ...fragments);
  });
});
