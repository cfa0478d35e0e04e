/**
 * MLflow's system metrics (`system/cpu_utilization_percentage`, `system/gpu_0_…`, or `system/<node>/…`) are
 * logged by its Python client and Runlog's SDK alike; the run page charts them apart from the model's metrics.
 */
export const SYSTEM_METRIC_PREFIX = 'system/';

export function splitSystemMetrics<T extends { key: string }>(metrics: readonly T[]): { model: T[]; system: T[] } {
  const model: T[] = [];
  const system: T[] = [];
  for (const m of metrics) (m.key.startsWith(SYSTEM_METRIC_PREFIX) ? system : model).push(m);
  return { model, system };
}
