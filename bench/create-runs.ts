// create_runs: 4 clients; each iteration = runs/create (2 tags) + runs/log-batch (5 params, 5 metrics, 3 tags).
import { performance } from 'node:perf_hooks';
import { BenchError, expectJson, jsonBody, list, obj, pageToken } from './http.js';
import { API, createExperiment, emit, expectEmptyOk, log, pool, runCreateBody, runIdOf, scaled, type Ctx } from './common.js';
import { round, summarize } from './stats.js';

const CLIENTS = 4;
const RUNS = 10_000;
/** Untimed iterations first (another experiment), so the figure is steady state, not JIT warm-up. */
const WARMUP_RUNS = 500;

export async function createRuns(ctx: Ctx): Promise<void> {
  const total = scaled(ctx, RUNS);
  const exp = await createExperiment(ctx, 'create_runs');
  const warmExp = await createExperiment(ctx, 'create_runs_warmup');

  // Pre-serialised bodies; log-batch only needs the run id spliced in front.
  const now = Date.now();
  const bodiesFor = (experiment: string, n: number) =>
    Array.from({ length: n }, (_, i) =>
      runCreateBody(experiment, `run-${i}`, now + i, [
        { key: 'mlflow.user', value: 'bench' },
        { key: 'mlflow.source.type', value: 'LOCAL' },
      ]),
    );
  const createBodies = bodiesFor(exp, total);
  const warmBodies = bodiesFor(warmExp, scaled(ctx, WARMUP_RUNS));
  const batchTail = JSON.stringify({
    params: Array.from({ length: 5 }, (_, k) => ({ key: `p${k}`, value: `v${k}` })),
    metrics: Array.from({ length: 5 }, (_, k) => ({ key: `m${k}`, value: k / 10, timestamp: now, step: 0 })),
    tags: Array.from({ length: 3 }, (_, k) => ({ key: `t${k}`, value: `tag${k}` })),
  }).slice(1); // drop '{' so it can follow the run_id member

  log(`create_runs: ${warmBodies.length} warm-up runs, then ${total} timed runs from ${CLIENTS} clients`);
  await pool(CLIENTS, warmBodies.length, async (i) => {
    const created = await ctx.http.post(`${API}/runs/create`, warmBodies[i] as Buffer);
    const runId = runIdOf(expectJson(created, 'runs/create'));
    expectEmptyOk(await ctx.http.post(`${API}/runs/log-batch`, Buffer.from(`{"run_id":"${runId}",${batchTail}`)), 'runs/log-batch');
  });
  const lat: number[] = [];
  const ids: string[] = [];
  const start = performance.now();
  await pool(CLIENTS, total, async (i) => {
    const created = await ctx.http.post(`${API}/runs/create`, createBodies[i] as Buffer);
    const runId = runIdOf(expectJson(created, 'runs/create'));
    const logged = await ctx.http.post(`${API}/runs/log-batch`, Buffer.from(`{"run_id":"${runId}",${batchTail}`));
    expectEmptyOk(logged, 'runs/log-batch');
    lat.push(created.ms + logged.ms); // per-iteration latency (both requests)
    ids.push(runId);
  });
  const seconds = (performance.now() - start) / 1000;

  // Untimed checks: every run is listed once, and a run carries the logged data.
  const listed = await countRuns(ctx, exp, total);
  if (listed !== total || new Set(ids).size !== total) {
    throw new BenchError(`create_runs: ${listed} runs listed, ${new Set(ids).size} distinct ids, expected ${total}`);
  }
  const run = obj(expectJson(await ctx.http.get(`${API}/runs/get`, { run_id: ids[ids.length - 1] ?? '' }), 'runs/get')['run'], 'runs/get: run');
  const data = obj(run['data'] ?? {}, 'runs/get: run.data');
  const counts = [list(data, 'params', 'run.data').length, list(data, 'metrics', 'run.data').length, list(data, 'tags', 'run.data').length];
  if (counts[0] !== 5 || counts[1] !== 5 || (counts[2] ?? 0) < 5) {
    throw new BenchError(`create_runs: run has ${counts.join('/')} params/metrics/tags, expected 5/5/>=5`);
  }

  const s = summarize(lat);
  emit(ctx, 'create_runs', {
    runs_per_s: round(total / seconds, 1),
    runs: total,
    requests: total * 2,
    seconds: round(seconds, 3),
    p50_ms: round(s.p50),
    p99_ms: round(s.p99),
  });
}

/** Counts an experiment's runs through runs/search paging (bounded). */
async function countRuns(ctx: Ctx, exp: string, expected: number): Promise<number> {
  let n = 0;
  let token: string | undefined;
  for (let page = 0; page <= Math.ceil(expected / 1000) + 1; page++) {
    const body = expectJson(
      await ctx.http.post(`${API}/runs/search`, jsonBody({ experiment_ids: [exp], max_results: 1000, page_token: token })),
      'runs/search',
    );
    n += list(body, 'runs', 'runs/search').length;
    token = pageToken(body);
    if (token === undefined) return n;
  }
  throw new BenchError(`create_runs: runs/search paging did not terminate (${n} runs so far)`);
}
