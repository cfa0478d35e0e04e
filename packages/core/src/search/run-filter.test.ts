import { describe, expect, it } from 'vitest';
import { RunlogError } from '../errors.js';
import type { RunClause } from './ast.js';
import { parseRunFilter } from './run-filter.js';

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

const metric = (key: string, comparator: RunClause['comparator'], value: number): RunClause => ({ type: 'metric', key, comparator, value });

describe('parseRunFilter: valid filters', () => {
  it('returns no clauses for a missing, empty or blank filter', () => {
    expect(parseRunFilter(undefined)).toEqual([]);
    expect(parseRunFilter('')).toEqual([]);
    expect(parseRunFilter('  \t\n ')).toEqual([]);
  });

  it('parses the example filter of the reference (§5.1)', () => {
    const filter =
      "metrics.rmse < 1 and params.model = 'lr' and tags.\"team-name\" LIKE 'ml%' and attributes.status = 'FINISHED' and attributes.run_id IN ('abc123','def456')";
    expect(parseRunFilter(filter)).toEqual<RunClause[]>([
      { type: 'metric', key: 'rmse', comparator: '<', value: 1 },
      { type: 'param', key: 'model', comparator: '=', value: 'lr' },
      { type: 'tag', key: 'team-name', comparator: 'LIKE', value: 'ml%' },
      { type: 'attribute', key: 'status', comparator: '=', value: 'FINISHED' },
      { type: 'attribute', key: 'run_id', comparator: 'IN', value: ['abc123', 'def456'] },
    ]);
  });

  it('parses the filters the Python client sent in the recorded traffic', () => {
    expect(parseRunFilter("metrics.loss < 1 and params.lr = '0.01'")).toEqual<RunClause[]>([
      metric('loss', '<', 1),
      { type: 'param', key: 'lr', comparator: '=', value: '0.01' },
    ]);
    expect(parseRunFilter("attributes.status = 'FINISHED'")).toEqual<RunClause[]>([
      { type: 'attribute', key: 'status', comparator: '=', value: 'FINISHED' },
    ]);
  });

  const cases: [string, RunClause[]][] = [
    // entity type aliases
    ['metric.a = 1', [metric('a', '=', 1)]],
    ['metrics.a = 1', [metric('a', '=', 1)]],
    ["parameter.p = 'x'", [{ type: 'param', key: 'p', comparator: '=', value: 'x' }]],
    ["parameters.p = 'x'", [{ type: 'param', key: 'p', comparator: '=', value: 'x' }]],
    ["param.p = 'x'", [{ type: 'param', key: 'p', comparator: '=', value: 'x' }]],
    ["params.p = 'x'", [{ type: 'param', key: 'p', comparator: '=', value: 'x' }]],
    ["tag.t = 'x'", [{ type: 'tag', key: 't', comparator: '=', value: 'x' }]],
    ["tags.t = 'x'", [{ type: 'tag', key: 't', comparator: '=', value: 'x' }]],
    ["attribute.status = 'x'", [{ type: 'attribute', key: 'status', comparator: '=', value: 'x' }]],
    ["attributes.status = 'x'", [{ type: 'attribute', key: 'status', comparator: '=', value: 'x' }]],
    ["attr.status = 'x'", [{ type: 'attribute', key: 'status', comparator: '=', value: 'x' }]],
    ["run.status = 'x'", [{ type: 'attribute', key: 'status', comparator: '=', value: 'x' }]],
    ["status = 'x'", [{ type: 'attribute', key: 'status', comparator: '=', value: 'x' }]],
    ["dataset.name = 'd'", [{ type: 'dataset', key: 'name', comparator: '=', value: 'd' }]],
    ["datasets.digest != 'd'", [{ type: 'dataset', key: 'digest', comparator: '!=', value: 'd' }]],
    ['METRICS.a = 1', [metric('a', '=', 1)]],
    // quoted keys and types
    ['metrics."model class" > 0', [metric('model class', '>', 0)]],
    ["tags.`user-name` = 'me'", [{ type: 'tag', key: 'user-name', comparator: '=', value: 'me' }]],
    ['`metrics`.`a b` <= 2', [metric('a b', '<=', 2)]],
    ['`metrics`.a >= 2', [metric('a', '>=', 2)]],
    ['metrics."a ""quoted"" key" = 1', [metric('a "quoted" key', '=', 1)]],
    ['metrics.`tick``key` = 1', [metric('tick`key', '=', 1)]],
    ['metrics."a.b" = 1', [metric('a.b', '=', 1)]],
    ['metrics.ключ = 1', [metric('ключ', '=', 1)]],
    // dotted keys
    ["params.a.b = 'x'", [{ type: 'param', key: 'a.b', comparator: '=', value: 'x' }]],
    ["tags.mlflow.runName = 'r'", [{ type: 'tag', key: 'mlflow.runName', comparator: '=', value: 'r' }]],
    ['metrics.1st = 1', [metric('1st', '=', 1)]],
    // attributes and aliases
    ["run_id = 'abc'", [{ type: 'attribute', key: 'run_id', comparator: '=', value: 'abc' }]],
    ["run_name LIKE 'a%'", [{ type: 'attribute', key: 'run_name', comparator: 'LIKE', value: 'a%' }]],
    ["user_id != 'bob'", [{ type: 'attribute', key: 'user_id', comparator: '!=', value: 'bob' }]],
    ["artifact_uri ILIKE '%s3%'", [{ type: 'attribute', key: 'artifact_uri', comparator: 'ILIKE', value: '%s3%' }]],
    ["attributes.`Run name` = 'x'", [{ type: 'attribute', key: 'run_name', comparator: '=', value: 'x' }]],
    ["attributes.`Run Name` = 'x'", [{ type: 'attribute', key: 'run_name', comparator: '=', value: 'x' }]],
    ["attributes.\"run name\" = 'x'", [{ type: 'attribute', key: 'run_name', comparator: '=', value: 'x' }]],
    ["`Run name` = 'x'", [{ type: 'attribute', key: 'run_name', comparator: '=', value: 'x' }]],
    ['attributes.start_time >= 1700000000000', [{ type: 'attribute', key: 'start_time', comparator: '>=', value: 1700000000000 }]],
    ['end_time < 5', [{ type: 'attribute', key: 'end_time', comparator: '<', value: 5 }]],
    ['created > 10', [{ type: 'attribute', key: 'start_time', comparator: '>', value: 10 }]],
    ['attributes.Created != -1', [{ type: 'attribute', key: 'start_time', comparator: '!=', value: -1 }]],
    // numbers
    ['metrics.a > 0.5', [metric('a', '>', 0.5)]],
    ['metrics.a > -0.5', [metric('a', '>', -0.5)]],
    ['metrics.a > .5', [metric('a', '>', 0.5)]],
    ['metrics.a > 1.', [metric('a', '>', 1)]],
    ['metrics.a > 1e3', [metric('a', '>', 1000)]],
    ['metrics.a > 1.5E-3', [metric('a', '>', 0.0015)]],
    ['metrics.a > -2e+2', [metric('a', '>', -200)]],
    ['metrics.a<-1', [metric('a', '<', -1)]],
    ['metrics.a<=+1', [metric('a', '<=', 1)]],
    ['metrics.a!=0', [metric('a', '!=', 0)]],
    // strings
    ["params.p = \"double\"", [{ type: 'param', key: 'p', comparator: '=', value: 'double' }]],
    ["params.p = 'it''s'", [{ type: 'param', key: 'p', comparator: '=', value: "it's" }]],
    ['params.p = "say ""hi"""', [{ type: 'param', key: 'p', comparator: '=', value: 'say "hi"' }]],
    ["params.p = ''", [{ type: 'param', key: 'p', comparator: '=', value: '' }]],
    ["params.p = 'a AND b = ''c'''", [{ type: 'param', key: 'p', comparator: '=', value: "a AND b = 'c'" }]],
    ["params.p = 'C:\\dir\\'", [{ type: 'param', key: 'p', comparator: '=', value: 'C:\\dir\\' }]],
    ["params.p = '1'", [{ type: 'param', key: 'p', comparator: '=', value: '1' }]],
    ["tags.t = 'ünïcødé 😀'", [{ type: 'tag', key: 't', comparator: '=', value: 'ünïcødé 😀' }]],
    // case-insensitive keywords
    ["params.p like 'a%'", [{ type: 'param', key: 'p', comparator: 'LIKE', value: 'a%' }]],
    ["params.p iLiKe 'a%'", [{ type: 'param', key: 'p', comparator: 'ILIKE', value: 'a%' }]],
    ["tags.t != 'x' AnD metrics.m = 1", [{ type: 'tag', key: 't', comparator: '!=', value: 'x' }, metric('m', '=', 1)]],
    // IN lists
    ["run_id in ('a1')", [{ type: 'attribute', key: 'run_id', comparator: 'IN', value: ['a1'] }]],
    ["run_id not in ('a1', \"b2\")", [{ type: 'attribute', key: 'run_id', comparator: 'NOT IN', value: ['a1', 'b2'] }]],
    ["attributes.run_id IN('a','b')and status='x'", [
      { type: 'attribute', key: 'run_id', comparator: 'IN', value: ['a', 'b'] },
      { type: 'attribute', key: 'status', comparator: '=', value: 'x' },
    ]],
    ["run_id IN ('abc', 'ABC', 'aBc', 'd3f')", [{ type: 'attribute', key: 'run_id', comparator: 'IN', value: ['abc', 'd3f'] }]],
    ["run_id IN ('ABC')", [{ type: 'attribute', key: 'run_id', comparator: 'IN', value: [] }]],
    ["datasets.name IN ('Train', 'eval')", [{ type: 'dataset', key: 'name', comparator: 'IN', value: ['Train', 'eval'] }]],
    ["dataset.context NOT IN ('training')", [{ type: 'dataset', key: 'context', comparator: 'NOT IN', value: ['training'] }]],
    ["dataset.digest LIKE 'ab%'", [{ type: 'dataset', key: 'digest', comparator: 'LIKE', value: 'ab%' }]],
    // whitespace
    ["  metrics.a   =   1   and\n\ttags.t='x'  ", [metric('a', '=', 1), { type: 'tag', key: 't', comparator: '=', value: 'x' }]],
  ];

  it.each(cases)('%s', (filter, expected) => {
    expect(parseRunFilter(filter)).toEqual(expected);
  });
});

