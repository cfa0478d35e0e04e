/**
 * `get-history-bulk-interval`: MLflow's checks and its step sampling (`_get_sampled_steps_from_steps` and the
 * handler around it), reproduced exactly so the UI's charts pick the same points from every store and from MLflow.
 * Pure functions shared by the SQL and file stores.
 */
import { RunlogError } from './errors.js';
import { LIMITS } from './limits.js';
import { missingValue } from './api/request-errors.js';
import type { BulkIntervalQuery } from './stores.js';

/** MLflow's checks, in its order and with its messages. */
export function checkBulkIntervalQuery(query: BulkIntervalQuery): void {
  const { runIds, maxResults, startStep, endStep } = query;
  if (runIds.length === 0) throw missingValue('run_ids');
  if (runIds.length > LIMITS.maxBulkIntervalRunIds) {
    throw RunlogError.invalidParameter(
      `GetMetricHistoryBulkInterval request must specify at most ${LIMITS.maxBulkIntervalRunIds} run_ids. Received ${runIds.length} run_ids.`,
    );
  }
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > LIMITS.maxBulkIntervalResults) {
    throw RunlogError.invalidParameter(`max_results must be between 1 and ${LIMITS.maxBulkIntervalResults}.`);
  }
  if (startStep !== undefined && endStep !== undefined && startStep > endStep) {
    throw RunlogError.invalidParameter(
      `end_step must be greater than start_step. Found start_step=${startStep} and end_step=${endStep}.`,
    );
  }
  if ((startStep === undefined) !== (endStep === undefined)) {
    throw RunlogError.invalidParameter('If either start step or end step are specified, both must be specified.');
  }
}

/** First index whose step is >= `value` (bisect_left) over `count` sorted steps read through `at`. */
function bisectLeft(count: number, at: (i: number) => number, value: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (at(mid) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * `maxResults` picks at a fractional stride from the sorted distinct steps within [start, end], plus the last step
 * in range. The steps are read through `at`, so a dense range needs no array.
 */
export function sampleSteps(count: number, at: (i: number) => number, start: number, end: number, maxResults: number): number[] {
  const startIdx = bisectLeft(count, at, start);
  const endIdx = bisectLeft(count, at, end + 1);
  const inRange = endIdx - startIdx;
  const out: number[] = [];
  if (inRange <= maxResults) {
    for (let i = startIdx; i < endIdx; i++) out.push(at(i));
    return out;
  }
  const interval = inRange / maxResults;
  for (let i = 0; i < maxResults; i++) {
    const idx = startIdx + Math.trunc(i * interval);
    // MLflow compares the absolute index with the number of steps in range (not the range's end).
    if (idx < inRange) out.push(at(idx));
  }
  out.push(at(endIdx - 1));
  return out;
}

/**
 * The steps to return: the sampled ones (from step 0, or `startStep`, to the last step logged, or `endStep`) plus
 * each run's own first and last step when they lie in that range, so every line starts and ends where its data does.
 * `ends` holds each run's [first, last] step over its whole history; `count`/`at` read all runs' distinct steps.
 */
export function chooseIntervalSteps(
  count: number,
  at: (i: number) => number,
  ends: readonly (readonly [number, number])[],
  query: Pick<BulkIntervalQuery, 'startStep' | 'endStep' | 'maxResults'>,
): number[] {
  if (count === 0) return [];
  const lo = query.startStep ?? 0;
  const hi = query.endStep ?? at(count - 1);
  const chosen = new Set(sampleSteps(count, at, lo, hi, query.maxResults));
  for (const [first, last] of ends) {
    if (first >= lo && first <= hi) chosen.add(first);
    if (last >= lo && last <= hi) chosen.add(last);
  }
  return [...chosen].sort((a, b) => a - b);
}
