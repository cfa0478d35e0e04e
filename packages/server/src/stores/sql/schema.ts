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

export interface RegisteredModelsTable {
  name: string;
  /** The name fully percent-decoded and NFC-normalised: unique, so encoded duplicates cannot exist. */
  name_key: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description: string;
}

export interface ModelVersionsTable {
  name: string;
  version: number;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description: string;
  user_id: string | null;
  /** One of MLflow's stages, or `Deleted_Internal` for a soft-deleted version. */
  current_stage: string;
  source: string;
  storage_location: string | null;
  run_id: string | null;
  run_link: string | null;
  status: string;
  status_message: string | null;
}

export interface RegisteredModelTagsTable {
  name: string;
  key: string;
  value: string;
}

export interface ModelVersionTagsTable {
  name: string;
  version: number;
  key: string;
  value: string;
}

export interface RegisteredModelAliasesTable {
  name: string;
  alias: string;
  version: number;
}

export interface TraceInfoTable {
  request_id: string;
  experiment_id: number;
  timestamp_ms: number;
  execution_time_ms: number | null;
  status: string;
}

export interface TraceKeyValueTable {
  request_id: string;
  key: string;
  value: string;
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
  registered_models: RegisteredModelsTable;
  model_versions: ModelVersionsTable;
  registered_model_tags: RegisteredModelTagsTable;
  model_version_tags: ModelVersionTagsTable;
  registered_model_aliases: RegisteredModelAliasesTable;
  trace_info: TraceInfoTable;
  trace_tags: TraceKeyValueTable;
  trace_request_metadata: TraceKeyValueTable;
}
