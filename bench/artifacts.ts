// artifacts: one 1 GiB file through the mlflow-artifacts proxy, as MLflow's client moves it (a single PUT, a
// single GET), streamed both ways: the client generates the body as it sends it and hashes the download as it
// arrives, so neither side needs the file in memory. The server's RSS (VmRSS of its process tree) is sampled
// every 50 ms from before the upload to after the download.
//
// Two result lines: `destination: local` (the driver's server, artifacts in a temp folder) and
// `destination: s3` (a second server started with --artifacts-destination s3://runlog-bench/<random>, Ceph RGW
// from scripts/ceph-rgw.sh; skipped with a printed reason when Ceph does not answer). The object is deleted
// afterwards, but RGW only frees a deleted object's data after rgw_gc_obj_min_wait (2 h by default) and the
// test Ceph keeps everything in a 2 GiB memstore: a second run within that time can fill it (then
// `radosgw-admin -c /tmp/runlog-ceph/ceph.conf gc process --include-all` frees it at once).
//
// Units: MiB (2^20 bytes) for sizes, MiB/s for rates. Upload time runs from the request's first byte to the
// end of the server's answer (the file is stored then); download time from the request to the last body byte
// and includes SHA-256 of the body (client side, ~1.7 GB/s on this machine; `hash_mib_s` is measured alone
// before the upload for comparison).
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createExperiment, createRun, emit, log, type Ctx } from './common.js';
import { BenchError, HttpClient } from './http.js';
import { round } from './stats.js';

const MiB = 1024 * 1024;
const SIZE = 1024 * MiB;
const CHUNK = MiB;
/** Each chunk starts with its own header (magic + chunk number), so a misplaced or repeated chunk changes the hash. */
const HEADER = 16;
const RSS_INTERVAL_MS = 50;
const BUCKET = 'runlog-bench';
const ARTIFACTS = '/api/2.0/mlflow-artifacts/artifacts';
const TIMEOUT_MS = 300_000;

/** A server the driver started for this workload. */
export interface SpawnedServer {
  base: string;
  pid: number;
  stop(): Promise<void>;
}

/** What the driver adds to the context for this workload (`serverPid` is absent with --url). */
export interface ArtifactsHooks {
  /** Base URL of the server `ctx.http` talks to. */
  baseUrl?: string | undefined;
  /** Pid of the server `ctx.http` talks to; without it no RSS is sampled. */
  serverPid?: number | undefined;
  /** Starts another server (same backend kind, own store) on an artifacts destination, with extra environment. */
  spawnServer?: ((artifactsDestination: string, env: NodeJS.ProcessEnv) => Promise<SpawnedServer>) | undefined;
}

export type ArtifactsCtx = Ctx & ArtifactsHooks;

export async function artifacts(ctx: ArtifactsCtx): Promise<void> {
  const size = Math.max(CHUNK, Math.round((SIZE * ctx.scale) / CHUNK) * CHUNK);
  const template = randomBytes(CHUNK - HEADER); // shared and never written to: safe to queue many times
  const expected = expectedDigest(size, template);
  log(`artifacts: ${size / MiB} MiB body, sha256 ${expected.digest.slice(0, 16)}…, hash alone ${round(expected.mibPerS)} MiB/s`);

  // Local destination: the driver's server.
  {
    if (ctx.baseUrl === undefined) throw new BenchError('artifacts: the driver did not pass the server URL');
    const exp = await createExperiment(ctx, 'artifacts');
    const run = await createRun(ctx, exp, 'artifacts-local');
    const result = await roundTrip(ctx.baseUrl, `${exp}/${run}/artifacts/big.bin`, size, template, expected.digest, ctx.serverPid);
    emit(ctx, 'artifacts', { destination: 'local', ...result, hash_mib_s: round(expected.mibPerS) });
  }

  // S3 destination: a second server on Ceph RGW.
  const skip = (why: string): void => log(`artifacts (s3): skipped: ${why}`);
  if (ctx.spawnServer === undefined) return skip('the driver cannot start a second server here');
  const env = cephEnv();
  const problem = await unreachable(env.MLFLOW_S3_ENDPOINT_URL);
  if (problem !== undefined) return skip(`Ceph RGW does not answer on ${env.MLFLOW_S3_ENDPOINT_URL} (${problem}); start it with scripts/ceph-rgw.sh`);
  const s3 = new S3Client({
    region: env.AWS_DEFAULT_REGION,
    endpoint: env.MLFLOW_S3_ENDPOINT_URL,
    forcePathStyle: true,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
  });
  const prefix = `${ctx.tag}-${randomUUID().slice(0, 8)}`;
  let server: SpawnedServer | undefined;
  let key: string | undefined;
  try {
    await createBucket(s3);
    server = await ctx.spawnServer(`s3://${BUCKET}/${prefix}`, { ...env });
    const client = new HttpClient(server.base, 2);
    const sub: Ctx = { ...ctx, http: client };
    let path: string;
    try {
      const exp = await createExperiment(sub, 'artifacts-s3');
      path = `${exp}/${await createRun(sub, exp, 'artifacts-s3')}/artifacts/big.bin`;
    } finally {
      client.close();
    }
    key = `${prefix}/${path}`;
    const result = await roundTrip(server.base, path, size, template, expected.digest, server.pid);
    emit(ctx, 'artifacts', { destination: 's3', ...result, hash_mib_s: round(expected.mibPerS) });
  } finally {
    await server?.stop();
    // The object goes; the bucket goes too unless another run is using it.
    if (key !== undefined) await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key })).catch((err: unknown) => log(`artifacts (s3): cleanup: ${String(err)}`));
    await s3.send(new DeleteBucketCommand({ Bucket: BUCKET })).catch(() => undefined);
    s3.destroy();
  }
}

