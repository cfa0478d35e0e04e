/**
 * The artifact routes' request schemas: the tracking service's `artifacts/list` and the `mlflow-artifacts`
 * proxy service (mlflow_artifacts.proto). The proxy routes that take `<path>` in the URL (download, upload,
 * delete, multipart) register `path` + `/<path>`; their `<path>` is not part of the schema. Every `path`
 * field goes through `safeArtifactPath` before it reaches storage.
 */
import { z } from 'zod';
import type { FileInfo } from '../entities.js';
import type { MultipartUpload } from '../stores.js';
import { endpoint } from './endpoint.js';
import { int64, optionalString, requiredString, withRunUuidFallback } from './fields.js';

type Empty = Record<string, never>;

export const artifactEndpoints = {
  listArtifacts: endpoint<{ root_uri?: string; files?: FileInfo[]; next_page_token?: string }>()({
    name: 'listArtifacts',
    methods: ['GET'],
    path: '/mlflow/artifacts/list',
    request: withRunUuidFallback({ run_id: requiredString, path: optionalString, page_token: optionalString }),
  }),
  listProxiedArtifacts: endpoint<{ files?: FileInfo[] }>()({
    name: 'listProxiedArtifacts',
    methods: ['GET'],
    path: '/mlflow-artifacts/artifacts',
    request: z.object({ path: optionalString }),
  }),
  createMultipartUpload: endpoint<MultipartUpload>()({
    name: 'createMultipartUpload',
    methods: ['POST'],
    path: '/mlflow-artifacts/mpu/create',
    request: z.object({ path: requiredString, num_parts: int64.refine((n) => n >= 1 && n <= 10_000, 'between 1 and 10000') }),
  }),
  completeMultipartUpload: endpoint<Empty>()({
    name: 'completeMultipartUpload',
    methods: ['POST'],
    path: '/mlflow-artifacts/mpu/complete',
    request: z.object({
      path: requiredString,
      upload_id: requiredString,
      parts: z.array(z.object({ part_number: int64, etag: requiredString, url: optionalString })),
    }),
  }),
  abortMultipartUpload: endpoint<Empty>()({
    name: 'abortMultipartUpload',
    methods: ['POST'],
    path: '/mlflow-artifacts/mpu/abort',
    request: z.object({ path: requiredString, upload_id: requiredString }),
  }),
} as const;

/** `GET <static prefix>/get-artifact` and `POST <static prefix>/ajax-api/2.0/mlflow/upload-artifact` take a query. */
export const getArtifactQuery = withRunUuidFallback({ run_id: requiredString, path: requiredString });

/** `GET /model-versions/get-artifact`: a file of a registered model version, for the UI. */
export const modelVersionArtifactQuery = z.object({ name: requiredString, version: requiredString, path: requiredString });
