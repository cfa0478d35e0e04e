/** Metric histories read from the metric files: whole or paged, bulk across runs, and the sampled interval view. */
import path from 'node:path';
import {
  LIMITS,
  RunlogError,
  decodePageToken,
  encodePageToken,
  type BulkIntervalQuery,
  type Metric,
  type MetricHistoryQuery,
  type MetricWithRunId,
  type Page,
  checkBulkIntervalQuery,
  chooseIntervalSteps,
} from '@runlog/core';
import type { FileContext } from './context.js';
import { readText } from './fs-ops.js';
import { isRunId } from './layout.js';
import { comparePoints, parseMetricLines } from './metric-lines.js';
import { requireRun } from './runs.js';

/** The points of one metric of a run in (step, timestamp, value) order; none for an unknown key. */
function points(ctx: FileContext, runDir: string, key: string): Metric[] {
  let file: string;
  try {
    file = ctx.layout.keyFile(runDir, 'metrics', key);
  } catch {
    return [];
  }
  if (path.relative(path.join(runDir, 'metrics'), file).startsWith('..')) return [];
  const text = readText(file);
  if (text === undefined) return [];
  // A retried batch appends its points again; identical points are one point (as the SQL store's key makes them).
  const sorted = parseMetricLines(key, text).sort(comparePoints);
  return sorted.filter((p, i) => {
    const prev = sorted[i - 1];
    return !prev || comparePoints(prev, p) !== 0 || Number.isNaN(prev.value) !== Number.isNaN(p.value);
  });
}

export function getMetricHistory(ctx: FileContext, runId: string, key: string, query: MetricHistoryQuery = {}): Page<Metric> {
  const run = requireRun(ctx, runId);
  const limit = query.maxResults;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw RunlogError.invalidParameter(`Invalid value ${limit} for parameter 'max_results' supplied. It must be a positive integer.`);
  }
  const offset = decodePageToken(query.pageToken);
  const all = points(ctx, run.dir, key);
  if (limit === undefined) return { items: all.slice(offset) };
  const page: Page<Metric> = { items: all.slice(offset, offset + limit) };
  if (all.length > offset + limit) page.next_page_token = encodePageToken(offset + limit);
  return page;
}

function runDirsOf(ctx: FileContext, runIds: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const id of runIds) {
    const dir = isRunId(id) ? ctx.runs.locate(id) : undefined;
    if (dir) out.set(id, dir);
  }
  return out;
}

export function getMetricHistoryBulk(ctx: FileContext, runIds: readonly string[], key: string, maxResults: number): MetricWithRunId[] {
  if (runIds.length === 0) throw RunlogError.invalidParameter('GetMetricHistoryBulk request must specify at least one run_id.');
  if (runIds.length > LIMITS.maxBulkIntervalRunIds) {
    throw RunlogError.invalidParameter(
      `GetMetricHistoryBulk request cannot specify more than ${LIMITS.maxBulkIntervalRunIds} run_ids. Received ${runIds.length} run_ids.`,
    );
  }
  const out: MetricWithRunId[] = [];
  const dirs = [...runDirsOf(ctx, runIds)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [runId, dir] of dirs) {
    const pts = points(ctx, dir, key).sort((a, b) => a.timestamp - b.timestamp || a.step - b.step || comparePoints(a, b));
    for (const p of pts) out.push({ ...p, run_id: runId });
  }
  return out.slice(0, Math.min(maxResults, LIMITS.maxHistoryBulkResults));
}

export function getMetricHistoryBulkInterval(ctx: FileContext, query: BulkIntervalQuery): MetricWithRunId[] {
  const { runIds, metricKey } = query;
  checkBulkIntervalQuery(query);
  const perRun = [...runDirsOf(ctx, runIds)].map(([runId, dir]) => [runId, points(ctx, dir, metricKey)] as const);
  const steps = [...new Set(perRun.flatMap(([, pts]) => pts.map((p) => p.step)))].sort((a, b) => a - b);
  const ends = perRun.flatMap(([, pts]) => {
    const first = pts[0];
    const last = pts[pts.length - 1];
    return first && last ? [[first.step, last.step] as const] : [];
  });
  const chosen = new Set(chooseIntervalSteps(steps.length, (i) => steps[i] ?? 0, ends, query));
  const out: MetricWithRunId[] = [];
  for (const [runId, pts] of perRun) {
    const picked = pts.filter((p) => chosen.has(p.step)).map((p) => ({ ...p, run_id: runId }));
    out.push(...picked.slice(0, LIMITS.maxHistoryBulkResults));
  }
  return out;
}
