import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DEFAULT_QUERY_LIMITS, nestingViolation, queryLimitViolation } from './query-limits.js';

const check = (query: string, limits = DEFAULT_QUERY_LIMITS) => queryLimitViolation(parse(query), limits);
const fields = (n: number, name = 'f') => Array.from({ length: n }, (_, i) => `${name}${i}`).join(' ');

describe('GraphQL query limits', () => {
  it('counts root fields inside inline fragments and across operations', () => {
    const limits = { maxRootFields: 2, maxAliases: 10 };
    expect(check('{ a b }', limits)).toBeUndefined();
    expect(check('{ a ... on Query { b c } }', limits)).toMatch(/at most 2 root fields, got 3 root fields/);
    expect(check('query A { a b } query B { c }', limits)).toMatch(/got 3 root fields/);
  });

  it('counts aliases per selection set, fragments included where they are spread', () => {
    const limits = { maxRootFields: 10, maxAliases: 2 };
    expect(check('{ x { a: f b: f } y { c: f d: f } }', limits)).toBeUndefined();
    expect(check('fragment F on T { b: f c: f } { x { a: f ...F } }', limits)).toMatch(/at most 2 aliases, got 3 aliases/);
  });

  it('expands a fragment once per selection set, and a self-spreading fragment stops at the depth limit', () => {
    expect(check(`fragment F on T { ${fields(600)} } { x { ...F ...F } }`)).toBeUndefined();
    expect(check('fragment F on T { a { ...F } } { x { ...F } }')).toBe('Query exceeds maximum depth of 10');
  });

  it('refuses more than 1000 selections in all and more than 10 levels', () => {
    expect(check(`{ ${fields(1000)} }`, { maxRootFields: 1000, maxAliases: 10 })).toBeUndefined();
    expect(check(`{ x { ${fields(500)} } y { ${fields(500)} } }`)).toBe('Query exceeds maximum total selections of 1000');
    expect(check(`{ ${'a { '.repeat(9)}b${' }'.repeat(9)} }`)).toBeUndefined();
    expect(check(`{ ${'a { '.repeat(10)}b${' }'.repeat(10)} }`)).toBe('Query exceeds maximum depth of 10');
  });

  it('measures bracket nesting on tokens, so strings and comments do not count', () => {
    expect(nestingViolation(`{ a(s: "${'{'.repeat(100)}") # ${'['.repeat(100)}\n }`)).toBeUndefined();
    expect(nestingViolation(`${'{ a '.repeat(33)}${'}'.repeat(33)}`)).toBe('Query exceeds maximum nesting of 32 brackets');
    expect(nestingViolation(`${'{ a '.repeat(32)}${'}'.repeat(32)}`)).toBeUndefined();
  });
});
