/**
 * The model registry's REST calls (MLflow 2.x model_registry.proto wire shapes), declared with core's
 * `endpoint()` so they go through the same typed client. When `@runlog/core` ships its own registry table
 * (issue 5) this file re-exports it instead.
 */
import { endpoint } from '@runlog/core';
import { z } from 'zod';

type Empty = Record<string, never>;
const s = z.string().min(1);
const kv = z.object({ key: z.string(), value: z.string() });

export interface RegisteredModelAlias {
  alias: string;
  version: string;
}
export interface ModelVersion {
  name: string;
  version: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  user_id?: string;
  current_stage?: string;
  description?: string;
  source?: string;
  run_id?: string;
  status?: string;
  status_message?: string;
  tags?: { key: string; value: string }[];
  run_link?: string;
  aliases?: string[];
}
export interface RegisteredModel {
  name: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  user_id?: string;
  description?: string;
  latest_versions?: ModelVersion[];
  tags?: { key: string; value: string }[];
  aliases?: RegisteredModelAlias[];
}

export const registry = {
  createRegisteredModel: endpoint<{ registered_model: RegisteredModel }>()({
    name: 'createRegisteredModel',
    methods: ['POST'],
    path: '/mlflow/registered-models/create',
    request: z.object({ name: s, tags: z.array(kv).optional(), description: z.string().optional() }),
  }),
  renameRegisteredModel: endpoint<{ registered_model: RegisteredModel }>()({
    name: 'renameRegisteredModel',
    methods: ['POST'],
    path: '/mlflow/registered-models/rename',
    request: z.object({ name: s, new_name: s }),
  }),
  updateRegisteredModel: endpoint<{ registered_model: RegisteredModel }>()({
    name: 'updateRegisteredModel',
    methods: ['PATCH'],
    path: '/mlflow/registered-models/update',
    request: z.object({ name: s, description: z.string() }),
  }),
  deleteRegisteredModel: endpoint<Empty>()({
    name: 'deleteRegisteredModel',
    methods: ['DELETE'],
    path: '/mlflow/registered-models/delete',
    request: z.object({ name: s }),
  }),
  getRegisteredModel: endpoint<{ registered_model: RegisteredModel }>()({
    name: 'getRegisteredModel',
    methods: ['GET'],
    path: '/mlflow/registered-models/get',
    request: z.object({ name: s }),
  }),
  searchRegisteredModels: endpoint<{ registered_models?: RegisteredModel[]; next_page_token?: string }>()({
    name: 'searchRegisteredModels',
    methods: ['GET'],
    path: '/mlflow/registered-models/search',
    listFields: ['order_by'],
    request: z.object({
      filter: z.string().optional(),
      max_results: z.number().int().optional(),
      order_by: z.array(z.string()).optional(),
      page_token: z.string().optional(),
    }),
  }),
  createModelVersion: endpoint<{ model_version: ModelVersion }>()({
    name: 'createModelVersion',
    methods: ['POST'],
    path: '/mlflow/model-versions/create',
    request: z.object({
      name: s,
      source: s,
      run_id: z.string().optional(),
      tags: z.array(kv).optional(),
      description: z.string().optional(),
    }),
  }),
  updateModelVersion: endpoint<{ model_version: ModelVersion }>()({
    name: 'updateModelVersion',
    methods: ['PATCH'],
    path: '/mlflow/model-versions/update',
    request: z.object({ name: s, version: s, description: z.string() }),
  }),
  transitionModelVersionStage: endpoint<{ model_version: ModelVersion }>()({
    name: 'transitionModelVersionStage',
    methods: ['POST'],
    path: '/mlflow/model-versions/transition-stage',
    request: z.object({ name: s, version: s, stage: s, archive_existing_versions: z.boolean() }),
  }),
  deleteModelVersion: endpoint<Empty>()({
    name: 'deleteModelVersion',
    methods: ['DELETE'],
    path: '/mlflow/model-versions/delete',
    request: z.object({ name: s, version: s }),
  }),
  getModelVersion: endpoint<{ model_version: ModelVersion }>()({
    name: 'getModelVersion',
    methods: ['GET'],
    path: '/mlflow/model-versions/get',
    request: z.object({ name: s, version: s }),
  }),
  searchModelVersions: endpoint<{ model_versions?: ModelVersion[]; next_page_token?: string }>()({
    name: 'searchModelVersions',
    methods: ['GET'],
    path: '/mlflow/model-versions/search',
    listFields: ['order_by'],
    request: z.object({
      filter: z.string().optional(),
      max_results: z.number().int().optional(),
      order_by: z.array(z.string()).optional(),
      page_token: z.string().optional(),
    }),
  }),
  setRegisteredModelTag: endpoint<Empty>()({
    name: 'setRegisteredModelTag',
    methods: ['POST'],
    path: '/mlflow/registered-models/set-tag',
    request: z.object({ name: s, key: s, value: z.string() }),
  }),
  deleteRegisteredModelTag: endpoint<Empty>()({
    name: 'deleteRegisteredModelTag',
    methods: ['DELETE'],
    path: '/mlflow/registered-models/delete-tag',
    request: z.object({ name: s, key: s }),
  }),
  setModelVersionTag: endpoint<Empty>()({
    name: 'setModelVersionTag',
    methods: ['POST'],
    path: '/mlflow/model-versions/set-tag',
    request: z.object({ name: s, version: s, key: s, value: z.string() }),
  }),
  deleteModelVersionTag: endpoint<Empty>()({
    name: 'deleteModelVersionTag',
    methods: ['DELETE'],
    path: '/mlflow/model-versions/delete-tag',
    request: z.object({ name: s, version: s, key: s }),
  }),
  setRegisteredModelAlias: endpoint<Empty>()({
    name: 'setRegisteredModelAlias',
    methods: ['POST'],
    path: '/mlflow/registered-models/alias',
    request: z.object({ name: s, alias: s, version: s }),
  }),
  deleteRegisteredModelAlias: endpoint<Empty>()({
    name: 'deleteRegisteredModelAlias',
    methods: ['DELETE'],
    path: '/mlflow/registered-models/alias',
    request: z.object({ name: s, alias: s }),
  }),
} as const;
