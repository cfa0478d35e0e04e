/** Turning metric histories into aligned chart series (pure, tested). */
import type { MetricWithRunId } from '@runlog/core';

export type XAxis = 'step' | 'time' | 'relative';

export interface RunSeries {
  runId: string;
  x: number[];
  y: number[];
}

/** Splits a bulk-interval answer by run and maps x to the chosen axis (time in seconds). */
export function splitByRun(points: readonly MetricWithRunId[], runIds: readonly string[], axis: XAxis): RunSeries[] {
  const by = new Map<string, MetricWithRunId[]>();
  for (const p of points) {
    let list = by.get(p.run_id);
    if (!list) by.set(p.run_id, (list = []));
    list.push(p);
  }
  return runIds.map((runId) => {
    const list = by.get(runId) ?? [];
    if (axis === 'step') list.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
    else list.sort((a, b) => a.timestamp - b.timestamp || a.step - b.step);
    const t0 = list[0]?.timestamp ?? 0;
    const x = list.map((p) => (axis === 'step' ? p.step : axis === 'time' ? p.timestamp / 1000 : (p.timestamp - t0) / 1000));
    const y = list.map((p) => (typeof p.value === 'number' ? p.value : Number(p.value)));
    return { runId, x, y };
  });
}

/** Exponential moving average with TensorBoard's debiasing; weight 0 = raw. Non-finite values pass through. */
export function smooth(y: readonly number[], weight: number): number[] {
  if (weight <= 0) return [...y];
  const out: number[] = [];
  let last = 0;
  let n = 0;
  for (const v of y) {
    if (!Number.isFinite(v)) {
      out.push(v);
      continue;
    }
    last = last * weight + (1 - weight) * v;
    n++;
    out.push(last / (1 - Math.pow(weight, n)));
  }
  return out;
}

/** uPlot wants one shared x array: the union of every run's x, each series null where it has no point. */
export function alignSeries(series: readonly RunSeries[]): { x: number[]; ys: (number | null)[][] } {
  const xs = new Set<number>();
  for (const s of series) for (const v of s.x) xs.add(v);
  const x = [...xs].sort((a, b) => a - b);
  const pos = new Map(x.map((v, i) => [v, i]));
  const ys = series.map((s) => {
    const arr: (number | null)[] = new Array<number | null>(x.length).fill(null);
    s.x.forEach((xv, i) => {
      const p = pos.get(xv);
      const yv = s.y[i];
      if (p !== undefined && yv !== undefined && Number.isFinite(yv)) arr[p] = yv;
    });
    return arr;
  });
  return { x, ys };
}

export const PALETTE = ['#2f7ed8', '#e4572e', '#29a36a', '#9b59b6', '#f0a202', '#17becf', '#d62728', '#8c564b', '#e377c2', '#7f7f7f'];
