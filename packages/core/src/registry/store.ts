import type { KeyValue, Page } from '../entities.js';
import type { ModelVersion, ModelVersionStage, RegisteredModel } from './entities.js';

export interface SearchRegistryQuery {
  filter?: string | undefined;
  maxResults: number;
  orderBy?: readonly string[] | undefined;
  pageToken?: string | undefined;
}

export interface CreateModelVersionInput {
  name: string;
  /** The source as the caller gave it (validated by the server before it reaches a store). */
  source: string;
  /** Where the artifacts are, when it differs from `source` (a resolved `runs:/` or `models:/` source). */
  storageLocation?: string | undefined;
  runId?: string | undefined;
  runLink?: string | undefined;
  description?: string | undefined;
  tags?: readonly KeyValue[] | undefined;
}

/**
 * The model registry (MLflow's AbstractStore for model_registry), MLflow's semantics: versions numbered from
 * 1 and never reused, created READY; deleting a version is a soft delete that also drops its aliases.
 * Versions are passed as MLflow sends them, decimal text.
 */
export interface RegistryStore {
  createRegisteredModel(name: string, tags?: readonly KeyValue[], description?: string): Promise<RegisteredModel>;
  getRegisteredModel(name: string): Promise<RegisteredModel>;
  renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel>;
  updateRegisteredModel(name: string, description: string | undefined): Promise<RegisteredModel>;
  deleteRegisteredModel(name: string): Promise<void>;
  searchRegisteredModels(query: SearchRegistryQuery): Promise<Page<RegisteredModel>>;
  /** The latest version per stage; every stage when `stages` is empty. */
  getLatestVersions(name: string, stages?: readonly string[]): Promise<ModelVersion[]>;
  setRegisteredModelTag(name: string, tag: KeyValue): Promise<void>;
  deleteRegisteredModelTag(name: string, key: string): Promise<void>;
  setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void>;
  deleteRegisteredModelAlias(name: string, alias: string): Promise<void>;
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion>;

  createModelVersion(input: CreateModelVersionInput): Promise<ModelVersion>;
  getModelVersion(name: string, version: string): Promise<ModelVersion>;
  updateModelVersion(name: string, version: string, description: string | undefined): Promise<ModelVersion>;
  deleteModelVersion(name: string, version: string): Promise<void>;
  transitionModelVersionStage(
    name: string,
    version: string,
    stage: string,
    archiveExistingVersions: boolean,
  ): Promise<ModelVersion>;
  searchModelVersions(query: SearchRegistryQuery): Promise<Page<ModelVersion>>;
  /** The version's storage location (its source when none was resolved). */
  getModelVersionDownloadUri(name: string, version: string): Promise<string>;
  setModelVersionTag(name: string, version: string, tag: KeyValue): Promise<void>;
  deleteModelVersionTag(name: string, version: string, key: string): Promise<void>;
}

export type { ModelVersionStage };
