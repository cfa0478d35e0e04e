// UI benchmark: 100,000 runs (5 params, 5 metrics, 3 tags each) and one run with a 1,000,000-step metric in
// SQLite, a spawned `runlog server` over it, and headless Debian Chromium measuring what a user waits for:
//   runs_first_rows   navigation to #/experiments/<id> → first run rows in the DOM (fresh browser context)
//   runs_sort_metric  click on a metric column header → rows re-ordered by the server
//   chart_1m_steps    navigation to the big run's Metrics tab → its chart drawn
//   chart_1m_steps_zoom  drag-zoom on that chart → the visible steps fetched again and redrawn
// Prints one JSON line per result (median of --iterations) on stdout. Usage:
//   npm run bench:ui -- [--runs 100000] [--steps 1000000] [--iterations 5] [--db /path/keep.db]
// With --db, the seeded database is kept and reused by later invocations (seeding takes a few minutes).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { createSqlTrackingStore } from '../packages/server/src/stores/sql/sql-tracking-store.js';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '100000' },
    steps: { type: 'string', default: '1000000' },
    iterations: { type: 'string', default: '5' },
    db: { type: 'string' },
  },
});
const RUNS = Number(opts.runs);
const STEPS = Number(opts.steps);
const ITER = Number(opts.iterations);
const root = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function log(msg: string): void {
  process.stderr.write(`[bench:ui] ${msg}\n`);
}
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

interface SeedInfo {
  experimentId: string;
  bigRunId: string;
  runs: number;
  steps: number;
}

