import { describe, expect, it } from 'vitest';
import { RunlogError } from '../errors.js';
import { parseExperimentFilter } from './experiment-filter.js';
import { parseExperimentOrderBy, parseRunOrderBy } from './order-by.js';
import { decodePageToken } from './page-token.js';
import { parseRunFilter } from './run-filter.js';

describe('robustness: every parser throws only RunlogError INVALID_PARAMETER_VALUE', () => {
  // Deterministic PRNG so a failure reproduces.
  function random(seed: number): () => number {
    let state = seed;
    return () => {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  const pieces = [
    'metrics', 'params', 'tags', 'attributes', 'dataset', 'run_id', 'start_time', 'name', '.', '.', 'a', 'b1',
    ' ', ' ', ' ', '=', '!=', '<', '<=', '>', '>=', '<<', 'LIKE', 'ilike', 'IN', 'NOT', 'AND', 'and', 'OR',
    "'", "'x'", '"', '"k"', '`', '`k`', '(', ')', ',', '1', '-1.5', '1e3', '.5', '-', '+', ';', '%', '_', '\\',
    '\n', 'é', '😀', '__proto__', 'constructor', 'toString',
  ];
  const valid = [
    "metrics.rmse < 1 and params.model = 'lr' and tags.\"team-name\" LIKE 'ml%'",
    "attributes.run_id IN ('abc123','def456') AND dataset.name NOT IN ('x')",
    "tags.`user-name` ILIKE 'it''s%' and created >= 17",
    "name LIKE 'exp-%' AND tags.owner = 'me' AND creation_time > 1700000000000",
    'metrics.`val loss` DESC, params.lr',
    'eyJvZmZzZXQiOiAxfQ==',
  ];

  const parsers: ((input: string) => unknown)[] = [
    parseRunFilter,
    parseExperimentFilter,
    (input) => parseRunOrderBy([input]),
    (input) => parseExperimentOrderBy([input]),
    decodePageToken,
  ];

  function check(input: string): void {
    for (const parse of parsers) {
      try {
        parse(input);
      } catch (error) {
        expect(error).toBeInstanceOf(RunlogError);
        expect((error as RunlogError).errorCode).toBe('INVALID_PARAMETER_VALUE');
      }
    }
  }

  it('for random token soups', () => {
    const next = random(1);
    for (let n = 0; n < 5000; n += 1) {
      const length = Math.floor(next() * 12);
      let filter = '';
      for (let k = 0; k < length; k += 1) filter += pieces[Math.floor(next() * pieces.length)]!;
      check(filter);
    }
  });

  it('for mutated valid filters', () => {
    const next = random(2);
    for (let n = 0; n < 5000; n += 1) {
      const base = valid[n % valid.length]!;
      const at = Math.floor(next() * base.length);
      const cut = Math.floor(next() * 4);
      const insert = next() < 0.5 ? '' : pieces[Math.floor(next() * pieces.length)]!;
      check(base.slice(0, at) + insert + base.slice(at + cut));
    }
  });

  it('for arbitrary characters', () => {
    const next = random(3);
    for (let n = 0; n < 3000; n += 1) {
      let filter = '';
      const length = Math.floor(next() * 20);
      for (let k = 0; k < length; k += 1) filter += String.fromCharCode(Math.floor(next() * 0x2000));
      check(filter);
    }
  });

  it('for a very long conjunction, which still parses', () => {
    const filter = Array.from({ length: 2000 }, (_, k) => `metrics.m${k} > ${k}`).join(' AND ');
    expect(parseRunFilter(filter)).toHaveLength(2000);
  });
});
