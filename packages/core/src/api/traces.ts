/** MLflow Tracing's endpoints (service.proto StartTrace … DeleteTraceTag); `{request_id}` comes from the path. */
import { z } from 'zod';
import { TRACE_LIMITS, TRACE_STATUSES, type TraceInfo, type TraceStatus } from '../traces.js';
import { endpoint } from './endpoint.js';
import { enumField, keyValue, optionalInt64, optionalString, requiredString, stringList } from './fields.js';

type Empty = Record<string, never>;

export const traceStatus: z.ZodType<TraceStatus> = enumField(TRACE_STATUSES, 0);

const keyValues = z.array(keyValue).optional().default([]);

export const traceEndpoints = {
  startTrace: endpoint<{ trace_info: TraceInfo }>()({
    name: 'startTrace',
    methods: ['POST'],
    path: '/mlflow/traces',
    request: z.object({
      experiment_id: requiredString,
      timestamp_ms: optionalInt64,
      request_metadata: keyValues,
      tags: keyValues,
    }),
  }),
  endTrace: endpoint<{ trace_info: TraceInfo }>()({
    name: 'endTrace',
    methods: ['PATCH'],
    path: '/mlflow/traces/{request_id}',
    request: z.object({
      request_id: requiredString,
      timestamp_ms: optionalInt64,
      status: traceStatus.optional().default('TRACE_STATUS_UNSPECIFIED'),
      request_metadata: keyValues,
      tags: keyValues,
    }),
  }),
  getTraceInfo: endpoint<{ trace_info: TraceInfo }>()({
    name: 'getTraceInfo',
    methods: ['GET'],
    path: '/mlflow/traces/{request_id}/info',
    request: z.object({ request_id: requiredString }),
  }),
  searchTraces: endpoint<{ traces?: TraceInfo[]; next_page_token?: string }>()({
    name: 'searchTraces',
    methods: ['GET'],
    path: '/mlflow/traces',
    listFields: ['experiment_ids', 'order_by'],
    request: z.object({
      experiment_ids: stringList,
      filter: optionalString,
      max_results: optionalInt64.refine(
        (n) => n === undefined || n <= TRACE_LIMITS.maxResultsPerRequest,
        `must be at most ${TRACE_LIMITS.maxResultsPerRequest}`,
      ),
      order_by: stringList.optional().default([]),
      page_token: optionalString,
    }),
  }),
  deleteTraces: endpoint<{ traces_deleted: number }>()({
    name: 'deleteTraces',
    methods: ['POST'],
    path: '/mlflow/traces/delete-traces',
    request: z.object({
      experiment_id: requiredString,
      max_timestamp_millis: optionalInt64,
      max_traces: optionalInt64,
      request_ids: stringList.optional().default([]),
    }),
  }),
  setTraceTag: endpoint<Empty>()({
    name: 'setTraceTag',
    methods: ['PATCH'],
    path: '/mlflow/traces/{request_id}/tags',
    request: z.object({ request_id: requiredString, key: requiredString, value: z.string().optional().default('') }),
  }),
  deleteTraceTag: endpoint<Empty>()({
    name: 'deleteTraceTag',
    methods: ['DELETE'],
    path: '/mlflow/traces/{request_id}/tags',
    request: z.object({ request_id: requiredString, key: requiredString }),
  }),
} as const;

export type TraceEndpoints = typeof traceEndpoints;

/**
 * `GET <static prefix>/ajax-api/2.0/mlflow/get-trace-artifact?request_id=…`: the trace's `traces.json` as an
 * attachment (a file, not a JSON endpoint, so it is not in the table).
 */
export const TRACE_ARTIFACT_PATH = '/mlflow/get-trace-artifact';
export const traceArtifactQuery = z.object({ request_id: requiredString });
