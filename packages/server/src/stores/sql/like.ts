import { sql, type RawBuilder, type Expression } from 'kysely';
import type { SqlDialectName } from './dialect.js';

/** LIKE as MLflow means it: case-sensitive on every engine (SQLite's LIKE is not, so it becomes GLOB). */
export function likeToGlob(pattern: string): string {
  let out = '';
  for (const ch of pattern) {
    if (ch === '%') out += '*';
    else if (ch === '_') out += '?';
    else if (ch === '*' || ch === '?' || ch === '[') out += `[${ch}]`;
    else out += ch;
  }
  return out;
}

export function likeExpression(
  dialect: SqlDialectName,
  column: Expression<unknown>,
  pattern: string,
  caseInsensitive: boolean,
): RawBuilder<boolean> {
  if (dialect === 'postgres') {
    return caseInsensitive ? sql<boolean>`${column} ILIKE ${pattern}` : sql<boolean>`${column} LIKE ${pattern}`;
  }
  return caseInsensitive
    ? sql<boolean>`lower(${column}) LIKE lower(${pattern})`
    : sql<boolean>`${column} GLOB ${likeToGlob(pattern)}`;
}
