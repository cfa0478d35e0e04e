/** In-memory evaluation of the parsed search grammar (core's clause ASTs), shared by every file-store search. */
import { likeToRegExp, type Comparator } from '@runlog/core';

/** Whether `actual` passes `comparator value`; a missing value passes nothing. */
export function matches(actual: string | number | undefined, comparator: Comparator, value: string | number | readonly string[]): boolean {
  if (actual === undefined) return false;
  if (comparator === 'IN' || comparator === 'NOT IN') {
    const list = Array.isArray(value) ? value : [String(value)];
    const hit = list.includes(String(actual));
    return comparator === 'IN' ? hit : !hit;
  }
  if (comparator === 'LIKE' || comparator === 'ILIKE') return likeToRegExp(String(value), comparator === 'ILIKE').test(String(actual));
  let a: string | number = actual;
  let b: string | number = Array.isArray(value) ? String(value) : (value as string | number);
  if (typeof b === 'number') {
    a = typeof a === 'number' ? a : Number(a);
    if (Number.isNaN(a)) return false;
  } else if (typeof a === 'number') {
    b = Number(b);
  }
  switch (comparator) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

/** Ascending order of two optional values; missing sorts last whichever the direction (as the SQL store). */
export function compareValues(a: string | number | undefined, b: string | number | undefined, ascending: boolean): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  const c = a < b ? -1 : a > b ? 1 : 0;
  return ascending ? c : -c;
}

/** Numeric-aware id order: shorter digit strings first, then text. */
export function idOrder(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
