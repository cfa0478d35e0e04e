import { describe, expect, it } from 'vitest';
import { likeToRegExp } from './like.js';

const like = (value: string, pattern: string, caseInsensitive = false): boolean => likeToRegExp(pattern, caseInsensitive).test(value);

describe('likeToRegExp', () => {
  it('matches % as any sequence, including none', () => {
    expect(like('ml-team', 'ml%')).toBe(true);
    expect(like('ml', 'ml%')).toBe(true);
    expect(like('team-ml', 'ml%')).toBe(false);
    expect(like('a-b-c', '%b%')).toBe(true);
    expect(like('', '%')).toBe(true);
    expect(like('line1\nline2', 'line1%2')).toBe(true);
  });

  it('matches _ as exactly one character', () => {
    expect(like('abc', 'a_c')).toBe(true);
    expect(like('ac', 'a_c')).toBe(false);
    expect(like('abbc', 'a_c')).toBe(false);
    expect(like('a😀c', 'a_c')).toBe(true);
  });

  it('anchors the whole value', () => {
    expect(like('xabcx', 'abc')).toBe(false);
    expect(like('abc', 'abc')).toBe(true);
  });

  it('treats regex syntax and backslashes literally', () => {
    expect(like('a.c', 'a.c')).toBe(true);
    expect(like('abc', 'a.c')).toBe(false);
    expect(like('a+b*(c)?[d]{e}|^$/\\', 'a+b*(c)?[d]{e}|^$/\\')).toBe(true);
    expect(like('a-b', 'a-b')).toBe(true);
    expect(like('a%b', 'a\\%b')).toBe(false);
    expect(like('a\\xb', 'a\\%b')).toBe(true);
  });

  it('is case-sensitive for LIKE and case-insensitive for ILIKE', () => {
    expect(like('ML-team', 'ml%')).toBe(false);
    expect(like('ML-team', 'ml%', true)).toBe(true);
    expect(like('ÉTÉ', 'été', true)).toBe(true);
  });
});
