/** TraceStore over MLflow's trace REST API (`/mlflow/traces…`). */
import { traceEndpoints as api, type KeyValue, type TraceStore } from '@runlog/core';
import { callEndpoint, type Transport } from './http.js';

const list = (entries: readonly KeyValue[] | undefined): KeyValue[] => (entries ? [...entries] : []);

export function createRestTraceStore(transport: Transport): TraceStore {
  const call = <E extends (typeof api)[keyof typeof api]>(endpoint: E, req: Parameters<typeof callEndpoint<E>>[2]) =>
    callEndpoint(transport, endpoint, req);
  return {
    startTrace: async (input) =>
      (
        await call(api.startTrace, {
          experiment_id: input.experimentId,
          timestamp_ms: input.timestampMs,
          request_metadata: list(input.requestMetadata),
          tags: list(input.tags),
        })
      ).trace_info,
    endTrace: async (requestId, input) =>
      (
        await call(api.endTrace, {
          request_id: requestId,
          timestamp_ms: input.timestampMs,
          status: input.status,
          request_metadata: list(input.requestMetadata),
          tags: list(input.tags),
        })
      ).trace_info,
    getTraceInfo: async (requestId) => (await call(api.getTraceInfo, { request_id: requestId })).trace_info,
    searchTraces: async (q) => {
      const res = await call(api.searchTraces, {
        experiment_ids: [...q.experimentIds],
        max_results: q.maxResults,
        order_by: q.orderBy ? [...q.orderBy] : [],
        ...(q.filter !== undefined ? { filter: q.filter } : {}),
        ...(q.pageToken !== undefined ? { page_token: q.pageToken } : {}),
      });
      return res.next_page_token ? { items: res.traces ?? [], next_page_token: res.next_page_token } : { items: res.traces ?? [] };
    },
    deleteTraces: async (input) =>
      (
        await call(api.deleteTraces, {
          experiment_id: input.experimentId,
          ...(input.maxTimestampMillis !== undefined ? { max_timestamp_millis: input.maxTimestampMillis } : {}),
          ...(input.maxTraces !== undefined ? { max_traces: input.maxTraces } : {}),
          request_ids: input.requestIds ? [...input.requestIds] : [],
        })
      ).traces_deleted ?? 0,
    setTraceTag: async (requestId, key, value) => {
      await call(api.setTraceTag, { request_id: requestId, key, value });
    },
    deleteTraceTag: async (requestId, key) => {
      await call(api.deleteTraceTag, { request_id: requestId, key });
    },
  };
}
