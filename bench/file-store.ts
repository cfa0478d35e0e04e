// file_store_search: MLflow's `mlruns` folder as the store. 10,000 runs (5 params, 5 metrics, 3 tags each) written
// through the file store in this process, then runs/search's work timed on the store itself: the first search of
// a freshly opened store (every run folder read into the index), warm searches (the index re-checks every run's
// stamps: listings and stats, no file contents), and a search right after one run changed. Answers are checked.
// Also timed: creating runs (runs/create + a 13-entity log-batch) with the store's default fsync, on 200 runs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { SearchRunsQuery, TrackingStore } from '@runlog/core';
import { createFileTrackingStore } from '../packages/server/src/stores/file/file-tracking-store.js';
import { BenchError } from './http.js';
import { emit, log, prng, scaled, type Ctx } from './common.js';
import { round, summarize } from './stats.js';

const RUNS = 10_000;
const ITERATIONS = 20;

function open(root: string, sync = true): TrackingStore {
  return createFileTrackingStore({ root, defaultArtifactRoot: pathToFileURL(root).href, sync });
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

export async function fileStoreSearch(ctx: Ctx): Promise<void> {
  const total = scaled(ctx, RUNS);
  const dir = mkdtempSync(join(tmpdir(), 'runlog-bench-mlruns-'));
  const root = join(dir, 'mlruns');
  try {
    // Seeding is not what is measured: without fsync it takes minutes instead of an hour on a shared disk.
    const writer = open(root, false);
    const exp = await writer.createExperiment('search');
    const rnd = prng(42);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    let expectedMatches = 0;
    const seedStart = performance.now();
    for (let i = 0; i < total; i++) {
      const run = await writer.createRun({ experimentId: exp, runName: `search-${i}`, startTime: i });
      const params = [pick(['a', 'b', 'c']), pick(['a', 'b', 'c']), pick(['0.001', '0.01', '0.1']), String(1 + Math.floor(rnd() * 8)), pick(['x', 'y'])];
      const metrics = Array.from({ length: 5 }, () => rnd());
      if ((metrics[0] ?? 0) > 0.5 && params[1] === 'b') expectedMatches++;
      await writer.logBatch(
        run.info.run_id,
        metrics.map((value, k) => ({ key: `m${k}`, value, timestamp: 0, step: 0 })),
        params.map((value, k) => ({ key: `p${k}`, value })),
        [`cpu`, `team-${i % 4}`, 'bench'].map((value, k) => ({ key: `t${k}`, value })),
      );
      if ((i + 1) % 2000 === 0) log(`file_store_search: seeded ${i + 1}/${total}`);
    }
    const seedS = (performance.now() - seedStart) / 1000;
    await writer.close();

    const query: SearchRunsQuery = {
      experimentIds: [exp],
      viewType: 'ACTIVE_ONLY',
      maxResults: 100,
      filter: "metrics.m0 > 0.5 and params.p1 = 'b'",
      orderBy: ['metrics.m1 DESC'],
    };
    const store = open(root);
    const check = (n: number, next: string | undefined): void => {
      const want = Math.min(100, expectedMatches);
      if (n !== want || (expectedMatches > 100) !== (next !== undefined)) throw new BenchError(`file_store_search: ${n} runs returned, expected ${want}`);
    };
    const cold = await timed(() => store.searchRuns(query));
    check(cold.value.items.length, cold.value.next_page_token);
    const warm: number[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      const r = await timed(() => store.searchRuns(query));
      check(r.value.items.length, r.value.next_page_token);
      warm.push(r.ms);
    }
    const first = cold.value.items[0];
    if (!first) throw new BenchError('file_store_search: no runs');
    await store.setExperimentTag(exp, { key: 'touched', value: '1' });
    await store.logBatch(first.info.run_id, [], [], [{ key: 'changed', value: 'yes' }]);
    const after = await timed(() => store.searchRuns({ ...query, filter: "tags.changed = 'yes'" }));
    if (after.value.items.length !== 1) throw new BenchError('file_store_search: the changed run was not found');
    const SYNCED = Math.min(200, total);
    const syncStart = performance.now();
    for (let i = 0; i < SYNCED; i++) {
      const run = await store.createRun({ experimentId: exp, startTime: total + i });
      await store.logBatch(
        run.info.run_id,
        [0, 1, 2, 3, 4].map((k) => ({ key: `m${k}`, value: k, timestamp: 0, step: 0 })),
        [0, 1, 2, 3, 4].map((k) => ({ key: `p${k}`, value: String(k) })),
        [0, 1, 2].map((k) => ({ key: `t${k}`, value: String(k) })),
      );
    }
    const syncedRate = SYNCED / ((performance.now() - syncStart) / 1000);
    const s = summarize(warm);
    emit(ctx, 'file_store_search', {
      cold_first_search_ms: round(cold.ms),
      warm_p50_ms: round(s.p50),
      warm_p95_ms: round(s.p95),
      after_one_write_ms: round(after.ms),
      runs_seeded: total,
      runs_matching: expectedMatches,
      seed_runs_per_s_no_fsync: round(total / seedS),
      create_runs_per_s_fsync: round(syncedRate),
      iterations: ITERATIONS,
    });
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
