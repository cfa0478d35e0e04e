/**
 * MLflow Tracing's trace records (service.proto `TraceInfo`) and the store behind them. Span data is not
 * stored here: the client writes it as `traces.json` under the trace's artifact location (the
 * `mlflow.artifactLocation` tag the store sets on start).
 */
import type { KeyValue, Page } from './entities.js';

export const TRACE_STATUSES = ['TRACE_STATUS_UNSPECIFIED', 'OK', 'ERROR', 'IN_PROGRESS'] as const;
export type TraceStatus = (typeof TRACE_STATUSES)[number];

/** The tag holding where the trace's `traces.json` lives: `<experiment artifact location>/traces/<id>/artifacts`. */
export const TRACE_ARTIFACT_LOCATION_TAG = 'mlflow.artifactLocation';
export const TRACE_DATA_FILE_NAME = 'traces.json';
/** Tag and request-metadata keys MLflow's client sets. */
export const TRACE_NAME_TAG = 'mlflow.traceName';
export const TRACE_SOURCE_RUN_METADATA = 'mlflow.sourceRun';

export const TRACE_LIMITS = { tagKey: 250, tagValue: 8000, maxResultsPerRequest: 500, defaultMaxResults: 100 } as const;

export interface TraceInfo {
  request_id: string;
  experiment_id: string;
  timestamp_ms: number;
  /** 0 while the trace is in progress, as MLflow answers. */
  execution_time_ms: number;
  status: TraceStatus;
  request_metadata?: KeyValue[];
  tags?: KeyValue[];
}

export interface StartTraceInput {
  experimentId: string;
  timestampMs: number;
  requestMetadata?: readonly KeyValue[] | undefined;
  tags?: readonly KeyValue[] | undefined;
}

export interface EndTraceInput {
  timestampMs: number;
  status: TraceStatus;
  /** Merged over what start recorded (same key: the new value wins). */
  requestMetadata?: readonly KeyValue[] | undefined;
  tags?: readonly KeyValue[] | undefined;
}

export interface SearchTracesQuery {
  experimentIds: readonly string[];
  filter?: string | undefined;
  maxResults: number;
  orderBy?: readonly string[] | undefined;
  pageToken?: string | undefined;
}

/** Either `maxTimestampMillis` (optionally capped by `maxTraces`, oldest first) or `requestIds`. */
export interface DeleteTracesInput {
  experimentId: string;
  maxTimestampMillis?: number | undefined;
  maxTraces?: number | undefined;
  requestIds?: readonly string[] | undefined;
}

export interface TraceStore {
  startTrace(input: StartTraceInput): Promise<TraceInfo>;
  endTrace(requestId: string, input: EndTraceInput): Promise<TraceInfo>;
  getTraceInfo(requestId: string): Promise<TraceInfo>;
  searchTraces(query: SearchTracesQuery): Promise<Page<TraceInfo>>;
  /** The number of traces deleted. */
  deleteTraces(input: DeleteTracesInput): Promise<number>;
  setTraceTag(requestId: string, key: string, value: string): Promise<void>;
  deleteTraceTag(requestId: string, key: string): Promise<void>;
}

/** A tag's or metadata entry's value by key, for code that reads trace infos. */
export function traceValue(entries: readonly KeyValue[] | undefined, key: string): string | undefined {
  return entries?.find((e) => e.key === key)?.value;
}
