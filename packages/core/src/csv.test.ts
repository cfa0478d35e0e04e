import { describe, expect, it } from 'vitest';
import { parseDelimited } from './csv.js';

describe('parseDelimited', () => {
  it('reads quoted fields with delimiters, doubled quotes and line breaks', () => {
    expect(parseDelimited('a,b\r\n"x, y","say ""hi"""\n"two\r\nlines",2').rows).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['two\r\nlines', '2'],
    ]);
  });

  it('ends records at LF, CRLF or CR and skips blank lines', () => {
    expect(parseDelimited('a\r\n\r\nb\rc\n\n').rows).toEqual([['a'], ['b'], ['c']]);
  });

  it('keeps empty fields, including a trailing one', () => {
    expect(parseDelimited(',x,\n').rows).toEqual([['', 'x', '']]);
  });

  it('treats a quote inside an unquoted field as text', () => {
    expect(parseDelimited('5" disk,ok').rows).toEqual([['5" disk', 'ok']]);
  });

  it('reports an unterminated quoted field', () => {
    const parsed = parseDelimited('a\n"open,1');
    expect(parsed.unterminatedQuote).toBe(true);
    expect(parsed.rows).toEqual([['a'], ['open,1']]);
    expect(parseDelimited('"closed"').unterminatedQuote).toBe(false);
  });

  it('takes another delimiter', () => {
    expect(parseDelimited('a\tb,c\n', { delimiter: '\t' }).rows).toEqual([['a', 'b,c']]);
  });

  it('stops after maxRows and says whether records followed', () => {
    const big = parseDelimited('h\n1\n2\n3\n4\n', { maxRows: 3 });
    expect(big.rows).toEqual([['h'], ['1'], ['2']]);
    expect(big.truncated).toBe(true);
    expect(parseDelimited('h\n1\n2\n\n', { maxRows: 3 }).truncated).toBe(false);
    expect(parseDelimited('h\n1\n2', { maxRows: 3 }).truncated).toBe(false);
    expect(parseDelimited('h\n1\n2\n3', { maxRows: 3 }).truncated).toBe(true);
  });
});
