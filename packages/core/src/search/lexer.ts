import { problem } from './problem.js';

/** One dot-separated part of an identifier; `quote` says how it was written. */
export interface Segment {
  text: string;
  quote: '' | '"' | '`';
}

interface TokenBase {
  /** Source text of the token, for error messages. */
  raw: string;
  /** 0-based offset in the source. */
  pos: number;
}

/**
 * `ident` covers dotted chains such as `metrics."a b"` and lone words (AND, LIKE, unquoted values);
 * a lone double-quoted segment is either a key or a string value, which only the parser can tell.
 */
export type Token =
  | (TokenBase & { kind: 'ident'; segments: Segment[] })
  | (TokenBase & { kind: 'string'; value: string })
  | (TokenBase & { kind: 'number'; value: number; integer: boolean })
  | (TokenBase & { kind: 'op' | 'lparen' | 'rparen' | 'comma' });

const WORD_CHAR = /[\p{L}\p{N}_]/u;
const OP_CHAR = /[<>=!~]/;
const NUMBER = /[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const INTEGER = /^[+-]?\d+$/;
const DIGIT = /\d/;

export function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && WORD_CHAR.test(ch);
}

/** True for a bare (unquoted) single-word identifier equal to `word`, ignoring case. */
export function isKeyword(token: Token | undefined, word: string): boolean {
  if (token?.kind !== 'ident' || token.segments.length !== 1) return false;
  const [segment] = token.segments;
  return segment !== undefined && segment.quote === '' && segment.text.toUpperCase() === word;
}

/** Renders a token for error messages, or `end of input`. */
export function describeToken(token: Token | undefined): string {
  return token === undefined ? 'end of input' : `'${token.raw}' at position ${token.pos + 1}`;
}

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (message: string, at: number, hint = ''): never => {
    throw problem(`${message} at position ${at + 1}${hint}`);
  };

  // Reads text up to the closing `quote`; a doubled quote stands for one literal quote, as in SQL.
  const readQuoted = (quote: string): string => {
    const start = i;
    let text = '';
    i += 1;
    for (;;) {
      const next = source.indexOf(quote, i);
      if (next < 0) return fail(`unterminated quote ${quote} starting`, start);
      text += source.slice(i, next);
      i = next + 1;
      if (source[i] !== quote) return text;
      text += quote;
      i += 1;
    }
  };

  const readSegment = (): Segment => {
    const ch = source[i];
    if (ch === '"' || ch === '`') return { text: readQuoted(ch), quote: ch };
    const start = i;
    while (isWordChar(source[i])) i += 1;
    if (i === start) fail("expected a key after '.'", start);
    return { text: source.slice(start, i), quote: '' };
  };

  const startsNumber = (at: number): boolean => {
    const ch = source[at];
    if (ch === undefined) return false;
    if (DIGIT.test(ch)) return true;
    const next = source[at + 1];
    if (ch === '.') return next !== undefined && DIGIT.test(next);
    return (ch === '-' || ch === '+') && next !== undefined && (DIGIT.test(next) || (next === '.' && startsNumber(at + 1)));
  };

  while (i < source.length) {
    const ch = source.charAt(i);
    const pos = i;
    if (/\s/.test(ch)) {
      i += 1;
    } else if (ch === "'") {
      const value = readQuoted("'");
      tokens.push({ kind: 'string', value, raw: source.slice(pos, i), pos });
    } else if (startsNumber(i)) {
      NUMBER.lastIndex = i;
      const raw = NUMBER.exec(source)?.[0] ?? ch;
      i += raw.length;
      // `1abc` or `1.2.3` is neither a number nor an identifier.
      const after = source[i];
      if (isWordChar(after) || after === '.' || after === '"' || after === '`' || after === "'") {
        fail(`invalid number '${raw}${after}'`, pos);
      }
      tokens.push({ kind: 'number', value: Number(raw), integer: INTEGER.test(raw), raw, pos });
    } else if (isWordChar(ch) || ch === '"' || ch === '`') {
      const segments = [readSegment()];
      while (source[i] === '.') {
        i += 1;
        segments.push(readSegment());
      }
      tokens.push({ kind: 'ident', segments, raw: source.slice(pos, i), pos });
    } else if (OP_CHAR.test(ch)) {
      while (i < source.length && OP_CHAR.test(source.charAt(i))) i += 1;
      tokens.push({ kind: 'op', raw: source.slice(pos, i), pos });
    } else if (ch === '(' || ch === ')' || ch === ',') {
      i += 1;
      tokens.push({ kind: ch === '(' ? 'lparen' : ch === ')' ? 'rparen' : 'comma', raw: ch, pos });
    } else {
      fail(`unexpected character '${ch}'`, pos, '; quote keys containing special characters with double quotes or backticks');
    }
  }
  return tokens;
}
