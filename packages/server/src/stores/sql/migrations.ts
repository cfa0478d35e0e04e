/**
 * Versioned schema migrations, recorded in `schema_migrations`. Each runs in its own transaction; on
 * PostgreSQL concurrent starters are serialised by an advisory lock. A server refuses to run against a
 * schema newer than it knows.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import { RunlogError } from '@runlog/core';
import type { SqlDialectName } from './dialect.js';
import type { Database } from './schema.js';

interface Migration {
  version: number;
  name: string;
  up(db: Transaction<Database>, dialect: SqlDialectName): Promise<void>;
}

const bigint = 'bigint' as const;

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tracking',
    async up(db, dialect) {
      const idType = dialect === 'sqlite' ? 'integer' : 'bigserial';
      await db.schema
        .createTable('experiments')
        .addColumn('experiment_id', idType, (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('artifact_location', 'text', (c) => c.notNull())
        .addColumn('lifecycle_stage', 'text', (c) => c.notNull())
        .addColumn('creation_time', bigint, (c) => c.notNull())
        .addColumn('last_update_time', bigint, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('experiment_tags')
        .addColumn('experiment_id', bigint, (c) => c.notNull().references('experiments.experiment_id'))
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('experiment_tags_pk', ['experiment_id', 'key'])
        .execute();
      await db.schema
        .createTable('runs')
        .addColumn('run_key', idType, (c) => c.primaryKey())
        .addColumn('run_uuid', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('experiment_id', bigint, (c) => c.notNull().references('experiments.experiment_id'))
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('start_time', bigint, (c) => c.notNull())
        .addColumn('end_time', bigint)
        .addColumn('deleted_time', bigint)
        .addColumn('lifecycle_stage', 'text', (c) => c.notNull())
        .addColumn('artifact_uri', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('runs_experiment_start')
        .on('runs')
        .columns(['experiment_id', 'start_time desc', 'run_uuid'])
        .execute();
      for (const table of ['params', 'tags'] as const) {
        await db.schema
          .createTable(table)
          .addColumn('run_uuid', 'text', (c) => c.notNull().references('runs.run_uuid').onDelete('cascade'))
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('value', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint(`${table}_pk`, ['run_uuid', 'key'])
          .modifyEnd(dialect === 'sqlite' ? sql`without rowid` : sql``)
          .execute();
        await db.schema.createIndex(`${table}_key_value`).on(table).columns(['key', 'value']).execute();
      }
      // The full history. The primary key makes a retried log-batch a no-op and serves history reads in
      // step order straight from the index.
      await db.schema
        .createTable('metrics')
        .addColumn('run_key', bigint, (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('step', bigint, (c) => c.notNull())
        .addColumn('timestamp', bigint, (c) => c.notNull())
        .addColumn('value', 'double precision', (c) => c.notNull())
        .addColumn('is_nan', 'smallint', (c) => c.notNull())
        .addPrimaryKeyConstraint('metrics_pk', ['run_key', 'key', 'step', 'timestamp', 'value', 'is_nan'])
        .modifyEnd(dialect === 'sqlite' ? sql`without rowid` : sql``)
        .execute();
      // One row per (run, key): the maximum of (step, timestamp, value), as MLflow defines "latest".
      await db.schema
        .createTable('latest_metrics')
        .addColumn('run_key', bigint, (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('step', bigint, (c) => c.notNull())
        .addColumn('timestamp', bigint, (c) => c.notNull())
        .addColumn('value', 'double precision', (c) => c.notNull())
        .addColumn('is_nan', 'smallint', (c) => c.notNull())
        .addPrimaryKeyConstraint('latest_metrics_pk', ['run_key', 'key'])
        .modifyEnd(dialect === 'sqlite' ? sql`without rowid` : sql``)
        .execute();
      await db.schema.createIndex('latest_metrics_key_value').on('latest_metrics').columns(['key', 'value']).execute();
      await db.schema
        .createTable('datasets')
        .addColumn('dataset_uuid', 'text', (c) => c.primaryKey())
        .addColumn('experiment_id', bigint, (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('digest', 'text', (c) => c.notNull())
        .addColumn('source_type', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('schema', 'text')
        .addColumn('profile', 'text')
        .addUniqueConstraint('datasets_experiment_name_digest', ['experiment_id', 'name', 'digest'])
        .execute();
      await db.schema
        .createTable('inputs')
        .addColumn('input_uuid', 'text', (c) => c.primaryKey())
        .addColumn('source_id', 'text', (c) => c.notNull())
        .addColumn('destination_id', 'text', (c) => c.notNull())
        .addUniqueConstraint('inputs_source_destination', ['source_id', 'destination_id'])
        .execute();
      await db.schema.createIndex('inputs_destination').on('inputs').column('destination_id').execute();
      await db.schema
        .createTable('input_tags')
        .addColumn('input_uuid', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('input_tags_pk', ['input_uuid', 'name'])
        .execute();
      const now = Date.now();
      await db
        .insertInto('experiments')
        .values({
          experiment_id: 0,
          name: 'Default',
          artifact_location: '',
          lifecycle_stage: 'active',
          creation_time: now,
          last_update_time: now,
        })
        .execute();
    },
  },
  {
    version: 2,
    name: 'model registry',
    async up(db, dialect) {
      const withoutRowid = dialect === 'sqlite' ? sql`without rowid` : sql``;
      // No foreign keys: a rename rewrites `name` in every registry table inside one transaction.
      await db.schema
        .createTable('registered_models')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('name_key', 'text', (c) => c.notNull().unique())
        .addColumn('creation_timestamp', bigint, (c) => c.notNull())
        .addColumn('last_updated_timestamp', bigint, (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .modifyEnd(withoutRowid)
        .execute();
      if (dialect === 'postgres') {
        // `name LIKE 'prefix%'` can use a btree only through pattern ops unless the collation is plain C.
        await sql`create index registered_models_name_pattern on registered_models (name text_pattern_ops)`.execute(db);
      }
      await db.schema
        .createIndex('registered_models_last_updated')
        .on('registered_models')
        .columns(['last_updated_timestamp', 'name'])
        .execute();
      await db.schema
        .createTable('model_versions')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('creation_timestamp', bigint, (c) => c.notNull())
        .addColumn('last_updated_timestamp', bigint, (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text')
        .addColumn('current_stage', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('storage_location', 'text')
        .addColumn('run_id', 'text')
        .addColumn('run_link', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('status_message', 'text')
        .addPrimaryKeyConstraint('model_versions_pk', ['name', 'version'])
        .modifyEnd(withoutRowid)
        .execute();
      await db.schema.createIndex('model_versions_run_id').on('model_versions').column('run_id').execute();
      await db.schema
        .createIndex('model_versions_last_updated')
        .on('model_versions')
        .columns(['last_updated_timestamp', 'name', 'version'])
        .execute();
      await db.schema
        .createTable('registered_model_tags')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('registered_model_tags_pk', ['name', 'key'])
        .modifyEnd(withoutRowid)
        .execute();
      await db.schema
        .createIndex('registered_model_tags_key_value')
        .on('registered_model_tags')
        .columns(['key', 'value'])
        .execute();
      await db.schema
        .createTable('model_version_tags')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('model_version_tags_pk', ['name', 'version', 'key'])
        .modifyEnd(withoutRowid)
        .execute();
      await db.schema
        .createIndex('model_version_tags_key_value')
        .on('model_version_tags')
        .columns(['key', 'value'])
        .execute();
      await db.schema
        .createTable('registered_model_aliases')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('alias', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('registered_model_aliases_pk', ['name', 'alias'])
        .modifyEnd(withoutRowid)
        .execute();
    },
  },
  {
    version: 3,
    name: 'traces',
    async up(db, dialect) {
      const withoutRowid = dialect === 'sqlite' ? sql`without rowid` : sql``;
      // MLflow Tracing's trace records; span data lives in the artifact store (traces.json), not here.
      await db.schema
        .createTable('trace_info')
        .addColumn('request_id', 'text', (c) => c.primaryKey())
        .addColumn('experiment_id', bigint, (c) => c.notNull().references('experiments.experiment_id'))
        .addColumn('timestamp_ms', bigint, (c) => c.notNull())
        .addColumn('execution_time_ms', bigint)
        .addColumn('status', 'text', (c) => c.notNull())
        .modifyEnd(withoutRowid)
        .execute();
      await db.schema
        .createIndex('trace_info_experiment_timestamp')
        .on('trace_info')
        .columns(['experiment_id', 'timestamp_ms desc', 'request_id'])
        .execute();
      // Child rows are deleted with their trace by the store (in one transaction), not by cascades.
      for (const table of ['trace_tags', 'trace_request_metadata'] as const) {
        await db.schema
          .createTable(table)
          .addColumn('request_id', 'text', (c) => c.notNull().references('trace_info.request_id'))
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('value', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint(`${table}_pk`, ['request_id', 'key'])
          .modifyEnd(withoutRowid)
          .execute();
        await db.schema.createIndex(`${table}_key_value`).on(table).columns(['key', 'value']).execute();
      }
    },
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

async function ensureMigrationsTable(db: Kysely<Database>): Promise<void> {
  await db.schema
    .createTable('schema_migrations')
    .ifNotExists()
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('applied_at', bigint, (c) => c.notNull())
    .execute();
}

export async function currentSchemaVersion(db: Kysely<Database>): Promise<number> {
  await ensureMigrationsTable(db);
  const row = await db
    .selectFrom('schema_migrations')
    .select((eb) => eb.fn.max('version').as('version'))
    .executeTakeFirst();
  return Number(row?.version ?? 0);
}

const ADVISORY_LOCK_KEY = 0x52756e6c; // "Runl"

/**
 * Applies pending migrations. `onFresh` fills in what a migration cannot know (the default artifact root).
 * With `onlyIfFresh`, an existing database at another version is refused instead of upgraded: upgrades are
 * an operator's decision (`runlog db upgrade`), never a side effect of starting a server.
 */