// ---------------------------------------------------------------------------------------------- the round trip

type Fields = Record<string, number | string | boolean>;

async function roundTrip(base: string, path: string, size: number, template: Buffer, digest: string, pid: number | undefined): Promise<Fields> {
  const url = `${base.replace(/\/+$/, '')}${ARTIFACTS}/${path}`;
  // Untimed warm-up through the same routes: one-time costs (opening the destination, loading the S3 SDK,
  // connection pools) are not body buffering and stay out of the baseline-to-peak growth.
  const warmup = `${url}.warmup`;
  await upload(warmup, CHUNK, template);
  if ((await download(warmup)).bytes !== CHUNK) throw new BenchError(`artifacts: warm-up GET ${warmup} returned a different size`);
  await remove(warmup);

  const rss = pid === undefined ? undefined : new RssSampler(pid);
  if (rss === undefined) log('artifacts: server pid unknown (--url): RSS not sampled');

  log(`artifacts: PUT ${url}`);
  rss?.phase('upload');
  const up0 = performance.now();
  await upload(url, size, template);
  const uploadS = (performance.now() - up0) / 1000;

  log(`artifacts: GET ${url}`);
  rss?.phase('download');
  const down0 = performance.now();
  const got = await download(url);
  const downloadS = (performance.now() - down0) / 1000;
  const memory = rss?.stop();

  if (got.bytes !== size) throw new BenchError(`artifacts: GET returned ${got.bytes} bytes, expected ${size}`);
  if (got.contentLength !== String(size)) throw new BenchError(`artifacts: GET content-length ${got.contentLength ?? '(none)'}, expected ${size}`);
  if (got.digest !== digest) throw new BenchError(`artifacts: GET body sha256 ${got.digest} differs from the uploaded ${digest}`);
  await remove(url); // untimed: 1 GiB does not stay in the temp folder (or the bucket) until the driver exits

  return {
    mib: size / MiB,
    upload_mib_s: round(size / MiB / uploadS, 1),
    download_mib_s: round(size / MiB / downloadS, 1),
    upload_s: round(uploadS, 3),
    download_s: round(downloadS, 3),
    ...(memory === undefined
      ? {}
      : {
          rss_baseline_mib: round(memory.baseline, 1),
          rss_peak_mib: round(memory.peak, 1),
          rss_growth_mib: round(memory.peak - memory.baseline, 1),
          rss_growth_upload_mib: round((memory.peaks.get('upload') ?? memory.baseline) - memory.baseline, 1),
          rss_growth_download_mib: round((memory.peaks.get('download') ?? memory.baseline) - memory.baseline, 1),
          rss_samples: memory.samples,
        }),
  };
}

/** The body: `size / CHUNK` chunks, each a fresh 16-byte header (magic, chunk number) + the shared template. */
function* body(size: number, template: Buffer): Generator<Buffer> {
  for (let i = 0, left = size; left > 0; i++, left -= CHUNK) {
    const header = Buffer.alloc(HEADER);
    header.write('RUNLOGBN', 0, 'latin1');
    header.writeBigUInt64BE(BigInt(i), 8);
    yield header;
    yield left >= CHUNK ? template : template.subarray(0, left - HEADER);
  }
}

function expectedDigest(size: number, template: Buffer): { digest: string; mibPerS: number } {
  const t0 = performance.now();
  const hash = createHash('sha256');
  for (const part of body(size, template)) hash.update(part);
  const digest = hash.digest('hex');
  return { digest, mibPerS: size / MiB / ((performance.now() - t0) / 1000) };
}

/** A PUT with Content-Length (as MLflow's client sends a file), body piped from the generator with backpressure. */
async function upload(url: string, size: number, template: Buffer): Promise<void> {
  const req = http.request(url, {
    method: 'PUT',
    agent: false,
    headers: { 'content-type': 'application/octet-stream', 'content-length': size },
  });
  req.setTimeout(TIMEOUT_MS, () => req.destroy(new BenchError(`PUT ${url}: no progress for ${TIMEOUT_MS} ms`)));
  const response = new Promise<http.IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', reject);
  });
  const sent = pipeline(Readable.from(body(size, template)), req);
  sent.catch(() => undefined); // awaited below after a 200; after an error answer the answer is what counts
  // A server that answers early (an error) may stop reading: the answer is what counts then.
  const res = await Promise.race([response, sent.then(() => response)]);
  const chunks: Buffer[] = [];
  for await (const c of res as AsyncIterable<Buffer>) chunks.push(c);
  const text = Buffer.concat(chunks).toString('utf8');
  if (res.statusCode !== 200) throw new BenchError(`PUT ${url}: HTTP ${res.statusCode ?? '?'}: ${text.slice(0, 500)}`);
  await sent.catch((err: unknown) => {
    throw new BenchError(`PUT ${url}: sending the body failed after a 200: ${String(err)}`);
  });
}

