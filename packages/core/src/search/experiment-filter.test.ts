import { describe, expect, it } from 'vitest';
import { RunlogError } from '../errors.js';
import type { ExperimentClause } from './ast.js';
import { parseExperimentFilter } from './experiment-filter.js';

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

describe('parseExperimentFilter: valid filters', () => {
  it('returns no clauses for a missing, empty or blank filter', () => {
    expect(parseExperimentFilter(undefined)).toEqual([]);
    expect(parseExperimentFilter('')).toEqual([]);
    expect(parseExperimentFilter('   ')).toEqual([]);
  });

  it('parses the example filter of the reference (§5.2)', () => {
    expect(parseExperimentFilter("name LIKE 'exp-%' AND tags.owner = 'me' AND creation_time > 1700000000000")).toEqual<ExperimentClause[]>([
      { type: 'attribute', key: 'name', comparator: 'LIKE', value: 'exp-%' },
      { type: 'tag', key: 'owner', comparator: '=', value: 'me' },
      { type: 'attribute', key: 'creation_time', comparator: '>', value: 1700000000000 },
    ]);
  });

  const cases: [string, ExperimentClause[]][] = [
    ["name = 'Default'", [{ type: 'attribute', key: 'name', comparator: '=', value: 'Default' }]],
    ["attribute.name != 'x'", [{ type: 'attribute', key: 'name', comparator: '!=', value: 'x' }]],
    ["attributes.name ilike '%X%'", [{ type: 'attribute', key: 'name', comparator: 'ILIKE', value: '%X%' }]],
    ['"name" = "x"', [{ type: 'attribute', key: 'name', comparator: '=', value: 'x' }]],
    ['last_update_time <= 5', [{ type: 'attribute', key: 'last_update_time', comparator: '<=', value: 5 }]],
    ['attributes.creation_time != -1', [{ type: 'attribute', key: 'creation_time', comparator: '!=', value: -1 }]],
    ["tag.owner = 'me'", [{ type: 'tag', key: 'owner', comparator: '=', value: 'me' }]],
    ["tags.`team-name` like 'ml%'", [{ type: 'tag', key: 'team-name', comparator: 'LIKE', value: 'ml%' }]],
    ["tags.mlflow.note.content = 'n'", [{ type: 'tag', key: 'mlflow.note.content', comparator: '=', value: 'n' }]],
    ["tags.\"a b\" = 'it''s' and name = 'x'", [
      { type: 'tag', key: 'a b', comparator: '=', value: "it's" },
      { type: 'attribute', key: 'name', comparator: '=', value: 'x' },
    ]],
  ];

  it.each(cases)('%s', (filter, expected) => {
    expect(parseExperimentFilter(filter)).toEqual(expected);
  });
});

describe('parseExperimentFilter: malformed filters', () => {
  const cases: [string, ...string[]][] = [
    ['metrics.a > 1', "invalid entity type 'metrics'", "'attribute', 'tag'"],
    ["params.p = 'x'", "invalid entity type 'params'"],
    ["run.name = 'x'", "invalid entity type 'run'"],
    ["experiment_id = '1'", "invalid attribute key 'experiment_id'"],
    ["artifact_location = 'x'", "invalid attribute key 'artifact_location'"],
    ["lifecycle_stage = 'active'", "invalid attribute key"],
    ["name > 'a'", "invalid comparator '>' for attribute 'name'; valid comparators are '=', '!=', 'LIKE', 'ILIKE'"],
    ["name IN ('a')", "invalid comparator 'IN' for attribute 'name'"],
    ["creation_time LIKE '1'", "invalid comparator 'LIKE' for attribute 'creation_time'"],
    ['creation_time << 1', "invalid comparator '<<'"],
    ["tags.t > 'a'", "invalid comparator '>' for tag 't'"],
    ['name = x', 'expected a quoted string value for attribute', 'found unquoted x'],
    ['name = 1', 'expected a quoted string value'],
    ["creation_time > '1'", "expected an integer for attribute 'creation_time'"],
    ['creation_time > 1.5', 'expected an integer'],
    ['tags.t = 1', "expected a quoted string value for tag 't'"],
    ["name = 'x' or name = 'y'", 'OR is not supported'],
    ["name = 'x' and", 'dangling AND'],
    ["name = 'x", 'unterminated quote'],
    ['name', 'missing comparator'],
    ['name =', 'missing value'],
    ["(name = 'x')", 'parentheses'],
  ];

  it.each(cases)('%s', (filter, ...fragments) => {
    expectInvalid(() => parseExperimentFilter(filter), `Invalid filter '${filter}'`, ...fragments);
  });
});
