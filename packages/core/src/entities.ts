/**
 * MLflow's entities with MLflow's JSON property names, so a store row, a REST body and a UI prop share one
 * shape. Optional properties are omitted on the wire when unset, as MLflow's proto JSON does.
 */

export type LifecycleStage = 'active' | 'deleted';
export const RUN_STATUSES = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const VIEW_TYPES = ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'] as const;
export type ViewType = (typeof VIEW_TYPES)[number];

export interface KeyValue {
  key: string;
  value: string;
}
export type ExperimentTag = KeyValue;
export type RunTag = KeyValue;
export type Param = KeyValue;
export type InputTag = KeyValue;

export interface Experiment {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: LifecycleStage;
  last_update_time?: number;
  creation_time?: number;
  tags?: ExperimentTag[];
}

/** `value` may be NaN or ±Infinity; the wire encodes those as the strings MLflow uses. */
export interface Metric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

export interface MetricWithRunId extends Metric {
  run_id: string;
}

export interface RunInfo {
  run_id: string;
  /** Deprecated duplicate of run_id; MLflow's UI and old clients still read it. */
  run_uuid: string;
  run_name: string;
  experiment_id: string;
  user_id: string;
  status: RunStatus;
  start_time: number;
  end_time?: number;
  artifact_uri: string;
  lifecycle_stage: LifecycleStage;
}

export interface RunData {
  metrics?: Metric[];
  params?: Param[];
  tags?: RunTag[];
}

export interface Dataset {
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema?: string;
  profile?: string;
}

export interface DatasetInput {
  tags?: InputTag[];
  dataset: Dataset;
}

export interface RunInputs {
  dataset_inputs?: DatasetInput[];
}

export interface Run {
  info: RunInfo;
  data: RunData;
  inputs: RunInputs;
}

export interface FileInfo {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

export interface DatasetSummary {
  experiment_id: string;
  name: string;
  digest: string;
  context?: string;
}

/** One page of a paged listing; `next_page_token` is absent on the last page. */
export interface Page<T> {
  items: T[];
  next_page_token?: string;
}

export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['FINISHED', 'FAILED', 'KILLED'];
