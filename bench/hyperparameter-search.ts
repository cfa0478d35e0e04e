// Hyperparameter search (the SDK's createOptimizer / minimize).
// search_quality: TPE vs random search on Branin (2-d, minimum 0.397887) and Hartmann-6 (6-d, minimum
// -3.32237), at 50 and 100 evaluations: the median over 20 seeds of each search's best loss. No tracking:
// the optimizers alone, as hyperopt's own comparisons do.
// search_overhead: minimize() with a no-op objective against the driver's server, 1,000 trials (one nested run
// each: create, params, loss, end) — wall milliseconds per trial, how much of it the TPE suggestion is, and the
// CPU milliseconds per trial of both processes (what the wall time would be on cores of their own); then the
// same search in local mode (SQLite in-process, no HTTP).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as runlog from '@runlog/client';
import { createOptimizer, hp, minimize, type Observation, type SearchAlgorithm } from '@runlog/client';
import { processCpuSeconds } from './fluent.js';
import { BenchError } from './http.js';
import { emit, log, scaled, type Ctx } from './common.js';
import { round } from './stats.js';

const SEEDS = 20;
const BUDGETS = [50, 100];
const OVERHEAD_TRIALS = 1000;

function branin([x, y]: readonly number[]): number {
  const b = 5.1 / (4 * Math.PI ** 2);
  const c = 5 / Math.PI;
  const t = 1 / (8 * Math.PI);
  return ((y as number) - b * (x as number) ** 2 + c * (x as number) - 6) ** 2 + 10 * (1 - t) * Math.cos(x as number) + 10;
}

const H_ALPHA = [1.0, 1.2, 3.0, 3.2];
const H_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const H_P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
].map((row) => row.map((v) => v * 1e-4));

function hartmann6(x: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < 4; i++) {
    let inner = 0;
    for (let j = 0; j < 6; j++) inner += (H_A[i]?.[j] as number) * ((x[j] as number) - (H_P[i]?.[j] as number)) ** 2;
    sum += (H_ALPHA[i] as number) * Math.exp(-inner);
  }
  return -sum;
}

const PROBLEMS = [
  { name: 'branin', f: branin, space: [hp.uniform('x0', -5, 10), hp.uniform('x1', 0, 15)] },
  { name: 'hartmann6', f: hartmann6, space: Array.from({ length: 6 }, (_, j) => hp.uniform(`x${j}`, 0, 1)) },
];

function bestLoss(space: unknown, f: (x: readonly number[]) => number, labels: number, algo: SearchAlgorithm, seed: number, evals: number): number {
  const opt = createOptimizer(space, { algo, seed });
  const history: Observation[] = [];
  let best = Infinity;
  for (let i = 0; i < evals; i++) {
    const vals = opt.suggest(i, history);
    const loss = f(Array.from({ length: labels }, (_, j) => vals[`x${j}`] as number));
    history.push({ vals, loss });
    best = Math.min(best, loss);
  }
  return best;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export function searchQuality(ctx: Ctx): Promise<void> {
  const seeds = scaled(ctx, SEEDS, 3);
  for (const p of PROBLEMS) {
    for (const evals of BUDGETS) {
      const medians: Record<string, number> = {};
      const ms: Record<string, number> = {};
      for (const algo of ['tpe', 'random'] as const) {
        const t0 = performance.now();
        medians[algo] = median(Array.from({ length: seeds }, (_, seed) => bestLoss(p.space, p.f, p.space.length, algo, seed, evals)));
        ms[algo] = (performance.now() - t0) / seeds;
      }
      const tpe = medians.tpe as number;
      const random = medians.random as number;
      log(`search_quality ${p.name} @${evals}: tpe ${tpe.toFixed(4)}, random ${random.toFixed(4)}`);
      emit(ctx, 'search_quality', {
        problem: p.name,
        evals,
        seeds,
        tpe_median_best: round(tpe, 4),
        random_median_best: round(random, 4),
        tpe_better: tpe < random,
        tpe_ms_per_search: round(ms.tpe as number, 1),
      });
    }
  }
  return Promise.resolve();
}

export async function searchOverhead(ctx: Ctx & { baseUrl?: string | undefined; serverPid?: number | undefined }): Promise<void> {
  if (ctx.baseUrl === undefined) throw new BenchError('search_overhead: the driver did not pass the server URL');
  const trials = scaled(ctx, OVERHEAD_TRIALS, 50);
  runlog.resetFluentState({});
  runlog.setTrackingUri(ctx.baseUrl);
  await runlog.setExperiment(`bench-search-${ctx.tag}`);
  const space = { x: hp.uniform('x', -5, 10), y: hp.uniform('y', 0, 15), kind: hp.choice('kind', ['a', 'b', 'c']) };

  // The algorithm alone over the same number of trials: what TPE itself costs as the history grows.
  const opt = createOptimizer(space, { algo: 'tpe', seed: 1 });
  const history: Observation[] = [];
  const s0 = performance.now();
  for (let i = 0; i < trials; i++) {
    const vals = opt.suggest(i, history);
    history.push({ vals, loss: branin([vals.x as number, vals.y as number]) });
  }
  const suggestMs = (performance.now() - s0) / trials;

  const cpu0 = process.cpuUsage();
  const serverCpu0 = processCpuSeconds(ctx.serverPid);
  const t0 = performance.now();
  const result = await minimize({ space, objective: () => 0, maxEvals: trials, algo: 'tpe', seed: 1, runName: 'overhead' });
  const totalMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const serverCpu1 = processCpuSeconds(ctx.serverPid);
  if (result.trials.length !== trials) throw new BenchError(`search_overhead: ${result.trials.length} of ${trials} trials finished`);
  log(`search_overhead: ${trials} trials in ${(totalMs / 1000).toFixed(1)} s`);
  await runlog.getClient().close();

  // The same search in local mode (the SQLite store in this process, no HTTP).
  const dir = mkdtempSync(join(tmpdir(), 'runlog-bench-search-'));
  let localMs: number;
  try {
    runlog.resetFluentState({});
    runlog.setTrackingUri(`sqlite:///${join(dir, 'runlog.db')}`);
    await runlog.setExperiment('bench-search-local');
    const l0 = performance.now();
    await minimize({ space, objective: () => 0, maxEvals: trials, algo: 'tpe', seed: 1, runName: 'overhead-local' });
    localMs = performance.now() - l0;
    await runlog.getClient().close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  emit(ctx, 'search_overhead', {
    trials,
    local_mode_ms_per_trial: round(localMs / trials, 2),
    ms_per_trial: round(totalMs / trials, 2),
    tpe_suggest_ms_per_trial: round(suggestMs, 3),
    client_cpu_ms_per_trial: round((cpu.user + cpu.system) / 1000 / trials, 2),
    ...(serverCpu0 !== undefined && serverCpu1 !== undefined ? { server_cpu_ms_per_trial: round(((serverCpu1 - serverCpu0) * 1000) / trials, 2) } : {}),
  });
}
