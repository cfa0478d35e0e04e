// Shared workload context and helpers (setup calls, worker pool, PRNG, history reader).
import { BenchError, expectJson, jsonBody, list, obj, pageToken, str, type HttpClient } from './http.js';

export const API = '/api/2.0/mlflow';

export interface Ctx {
  http: HttpClient;
  backend: string;
  workers: number;
  /** Multiplies every workload's data volume (1 = the specified benchmark). */
  scale: number;
  /** Unique per driver invocation, so reruns against one database never collide. */
  tag: string;
}

export function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

/** Prints one result line on stdout. */
export function emit(ctx: Ctx, workload: string, fields: Record<string, number | string | boolean>): void {
  process.stdout.write(`${JSON.stringify({ workload, backend: ctx.backend, workers: ctx.workers, ...fields })}\n`);
}

export function scaled(ctx: Ctx, n: number, min = 1): number {
  return Math.max(min, Math.round(n * ctx.scale));
}

/** Runs task(0..total-1) on `concurrency` async workers sharing one counter. */
export async function pool(concurrency: number, total: number, task: (i: number, worker: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (w: number): Promise<void> => {
    while (!failed && next < total) {
      const i = next++;
      try {
        await task(i, w);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
}

/** Deterministic PRNG (mulberry32) so seeded data and expected answers are reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function createExperiment(ctx: Ctx, workload: string): Promise<string> {
  const name = `bench-${workload}-${ctx.tag}`;
  const res = await ctx.http.post(`${API}/experiments/create`, jsonBody({ name }));
  return str(expectJson(res, 'experiments/create'), 'experiment_id', 'experiments/create');
}

export function runCreateBody(experimentId: string, runName: string, startTime: number, tags: { key: string; value: string }[] = []): Buffer {
  return jsonBody({ experiment_id: experimentId, user_id: 'bench', run_name: runName, start_time: startTime, tags });
}

/** Extracts and checks run.info.run_id from a runs/create response. */
export function runIdOf(body: Record<string, unknown>): string {
  const info = obj(obj(body['run'], 'runs/create: run')['info'], 'runs/create: run.info');
  const id = str(info, 'run_id', 'runs/create: run.info');
  if (!/^[a-zA-Z0-9][\w-]{0,255}$/.test(id)) throw new BenchError(`runs/create: invalid run_id ${JSON.stringify(id)}`);
  return id;
}

export async function createRun(ctx: Ctx, experimentId: string, runName: string): Promise<string> {
  const res = await ctx.http.post(`${API}/runs/create`, runCreateBody(experimentId, runName, Date.now()));
  return runIdOf(expectJson(res, 'runs/create'));
}

export function expectEmptyOk(res: { status: number; body: Buffer; ms: number }, what: string): void {
  if (res.status !== 200) expectJson(res, what); // throws with status and body
}

export interface HistoryPoint {
  step: number;
  value: number;
}

export interface HistoryRead {
  points: HistoryPoint[];
  pages: number;
  /** Sum of request times (send to last byte), excluding client-side JSON parsing between pages. */
  ms: number;
  bytes: number;
}

/**
 * Reads a metric history like the Python client: optional max_results, follows next_page_token until
 * absent. Without maxResults it expects the whole history in one response. Bounded by maxPoints.
 */
export async function readHistory(ctx: Ctx, runId: string, key: string, maxPoints: number, maxResults?: number): Promise<HistoryRead> {
  const out: HistoryRead = { points: [], pages: 0, ms: 0, bytes: 0 };
  let token: string | undefined;
  do {
    const query: Record<string, string | number> = { run_id: runId, metric_key: key };
    if (maxResults !== undefined) query['max_results'] = maxResults;
    if (token !== undefined) query['page_token'] = token;
    const res = await ctx.http.get(`${API}/metrics/get-history`, query);
    out.ms += res.ms;
    out.bytes += res.body.length;
    out.pages++;
    const body = expectJson(res, 'metrics/get-history');
    const metrics = list(body, 'metrics', 'metrics/get-history');
    for (const m of metrics) {
      const o = obj(m, 'metrics/get-history: metric');
      const step = o['step'] ?? 0; // proto default: absent step is 0
      const value = o['value'];
      if (o['key'] !== key || typeof step !== 'number' || typeof value !== 'number') {
        throw new BenchError(`metrics/get-history: malformed metric ${JSON.stringify(m).slice(0, 200)}`);
      }
      out.points.push({ step, value });
    }
    if (out.points.length > maxPoints) throw new BenchError(`metrics/get-history: more than ${maxPoints} points returned`);
    token = pageToken(body);
    if (token !== undefined && maxResults === undefined) {
      throw new BenchError('metrics/get-history: paged an unbounded request (whole history expected in one response)');
    }
    if (token !== undefined && metrics.length === 0) throw new BenchError('metrics/get-history: empty page with a next_page_token');
  } while (token !== undefined);
  return out;
}
