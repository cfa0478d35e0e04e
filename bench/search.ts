// search + search_page_1000: 10,000 seeded runs; filtered/ordered first page and a plain 1000-run page.
// The seed is deterministic, so every response is checked against the exact expected run ids.
import { BenchError, expectJson, jsonBody, list, obj, str, type JsonObject } from './http.js';
import { API, createExperiment, emit, expectEmptyOk, log, pool, prng, runCreateBody, runIdOf, scaled, type Ctx } from './common.js';
import { round, summarize } from './stats.js';

const RUNS = 10_000;
const SEED_CLIENTS = 4;
const WARMUP = 5;
const ITERATIONS = 50;
const FILTER = "metrics.m0 > 0.5 and params.p1 = 'b'";
const PAGE = 100;
const BIG_PAGE = 1000;

interface Seeded {
  start: number;
  m0: number;
  m1: number;
  p1: string;
  id: string;
}

export async function search(ctx: Ctx): Promise<void> {
  const total = scaled(ctx, RUNS);
  const exp = await createExperiment(ctx, 'search');
  const runs = await seed(ctx, exp, total);

  // Expected answers. Runs order: given key, then start_time DESC, run_id ASC (MLflow's base order).
  const base = (a: Seeded, b: Seeded): number => b.start - a.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const matching = runs.filter((r) => r.m0 > 0.5 && r.p1 === 'b').sort((a, b) => b.m1 - a.m1 || base(a, b));
  const expectFiltered = matching.slice(0, PAGE).map((r) => r.id);
  const expectPage = [...runs].sort(base).slice(0, BIG_PAGE).map((r) => r.id);

  const filtered = await timeSearch(ctx, jsonBody({ experiment_ids: [exp], filter: FILTER, order_by: ['metrics.m1 DESC'], max_results: PAGE }), expectFiltered);
  emit(ctx, 'search', {
    p50_ms: round(filtered.p50),
    p95_ms: round(filtered.p95),
    runs_first_page: expectFiltered.length,
    runs_matching: matching.length,
    runs_seeded: total,
    iterations: ITERATIONS,
  });

  const page = await timeSearch(ctx, jsonBody({ experiment_ids: [exp], max_results: BIG_PAGE }), expectPage);
  emit(ctx, 'search_page_1000', {
    p50_ms: round(page.p50),
    p95_ms: round(page.p95),
    runs_returned: expectPage.length,
    runs_seeded: total,
    iterations: ITERATIONS,
  });
}

/** Untimed: creates `total` runs with 5 params, 5 metrics, 3 tags each (concurrency 4). */
async function seed(ctx: Ctx, exp: string, total: number): Promise<Seeded[]> {
  const rnd = prng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const now = Date.now();
  const runs: Seeded[] = [];
  const tails: string[] = [];
  for (let i = 0; i < total; i++) {
    const params = [pick(['a', 'b', 'c']), pick(['a', 'b', 'c']), pick(['0.001', '0.01', '0.1']), String(1 + Math.floor(rnd() * 8)), pick(['x', 'y'])];
    const metrics = Array.from({ length: 5 }, () => rnd());
    const tags = [pick(['cpu', 'gpu']), `team-${i % 4}`, 'bench'];
    runs.push({ start: now - total + i, m0: metrics[0] ?? 0, m1: metrics[1] ?? 0, p1: params[1] ?? '', id: '' });
    tails.push(
      JSON.stringify({
        params: params.map((value, k) => ({ key: `p${k}`, value })),
        metrics: metrics.map((value, k) => ({ key: `m${k}`, value, timestamp: now, step: 0 })),
        tags: tags.map((value, k) => ({ key: `t${k}`, value })),
      }).slice(1),
    );
  }
  log(`search: seeding ${total} runs`);
  let done = 0;
  await pool(SEED_CLIENTS, total, async (i) => {
    const run = runs[i] as Seeded;
    const created = await ctx.http.post(`${API}/runs/create`, runCreateBody(exp, `search-${i}`, run.start));
    run.id = runIdOf(expectJson(created, 'runs/create'));
    expectEmptyOk(await ctx.http.post(`${API}/runs/log-batch`, Buffer.from(`{"run_id":"${run.id}",${tails[i] ?? ''}`)), 'runs/log-batch');
    if (++done % 2000 === 0) log(`search: seeded ${done}/${total}`);
  });
  return runs;
}

/** Warm-ups then timed sequential iterations; every response is validated outside the timed span. */
async function timeSearch(ctx: Ctx, body: Buffer, expected: string[]): Promise<{ p50: number; p95: number }> {
  const lat: number[] = [];
  for (let i = 0; i < WARMUP + ITERATIONS; i++) {
    const res = await ctx.http.post(`${API}/runs/search`, body);
    if (i >= WARMUP) lat.push(res.ms);
    checkIds(expectJson(res, 'runs/search'), expected);
  }
  const s = summarize(lat);
  return { p50: s.p50, p95: s.p95 };
}

function checkIds(body: JsonObject, expected: string[]): void {
  const runs = list(body, 'runs', 'runs/search');
  if (runs.length !== expected.length) throw new BenchError(`runs/search: ${runs.length} runs returned, expected ${expected.length}`);
  runs.forEach((r, i) => {
    const id = str(obj(obj(r, 'runs/search: run')['info'], 'runs/search: run.info'), 'run_id', 'runs/search: run.info');
    if (id !== expected[i]) throw new BenchError(`runs/search: run #${i} is ${id}, expected ${expected[i] ?? '?'} (wrong filter or order)`);
  });
}
