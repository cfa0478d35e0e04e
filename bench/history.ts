// metric_history (whole history in one response) + metric_history_paged (max_results=25000, follow tokens).
import { BenchError } from './http.js';
import { API, createExperiment, createRun, emit, expectEmptyOk, log, pool, prng, readHistory, scaled, type Ctx, type HistoryRead } from './common.js';
import { round, summarize } from './stats.js';

const POINTS = 100_000;
const PER_REQUEST = 1000;
const KEY = 'loss';
const WARMUP = 2;
const ITERATIONS = 20;
const CLIENT_PAGE = 25_000; // the Python client's GET_METRIC_HISTORY_MAX_RESULTS

export async function metricHistory(ctx: Ctx): Promise<void> {
  const points = Math.ceil(scaled(ctx, POINTS) / PER_REQUEST) * PER_REQUEST;
  const exp = await createExperiment(ctx, 'metric_history');
  const runId = await createRun(ctx, exp, 'history');

  // Untimed: log steps 0..points-1 with known values.
  const rnd = prng(7);
  const t0 = Date.now();
  const values = Float64Array.from({ length: points }, () => rnd());
  const bodies = Array.from({ length: points / PER_REQUEST }, (_, r) => {
    const parts: string[] = [];
    for (let step = r * PER_REQUEST; step < (r + 1) * PER_REQUEST; step++) {
      parts.push(`{"key":"${KEY}","value":${values[step] ?? 0},"timestamp":${t0 + step},"step":${step}}`);
    }
    return Buffer.from(`{"run_id":"${runId}","metrics":[${parts.join(',')}]}`);
  });
  log(`metric_history: logging ${points} steps`);
  await pool(4, bodies.length, async (i) => expectEmptyOk(await ctx.http.post(`${API}/runs/log-batch`, bodies[i] as Buffer), 'runs/log-batch'));

  const whole = await timeReads(ctx, runId, values, undefined);
  emit(ctx, 'metric_history', {
    p50_ms: round(whole.p50),
    p95_ms: round(whole.p95),
    points_returned: points,
    response_bytes: whole.bytes,
    iterations: ITERATIONS,
  });

  const paged = await timeReads(ctx, runId, values, CLIENT_PAGE);
  emit(ctx, 'metric_history_paged', {
    p50_ms: round(paged.p50),
    p95_ms: round(paged.p95),
    points_returned: points,
    pages: paged.pages,
    iterations: ITERATIONS,
  });
}

/** Times full reads (sum of page request times); validates every read against the logged values. */
async function timeReads(ctx: Ctx, runId: string, values: Float64Array, maxResults: number | undefined) {
  const lat: number[] = [];
  let last: HistoryRead | undefined;
  for (let i = 0; i < WARMUP + ITERATIONS; i++) {
    last = await readHistory(ctx, runId, KEY, values.length, maxResults);
    if (i >= WARMUP) lat.push(last.ms);
    verify(last, values);
  }
  const s = summarize(lat);
  return { p50: s.p50, p95: s.p95, pages: last?.pages ?? 0, bytes: last?.bytes ?? 0 };
}

function verify(h: HistoryRead, values: Float64Array): void {
  const what = `metrics/get-history${h.pages > 1 ? ` (${h.pages} pages)` : ''}`;
  if (h.points.length !== values.length) throw new BenchError(`${what}: ${h.points.length} points returned, expected ${values.length}`);
  const seen = new Uint8Array(values.length);
  for (const p of h.points) {
    if (!Number.isInteger(p.step) || p.step < 0 || p.step >= values.length || seen[p.step] === 1) {
      throw new BenchError(`${what}: unexpected or duplicate step ${p.step}`);
    }
    seen[p.step] = 1;
    if (p.value !== values[p.step]) throw new BenchError(`${what}: step ${p.step} has value ${p.value}, logged ${values[p.step] ?? '?'}`);
  }
}
