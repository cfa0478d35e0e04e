// ingest: 4 clients, one run each, log-batch of 1000 metrics (m0..m9 x 100 steps) until 2M points are acknowledged.
import { performance } from 'node:perf_hooks';
import { BenchError } from './http.js';
import { API, createExperiment, createRun, emit, expectEmptyOk, log, prng, readHistory, scaled, type Ctx } from './common.js';
import { round, summarize } from './stats.js';

const CLIENTS = 4;
const KEYS = 10;
const STEPS_PER_REQ = 100; // KEYS * STEPS_PER_REQ = 1000 metrics per request (the log-batch cap)
const TOTAL_POINTS = 2_000_000;

export async function ingest(ctx: Ctx): Promise<void> {
  const perClient = Math.ceil(scaled(ctx, TOTAL_POINTS) / (KEYS * STEPS_PER_REQ * CLIENTS));
  const requests = perClient * CLIENTS;
  const points = requests * KEYS * STEPS_PER_REQ;

  // Untimed setup: experiment, runs, and every request body.
  const exp = await createExperiment(ctx, 'ingest');
  const runs: string[] = [];
  for (let c = 0; c < CLIENTS; c++) runs.push(await createRun(ctx, exp, `ingest-${c}`));
  log(`ingest: serialising ${requests} bodies`);
  const t0 = Date.now();
  const bodies = runs.map((runId, c) => {
    const rnd = prng(1000 + c);
    const out: Buffer[] = [];
    for (let r = 0; r < perClient; r++) {
      const parts: string[] = [];
      for (let s = 0; s < STEPS_PER_REQ; s++) {
        const step = r * STEPS_PER_REQ + s;
        for (let k = 0; k < KEYS; k++) {
          parts.push(`{"key":"m${k}","value":${rnd()},"timestamp":${t0 + step},"step":${step}}`);
        }
      }
      out.push(Buffer.from(`{"run_id":"${runId}","metrics":[${parts.join(',')}]}`));
    }
    return out;
  });

  log(`ingest: ${points} points in ${requests} requests from ${CLIENTS} clients`);
  const lat: number[] = [];
  let acked = 0;
  const start = performance.now();
  await Promise.all(
    bodies.map(async (mine) => {
      for (const body of mine) {
        const res = await ctx.http.post(`${API}/runs/log-batch`, body);
        expectEmptyOk(res, 'runs/log-batch');
        lat.push(res.ms);
        acked += KEYS * STEPS_PER_REQ;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  if (acked !== points) throw new BenchError(`ingest: ${acked} points acknowledged, expected ${points}`);

  // Untimed check that the points were stored: one key's full history per run.
  const perKey = perClient * STEPS_PER_REQ;
  for (const runId of runs) {
    const h = await readHistory(ctx, runId, 'm0', perKey, 25_000);
    const steps = new Set(h.points.map((p) => p.step));
    if (h.points.length !== perKey || steps.size !== perKey) {
      throw new BenchError(`ingest: run ${runId} m0 has ${h.points.length} points (${steps.size} distinct steps), expected ${perKey}`);
    }
  }

  const s = summarize(lat);
  emit(ctx, 'ingest', {
    points_per_s: Math.round(points / seconds),
    points,
    requests,
    seconds: round(seconds, 3),
    p50_ms: round(s.p50),
    p99_ms: round(s.p99),
  });
}
