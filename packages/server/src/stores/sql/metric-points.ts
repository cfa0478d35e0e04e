/** A metric point as stored, and MLflow's rule for which point is a key's latest. */
import type { MetricsTable } from './schema.js';

/** One point of a batch, before it is tied to its run's key. */
export type MetricPoint = Omit<MetricsTable, 'run_key'>;

function isLater(a: MetricPoint, b: MetricPoint): boolean {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  return a.value > b.value;
}

/** Each key's latest point: the maximum of (step, timestamp, value). */
export function latestPerKey<T extends MetricPoint>(rows: readonly T[]): T[] {
  const best = new Map<string, T>();
  for (const row of rows) {
    const cur = best.get(row.key);
    if (!cur || isLater(row, cur)) best.set(row.key, row);
  }
  return [...best.values()];
}