describe('parseRunFilter: malformed filters', () => {
  const cases: [string, ...string[]][] = [
    ['metrics.loss << 1', "invalid comparator '<<' for metric 'loss'; valid comparators are '=', '!=', '>', '>=', '<', '<='"],
    ['metrics.a == 1', "invalid comparator '=='"],
    ['metrics.a <> 1', "invalid comparator '<>'"],
    ["metrics.a LIKE '1'", "invalid comparator 'LIKE' for metric 'a'"],
    ["metrics.a IN ('1')", "invalid comparator 'IN'"],
    ["params.p > 'a'", "invalid comparator '>' for parameter 'p'; valid comparators are '=', '!=', 'LIKE', 'ILIKE'"],
    ["tags.t < 'a'", "invalid comparator '<' for tag 't'"],
    ["tags.t IN ('a')", "invalid comparator 'IN' for tag 't'"],
    ["status IN ('a')", "invalid comparator 'IN' for attribute 'status'"],
    ["status > 'a'", "invalid comparator '>' for attribute 'status'"],
    ["start_time LIKE '1'", "invalid comparator 'LIKE' for attribute 'start_time'"],
    ['dataset.name > 1', "invalid comparator '>' for dataset 'name'"],
    ["metrics.a IS 'x'", "invalid comparator 'IS'"],
    ['metrics.a BETWEEN 1 AND 2', "invalid comparator 'BETWEEN'"],
    ["params.p NOT LIKE 'a'", 'NOT is only supported as part of NOT IN'],
    ['foo.a = 1', "invalid entity type 'foo'"],
    ["`foo`.a = 'x'", "invalid entity type 'foo'"],
    ["nonexistent = 'x'", "invalid attribute key 'nonexistent'"],
    ["attributes.experiment_id = '1'", "invalid attribute key 'experiment_id'"],
    ["attributes.Status = 'x'", "invalid attribute key 'Status'"],
    ["dataset.foo = 'x'", "invalid dataset key 'foo'"],
    ['metrics."" = 1', 'is empty'],
    ['metrics. = 1', "expected a key after '.'"],
    ['metrics.a. = 1', "expected a key after '.'"],
    ["metrics.a = 'abc'", "expected a numeric value for metric 'a', found string 'abc'"],
    ['metrics.a = abc', "expected a numeric value for metric 'a', found abc"],
    ["metrics.a = ('1')", 'expected a numeric value'],
    ['metrics.a = 1abc', "invalid number '1a'"],
    ['metrics.a = 1.2.3', 'invalid number'],
    ['metrics.a = 1e999', "expected a numeric value for metric 'a', found 1e999"],
    ["start_time > '1'", "expected an integer for attribute 'start_time'"],
    ['start_time > 1.5', "expected an integer for attribute 'start_time', found 1.5"],
    ['end_time > 1e3', 'expected an integer'],
    ['start_time > 99999999999999999999', 'expected an integer'],
    ['params.p = 1', "expected a quoted string value for parameter 'p'", 'found unquoted 1'],
    ['params.p = abc', 'found unquoted abc'],
    ['tags.t = `abc`', 'found unquoted `abc`'],
    ['status = FINISHED', "expected a quoted string value for attribute 'status'"],
    ["params.p = ('a')", "a list value for parameter 'p' is only allowed with IN or NOT IN"],
    ["run_id = ('a')", 'only allowed with IN or NOT IN'],
    ["run_id IN 'a'", "IN for attribute 'run_id' needs a parenthesised list"],
    ["dataset.name NOT IN 'a'", 'NOT IN for dataset'],
    ['run_id IN ()', 'the list is empty'],
    ["run_id IN ('a',)", "expected a quoted string in the list", "found ')'"],
    ["run_id IN ('a' 'b')", "expected ',' or ')'"],
    ["run_id IN ('a', 1)", "found '1'"],
    ["run_id IN ('a', b)", "found 'b'"],
    ["run_id IN ('a'", "expected ',' or ')'", 'end of input'],
    ["run_id IN (('a'))", 'expected a quoted string in the list'],
    ["tags.t = 'abc", 'unterminated quote'],
    ['tags.t = "abc', 'unterminated quote'],
    ["tags.`t = 'abc'", 'unterminated quote'],
    ["tags.\"t = 'abc'", 'unterminated quote'],
    ['metrics.a', "missing comparator after 'metrics.a'", 'end of input'],
    ['metrics.a 1', "missing comparator after 'metrics.a'", "'1'"],
    ["metrics.a AND tags.t = 'x'", 'missing comparator'],
    ['metrics.a <', "missing value after 'metrics.a <'"],
    ['metrics.a < AND metrics.b < 1', 'missing value'],
    ['metrics.a < < 1', "expected a value after 'metrics.a <'"],
    ['metrics.a < 1 AND', 'dangling AND'],
    ['metrics.a < 1 and   ', 'dangling AND'],
    ['AND metrics.a < 1', "expected a comparison before 'AND'"],
    ['metrics.a < 1 AND AND metrics.b < 1', 'expected a comparison before'],
    ['metrics.a < 1 OR metrics.b < 1', 'OR is not supported'],
    ['metrics.a < 1 or metrics.b < 1', 'OR is not supported'],
    ['metrics.a < 1 metrics.b < 1', 'expected AND between comparisons'],
    ['metrics.a < 1,', 'expected AND between comparisons'],
    ['metrics.a < 1)', 'expected AND between comparisons'],
    ['NOT metrics.a < 1', 'NOT is only supported as part of NOT IN'],
    ['(metrics.a < 1)', 'parentheses are only allowed around an IN value list'],
    ['metrics.a < 1 AND (metrics.b < 1)', 'parentheses'],
    ["'metrics.a' < 1", 'expected an identifier'],
    ['1 < metrics.a', 'expected an identifier'],
    ['= 1', 'expected an identifier'],
    ['metrics.a < 1;', "unexpected character ';'"],
    ['metrics.a < 1; DROP TABLE runs', "unexpected character ';'"],
    ['tags.team-name = 1', "unexpected character '-'"],
    ['metrics.a @ 1', "unexpected character '@'"],
    ['metrics.a < 1 -- comment', "unexpected character '-'"],
  ];

  it.each(cases)('%s', (filter, ...fragments) => {
    expectInvalid(() => parseRunFilter(filter), `Invalid filter '${filter}'`, ...fragments);
  });

  it('rejects a non-string filter that slipped past request validation', () => {
    expectInvalid(() => parseRunFilter(42 as unknown as string), 'expected a string');
  });
});
