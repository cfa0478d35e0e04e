/**
 * Two `runlog server` processes on one file store, written to at once through both: every acknowledged write is
 * read back through the other process, unique things stay unique (experiment names, version numbers), and no
 * file on disk is torn (every meta.yaml parses, every metric line has its three fields).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNLOG_CLI, spawnListening, type ListeningChild } from '../../testing/spawned-server.js';

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

async function call(base: string, endpoint: string, body?: unknown): Promise<Reply> {
  const res = await fetch(`${base}/api/2.0/mlflow/${endpoint}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function ok(base: string, endpoint: string, body?: unknown): Promise<Record<string, unknown>> {
  const reply = await call(base, endpoint, body);
  if (reply.status !== 200) throw new Error(`${endpoint} → ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body;
}

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

describe('two server processes writing one file store', () => {
  let dir: string;
  let root: string;
  let servers: ListeningChild[] = [];

  beforeAll(async () => {
    if (!fs.existsSync(RUNLOG_CLI)) throw new Error(`${RUNLOG_CLI} is missing: run \`npm run build\` first`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-filestore-procs-'));
    root = path.join(dir, 'mlruns');
    const args = (port: string) => [RUNLOG_CLI, 'server', '--backend-store-uri', pathToFileURL(root).href, '--host', '127.0.0.1', '--port', port];
    // The first creates the store; the second opens it.
    servers.push(await spawnListening(args('0'), 'server A'));
    servers.push(await spawnListening(args('0'), 'server B'));
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    servers = [];
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('loses no acknowledged write and corrupts nothing', async () => {
    const [a, b] = servers.map((s) => s.url) as [string, string];
    const exp = String((await ok(a, 'experiments/create', { name: 'shared' })).experiment_id);
    const shared = (await ok(a, 'runs/create', { experiment_id: exp, start_time: 0 })).run as { info: { run_id: string } };
    const runId = shared.info.run_id;
    await ok(b, 'registered-models/create', { name: 'model' });

    const WRITERS = 8;
    const BATCHES = 20;
    const writer = async (w: number): Promise<{ ownRun: string; versions: string[] }> => {
      const base = w % 2 === 0 ? a : b;
      const own = (await ok(base, 'runs/create', { experiment_id: exp, start_time: w })).run as { info: { run_id: string } };
      const versions: string[] = [];
      for (let i = 0; i < BATCHES; i++) {
        const metrics = [0, 1, 2].map((k) => ({ key: 'm', value: i + k / 10, timestamp: 1000 + i, step: w * 1000 + i * 3 + k }));
        await ok(base, 'runs/log-batch', {
          run_id: runId,
          metrics,
          params: [{ key: `p${w}_${i}`, value: String(i) }],
          tags: [{ key: `t${w}`, value: String(i) }],
        });
        await ok(base, 'runs/log-batch', { run_id: own.info.run_id, metrics: [{ key: 'own', value: i, timestamp: i, step: i }] });
        if (i % 5 === 0) {
          const mv = (await ok(base, 'model-versions/create', { name: 'model', source: `mlflow-artifacts:/x/${w}/${i}` })).model_version as {
            version: string;
          };
          versions.push(mv.version);
        }
        // Readers run alongside the writers and must never see a torn file.
        await ok(base === a ? b : a, 'runs/search', { experiment_ids: [exp], max_results: 100 });
      }
      return { ownRun: own.info.run_id, versions };
    };
    const sameName = Promise.all(
      Array.from({ length: 6 }, (_, i) => call(i % 2 === 0 ? a : b, 'experiments/create', { name: 'contested' })),
    );
    const results = await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
    const contested = await sameName;

    expect(contested.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of contested.filter((x) => x.status !== 200)) expect(r.body.error_code).toBe('RESOURCE_ALREADY_EXISTS');

    for (const reader of [a, b]) {
      const history = (await ok(reader, `metrics/get-history?run_id=${runId}&metric_key=m`)).metrics as { step: number }[];
      const expected = Array.from({ length: WRITERS }, (_, w) => Array.from({ length: BATCHES * 3 }, (_, j) => w * 1000 + j)).flat();
      expect(history.map((p) => p.step).sort((x, y) => x - y)).toEqual(expected.sort((x, y) => x - y));
      const run = (await ok(reader, `runs/get?run_id=${runId}`)).run as { data: { params: unknown[]; tags: { key: string; value: string }[] } };
      expect(run.data.params).toHaveLength(WRITERS * BATCHES);
      for (let w = 0; w < WRITERS; w++) expect(run.data.tags.find((t) => t.key === `t${w}`)?.value).toBe(String(BATCHES - 1));
      for (const { ownRun } of results) {
        const own = (await ok(reader, `metrics/get-history?run_id=${ownRun}&metric_key=own`)).metrics as unknown[];
        expect(own).toHaveLength(BATCHES);
      }
    }
    const versions = results.flatMap((r) => r.versions).map(Number).sort((x, y) => x - y);
    expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => i + 1));

    for (const file of filesUnder(root)) {
      expect(path.basename(file).startsWith('.runlog-tmp-'), file).toBe(false);
      if (file.endsWith('meta.yaml')) expect(() => YAML.parse(fs.readFileSync(file, 'utf8')) as unknown, file).not.toThrow();
      if (file.includes(`${path.sep}metrics${path.sep}`)) {
        for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(0, -1)) expect(line, file).toMatch(/^\d+ \S+ -?\d+$/);
      }
    }
  }, 180_000);
});
