/** search-runs over the run index: core's parsed filter and order_by evaluated in memory, offset page tokens. */
import {
  LIMITS,
  RunlogError,
  decodePageToken,
  encodePageToken,
  parseRunFilter,
  parseRunOrderBy,
  type DatasetSummary,
  type Page,
  type Run,
  type RunClause,
  type RunOrderKey,
  type SearchRunsQuery,
  checkSearchDatasetsIds,
} from '@runlog/core';
import type { FileContext } from './context.js';
import { compareValues, matches } from './matching.js';
import type { RunRecord } from './run-index.js';
import { toRun } from './runs.js';

function attribute(run: RunRecord, key: string): string | number | undefined {
  const info = run.info;
  switch (key) {
    case 'run_id':
      return info.run_id;
    case 'run_name':
      return info.run_name;
    case 'user_id':
      return info.user_id;
    case 'status':
      return info.status;
    case 'artifact_uri':
      return info.artifact_uri;
    case 'start_time':
      return info.start_time;
    case 'end_time':
      return info.end_time;
    default:
      throw RunlogError.invalidParameter(`Invalid attribute key '${key}' specified.`);
  }
}

function admits(run: RunRecord, clause: RunClause): boolean {
  const { comparator, value } = clause;
  switch (clause.type) {
    case 'metric': {
      const v = run.metrics.find((m) => m.key === clause.key)?.value;
      return v !== undefined && !Number.isNaN(v) && matches(v, comparator, value);
    }
    case 'param':
      return matches(run.params.find((p) => p.key === clause.key)?.value, comparator, value);
    case 'tag':
      return matches(run.tags.find((t) => t.key === clause.key)?.value, comparator, value);
    case 'attribute':
      return matches(attribute(run, clause.key), comparator, value);
    case 'dataset':
      return run.inputs.some((input) => {
        const actual =
          clause.key === 'context'
            ? input.tags?.find((t) => t.key === 'mlflow.data.context')?.value
            : clause.key === 'digest'
              ? input.dataset.digest
              : input.dataset.name;
        return matches(actual, comparator, value);
      });
  }
}

/** One order key's comparison; missing values sort last, and for metrics NaN after numbers but before missing. */
function compareBy(a: RunRecord, b: RunRecord, k: RunOrderKey): number {
  if (k.type === 'attribute') return compareValues(attribute(a, k.key), attribute(b, k.key), k.ascending);
  if (k.type === 'metric') {
    const va = a.metrics.find((m) => m.key === k.key)?.value;
    const vb = b.metrics.find((m) => m.key === k.key)?.value;
    const rank = (v: number | undefined) => (v === undefined ? 2 : Number.isNaN(v) ? 1 : 0);
    const ra = rank(va);
    const rb = rank(vb);
    if (ra !== rb || ra !== 0) return ra - rb;
    return compareValues(va, vb, k.ascending);
  }
  const list = (r: RunRecord) => (k.type === 'param' ? r.params : r.tags);
  return compareValues(list(a).find((p) => p.key === k.key)?.value, list(b).find((p) => p.key === k.key)?.value, k.ascending);
}

/** The runs of the given experiments (active or deleted folders), current as of this call. */
export function runsOfExperiments(ctx: FileContext, experimentIds: readonly string[]): RunRecord[] {
  const out: RunRecord[] = [];
  for (const id of new Set(experimentIds)) {
    const expDir = ctx.layout.experimentDir(id);
    if (expDir) out.push(...ctx.runs.runsOf(expDir));
  }
  return out;
}

export function searchRuns(ctx: FileContext, query: SearchRunsQuery): Page<Run> {
  const { maxResults } = query;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > LIMITS.maxRunsSearchResults) {
    throw RunlogError.invalidParameter(
      `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be at most ${LIMITS.maxRunsSearchResults}, and a positive integer.`,
    );
  }
  const clauses = parseRunFilter(query.filter);
  const orderKeys = parseRunOrderBy(query.orderBy);
  const offset = decodePageToken(query.pageToken);
  const wanted = query.viewType === 'ALL' ? undefined : query.viewType === 'ACTIVE_ONLY' ? 'active' : 'deleted';
  const hits = runsOfExperiments(ctx, query.experimentIds).filter(
    (run) => (wanted === undefined || run.info.lifecycle_stage === wanted) && clauses.every((c) => admits(run, c)),
  );
  hits.sort((a, b) => {
    for (const k of orderKeys) {
      const c = compareBy(a, b, k);
      if (c !== 0) return c;
    }
    return b.info.start_time - a.info.start_time || (a.info.run_id < b.info.run_id ? -1 : a.info.run_id > b.info.run_id ? 1 : 0);
  });
  const page: Page<Run> = { items: hits.slice(offset, offset + maxResults).map(toRun) };
  if (hits.length > offset + maxResults) page.next_page_token = encodePageToken(offset + maxResults);
  return page;
}

/** Distinct (dataset, context) pairs used by runs of the given experiments; the UI's dataset filter. */
export function searchDatasets(ctx: FileContext, experimentIds: readonly string[]): DatasetSummary[] {
  checkSearchDatasetsIds(experimentIds);
  const seen = new Map<string, DatasetSummary>();
  for (const id of experimentIds) {
    for (const run of runsOfExperiments(ctx, [id])) {
      for (const input of run.inputs) {
        const context = input.tags?.find((t) => t.key === 'mlflow.data.context')?.value;
        const summary: DatasetSummary = { experiment_id: id, name: input.dataset.name, digest: input.dataset.digest };
        if (context !== undefined) summary.context = context;
        seen.set(JSON.stringify([id, summary.name, summary.digest, context ?? null]), summary);
      }
    }
  }
  return [...seen.values()]
    .sort((a, b) => compareValues(a.experiment_id, b.experiment_id, true) || compareValues(a.name, b.name, true) || compareValues(a.digest, b.digest, true))
    .slice(0, LIMITS.maxHistoryBulkResults);
}
