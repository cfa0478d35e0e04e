/** The one history query the charts and the run page's min/max share (react-query dedupes identical keys). */
import { call, tracking } from '../api';

export const CHART_POINTS = 1000;

export function historyIntervalQuery(metricKey: string, runIds: readonly string[], range: readonly [number, number] | null = null) {
  return {
    queryKey: ['history-interval', metricKey, runIds.join(','), range?.[0], range?.[1]] as const,
    queryFn: ({ signal }: { signal: AbortSignal }) =>
      call(
        tracking.getMetricHistoryBulkInterval,
        {
          run_ids: runIds.slice(0, 100),
          metric_key: metricKey,
          max_results: CHART_POINTS,
          start_step: range ? Math.floor(range[0]) : undefined,
          end_step: range ? Math.ceil(range[1]) : undefined,
        },
        signal,
      ),
    staleTime: 60_000,
  };
}
