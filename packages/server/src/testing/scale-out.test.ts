/**
 * Scale-out: two `runlog server` processes on one fresh PostgreSQL database and one fresh S3 bucket (Ceph
 * RGW), started at the same moment (the migration advisory lock must serialise them), and eight concurrent
 * clients spread over both. Each client creates runs, logs batches and uploads artifacts alternately through
 * the two servers; all of them also hammer two shared "hot" runs with the same metric keys, params and tags
 * in shuffled order, the pattern that deadlocks an upsert of latest_metrics taken in request order.
 * Afterwards every acknowledged write must be readable through either server (each artifact through the
 * server that did not receive it), the bucket must hold exactly the acknowledged objects and bytes, and no
 * request may have been answered with a 5xx.
 *
 * Runs the built CLI (packages/server/dist); `npm test` builds first. Skips with a printed reason when
 * PostgreSQL is unreachable, unless CI=true. Ceph is required under CI=true; outside CI, when it does not
 * answer, both servers share a local artifacts folder instead (printed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CEPH_ENDPOINT, CEPH_ENV, cephClient, cephProblem, createBucket, dropBucket, listObjects } from './ceph.js';
import { postgresAvailable, TEST_PG_URL } from './temp-stores.js';

const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const API = '/api/2.0/mlflow';
const ARTIFACTS = '/api/2.0/mlflow-artifacts/artifacts';

const CLIENTS = 8;
const RUNS_PER_CLIENT = 25;
const BATCHES_PER_RUN = 4;
const KEYS = 5;
const STEPS_PER_BATCH = 50; // KEYS * STEPS_PER_BATCH = 250 metrics per batch
const PARAMS_PER_BATCH = 5;
const TAGS_PER_BATCH = 3;
const HOT_RUNS = 2;
const HOT_KEYS = 20;
const HOT_STEPS_PER_BATCH = 5;
/** Each run gets one small artifact; each client's first run also a 9 MiB one (more than one 8 MiB S3 part). */
const SMALL_ARTIFACT_MAX = 64 * 1024;
const LARGE_ARTIFACT = 9 * 1024 * 1024;
/** The bucket prefix both servers store artifacts under. */
const S3_PREFIX = 'scale-out';

const available = await postgresAvailable();

/** Deterministic PRNG (mulberry32), so a failing interleaving of keys is reproducible from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: readonly T[], rnd: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** The value logged for a point: a function of (key, step), so the latest value per key is predictable. */
function valueOf(key: string, step: number): number {
  return step * 1.5 + key.length / 8;
}

interface ServerProc {
  child: ChildProcess;
  output: string[];
  url: Promise<string>;
}

/** Where both servers keep artifacts, and the environment that reaches it. */
interface ArtifactStore {
  destination: string;
  env: NodeJS.ProcessEnv;
}

function startServer(storeUri: string, artifacts: ArtifactStore, name: string): ServerProc {
  const args = [CLI, 'server', '--backend-store-uri', storeUri, '--host', '127.0.0.1', '--port', '0', '--workers', '1',
    '--artifacts-destination', artifacts.destination];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...artifacts.env } });
  const output: string[] = [];
  const url = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      output.push(text);
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output.join(''));
      if (m?.[1]) resolve(m[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) =>
      reject(new Error(`${name} exited before listening (${signal ?? code}):\n${output.join('').slice(-4000)}`)),
    );
  });
  url.catch(() => undefined); // observed by the awaiting caller; keep a later exit from being unhandled
  // If this test process dies without running afterAll, take the servers down with it.
  process.once('exit', () => child.kill('SIGKILL'));
  return { child, output, url };
}