export async function migrate(
  db: Kysely<Database>,
  dialect: SqlDialectName,
  onFresh?: (trx: Transaction<Database>) => Promise<void>,
  onlyIfFresh = false,
): Promise<{ from: number; to: number }> {
  return db.transaction().execute(async (lockTrx) => {
    // Taken before anything else, so concurrent starters never race on DDL (SQLite's BEGIN IMMEDIATE does the same).
    if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${ADVISORY_LOCK_KEY})`.execute(lockTrx);
    const from = await currentSchemaVersion(lockTrx);
    if (from > LATEST_SCHEMA_VERSION) {
      throw new RunlogError(
        'INVALID_STATE',
        `The database schema is at version ${from}, newer than this Runlog understands (${LATEST_SCHEMA_VERSION}). Upgrade Runlog.`,
      );
    }
    if (onlyIfFresh && from !== 0 && from < LATEST_SCHEMA_VERSION) {
      throw new RunlogError(
        'INVALID_STATE',
        `The database schema is at version ${from}; this Runlog needs version ${LATEST_SCHEMA_VERSION}. Take a backup, then run: runlog db upgrade <backend-store-uri>`,
      );
    }
    for (const migration of MIGRATIONS) {
      if (migration.version <= from) continue;
      await migration.up(lockTrx, dialect);
      if (migration.version === 1 && onFresh) await onFresh(lockTrx);
      await lockTrx
        .insertInto('schema_migrations')
        .values({ version: migration.version, name: migration.name, applied_at: Date.now() })
        .execute();
    }
    return { from, to: LATEST_SCHEMA_VERSION };
  });
}
