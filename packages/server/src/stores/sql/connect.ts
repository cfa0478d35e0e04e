/**
 * Opens a Kysely instance for a backend-store URI: `sqlite:///rel.db`, `sqlite:////abs.db`, `postgresql://…`
 * (also `postgres://` and MLflow's `postgresql+psycopg2://`).
 */
import path from 'node:path';
import fs from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, SqliteDriver, type DatabaseConnection } from 'kysely';
import pg from 'pg';
import { RunlogError } from '@runlog/core';
import type { SqlDialectName } from './dialect.js';
import type { Database } from './schema.js';
import { startCheckpointer, type Checkpointer } from './sqlite-checkpointer.js';

export interface SqlConnection {
  db: Kysely<Database>;
  dialect: SqlDialectName;
  /** The SQLite handle, for synchronous fast paths run while holding Kysely's connection. */
  sqlite?: BetterSqlite3.Database;
  /** A second SQLite handle for reads: under WAL it sees only committed data and never waits on writers. */
  sqliteReader?: BetterSqlite3.Database;
  /** Runs WAL checkpoints off the request path (SQLite only). */
  checkpointer?: Checkpointer;
  pgPool?: pg.Pool;
  description: string;
}

export type ParsedStoreUri =
  | { kind: 'sqlite'; file: string }
  | { kind: 'postgres'; connectionString: string };

export function parseStoreUri(uri: string, cwd: string = process.cwd()): ParsedStoreUri {
  const pgMatch = /^(postgresql|postgres)(\+[a-z0-9]+)?:\/\//i.exec(uri);
  if (pgMatch) return { kind: 'postgres', connectionString: `postgresql://${uri.slice(pgMatch[0].length)}` };
  if (uri.startsWith('sqlite://')) {
    const rest = uri.slice('sqlite://'.length);
    if (rest === '' || rest === '/' || rest.startsWith('/:memory:')) {
      throw RunlogError.invalidParameter(
        'An in-memory SQLite database loses data between connections; give a file: sqlite:///runlog.db',
      );
    }
    // sqlite:///rel.db → "/rel.db" (relative); sqlite:////abs.db → "//abs.db" (absolute), as SQLAlchemy reads it.
    const withoutSlash = rest.startsWith('/') ? rest.slice(1) : rest;
    const file = withoutSlash.startsWith('/') ? withoutSlash : path.resolve(cwd, withoutSlash);
    return { kind: 'sqlite', file: decodeURIComponent(file.split('?')[0] ?? file) };
  }
  throw RunlogError.invalidParameter(
    `Unsupported backend store URI '${uri}'. Use sqlite:///path.db or postgresql://user:pass@host:5432/db`,
  );
}

/** Takes the SQLite write lock at BEGIN, so two processes never deadlock upgrading read locks. */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: ConstructorParameters<typeof SqliteDialect>[0];
  constructor(config: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(config);
    this.#config = config;
  }
  override createDriver(): SqliteDriver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

const statementCaches = new WeakMap<BetterSqlite3.Database, Map<string, BetterSqlite3.Statement>>();

/** better-sqlite3 statements are reusable; preparing costs more than running small ones, so cache by text. */
export function cachedStatement(raw: BetterSqlite3.Database, text: string): BetterSqlite3.Statement {
  let cache = statementCaches.get(raw);
  if (!cache) statementCaches.set(raw, (cache = new Map<string, BetterSqlite3.Statement>()));
  let stmt = cache.get(text);
  if (!stmt) {
    stmt = raw.prepare(text);
    if (cache.size >= 1000) cache.clear();
    cache.set(text, stmt);
  }
  return stmt;
}

/** Kysely's SQLite driver prepares on every query; route it through the statement cache. */
function withStatementCache(raw: BetterSqlite3.Database) {
  return { close: () => raw.close(), prepare: (text: string) => cachedStatement(raw, text) };
}

function openSqliteFile(file: string, readonly: boolean): BetterSqlite3.Database {
  const raw = new BetterSqlite3(file, { readonly, fileMustExist: readonly });
  raw.pragma('busy_timeout = 10000');
  if (!readonly) {
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    // Checkpoints run in a worker (sqlite-checkpointer.ts); this is only the backstop.
    raw.pragma('wal_autocheckpoint = 50000');
    raw.pragma('foreign_keys = ON');
  }
  raw.pragma('cache_size = -65536');
  raw.pragma('mmap_size = 268435456');
  return raw;
}

export interface ConnectOptions {
  poolSize?: number;
  /** PostgreSQL schema to use (tests isolate themselves this way). */
  pgSchema?: string;
}

export function connect(uri: string, options: ConnectOptions = {}): SqlConnection {
  const parsed = parseStoreUri(uri);
  if (parsed.kind === 'sqlite') {
    fs.mkdirSync(path.dirname(parsed.file), { recursive: true });
    const sqlite = openSqliteFile(parsed.file, false);
    const sqliteReader = openSqliteFile(parsed.file, true);
    const db = new Kysely<Database>({
      dialect: new ImmediateSqliteDialect({ database: withStatementCache(sqlite) }),
    });
    const checkpointer = startCheckpointer(parsed.file);
    return { db, dialect: 'sqlite', sqlite, sqliteReader, checkpointer, description: `sqlite:///${parsed.file}` };
  }
  // int8 and numeric come back as strings by default; every bigint we store fits a double.
  pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));
  // Doubles must come back exact whatever the server's default: both when pg parses them and when the
  // database prints them into JSON itself (metric history). Any positive setting prints the shortest exact form.
  const settings = ['-c extra_float_digits=3', ...(options.pgSchema ? [`-c search_path=${options.pgSchema}`] : [])];
  const pgPool = new pg.Pool({ connectionString: parsed.connectionString, max: options.poolSize ?? 10, options: settings.join(' ') });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: pgPool }) });
  const safe = parsed.connectionString.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  return { db, dialect: 'postgres', pgPool, description: safe };
}

/** Closes everything `connect` opened. */
export async function closeConnection(conn: SqlConnection): Promise<void> {
  await conn.db.destroy();
  conn.sqliteReader?.close();
  await conn.checkpointer?.stop();
}
