import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { floatLexemeAt, parseRequest, pythonFloatRepr } from './request-errors.js';
import { RunlogError } from '../errors.js';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof RunlogError) return e.message;
    throw e;
  }
  throw new Error('expected a RunlogError');
}

describe('pythonFloatRepr', () => {
  const cases: [number, string][] = [
    [9, '9.0'],
    [-9, '-9.0'],
    [0.1, '0.1'],
    [1.5, '1.5'],
    [100000, '100000.0'],
    [1e15, '1000000000000000.0'],
    [1e16, '1e+16'],
    [1.5e300, '1.5e+300'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.25e-7, '1.25e-07'],
    [123.456, '123.456'],
  ];
  for (const [x, repr] of cases) it(`${x} → ${repr}`, () => expect(pythonFloatRepr(x)).toBe(repr));
});

describe('floatLexemeAt', () => {
  it('finds a float-written number at a path and ignores integers and strings', () => {
    const raw = '{"a": 9.0, "b": 9, "c": "9.0", "d": [{"x": 1e3}]}';
    expect(floatLexemeAt(raw, ['a'])).toBe('9.0');
    expect(floatLexemeAt(raw, ['b'])).toBeUndefined();
    expect(floatLexemeAt(raw, ['c'])).toBeUndefined();
    expect(floatLexemeAt(raw, ['d', 0, 'x'])).toBe('1e3');
    expect(floatLexemeAt('{"s": "say \\"1.0\\"", "n": 2.50}', ['n'])).toBe('2.50');
    expect(floatLexemeAt('not json', ['a'])).toBeUndefined();
  });
});

describe('parseRequest error echo', () => {
  const schema = z.object({ name: z.string() });
  it('echoes a float as Python does when the raw text is known, and integers as sent', () => {
    expect(messageOf(() => parseRequest(schema, { name: 9 }, '{"name": 9.0}'))).toContain(
      "Invalid value 9.0 for parameter 'name'",
    );
    expect(messageOf(() => parseRequest(schema, { name: 123 }, '{"name": 123}'))).toContain(
      "Invalid value 123 for parameter 'name'",
    );
    expect(messageOf(() => parseRequest(schema, { name: 9 }))).toContain("Invalid value 9 for parameter 'name'");
  });
});