async function stopServer(proc: ServerProc): Promise<void> {
  const { child } = proc;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function waitHealthy(base: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
    if (res?.status === 200) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${base} did not answer GET /health with 200 within 30 s`);
}

/** Client-side bookkeeping of every failure, shared by all clients. */
interface Tally {
  serverErrors: string[];
  networkErrors: number;
  requests: number;
}

type Json = Record<string, unknown>;

/** One HTTP call with retries on network errors and 5xx (each 5xx is recorded); 4xx is returned to the caller. */
async function send(
  tally: Tally,
  base: string,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  body?: { bytes: Buffer | string; type: string },
): Promise<{ status: number; body: Buffer }> {
  for (let attempt = 1; ; attempt++) {
    tally.requests += 1;
    try {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': body.type },
        body: body?.bytes,
        signal: AbortSignal.timeout(30_000),
      });
      const bytes = Buffer.from(await res.arrayBuffer());
      if (res.status >= 500) {
        tally.serverErrors.push(`${method} ${path} -> ${res.status} ${bytes.toString('utf8', 0, 300)}`);
      } else {
        return { status: res.status, body: bytes };
      }
    } catch (err) {
      tally.networkErrors += 1;
      if (attempt >= 8) throw err;
    }
    if (attempt >= 8) throw new Error(`${method} ${path}: still failing after ${attempt} attempts; 5xx so far: ${tally.serverErrors.slice(-3).join(' | ')}`);
    await new Promise((r) => setTimeout(r, 50 * attempt + Math.random() * 50));
  }
}

async function call(tally: Tally, base: string, method: 'GET' | 'POST', route: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const json = body === undefined ? undefined : { bytes: JSON.stringify(body), type: 'application/json' };
  const res = await send(tally, base, method, `${API}${route}`, json);
  const text = res.body.toString('utf8');
  return { status: res.status, json: text ? (JSON.parse(text) as Json) : {} };
}

async function ok(tally: Tally, base: string, method: 'GET' | 'POST', route: string, body?: unknown): Promise<Json> {
  const res = await call(tally, base, method, route, body);
  if (res.status !== 200) throw new Error(`${method} ${route} -> ${res.status} ${JSON.stringify(res.json).slice(0, 300)}`);
  return res.json;
}

interface Metric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}
interface KeyValue {
  key: string;
  value: string;
}
interface RunInfoJson {
  run_id: string;
  run_name: string;
  artifact_uri: string;
}
interface RunJson {
  info: RunInfoJson;
  data: { metrics?: { key: string; value: number; step: number }[]; params?: { key: string; value: string }[]; tags?: { key: string; value: string }[] };
}

/**
 * runs/create is not idempotent: after a network error the first attempt may have been applied, so look the
 * run up by name before creating it again. Keeps "acknowledged runs = stored runs" exact.
 */
async function createRun(tally: Tally, base: string, experimentId: string, runName: string): Promise<RunInfoJson> {
  for (let attempt = 1; ; attempt++) {
    const before = tally.networkErrors + tally.serverErrors.length;
    try {
      const res = await ok(tally, base, 'POST', '/runs/create', { experiment_id: experimentId, run_name: runName, start_time: Date.now() });
      return (res['run'] as RunJson).info;
    } catch (err) {
      if (attempt >= 3) throw err;
    }
    if (tally.networkErrors + tally.serverErrors.length > before) {
      const found = await searchRuns(tally, base, experimentId, `tags.\`mlflow.runName\` = '${runName}'`);
      if (found[0]) return found[0].info;
    }
  }
}

async function searchRuns(tally: Tally, base: string, experimentId: string, filter = ''): Promise<RunJson[]> {
  const runs: RunJson[] = [];
  let token: string | undefined;
  do {
    const res = await ok(tally, base, 'POST', '/runs/search', {
      experiment_ids: [experimentId],
      filter,
      max_results: 1000,
      ...(token ? { page_token: token } : {}),
    });
    runs.push(...((res['runs'] as RunJson[] | undefined) ?? []));
    token = res['next_page_token'] as string | undefined;
  } while (token);
  return runs;
}

async function metricHistory(tally: Tally, base: string, runId: string, key: string): Promise<{ step: number; value: number }[]> {
  const points: { step: number; value: number }[] = [];
  let token: string | undefined;
  do {
    const q = new URLSearchParams({ run_id: runId, metric_key: key, max_results: '1000', ...(token ? { page_token: token } : {}) });
    const res = await ok(tally, base, 'GET', `/metrics/get-history?${q.toString()}`);
    points.push(...((res['metrics'] as { step: number; value: number }[] | undefined) ?? []));
    token = res['next_page_token'] as string | undefined;
  } while (token);
  return points;
}

/** What the clients were told was stored, per run. */
interface Expected {
  name: string;
  /** metric key -> acknowledged steps */
  steps: Map<string, Set<number>>;
  params: Map<string, string>;
  tagKeys: Set<string>;
}

