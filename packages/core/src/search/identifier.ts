import type { Segment } from './lexer.js';
import { problem } from './problem.js';

/**
 * Splits `<type>.<key>` at the first dot, so `params.a.b` is param `a.b`; a lone segment is a bare
 * attribute key. Quoting only matters to the lexer: `metrics."a.b"` and `metrics.a.b` name the same key.
 */
export function splitIdentifier(segments: readonly Segment[], raw: string): { entity: string | undefined; key: string } {
  const [first, ...rest] = segments;
  const key = rest.length === 0 ? (first?.text ?? '') : rest.map((s) => s.text).join('.');
  if (key === '') throw problem(`the key of '${raw}' is empty`);
  return rest.length === 0 ? { entity: undefined, key } : { entity: first?.text, key };
}

/** Looks `name` up in an alias table, ignoring case (MLflow itself only knows the lower-case spellings). */
export function lookupAlias<T>(table: Readonly<Record<string, T>>, name: string): T | undefined {
  const lower = name.toLowerCase();
  return Object.hasOwn(table, lower) ? table[lower] : undefined;
}
