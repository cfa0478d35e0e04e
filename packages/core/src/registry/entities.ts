/** Model registry entities, with MLflow's JSON names (model_registry.proto). */
import type { KeyValue } from '../entities.js';

export const MODEL_VERSION_STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;
export type ModelVersionStage = (typeof MODEL_VERSION_STAGES)[number];

export const MODEL_VERSION_STATUSES = ['PENDING_REGISTRATION', 'FAILED_REGISTRATION', 'READY'] as const;
export type ModelVersionStatus = (typeof MODEL_VERSION_STATUSES)[number];

export type RegisteredModelTag = KeyValue;
export type ModelVersionTag = KeyValue;

export interface RegisteredModelAlias {
  alias: string;
  /** The version number as decimal text, as MLflow sends it. */
  version: string;
}

export interface ModelVersion {
  name: string;
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id?: string;
  current_stage: ModelVersionStage;
  /** Always present (possibly empty): the Python client reads it unconditionally. */
  description: string;
  source: string;
  run_id?: string;
  status: ModelVersionStatus;
  status_message?: string;
  tags?: ModelVersionTag[];
  /** Always present (possibly empty), as MLflow's SQL store sends it. */
  run_link: string;
  aliases?: string[];
}

export interface RegisteredModel {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id?: string;
  description?: string;
  latest_versions?: ModelVersion[];
  tags?: RegisteredModelTag[];
  aliases?: RegisteredModelAlias[];
}
