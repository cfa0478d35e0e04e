/** Input rules every TraceStore applies the same way (MLflow's trace service checks), whatever keeps the traces. */
import { RunlogError, TRACE_LIMITS, TRACE_STATUSES, truncateValue, type DeleteTracesInput, type KeyValue, type TraceStatus } from '@runlog/core';

/** A stored status name; anything unknown reads as unspecified. */
export function traceStatusOf(value: unknown): TraceStatus {
  return TRACE_STATUSES.find((s) => s === value) ?? 'TRACE_STATUS_UNSPECIFIED';
}

/** Keys must fit the columns MLflow sizes (250); long values are cut to 8000 as MLflow's set_trace_tag does. Last key wins. */
export function prepareTraceEntries(entries: readonly KeyValue[] | undefined, what: string): KeyValue[] {
  const byKey = new Map<string, string>();
  for (const { key, value } of entries ?? []) {
    if (key.length > TRACE_LIMITS.tagKey) {
      throw RunlogError.invalidParameter(`${what} key '${key.slice(0, 50)}...' had length ${key.length}, which exceeded length limit of ${TRACE_LIMITS.tagKey}`);
    }
    byKey.set(key, truncateValue(value, TRACE_LIMITS.tagValue));
  }
  return [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, value]) => ({ key, value }));
}

/** MLflow's rules: by timestamp (optionally the oldest `maxTraces` of those) or by ids, never both. */
export function checkDeleteTracesInput(input: DeleteTracesInput): void {
  const ids = input.requestIds ?? [];
  if (input.maxTimestampMillis === undefined && ids.length === 0) {
    throw RunlogError.invalidParameter('Either `max_timestamp_millis` or `request_ids` must be specified.');
  }
  if (input.maxTimestampMillis !== undefined && ids.length > 0) {
    throw RunlogError.invalidParameter('Only one of `max_timestamp_millis` and `request_ids` can be specified.');
  }
  if (ids.length > 0 && input.maxTraces !== undefined) {
    throw RunlogError.invalidParameter("`max_traces` can't be specified if `request_ids` is specified.");
  }
  if (input.maxTraces !== undefined && input.maxTraces <= 0) {
    throw RunlogError.invalidParameter(`\`max_traces\` must be a positive integer, received ${input.maxTraces}.`);
  }
}

/** MLflow's SQL store refuses more than this many results per search (the REST layer caps lower, at 500). */
const MAX_SEARCH_RESULTS = 50_000;

export function checkTraceMaxResults(maxResults: number): void {
  if (!Number.isSafeInteger(maxResults) || maxResults < 1) {
    throw RunlogError.invalidParameter(`Invalid value ${maxResults} for parameter 'max_results' supplied. It must be a positive integer`);
  }
  if (maxResults > MAX_SEARCH_RESULTS) {
    throw RunlogError.invalidParameter(`Invalid value ${maxResults} for parameter 'max_results' supplied. It must be at most ${MAX_SEARCH_RESULTS}`);
  }
}

export const traceNotFound = (requestId: string): RunlogError => RunlogError.notFound(`Trace with request_id '${requestId}' not found.`);
