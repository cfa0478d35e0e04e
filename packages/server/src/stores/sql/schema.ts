/** Kysely table types of the SQL store. Column names follow MLflow's SQLAlchemy schema where it has one. */
import type { Generated, Selectable } from 'kysely';

export interface ExperimentsTable {
  experiment_id: Generated<number>;
  name: string;
  artifact_location: string;
  lifecycle_stage: string;
  creation_time: number;
  last_update_time: number;
}

export interface ExperimentTagsTable {
  experiment_id: number;
  key: string;
  value: string;
}

export interface RunsTable {
  /** Compact surrogate key: the metric tables are keyed by it instead of the 32-character run id. */
  run_key: Generated<number>;
  run_uuid: string;
  name: string;
  experiment_id: number;
  user_id: string;
  status: string;
  start_time: number;
  end_time: number | null;
  deleted_time: number | null;
  lifecycle_stage: string;
  artifact_uri: string;
}

export interface KeyValueTable {
  run_uuid: string;
  key: string;
  value: string;
}

export type RunRow = Selectable<RunsTable>;

export interface MetricsTable {
  run_key: number;
  key: string;
  step: number;
  timestamp: number;
  /** NaN is stored as value 0 with is_nan 1 (SQLite turns NaN into NULL). */
  value: number;
  is_nan: number;
}

export interface DatasetsTable {
  dataset_uuid: string;
  experiment_id: number;
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema: string | null;
  profile: string | null;
}

export interface InputsTable {
  input_uuid: string;
  source_id: string;
  destination_id: string;
}

export interface InputTagsTable {
  input_uuid: string;
  name: string;
  value: string;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: number;
}

export interface Database {
  experiments: ExperimentsTable;
  experiment_tags: ExperimentTagsTable;
  runs: RunsTable;
  params: KeyValueTable;
  tags: KeyValueTable;
  metrics: MetricsTable;
  latest_metrics: MetricsTable;
  datasets: DatasetsTable;
  inputs: InputsTable;
  input_tags: InputTagsTable;
  schema_migrations: SchemaMigrationsTable;
}
