// Runlog HTTP benchmark driver: spawns the server (or targets --url), runs the workloads in order,
// prints one JSON line per result on stdout; progress goes to stderr. Exits non-zero on any failure.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { artifacts, type ArtifactsCtx, type SpawnedServer } from './artifacts.js';
import { createRuns } from './create-runs.js';
import { fluentLogMetric } from './fluent.js';
import { log, type Ctx } from './common.js';
import { createBenchDatabase } from './pg-db.js';
import { metricHistory } from './history.js';
import { BenchError, HttpClient } from './http.js';
import { ingest } from './ingest.js';
import { search } from './search.js';
import { fileStoreSearch } from './file-store.js';
import { registrySearch } from './registry.js';
import { searchOverhead, searchQuality } from './hyperparameter-search.js';

const WORKLOADS: Record<string, (ctx: Ctx) => Promise<void>> = {
  ingest,
  create_runs: createRuns,
  search,
  metric_history: metricHistory,
  registry_search: registrySearch,
  artifacts,
  fluent_log_metric: fluentLogMetric as (ctx: Ctx) => Promise<void>,
  search_quality: searchQuality,
  search_overhead: searchOverhead as (ctx: Ctx) => Promise<void>,
  file_store_search: fileStoreSearch,
};
// Result lines produced by a workload that has a different name.
const ALIASES: Record<string, string> = {
  search_page_1000: 'search',
  metric_history_paged: 'metric_history',
  registry_search_page: 'registry_search',
  registry_version_search: 'registry_search',
};

const USAGE = `usage: node --import tsx bench/run.ts [options]
  --backend sqlite|postgres|file   store to benchmark (default sqlite; file: MLflow's mlruns folder)
  --backend-store-uri URI     override the store URI (default: a fresh temp sqlite file, or for postgres
                              a fresh database on $RUNLOG_BENCH_PG_URL, default
                              postgresql://postgres@127.0.0.1:5432/test, dropped afterwards)
  --workers N                 server --workers (default 1)
  --only a,b                  workloads: ${Object.keys(WORKLOADS).join(', ')}
  --url http://127.0.0.1:P    use an already running server instead of spawning one
  --scale F                   multiply data volumes (default 1; e.g. 0.05 for a smoke run)
  --timeout-s S               abort the whole run after S seconds (default 1800)`;

interface Options {
  backend: string;
  storeUri: string | undefined;
  workers: number;
  only: string[];
  url: string | undefined;
  scale: number;
  timeoutS: number;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string', default: 'sqlite' },
      'backend-store-uri': { type: 'string' },
      workers: { type: 'string', default: '1' },
      only: { type: 'string' },
      url: { type: 'string' },
      scale: { type: 'string', default: '1' },
      'timeout-s': { type: 'string', default: '1800' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help === true) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(0);
  }
  const backend = values.backend ?? 'sqlite';
  if (backend !== 'sqlite' && backend !== 'postgres' && backend !== 'file') {
    throw new BenchError(`--backend must be sqlite, postgres or file, got ${backend}`);
  }
  const workers = positive(values.workers ?? '1', '--workers', true);
  const only = values.only === undefined ? Object.keys(WORKLOADS) : [...new Set(values.only.split(',').map((w) => ALIASES[w.trim()] ?? w.trim()))];
  for (const w of only) if (!(w in WORKLOADS)) throw new BenchError(`unknown workload '${w}'\n${USAGE}`);
  return {
    backend,
    storeUri: values['backend-store-uri'],
    workers,
    only: Object.keys(WORKLOADS).filter((w) => only.includes(w)), // always run in the canonical order
    url: values.url,
    scale: positive(values.scale ?? '1', '--scale', false),
    timeoutS: positive(values['timeout-s'] ?? '1800', '--timeout-s', false),
  };
}