async function seed(dbFile: string): Promise<SeedInfo> {
  const marker = `${dbFile}.seed.json`;
  if (fs.existsSync(dbFile) && fs.existsSync(marker)) {
    const info = JSON.parse(fs.readFileSync(marker, 'utf8')) as SeedInfo;
    if (info.runs === RUNS && info.steps === STEPS) {
      log(`reusing ${dbFile}`);
      return info;
    }
  }
  for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`, marker]) fs.rmSync(f, { force: true });
  const store = await createSqlTrackingStore({ uri: `sqlite:///${dbFile}`, defaultArtifactRoot: 'mlflow-artifacts:/' });
  const t0 = Date.now();
  const experimentId = await store.createExperiment('bench-ui-100k');
  const start = Date.now() - RUNS * 1000;
  let x = 12345;
  const rnd = (): number => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
  for (let i = 0; i < RUNS; i++) {
    const run = await store.createRun({
      experimentId,
      userId: `user${i % 17}`,
      runName: `run-${i}`,
      startTime: start + i * 1000,
      tags: [{ key: 'mlflow.source.name', value: 'train.py' }],
    });
    const ts = start + i * 1000 + 500;
    await store.logBatch(
      run.info.run_id,
      ['loss', 'accuracy', 'f1', 'precision', 'recall'].map((key) => ({ key, value: rnd(), timestamp: ts, step: 0 })),
      ['lr', 'depth', 'optimizer', 'batch_size', 'seed'].map((key, k) => ({ key, value: k === 2 ? ['adam', 'sgd', 'rmsprop'][i % 3] ?? 'adam' : String(Math.floor(rnd() * 100)) })),
      [
        { key: 'team', value: `team-${i % 5}` },
        { key: 'dataset', value: `ds-${i % 11}` },
        { key: 'stage', value: i % 2 ? 'dev' : 'prod' },
      ],
    );
    await store.updateRun(run.info.run_id, { status: 'FINISHED', endTime: ts + 1000 });
    if (i % 10_000 === 0) log(`seeded ${i} runs (${Math.round((Date.now() - t0) / 1000)} s)`);
  }
  const big = await store.createRun({ experimentId: await store.createExperiment('bench-ui-1m-steps'), runName: 'long-training', startTime: Date.now() });
  const BATCH = 1000;
  for (let s = 0; s < STEPS; s += BATCH) {
    const metrics = [];
    for (let k = s; k < Math.min(STEPS, s + BATCH); k++) metrics.push({ key: 'loss', value: 1 / (1 + k / 1000) + 0.01 * Math.sin(k / 50), timestamp: 1_700_000_000_000 + k, step: k });
    await store.logBatch(big.info.run_id, metrics, [], []);
    if (s % 200_000 === 0 || process.env.BENCH_DEBUG) log(`logged ${s} steps`);
  }
  // store.close() waits for the (unref'd) checkpointer worker to exit; keep the event loop alive meanwhile.
  const keepAlive = setInterval(() => undefined, 1000);
  await store.close();
  clearInterval(keepAlive);
  const info: SeedInfo = { experimentId, bigRunId: big.info.run_id, runs: RUNS, steps: STEPS };
  fs.writeFileSync(marker, JSON.stringify(info));
  log(`seeded in ${Math.round((Date.now() - t0) / 1000)} s`);
  return info;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function startServer(dbFile: string, dir: string): Promise<{ url: string; child: ChildProcess }> {
  // A kept database may predate a schema migration.
  await new Promise<void>((resolve, reject) => {
    const up = spawn(process.execPath, [path.join(root, 'packages/server/dist/cli/main.js'), 'db', 'upgrade', `sqlite:///${dbFile}`], { stdio: ['ignore', 'ignore', 'inherit'] });
    up.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`db upgrade exited ${code}`))));
  });
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [path.join(root, 'packages/server/dist/cli/main.js'), 'server', '--backend-store-uri', `sqlite:///${dbFile}`, '--artifacts-destination', path.join(dir, 'artifacts'), '--host', '127.0.0.1', '--port', String(port)],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/health`)).ok) return { url, child };
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('server did not start');
}

async function measure(browser: Browser, url: string, info: SeedInfo): Promise<void> {
  const first: number[] = [];
  const sort: number[] = [];
  const chart: number[] = [];
  const zoom: number[] = [];
  // Chromium's first page pays for starting its renderer and network processes: not part of a navigation.
  {
    const ctx = await browser.newContext({ bypassCSP: true }); // string predicates below are evaluated in the page
    await (await ctx.newPage()).goto('about:blank');
    await ctx.close();
  }
  for (let i = 0; i < ITER; i++) {
    // Fresh context: empty cache, like a first visit.
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 }, bypassCSP: true });
    const page = await ctx.newPage();
    page.setDefaultTimeout(30_000);
    const t0 = performance.now();
    await page.goto(`${url}/#/experiments/${info.experimentId}`);
    await page.waitForSelector('[data-run-id]');
    first.push(performance.now() - t0);
    const before = await page.locator('[data-run-id]').first().getAttribute('data-run-id');
    const t1 = performance.now();
    await page.getByRole('button', { name: /^Sort by metric accuracy/ }).click();
    // Page-side predicates are strings: this file is type-checked without the DOM library.
    await page.waitForFunction(
      `(() => { const el = document.querySelector('[data-run-id]'); return el !== null && el.getAttribute('data-run-id') !== ${JSON.stringify(before)} && !document.querySelector('.loading'); })()`,
    );
    sort.push(performance.now() - t1);
    if (i === 0) await page.screenshot({ path: path.join(root, 'docs/ui/bench-100k-sorted.png') });
    const t2 = performance.now();
    await page.goto(`${url}/#/runs/${info.bigRunId}?tab=metrics`);
    await page.waitForFunction(`Number(document.querySelector('[data-testid="chart-loss"]')?.getAttribute('data-points') ?? 0) > 0 && document.querySelector('[data-testid="chart-loss"] canvas') !== null`);
    chart.push(performance.now() - t2);
    if (i === 0) await page.screenshot({ path: path.join(root, 'docs/ui/bench-1m-steps.png') });
    // Drag across 5% of the plot: the visible steps are fetched again (start_step/end_step) and redrawn.
    const over = page.locator('[data-testid="chart-loss"] .u-over');
    const box = await over.boundingBox();
    if (!box) throw new Error('no chart plot area');
    const t3 = performance.now();
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.35, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    await page.getByRole('button', { name: 'Reset zoom' }).waitFor();
    await page.waitForFunction(`(() => { const c = document.querySelector('[data-testid="chart-loss"]'); return c && !c.closest('figure').textContent.includes('loading…') && Number(c.getAttribute('data-first-step')) > 0; })()`);
    zoom.push(performance.now() - t3);
    if (i === 0) await page.screenshot({ path: path.join(root, 'docs/ui/bench-1m-steps-zoomed.png') });
    await ctx.close();
    log(`iteration ${i + 1}: first rows ${Math.round(first[i] ?? 0)} ms, sort ${Math.round(sort[i] ?? 0)} ms, 1M-step chart ${Math.round(chart[i] ?? 0)} ms, zoom ${Math.round(zoom[i] ?? 0)} ms`);
  }
  const emit = (workload: string, xs: number[], limit: number): void => {
    process.stdout.write(`${JSON.stringify({ workload, median_ms: Math.round(median(xs)), max_ms: Math.round(Math.max(...xs)), limit_ms: limit, pass: median(xs) <= limit, runs: info.runs, iterations: xs.length })}\n`);
  };
  emit('runs_first_rows', first, 1500);
  emit('runs_sort_metric', sort, 1000);
  emit('chart_1m_steps', chart, 2000);
  emit('chart_1m_steps_zoom', zoom, 1000);
}

async function main(): Promise<void> {
  if (!fs.existsSync('/usr/bin/chromium')) throw new Error('/usr/bin/chromium is missing: bash scripts/ensure-chromium.sh');
  if (!fs.existsSync(path.join(root, 'packages/ui/dist/assets'))) throw new Error('the UI is not built: npm run build');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-bench-ui-'));
  const dbFile = opts.db ? path.resolve(opts.db) : path.join(dir, 'runlog.db');
  const info = await seed(dbFile);
  const { url, child } = await startServer(dbFile, dir);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    await measure(browser, url, info);
  } finally {
    await browser.close();
    child.kill();
    if (!opts.db) fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`[bench:ui] failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
