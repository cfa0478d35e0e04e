import { describe, expect, it } from 'vitest';
import { RunlogError } from '../errors.js';
import { isKeyword, tokenize } from './lexer.js';

describe('tokenize', () => {
  it('splits a filter into identifiers, operators, values and punctuation', () => {
    const tokens = tokenize("metrics.`a b` >= -1.5e2 and tags.\"x.y\" IN ('p''q', \"r\")");
    expect(tokens.map((t) => [t.kind, t.raw])).toEqual([
      ['ident', 'metrics.`a b`'],
      ['op', '>='],
      ['number', '-1.5e2'],
      ['ident', 'and'],
      ['ident', 'tags."x.y"'],
      ['ident', 'IN'],
      ['lparen', '('],
      ['string', "'p''q'"],
      ['comma', ','],
      ['ident', '"r"'],
      ['rparen', ')'],
    ]);
    expect(tokens[0]).toMatchObject({ segments: [{ text: 'metrics', quote: '' }, { text: 'a b', quote: '`' }], pos: 0 });
    expect(tokens[2]).toMatchObject({ value: -150, integer: false });
    expect(tokens[7]).toMatchObject({ value: "p'q" });
    expect(tokens[9]).toMatchObject({ segments: [{ text: 'r', quote: '"' }] });
  });

  it('reads a maximal run of comparison characters as one operator', () => {
    expect(tokenize('a<<=!b').map((t) => t.raw)).toEqual(['a', '<<=!', 'b']);
  });

  it('marks integers', () => {
    expect(tokenize('12 -3 +4 1.0 1e3')).toMatchObject([
      { integer: true, value: 12 },
      { integer: true, value: -3 },
      { integer: true, value: 4 },
      { integer: false, value: 1 },
      { integer: false, value: 1000 },
    ]);
  });

  it('recognises keywords case-insensitively, but only bare single words', () => {
    const [bare, quoted, dotted] = tokenize('aNd "and" and.x');
    expect(isKeyword(bare, 'AND')).toBe(true);
    expect(isKeyword(quoted, 'AND')).toBe(false);
    expect(isKeyword(dotted, 'AND')).toBe(false);
    expect(isKeyword(undefined, 'AND')).toBe(false);
  });

  it.each([
    ["'abc", "unterminated quote ' starting at position 1"],
    ['a.', "expected a key after '.' at position 3"],
    ['1x', "invalid number '1x' at position 1"],
    ['a ; b', "unexpected character ';' at position 3"],
  ])('reports %s', (source, message) => {
    expect(() => tokenize(source)).toThrow(RunlogError);
    expect(() => tokenize(source)).toThrow(message);
  });
});
