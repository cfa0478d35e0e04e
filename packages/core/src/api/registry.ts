/** The model registry's endpoints (MLflow 2.x model_registry.proto), with request schemas. */
import { z } from 'zod';
import type { ModelVersion, RegisteredModel } from '../registry/entities.js';
import { endpoint } from './endpoint.js';
import { keyValue, optionalInt64, optionalString, requiredString, stringList } from './fields.js';

type Empty = Record<string, never>;

/** A required string that may be empty (tag values): present, but `""` allowed. */
const presentString = z.string();
/** JSON booleans, and their spellings in a query string. */
const lenientBoolean = z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean());

const searchRequest = z.object({
  filter: optionalString,
  max_results: optionalInt64,
  order_by: stringList.optional().default([]),
  page_token: optionalString,
});
const nameVersion = { name: requiredString, version: requiredString };

export const registry = {
  createRegisteredModel: endpoint<{ registered_model: RegisteredModel }>()({
    name: 'createRegisteredModel',
    methods: ['POST'],
    path: '/mlflow/registered-models/create',
    request: z.object({ name: requiredString, tags: z.array(keyValue).optional().default([]), description: optionalString }),
  }),
  renameRegisteredModel: endpoint<{ registered_model: RegisteredModel }>()({
    name: 'renameRegisteredModel',
    methods: ['POST'],
    path: '/mlflow/registered-models/rename',
    request: z.object({ name: requiredString, new_name: requiredString }),
  }),
  updateRegisteredModel: endpoint<{ registered_model: RegisteredModel }>()({
    name: 'updateRegisteredModel',
    methods: ['PATCH'],
    path: '/mlflow/registered-models/update',
    request: z.object({ name: requiredString, description: optionalString }),
  }),
  deleteRegisteredModel: endpoint<Empty>()({
    name: 'deleteRegisteredModel',
    methods: ['DELETE'],
    path: '/mlflow/registered-models/delete',
    request: z.object({ name: requiredString }),
  }),
  getRegisteredModel: endpoint<{ registered_model: RegisteredModel }>()({
    name: 'getRegisteredModel',
    methods: ['GET'],
    path: '/mlflow/registered-models/get',
    request: z.object({ name: requiredString }),
  }),
  searchRegisteredModels: endpoint<{ registered_models?: RegisteredModel[]; next_page_token?: string }>()({
    name: 'searchRegisteredModels',
    methods: ['GET'],
    path: '/mlflow/registered-models/search',
    listFields: ['order_by'],
    request: searchRequest,
  }),
  getLatestVersions: endpoint<{ model_versions?: ModelVersion[] }>()({
    name: 'getLatestVersions',
    methods: ['POST', 'GET'],
    path: '/mlflow/registered-models/get-latest-versions',
    listFields: ['stages'],
    request: z.object({ name: requiredString, stages: stringList.optional().default([]) }),
  }),
  setRegisteredModelTag: endpoint<Empty>()({
    name: 'setRegisteredModelTag',
    methods: ['POST'],
    path: '/mlflow/registered-models/set-tag',
    request: z.object({ name: requiredString, key: requiredString, value: presentString }),
  }),
  deleteRegisteredModelTag: endpoint<Empty>()({
    name: 'deleteRegisteredModelTag',
    methods: ['DELETE'],
    path: '/mlflow/registered-models/delete-tag',
    request: z.object({ name: requiredString, key: requiredString }),
  }),
  setRegisteredModelAlias: endpoint<Empty>()({
    name: 'setRegisteredModelAlias',
    methods: ['POST'],
    path: '/mlflow/registered-models/alias',
    request: z.object({ name: requiredString, alias: requiredString, version: requiredString }),
  }),
  deleteRegisteredModelAlias: endpoint<Empty>()({
    name: 'deleteRegisteredModelAlias',
    methods: ['DELETE'],
    path: '/mlflow/registered-models/alias',
    request: z.object({ name: requiredString, alias: requiredString }),
  }),
  getModelVersionByAlias: endpoint<{ model_version: ModelVersion }>()({
    name: 'getModelVersionByAlias',
    methods: ['GET'],
    path: '/mlflow/registered-models/alias',
    request: z.object({ name: requiredString, alias: requiredString }),
  }),
  createModelVersion: endpoint<{ model_version: ModelVersion }>()({
    name: 'createModelVersion',
    methods: ['POST'],
    path: '/mlflow/model-versions/create',
    request: z.object({
      name: requiredString,
      source: requiredString,
      run_id: optionalString,
      tags: z.array(keyValue).optional().default([]),
      run_link: optionalString,
      description: optionalString,
    }),
  }),
  updateModelVersion: endpoint<{ model_version: ModelVersion }>()({
    name: 'updateModelVersion',
    methods: ['PATCH'],
    path: '/mlflow/model-versions/update',
    request: z.object({ ...nameVersion, description: optionalString }),
  }),
  transitionModelVersionStage: endpoint<{ model_version: ModelVersion }>()({
    name: 'transitionModelVersionStage',
    methods: ['POST'],
    path: '/mlflow/model-versions/transition-stage',
    request: z.object({
      ...nameVersion,
      stage: requiredString,
      archive_existing_versions: lenientBoolean.optional().default(false),
    }),
  }),
  deleteModelVersion: endpoint<Empty>()({
    name: 'deleteModelVersion',
    methods: ['DELETE'],
    path: '/mlflow/model-versions/delete',
    request: z.object(nameVersion),
  }),
  getModelVersion: endpoint<{ model_version: ModelVersion }>()({
    name: 'getModelVersion',
    methods: ['GET'],
    path: '/mlflow/model-versions/get',
    request: z.object(nameVersion),
  }),
  searchModelVersions: endpoint<{ model_versions?: ModelVersion[]; next_page_token?: string }>()({
    name: 'searchModelVersions',
    methods: ['GET'],
    path: '/mlflow/model-versions/search',
    listFields: ['order_by'],
    request: searchRequest,
  }),
  getModelVersionDownloadUri: endpoint<{ artifact_uri: string }>()({
    name: 'getModelVersionDownloadUri',
    methods: ['GET'],
    path: '/mlflow/model-versions/get-download-uri',
    request: z.object(nameVersion),
  }),
  setModelVersionTag: endpoint<Empty>()({
    name: 'setModelVersionTag',
    methods: ['POST'],
    path: '/mlflow/model-versions/set-tag',
    request: z.object({ ...nameVersion, key: requiredString, value: presentString }),
  }),
  deleteModelVersionTag: endpoint<Empty>()({
    name: 'deleteModelVersionTag',
    methods: ['DELETE'],
    path: '/mlflow/model-versions/delete-tag',
    request: z.object({ ...nameVersion, key: requiredString }),
  }),
} as const;

export type RegistryEndpoints = typeof registry;
