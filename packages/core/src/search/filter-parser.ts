import type { Comparator } from './ast.js';
import { describeToken, isKeyword, tokenize, type Segment, type Token } from './lexer.js';
import { problem, withContext } from './problem.js';

/** A comparison's right-hand side before the grammar checks it against the identifier's type. */
export type RawValue =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number; integer: boolean; raw: string }
  | { kind: 'list'; values: string[] }
  /** An unquoted word, kept so each grammar can say what it expected instead. */
  | { kind: 'bare'; raw: string };

/** What distinguishes the runs grammar from the experiments grammar. */
export interface ClauseGrammar<Id, Clause> {
  resolveIdentifier(segments: readonly Segment[], raw: string): Id;
  comparators(id: Id): readonly Comparator[];
  describe(id: Id): string;
  buildClause(id: Id, comparator: Comparator, value: RawValue): Clause;
}

export const NUMERIC_COMPARATORS = ['=', '!=', '>', '>=', '<', '<='] as const satisfies readonly Comparator[];
export const STRING_COMPARATORS = ['=', '!=', 'LIKE', 'ILIKE'] as const satisfies readonly Comparator[];
export const STRING_AND_LIST_COMPARATORS = [...STRING_COMPARATORS, 'IN', 'NOT IN'] as const satisfies readonly Comparator[];

export function formatComparators(comparators: readonly Comparator[]): string {
  return comparators.map((c) => `'${c}'`).join(', ');
}

export function isListComparator(comparator: Comparator): boolean {
  return comparator === 'IN' || comparator === 'NOT IN';
}

/** Renders a value for messages in the form the user wrote it. */
export function describeValue(value: RawValue): string {
  switch (value.kind) {
    case 'string':
      return `'${value.value}'`;
    case 'number':
    case 'bare':
      return value.raw;
    case 'list':
      return `(${value.values.map((v) => `'${v}'`).join(', ')})`;
  }
}

/** Parses `<identifier> <comparator> <value> [AND ...]`; an empty or blank filter has no clauses. */
export function parseConjunction<Id, Clause>(filter: string | undefined, grammar: ClauseGrammar<Id, Clause>): Clause[] {
  if (filter === undefined || filter === null) return [];
  if (typeof filter !== 'string') throw problem('Invalid filter: expected a string');
  return withContext(`Invalid filter '${filter}'`, () => parseTokens(tokenize(filter), grammar));
}

