import { describe, expect, it } from 'vitest';
import { RunlogError } from '../errors.js';
import {
  parseModelVersionFilter,
  parseModelVersionOrderBy,
  parseRegisteredModelFilter,
  parseRegisteredModelOrderBy,
} from './registry-filter.js';

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return e instanceof RunlogError ? e.errorCode : 'not a RunlogError';
  }
  return undefined;
};

describe('registered-model filters', () => {
  it('parses name and tag clauses joined by AND, with MLflow identifier spellings', () => {
    expect(parseRegisteredModelFilter("name ILIKE 'REG-%' AND tags.team = 'ml' AND tag.`a b` != \"x\"")).toEqual([
      { type: 'attribute', key: 'name', comparator: 'ILIKE', value: 'REG-%' },
      { type: 'tag', key: 'team', comparator: '=', value: 'ml' },
      { type: 'tag', key: 'a b', comparator: '!=', value: 'x' },
    ]);
    expect(parseRegisteredModelFilter("attributes.name = 'm'")).toEqual([{ type: 'attribute', key: 'name', comparator: '=', value: 'm' }]);
    expect(parseRegisteredModelFilter("tags.`mlflow.prompt.is_prompt` != 'true'")).toEqual([
      { type: 'tag', key: 'mlflow.prompt.is_prompt', comparator: '!=', value: 'true' },
    ]);
    expect(parseRegisteredModelFilter(undefined)).toEqual([]);
    expect(parseRegisteredModelFilter('  ')).toEqual([]);
  });

  it.each([
    ["run_id = 'x'"],
    ["name = = 'x'"],
    ["name > 'a'"],
    ['name = x'],
    ["name = 'a' OR name = 'b'"],
    ["(name = 'a')"],
    ["name IN ('a')"],
    ["metrics.x = 'a'"],
    ["tags.k = 1"],
  ])('refuses %s', (filter) => {
    expect(code(() => parseRegisteredModelFilter(filter))).toBe('INVALID_PARAMETER_VALUE');
  });

  it('order_by: name, timestamp (= last updated), last_updated_timestamp, creation_timestamp; nothing else, no repeats', () => {
    expect(parseRegisteredModelOrderBy(['name DESC', 'timestamp'])).toEqual([
      { key: 'name', ascending: false },
      { key: 'last_updated_timestamp', ascending: true },
    ]);
    expect(code(() => parseRegisteredModelOrderBy(['bogus_col DESC']))).toBe('INVALID_PARAMETER_VALUE');
    expect(code(() => parseRegisteredModelOrderBy(['name', 'name DESC']))).toBe('INVALID_PARAMETER_VALUE');
    expect(code(() => parseRegisteredModelOrderBy(['tags.x']))).toBe('INVALID_PARAMETER_VALUE');
  });
});

describe('model-version filters', () => {
  it('parses name, run_id (= and IN), source_path, version_number and tags', () => {
    expect(
      parseModelVersionFilter("name = 'm' AND run_id IN ('a', 'b') AND version_number >= 2 AND source_path LIKE 's3://%' AND tags.ok = 'y'"),
    ).toEqual([
      { type: 'attribute', key: 'name', comparator: '=', value: 'm' },
      { type: 'attribute', key: 'run_id', comparator: 'IN', value: ['a', 'b'] },
      { type: 'attribute', key: 'version_number', comparator: '>=', value: 2 },
      { type: 'attribute', key: 'source_path', comparator: 'LIKE', value: 's3://%' },
      { type: 'tag', key: 'ok', comparator: '=', value: 'y' },
    ]);
  });

  it.each([["name === 'x'"], ["version_number = 'one'"], ['version_number = 1.5'], ["name IN ('a')"], ["status = 'READY'"]])(
    'refuses %s',
    (filter) => {
      expect(code(() => parseModelVersionFilter(filter))).toBe('INVALID_PARAMETER_VALUE');
    },
  );

  it('order_by keys', () => {
    expect(parseModelVersionOrderBy(['version_number DESC'])).toEqual([{ key: 'version_number', ascending: false }]);
    expect(code(() => parseModelVersionOrderBy(['run_id DESC']))).toBe('INVALID_PARAMETER_VALUE');
  });
});