function positive(s: string, flag: string, integer: boolean): number {
  const n = Number(s);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new BenchError(`${flag} must be a positive ${integer ? 'integer' : 'number'}, got '${s}'`);
  return n;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A spawned server plus its temp dir; stop() is idempotent. Artifacts are served (the default) from
 * `<dir>/artifacts` unless `destination` names another artifacts destination; `env` is added to the server's.
 */
class Server {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  readonly dir = mkdtempSync(join(tmpdir(), 'runlog-bench-'));
  readonly logFile = join(this.dir, 'server.log');

  async start(opts: Options, destination = join(this.dir, 'artifacts'), env: NodeJS.ProcessEnv = {}): Promise<string> {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const cli = join(root, 'packages/server/dist/cli/main.js');
    if (!existsSync(cli)) throw new BenchError(`${cli} not found: run \`npm run build\` first`);
    const port = await freePort();
    const storeUri = opts.storeUri ?? (opts.backend === 'file' ? `file://${this.dir}/mlruns` : `sqlite:///${this.dir}/bench.db`);
    const args = [cli, 'server', '--backend-store-uri', storeUri, '--default-artifact-root', join(this.dir, 'artifacts'),
      '--artifacts-destination', destination, '--host', '127.0.0.1', '--port', String(port), '--workers', String(opts.workers)];
    log(`starting server: node ${args.join(' ')}`);
    const fd = openSync(this.logFile, 'a'); // server output must not mix with result lines on stdout
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', fd, fd], env: { ...process.env, ...env } });
    closeSync(fd);
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    await this.waitHealthy(`http://127.0.0.1:${port}`);
    return `http://127.0.0.1:${port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  private async waitHealthy(base: string): Promise<void> {
    const client = new HttpClient(base, 1, 1000);
    const deadline = Date.now() + 30_000;
    try {
      while (Date.now() < deadline) {
        if (!this.alive) throw new BenchError(`server exited during start-up (code ${this.child?.exitCode ?? '?'})`);
        const res = await client.get('/health').catch(() => undefined);
        if (res?.status === 200) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new BenchError('server did not answer GET /health with 200 within 30 s');
    } finally {
      client.close();
    }
  }

  logTail(lines = 40): string {
    if (!existsSync(this.logFile)) return '';
    return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines - 1).join('\n');
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await this.exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const opts = parseOptions();
  const freshDb = opts.backend === 'postgres' && opts.storeUri === undefined && opts.url === undefined ? await createBenchDatabase() : undefined;
  if (freshDb) opts.storeUri = freshDb.uri;
  const server = opts.url === undefined ? new Server() : undefined;
  const extraServers = new Set<Server>(); // started by workloads (artifacts on S3)
  let http: HttpClient | undefined;
  let failures = 0;

  const cleanup = async (): Promise<void> => {
    http?.close();
    await Promise.all([...extraServers].map((s) => s.stop()));
    await server?.stop();
    await freshDb?.drop();
  };
  const spawnServer = async (destination: string, env: NodeJS.ProcessEnv): Promise<SpawnedServer> => {
    const extra = new Server();
    extraServers.add(extra);
    const stop = async (): Promise<void> => {
      if (!extra.alive && extra.pid !== undefined) log(`server log tail (${extra.logFile}):\n${extra.logTail()}`);
      extraServers.delete(extra);
      await extra.stop();
    };
    try {
      const base = await extra.start(opts, destination, env);
      return { base, pid: extra.pid as number, stop };
    } catch (err) {
      if (extra.alive) log(`server log tail (${extra.logFile}):\n${extra.logTail()}`); // else stop() prints it
      await stop();
      throw err;
    }
  };
  const abort = (why: string): void => {
    log(`aborting: ${why}`);
    void cleanup().finally(() => process.exit(1));
  };
  process.once('SIGINT', () => abort('SIGINT'));
  process.once('SIGTERM', () => abort('SIGTERM'));
  const watchdog = setTimeout(() => abort(`time limit of ${opts.timeoutS} s exceeded`), opts.timeoutS * 1000);

  try {
    const base = opts.url ?? (await (server as Server).start(opts));
    http = new HttpClient(base, 8);
    const ctx: ArtifactsCtx = {
      http,
      backend: opts.backend,
      workers: opts.workers,
      scale: opts.scale,
      tag: `${Date.now()}-${process.pid}`,
      baseUrl: base,
      serverPid: server?.pid,
      spawnServer,
    };
    for (const name of opts.only) {
      log(`== ${name}`);
      try {
        await (WORKLOADS[name] as (c: Ctx) => Promise<void>)(ctx);
      } catch (err) {
        failures++;
        log(`FAILED ${name}: ${err instanceof Error ? err.message : String(err)}`);
        if (!(err instanceof BenchError) && err instanceof Error && err.stack !== undefined) log(err.stack);
        if (server !== undefined && !server.alive) {
          log('server is no longer running; skipping remaining workloads');
          break;
        }
      }
    }
  } catch (err) {
    failures++;
    log(`FAILED: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    clearTimeout(watchdog);
    if (failures > 0 && server !== undefined) log(`server log tail (${server.logFile}):\n${server.logTail()}`);
    await cleanup();
  }
  return failures > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