function parseTokens<Id, Clause>(tokens: readonly Token[], grammar: ClauseGrammar<Id, Clause>): Clause[] {
  const clauses: Clause[] = [];
  let i = 0;
  const fail = (message: string): never => {
    throw problem(message);
  };

  const readIdentifier = (): Token & { kind: 'ident' } => {
    const token = tokens[i];
    if (token?.kind === 'ident' && !isKeyword(token, 'AND') && !isKeyword(token, 'OR') && !isKeyword(token, 'NOT')) {
      i += 1;
      return token;
    }
    if (isKeyword(token, 'NOT')) return fail(`NOT is only supported as part of NOT IN, found ${describeToken(token)}`);
    if (token?.kind === 'lparen') return fail(`parentheses are only allowed around an IN value list, found ${describeToken(token)}`);
    if (isKeyword(token, 'AND') || isKeyword(token, 'OR')) {
      return fail(`expected a comparison before ${describeToken(token)}`);
    }
    return fail(`expected an identifier such as metrics.<key> or attributes.<key>, found ${describeToken(token)}`);
  };

  const readComparator = (id: Id, identRaw: string): Comparator => {
    const token = tokens[i];
    let text: string;
    if (token?.kind === 'op') {
      text = token.raw;
      i += 1;
    } else if (isBareWord(token) && !isKeyword(token, 'AND') && !isKeyword(token, 'OR')) {
      i += 1;
      text = token.raw.toUpperCase();
      if (text === 'NOT') {
        if (!isKeyword(tokens[i], 'IN')) return fail(`NOT is only supported as part of NOT IN, found ${describeToken(token)}`);
        i += 1;
        text = 'NOT IN';
      }
    } else {
      return fail(`missing comparator after '${identRaw}', found ${describeToken(token)}`);
    }
    const valid = grammar.comparators(id);
    const comparator = valid.find((c) => c === text);
    if (comparator === undefined) {
      return fail(`invalid comparator '${text}' for ${grammar.describe(id)}; valid comparators are ${formatComparators(valid)}`);
    }
    return comparator;
  };

  const readList = (open: Token): RawValue => {
    const values: string[] = [];
    for (;;) {
      const token = tokens[i];
      const value = token === undefined ? undefined : stringValue(token);
      if (value === undefined) {
        const found = token?.kind === 'rparen' && values.length === 0 ? 'the list is empty' : `found ${describeToken(token)}`;
        return fail(`expected a quoted string in the list opened at position ${open.pos + 1}: ${found}`);
      }
      values.push(value);
      i += 1;
      const sep = tokens[i];
      i += 1;
      if (sep?.kind === 'rparen') return { kind: 'list', values };
      if (sep?.kind !== 'comma') return fail(`expected ',' or ')' in the list opened at position ${open.pos + 1}, found ${describeToken(sep)}`);
    }
  };

  const readValue = (context: string): RawValue => {
    const token = tokens[i];
    if (token === undefined || isKeyword(token, 'AND') || isKeyword(token, 'OR')) {
      return fail(`missing value after '${context}', found ${describeToken(token)}`);
    }
    i += 1;
    const text = stringValue(token);
    if (text !== undefined) return { kind: 'string', value: text };
    switch (token.kind) {
      case 'number':
        return { kind: 'number', value: token.value, integer: token.integer, raw: token.raw };
      case 'lparen':
        return readList(token);
      case 'ident':
        return { kind: 'bare', raw: token.raw };
      default:
        return fail(`expected a value after '${context}', found ${describeToken(token)}`);
    }
  };

  if (tokens.length === 0) return clauses;
  for (;;) {
    const ident = readIdentifier();
    const id = grammar.resolveIdentifier(ident.segments, ident.raw);
    const comparator = readComparator(id, ident.raw);
    const value = readValue(`${ident.raw} ${comparator}`);
    clauses.push(grammar.buildClause(id, comparator, value));

    const next = tokens[i];
    if (next === undefined) return clauses;
    if (isKeyword(next, 'OR')) fail(`OR is not supported, only comparisons joined with AND (${describeToken(next)})`);
    if (!isKeyword(next, 'AND')) fail(`expected AND between comparisons, found ${describeToken(next)}`);
    i += 1;
    if (tokens[i] === undefined) fail(`dangling AND at position ${next.pos + 1} with no comparison after it`);
  }
}

function isBareWord(token: Token | undefined): token is Token & { kind: 'ident' } {
  return token?.kind === 'ident' && token.segments.length === 1 && token.segments[0]?.quote === '';
}

/** Single-quoted literals and lone double-quoted words are both string values. */
function stringValue(token: Token): string | undefined {
  if (token.kind === 'string') return token.value;
  if (token.kind === 'ident' && token.segments.length === 1 && token.segments[0]?.quote === '"') return token.segments[0].text;
  return undefined;
}

/** The number a numeric identifier is compared with; `integer` for millisecond timestamps. */
export function numberValue(value: RawValue, what: string, integer: boolean): number {
  const expected = integer ? 'an integer' : 'a numeric value';
  if (value.kind !== 'number') {
    throw problem(`expected ${expected} for ${what}, found ${value.kind === 'string' ? 'string ' : ''}${describeValue(value)}`);
  }
  if (integer ? !Number.isSafeInteger(value.value) || !value.integer : !Number.isFinite(value.value)) {
    throw problem(`expected ${expected} for ${what}, found ${value.raw}`);
  }
  return value.value;
}

/** A quoted string, or a list of them for IN / NOT IN. */
export function stringOrListValue(value: RawValue, comparator: Comparator, what: string): string | string[] {
  if (isListComparator(comparator)) {
    if (value.kind === 'list') return value.values;
    throw problem(`${comparator} for ${what} needs a parenthesised list of quoted strings such as ('a', 'b'), found ${describeValue(value)}`);
  }
  switch (value.kind) {
    case 'string':
      return value.value;
    case 'list':
      throw problem(`a list value for ${what} is only allowed with IN or NOT IN, not '${comparator}'`);
    case 'number':
    case 'bare':
      throw problem(`expected a quoted string value for ${what} (e.g. 'my-value'), found unquoted ${value.raw}`);
  }
}
