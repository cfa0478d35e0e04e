/** The tracking service's endpoints (MLflow 2.x service.proto), with request schemas. */
import { z } from 'zod';
import type {
  DatasetSummary,
  Experiment,
  Metric,
  MetricWithRunId,
  Run,
  RunInfo,
} from '../entities.js';
import { endpoint } from './endpoint.js';
import { metricList } from './metric-list.js';
import {
  double,
  int64,
  keyValue,
  optionalInt64,
  optionalString,
  requiredString,
  runStatus,
  stringList,
  viewType,
  withRunUuidFallback,
} from './fields.js';

type Empty = Record<string, never>;

const datasetInput = z.object({
  tags: z.array(keyValue).optional().default([]),
  dataset: z.object({
    name: requiredString,
    digest: requiredString,
    source_type: requiredString,
    source: requiredString,
    schema: optionalString,
    profile: optionalString,
  }),
});

export const tracking = {
  createExperiment: endpoint<{ experiment_id: string }>()({
    name: 'createExperiment',
    methods: ['POST'],
    path: '/mlflow/experiments/create',
    request: z.object({
      name: requiredString,
      artifact_location: optionalString,
      tags: z.array(keyValue).optional().default([]),
    }),
  }),
  searchExperiments: endpoint<{ experiments?: Experiment[]; next_page_token?: string }>()({
    name: 'searchExperiments',
    methods: ['POST', 'GET'],
    path: '/mlflow/experiments/search',
    listFields: ['order_by'],
    request: z.object({
      max_results: optionalInt64,
      page_token: optionalString,
      filter: optionalString,
      order_by: stringList.optional().default([]),
      view_type: viewType.optional().default('ACTIVE_ONLY'),
    }),
  }),
  getExperiment: endpoint<{ experiment: Experiment }>()({
    name: 'getExperiment',
    methods: ['GET'],
    path: '/mlflow/experiments/get',
    request: z.object({ experiment_id: requiredString }),
  }),
  getExperimentByName: endpoint<{ experiment: Experiment }>()({
    name: 'getExperimentByName',
    methods: ['GET'],
    path: '/mlflow/experiments/get-by-name',
    request: z.object({ experiment_name: requiredString }),
  }),
  deleteExperiment: endpoint<Empty>()({
    name: 'deleteExperiment',
    methods: ['POST'],
    path: '/mlflow/experiments/delete',
    request: z.object({ experiment_id: requiredString }),
  }),
  restoreExperiment: endpoint<Empty>()({
    name: 'restoreExperiment',
    methods: ['POST'],
    path: '/mlflow/experiments/restore',
    request: z.object({ experiment_id: requiredString }),
  }),
  updateExperiment: endpoint<Empty>()({
    name: 'updateExperiment',
    methods: ['POST'],
    path: '/mlflow/experiments/update',
    request: z.object({ experiment_id: requiredString, new_name: requiredString }),
  }),
  setExperimentTag: endpoint<Empty>()({
    name: 'setExperimentTag',
    methods: ['POST'],
    path: '/mlflow/experiments/set-experiment-tag',
    request: z.object({ experiment_id: requiredString, key: requiredString, value: z.string().optional().default('') }),
  }),
  deleteExperimentTag: endpoint<Empty>()({
    name: 'deleteExperimentTag',
    methods: ['POST'],
    path: '/mlflow/experiments/delete-experiment-tag',
    request: z.object({ experiment_id: requiredString, key: requiredString }),
  }),
  createRun: endpoint<{ run: Run }>()({
    name: 'createRun',
    methods: ['POST'],
    path: '/mlflow/runs/create',
    request: z.object({
      experiment_id: optionalString,
      user_id: optionalString,
      run_name: optionalString,
      start_time: optionalInt64,
      tags: z.array(keyValue).optional().default([]),
    }),
  }),
  updateRun: endpoint<{ run_info: RunInfo }>()({
    name: 'updateRun',
    methods: ['POST'],
    path: '/mlflow/runs/update',
    request: withRunUuidFallback({
      run_id: requiredString,
      status: runStatus.optional(),
      end_time: optionalInt64,
      run_name: optionalString,
    }),
  }),
  deleteRun: endpoint<Empty>()({
    name: 'deleteRun',
    methods: ['POST'],
    path: '/mlflow/runs/delete',
    request: z.object({ run_id: requiredString }),
  }),
  restoreRun: endpoint<Empty>()({
    name: 'restoreRun',
    methods: ['POST'],
    path: '/mlflow/runs/restore',
    request: z.object({ run_id: requiredString }),
  }),
  logMetric: endpoint<Empty>()({
    name: 'logMetric',
    methods: ['POST'],
    path: '/mlflow/runs/log-metric',
    request: withRunUuidFallback({
      run_id: requiredString,
      key: requiredString,
      value: double,
      timestamp: int64,
      step: int64.optional().default(0),
    }),
  }),
  logParam: endpoint<Empty>()({
    name: 'logParam',
    methods: ['POST'],
    path: '/mlflow/runs/log-parameter',
    request: withRunUuidFallback({ run_id: requiredString, key: requiredString, value: z.string().optional().default('') }),
  }),
  setTag: endpoint<Empty>()({
    name: 'setTag',
    methods: ['POST'],
    path: '/mlflow/runs/set-tag',
    request: withRunUuidFallback({ run_id: requiredString, key: requiredString, value: z.string().optional().default('') }),
  }),
  deleteTag: endpoint<Empty>()({
    name: 'deleteTag',
    methods: ['POST'],
    path: '/mlflow/runs/delete-tag',
    request: z.object({ run_id: requiredString, key: requiredString }),
  }),
  getRun: endpoint<{ run: Run }>()({
    name: 'getRun',
    methods: ['GET'],
    path: '/mlflow/runs/get',
    request: withRunUuidFallback({ run_id: requiredString }),
  }),
  searchRuns: endpoint<{ runs?: Run[]; next_page_token?: string }>()({
    name: 'searchRuns',
    methods: ['POST'],
    path: '/mlflow/runs/search',
    request: z.object({
      experiment_ids: stringList.optional().default([]),
      filter: optionalString,
      run_view_type: viewType.optional().default('ACTIVE_ONLY'),
      max_results: optionalInt64,
      order_by: stringList.optional().default([]),
      page_token: optionalString,
    }),
  }),
  logBatch: endpoint<Empty>()({
    name: 'logBatch',
    methods: ['POST'],
    path: '/mlflow/runs/log-batch',
    request: z.object({
      run_id: requiredString,
      metrics: metricList,
      params: z.array(keyValue).optional().default([]),
      tags: z.array(keyValue).optional().default([]),
    }),
  }),
  logModel: endpoint<Empty>()({
    name: 'logModel',
    methods: ['POST'],
    path: '/mlflow/runs/log-model',
    request: z.object({ run_id: requiredString, model_json: requiredString }),
  }),
  logInputs: endpoint<Empty>()({
    name: 'logInputs',
    methods: ['POST'],
    path: '/mlflow/runs/log-inputs',
    request: z.object({ run_id: requiredString, datasets: z.array(datasetInput) }),
  }),
  getMetricHistory: endpoint<{ metrics?: Metric[]; next_page_token?: string }>()({
    name: 'getMetricHistory',
    methods: ['GET'],
    path: '/mlflow/metrics/get-history',
    request: withRunUuidFallback({
      run_id: requiredString,
      metric_key: requiredString,
      page_token: optionalString,
      max_results: optionalInt64,
    }),
  }),
  getMetricHistoryBulkInterval: endpoint<{ metrics?: MetricWithRunId[] }>()({
    name: 'getMetricHistoryBulkInterval',
    methods: ['GET'],
    path: '/mlflow/metrics/get-history-bulk-interval',
    listFields: ['run_ids'],
    request: z.object({
      run_ids: stringList,
      metric_key: requiredString,
      start_step: optionalInt64,
      end_step: optionalInt64,
      max_results: optionalInt64,
    }),
  }),
  getMetricHistoryBulk: endpoint<{ metrics: MetricWithRunId[] }>()({
    name: 'getMetricHistoryBulk',
    methods: ['GET'],
    path: '/mlflow/metrics/get-history-bulk',
    listFields: ['run_id'],
    ajaxOnly: true,
    // The run ids and key are checked by the handler, with MLflow's own messages for this endpoint.
    request: z.object({
      run_id: stringList.optional().default([]),
      metric_key: z.string().optional(),
      max_results: optionalInt64,
    }),
  }),
  searchDatasets: endpoint<{ dataset_summaries?: DatasetSummary[] }>()({
    name: 'searchDatasets',
    methods: ['POST'],
    path: '/mlflow/experiments/search-datasets',
    ajaxOnly: true,
    request: z.object({ experiment_ids: stringList.optional().default([]) }),
  }),
  createPromptlabRun: endpoint<{ run: Run }>()({
    name: 'createPromptlabRun',
    methods: ['POST'],
    path: '/mlflow/runs/create-promptlab-run',
    ajaxOnly: true,
    // Checked field by field by the handler, in MLflow's order and with its messages.
    request: z.record(z.string(), z.unknown()),
  }),
  gatewayProxy: endpoint<Record<string, unknown>>()({
    name: 'gatewayProxy',
    methods: ['GET', 'POST'],
    path: '/mlflow/gateway-proxy',
    ajaxOnly: true,
    request: z.object({ gateway_path: z.unknown().optional(), json_data: z.unknown().optional() }),
  }),
} as const;

export type TrackingEndpoints = typeof tracking;
