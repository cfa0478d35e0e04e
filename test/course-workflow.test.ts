/**
 * The course's workflow with the real MLflow 2.17.2 Python client (test/python/course_workflow.py): a hyperopt TPE
 * search with nested trial runs, xgboost autologging, a preprocessor artifact, register → alias → load by alias.
 * Against a spawned `runlog server` on SQLite and on a fresh PostgreSQL database. Needs the MLflow reference beside
 * the repository (mandatory under CI=true).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNLOG_CLI, spawnListening, type ListeningChild } from '../packages/server/src/testing/spawned-server.js';
import { TEST_PG_URL, postgresAvailable } from '../packages/server/src/testing/temp-stores.js';
import { REFERENCE, referenceMissing } from './mlflow-suite/run-suite.js';

const missing = referenceMissing();
if (missing && process.env.CI === 'true') throw new Error(`the MLflow reference is required under CI=true: ${missing}`);
if (missing) console.log(`course-workflow: skipped — ${missing}`);
const SCRIPT = path.join(path.dirname(new URL(import.meta.url).pathname), 'python/course_workflow.py');

interface Report {
  trials: number;
  trial_metrics: string[];
  autolog_params: string[];
  autolog_metrics: string[];
  artifacts: string[];
  version: string;
  alias_version: string;
  predictions: number;
}

async function runWorkflow(trackingUri: string, cwd: string): Promise<Report> {
  const child = spawn(path.join(REFERENCE, 'bin/python'), [SCRIPT], {
    cwd,
    env: { ...process.env, MLFLOW_TRACKING_URI: trackingUri },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-8000)));
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c) => resolve(c ?? -1));
  });
  const line = out.trim().split('\n').pop() ?? '';
  if (code !== 0 || !line.startsWith('{')) throw new Error(`course_workflow.py exited ${code}:\n${out.slice(-2000)}\n${err}`);
  return JSON.parse(line) as Report;
}

function expectCourseResult(report: Report): void {
  expect(report.trials).toBe(5);
  expect(report.trial_metrics).toEqual(['rmse']);
  expect(report.autolog_params).toEqual(['learning_rate', 'max_depth', 'num_boost_round']);
  expect(report.autolog_metrics).toContain('validation-rmse');
  expect(report.artifacts).toEqual(expect.arrayContaining(['model', 'preprocessor']));
  expect(report.version).toBe('1');
  expect(report.alias_version).toBe('1');
  expect(report.predictions).toBe(3);
}

describe.skipIf(missing !== undefined)('the course workflow with the real MLflow client', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-course-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('on SQLite', () => {
    let server: ListeningChild;
    beforeAll(async () => {
      server = await spawnListening(
        [RUNLOG_CLI, 'server', '--backend-store-uri', `sqlite:///${path.join(dir, 'sqlite.db')}`, '--artifacts-destination', path.join(dir, 'sqlite-artifacts'), '--host', '127.0.0.1', '--port', '0'],
        'server',
      );
    });
    afterAll(async () => server.stop());
    it('runs trials, autologs, registers, aliases and loads by alias', async () => {
      expectCourseResult(await runWorkflow(server.url, dir));
    }, 300_000);
  });

  describe('on PostgreSQL', () => {
    const dbName = `runlog_course_${randomBytes(6).toString('hex')}`;
    let server: ListeningChild | undefined;
    let available = false;
    beforeAll(async () => {
      available = await postgresAvailable();
      if (!available) return;
      const admin = new pg.Client({ connectionString: TEST_PG_URL });
      await admin.connect();
      await admin.query(`create database ${dbName}`).finally(() => admin.end());
      const url = new URL(TEST_PG_URL);
      url.pathname = `/${dbName}`;
      server = await spawnListening(
        [RUNLOG_CLI, 'server', '--backend-store-uri', url.toString(), '--artifacts-destination', path.join(dir, 'pg-artifacts'), '--host', '127.0.0.1', '--port', '0'],
        'server',
      );
    }, 120_000);
    afterAll(async () => {
      await server?.stop();
      if (!available) return;
      const admin = new pg.Client({ connectionString: TEST_PG_URL });
      await admin.connect();
      await admin.query(`drop database if exists ${dbName}`).finally(() => admin.end());
    });
    it('runs trials, autologs, registers, aliases and loads by alias', async (ctx) => {
      if (!server) return ctx.skip();
      expectCourseResult(await runWorkflow(server.url, dir));
    }, 300_000);
  });
});
