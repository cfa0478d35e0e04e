import type { Kysely } from 'kysely';
import type { SqlConnection } from './connect.js';
import type { SqlDialectName } from './dialect.js';
import type { Database } from './schema.js';

/** What every per-entity module of the SQL store needs. */
export interface SqlContext {
  readonly conn: SqlConnection;
  readonly db: Kysely<Database>;
  readonly dialect: SqlDialectName;
  /** Root under which new experiments get `<root>/<experiment_id>` as artifact location. */
  readonly defaultArtifactRoot: string;
}

/** Splits a list so no statement exceeds the engines' bound-parameter limits. */
export function chunked<T>(items: readonly T[], size = 5000): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