/** What a run's artifact root should hold: file name → size and SHA-256, and the server that received them. */
interface ExpectedArtifacts {
  root: string;
  via: number;
  files: Map<string, { size: number; sha256: string }>;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

function expectedFor(map: Map<string, Expected>, runId: string, name: string): Expected {
  let e = map.get(runId);
  if (!e) map.set(runId, (e = { name, steps: new Map(), params: new Map(), tagKeys: new Set() }));
  return e;
}

function acknowledge(e: Expected, metrics: readonly { key: string; step: number }[], params: readonly { key: string; value: string }[], tags: readonly { key: string }[]): void {
  for (const m of metrics) {
    let s = e.steps.get(m.key);
    if (!s) e.steps.set(m.key, (s = new Set()));
    s.add(m.step);
  }
  for (const p of params) e.params.set(p.key, p.value);
  for (const t of tags) e.tagKeys.add(t.key);
}

/** Runs task(0..total-1) on `concurrency` workers. */
async function pool(concurrency: number, total: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await task(next++);
    }),
  );
}

if (!available) {
  describe('scale-out on PostgreSQL', () => {
    it.skip('PostgreSQL is not reachable outside CI; see the printed reason', () => undefined);
  });
} else {
  describe('scale-out: two server processes on one PostgreSQL database', () => {
    const dbName = `runlog_scaleout_${randomBytes(6).toString('hex')}`;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'runlog-scaleout-'));
    const servers: ServerProc[] = [];
    const bases: string[] = [];
    let created = false;
    const s3 = cephClient();
    let bucket: string | undefined;
    let artifacts: ArtifactStore = { destination: path.join(dir, 'shared-artifacts'), env: {} };

    const built = existsSync(CLI);

    beforeAll(async () => {
      if (!built) return; // the test itself fails with the reason
      const admin = new pg.Client({ connectionString: TEST_PG_URL });
      await admin.connect();
      try {
        await admin.query(`create database ${dbName}`);
        created = true;
      } finally {
        await admin.end();
      }
      const problem = await cephProblem();
      if (problem === undefined) {
        bucket = `runlog-scaleout-${randomBytes(6).toString('hex')}`;
        await createBucket(s3, bucket);
        artifacts = { destination: `s3://${bucket}/${S3_PREFIX}`, env: CEPH_ENV };
      } else if (process.env.CI === 'true') {
        throw new Error(`Ceph RGW is required under CI=true: ${CEPH_ENDPOINT}: ${problem}`);
      } else {
        process.stdout.write(
          `scale-out: Ceph RGW does not answer on ${CEPH_ENDPOINT} (${problem}); both servers share a local artifacts folder. Start it with scripts/ceph-rgw.sh\n`,
        );
      }
      const url = new URL(TEST_PG_URL);
      url.pathname = `/${dbName}`;
      // Both at once, on a database with no schema yet: the migration advisory lock must serialise them.
      servers.push(startServer(url.toString(), artifacts, 'server-1'), startServer(url.toString(), artifacts, 'server-2'));
      for (const s of servers) bases.push(await s.url);
      await Promise.all(bases.map(waitHealthy));
    }, 60_000);

    afterAll(async () => {
      await Promise.all(servers.map(stopServer));
      if (created) {
        const admin = new pg.Client({ connectionString: TEST_PG_URL });
        await admin.connect();
        try {
          await admin.query(`drop database if exists ${dbName} with (force)`);
        } finally {
          await admin.end();
        }
      }
      if (bucket !== undefined) await dropBucket(s3, bucket);
      s3.destroy();
      rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    it('keeps every acknowledged write readable through either server, with no 5xx', async () => {
      if (!built) {
        throw new Error(`${CLI} not found: the scale-out test runs the built server. Build first: npm run build (npm test does it).`);
      }
      const tally: Tally = { serverErrors: [], networkErrors: 0, requests: 0 };
      const server = (n: number): string => bases[n % bases.length] as string;
      const expected = new Map<string, Expected>();

      const exp = await ok(tally, server(0), 'POST', '/experiments/create', { name: `scale-out-${dbName}` });
      const experimentId = exp['experiment_id'] as string;
      const hot: string[] = [];
      for (let h = 0; h < HOT_RUNS; h++) {
        const { run_id: id } = await createRun(tally, server(h), experimentId, `hot-${h}`);
        expectedFor(expected, id, `hot-${h}`);
        hot.push(id);
      }
      const artifactsOf = new Map<string, ExpectedArtifacts>();

      /** PUTs a run's artifacts through one server (a PUT is idempotent, so retried ones are harmless). */
      const uploadArtifacts = async (info: RunInfoJson, r: number, via: number): Promise<void> => {
        const root = info.artifact_uri.replace(/^mlflow-artifacts:\/+/, '');
        const want: ExpectedArtifacts = { root, via, files: new Map() };
        const files: [string, Buffer][] = [[`small-${r}.bin`, randomBytes(1 + Math.floor(Math.random() * SMALL_ARTIFACT_MAX))]];
        if (r === 0) files.push(['weights.bin', randomBytes(LARGE_ARTIFACT)]);
        for (const [name, bytes] of files) {
          const res = await send(tally, server(via), 'PUT', `${ARTIFACTS}/${root}/${name}`, { bytes, type: 'application/octet-stream' });
          if (res.status !== 200) throw new Error(`PUT ${root}/${name} -> ${res.status} ${res.body.toString('utf8', 0, 300)}`);
          want.files.set(name, { size: bytes.length, sha256: sha256(bytes) });
        }
        artifactsOf.set(info.run_id, want);
      };

      // Contention: every client also updates the same latest_metrics rows of the hot runs, keys in random
      // order. Most hot batches are metrics only: a batch's tags lock would otherwise serialise whole batches.
      const hotBatch = async (c: number, seq: number, rnd: () => number, base: string): Promise<void> => {
        const hotId = hot[seq % HOT_RUNS] as string;
        const metrics = [];
        for (const key of shuffled(Array.from({ length: HOT_KEYS }, (_, k) => `h${k}`), rnd)) {
          for (let s = 0; s < HOT_STEPS_PER_BATCH; s++) {
            const step = (seq * CLIENTS + c) * HOT_STEPS_PER_BATCH + s; // distinct per (client, seq), interleaved
            metrics.push({ key, value: valueOf(key, step), timestamp: 1_700_000_000_000 + step, step });
          }
        }
        const withKv = seq % 8 === 0;
        const params = withKv ? [{ key: `from_c${c}_${seq}`, value: 'x' }, { key: 'shared', value: 'same for every client' }] : [];
        const tags = withKv ? shuffled(Array.from({ length: 10 }, (_, k) => ({ key: `hot_tag_${k}`, value: `c${c}` })), rnd) : [];
        await ok(tally, base, 'POST', '/runs/log-batch', { run_id: hotId, metrics, params, tags });
        acknowledge(expectedFor(expected, hotId, ''), metrics, params, tags);
      };

      const client = async (c: number): Promise<void> => {
        const rnd = prng(7000 + c);
        let n = c; // each request goes to the other server than the one before
        let seq = 0;
        for (let r = 0; r < RUNS_PER_CLIENT; r++) {
          const name = `c${c}-r${r}`;
          const info = await createRun(tally, server(n++), experimentId, name);
          const runId = info.run_id;
          const mine = expectedFor(expected, runId, name);
          const sent: { metrics: Metric[]; params: KeyValue[]; tags: KeyValue[] }[] = [];
          for (let b = 0; b < BATCHES_PER_RUN; b++) {
            const metrics: Metric[] = [];
            for (let s = 0; s < STEPS_PER_BATCH; s++) {
              const step = b * STEPS_PER_BATCH + s;
              for (let k = 0; k < KEYS; k++) metrics.push({ key: `m${k}`, value: valueOf(`m${k}`, step), timestamp: 1_700_000_000_000 + step, step });
            }
            const params = Array.from({ length: PARAMS_PER_BATCH }, (_, j) => ({ key: `p${b}_${j}`, value: `${name}-${b}-${j}` }));
            const tags = Array.from({ length: TAGS_PER_BATCH }, (_, j) => ({ key: `t${b}_${j}`, value: `${name}-${b}-${j}` }));
            sent.push({ metrics, params, tags });
            await Promise.all([
              ok(tally, server(n++), 'POST', '/runs/log-batch', { run_id: runId, metrics, params, tags }).then(() =>
                acknowledge(mine, metrics, params, tags),
              ),
              hotBatch(c, seq++, rnd, server(n++)),
              b === 0 ? uploadArtifacts(info, r, n++) : undefined,
            ]);
          }
          // A client that lost the responses sends batches again, possibly to the other server: the whole
          // batch, and its metrics alone. Both must be accepted and change nothing.
          const again = sent[r % BATCHES_PER_RUN] as (typeof sent)[number];
          await ok(tally, server(n++), 'POST', '/runs/log-batch', { run_id: runId, ...again });
          await ok(tally, server(n++), 'POST', '/runs/log-batch', { run_id: runId, metrics: again.metrics });
        }
      };
      await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));

      // Read back through both servers: run counts, run ids, params, tags, latest metrics, full histories.
      for (let s = 0; s < bases.length; s++) {
        const runs = await searchRuns(tally, server(s), experimentId);
        expect(runs.length).toBe(CLIENTS * RUNS_PER_CLIENT + HOT_RUNS);
        expect(new Set(runs.map((r) => r.info.run_id))).toEqual(new Set(expected.keys()));
      }
      // The look-up createRun falls back on after a lost response finds exactly the one run.
      expect(await searchRuns(tally, server(1), experimentId, "tags.`mlflow.runName` = 'c3-r7'")).toHaveLength(1);

      const entries = [...expected.entries()];
      const problems: string[] = [];
      await pool(8, entries.length, async (i) => {
        const [runId, want] = entries[i] as [string, Expected];
        const got = (await ok(tally, server(i), 'GET', `/runs/get?run_id=${runId}`))['run'] as RunJson;
        const params = new Map((got.data.params ?? []).map((p) => [p.key, p.value]));
        for (const [k, v] of want.params) if (params.get(k) !== v) problems.push(`${runId}: param ${k} = ${params.get(k)}, want ${v}`);
        const tagKeys = new Set((got.data.tags ?? []).map((t) => t.key));
        for (const k of want.tagKeys) if (!tagKeys.has(k)) problems.push(`${runId}: tag ${k} missing`);
        const latest = new Map((got.data.metrics ?? []).map((m) => [m.key, m]));
        if (latest.size !== want.steps.size) problems.push(`${runId}: ${latest.size} latest metrics, want ${want.steps.size}`);
        for (const [key, steps] of want.steps) {
          const maxStep = Math.max(...steps);
          const l = latest.get(key);
          if (l?.step !== maxStep || l.value !== valueOf(key, maxStep)) {
            problems.push(`${runId}: latest ${key} = ${JSON.stringify(l)}, want step ${maxStep}`);
          }
          const history = await metricHistory(tally, server(i + 1), runId, key);
          const seen = new Set(history.map((p) => p.step));
          if (history.length !== steps.size || [...steps].some((st) => !seen.has(st))) {
            problems.push(`${runId}: history of ${key} has ${history.length} points (${seen.size} steps), want ${steps.size}`);
          }
        }
      });
      expect(problems.slice(0, 20)).toEqual([]);

      // Artifacts: listed and read back through the server that did not receive them, bytes compared.
      expect(artifactsOf.size).toBe(CLIENTS * RUNS_PER_CLIENT);
      const uploads = [...artifactsOf.values()];
      await pool(8, uploads.length, async (i) => {
        const want = uploads[i] as ExpectedArtifacts;
        const other = server(want.via + 1);
        const listed = await send(tally, other, 'GET', `${ARTIFACTS}?path=${encodeURIComponent(want.root)}`);
        const files = (JSON.parse(listed.body.toString('utf8')) as { files?: { path: string; is_dir: boolean; file_size?: number }[] }).files ?? [];
        const wantList = [...want.files]
          .map(([path, f]) => ({ path, is_dir: false, file_size: f.size }))
          .sort((a, b) => (a.path < b.path ? -1 : 1));
        if (JSON.stringify(files) !== JSON.stringify(wantList)) {
          problems.push(`${want.root}: listed ${JSON.stringify(files)}, want ${JSON.stringify(wantList)}`);
        }
        for (const [name, f] of want.files) {
          const got = await send(tally, other, 'GET', `${ARTIFACTS}/${want.root}/${name}`);
          if (got.status !== 200 || got.body.length !== f.size || sha256(got.body) !== f.sha256) {
            problems.push(`${want.root}/${name}: GET -> ${got.status}, ${got.body.length} bytes, want ${f.size} bytes with the uploaded SHA-256`);
          }
        }
      });
      expect(problems.slice(0, 20)).toEqual([]);
      if (bucket !== undefined) {
        // The bucket holds exactly the acknowledged objects and bytes: nothing lost, nothing extra.
        const stored = await listObjects(s3, bucket);
        const wantObjects = new Map<string, number>();
        for (const a of uploads) for (const [name, f] of a.files) wantObjects.set(`${S3_PREFIX}/${a.root}/${name}`, f.size);
        expect(stored.size).toBe(wantObjects.size);
        expect(stored).toEqual(wantObjects);
      }

      process.stdout.write(
        `scale-out: ${tally.requests} requests, ${tally.networkErrors} network errors, ${tally.serverErrors.length} 5xx\n`,
      );
      expect(tally.serverErrors).toEqual([]);
    }, 180_000);
  });
}