async function download(url: string): Promise<{ bytes: number; digest: string; contentLength: string | undefined }> {
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const req = http.get(url, { agent: false }, resolve);
    req.setTimeout(TIMEOUT_MS, () => req.destroy(new BenchError(`GET ${url}: no progress for ${TIMEOUT_MS} ms`)));
    req.once('error', reject);
  });
  if (res.statusCode !== 200) {
    const chunks: Buffer[] = [];
    for await (const c of res as AsyncIterable<Buffer>) chunks.push(c);
    throw new BenchError(`GET ${url}: HTTP ${res.statusCode ?? '?'}: ${Buffer.concat(chunks).toString('utf8').slice(0, 500)}`);
  }
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const c of res as AsyncIterable<Buffer>) {
    hash.update(c);
    bytes += c.length;
  }
  return { bytes, digest: hash.digest('hex'), contentLength: res.headers['content-length'] };
}

async function remove(url: string): Promise<void> {
  const res = await fetch(url, { method: 'DELETE', signal: AbortSignal.timeout(60_000) });
  const text = await res.text();
  if (res.status !== 200) throw new BenchError(`DELETE ${url}: HTTP ${res.status}: ${text.slice(0, 500)}`);
}

// ---------------------------------------------------------------------------------------------- server memory

/** VmRSS of a process and its descendants (cluster workers), in MiB; 0 once it is gone. */
function treeRssMib(pid: number): number {
  let kb = 0;
  const pending = [pid];
  for (let p = pending.pop(); p !== undefined; p = pending.pop()) {
    try {
      const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      kb += Number(rss?.[1] ?? 0);
      for (const tid of readdirSync(`/proc/${p}/task`)) {
        const children = readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8').trim();
        if (children !== '') pending.push(...children.split(/\s+/).map(Number));
      }
    } catch {
      // exited meanwhile
    }
  }
  return kb / 1024;
}

class RssSampler {
  readonly baseline: number;
  private peak: number;
  private current = 'baseline';
  private readonly peaks = new Map<string, number>();
  private samples = 1;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number) {
    this.baseline = treeRssMib(pid);
    this.peak = this.baseline;
    this.timer = setInterval(() => this.sample(), RSS_INTERVAL_MS);
  }

  phase(name: string): void {
    this.sample();
    this.current = name;
  }

  private sample(): void {
    const mib = treeRssMib(this.pid);
    this.samples++;
    this.peak = Math.max(this.peak, mib);
    this.peaks.set(this.current, Math.max(this.peaks.get(this.current) ?? 0, mib));
  }

  stop(): { baseline: number; peak: number; peaks: Map<string, number>; samples: number } {
    this.sample();
    clearInterval(this.timer);
    return { baseline: this.baseline, peak: this.peak, peaks: this.peaks, samples: this.samples };
  }
}

// ---------------------------------------------------------------------------------------------- Ceph RGW

interface CephEnv extends NodeJS.ProcessEnv {
  MLFLOW_S3_ENDPOINT_URL: string;
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
  AWS_DEFAULT_REGION: string;
}

/** The S3 settings for the test Ceph RGW, from `scripts/ceph-rgw.sh env` (the one place that defines them). */
function cephEnv(): CephEnv {
  const script = fileURLToPath(new URL('../scripts/ceph-rgw.sh', import.meta.url));
  const vars = new Map<string, string>();
  for (const line of execFileSync('bash', [script, 'env'], { encoding: 'utf8' }).split('\n')) {
    const m = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m?.[1] !== undefined && m[2] !== undefined) vars.set(m[1], m[2]);
  }
  const need = (name: string): string => {
    const v = vars.get(name);
    if (v === undefined || v === '') throw new BenchError(`scripts/ceph-rgw.sh env did not print ${name}`);
    return v;
  };
  return {
    MLFLOW_S3_ENDPOINT_URL: need('RUNLOG_TEST_CEPH_ENDPOINT'),
    AWS_ACCESS_KEY_ID: need('RUNLOG_TEST_CEPH_ACCESS_KEY'),
    AWS_SECRET_ACCESS_KEY: need('RUNLOG_TEST_CEPH_SECRET_KEY'),
    AWS_DEFAULT_REGION: 'us-east-1',
  };
}

async function unreachable(endpoint: string): Promise<string | undefined> {
  try {
    await fetch(`${endpoint}/`, { signal: AbortSignal.timeout(3000) });
    return undefined;
  } catch (err) {
    return err instanceof Error ? `${err.message}${err.cause instanceof Error ? `: ${err.cause.message}` : ''}` : String(err);
  }
}

async function createBucket(s3: S3Client): Promise<void> {
  try {
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  } catch (err) {
    const name = err instanceof Error ? err.name : '';
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw err;
  }
}
