/**
 * Runs MLflow 2.17.2's own pytest suites (from the MLflow reference beside the repository) against `runlog server`
 * and reads each test's outcome from pytest's JUnit XML. The reference's `run-suite.sh` starts one server per
 * test from the command template below, driven by the real Python client.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const REFERENCE = process.env.RUNLOG_MLFLOW_REFERENCE ?? path.resolve(REPO_ROOT, '../shared/mlflow-reference');

export type Outcome = 'passed' | 'failed' | 'skipped';

export interface SuiteResult {
  outcomes: Map<string, Outcome>;
  /** Failure text per failed test (pytest's message), for the assertion output. */
  messages: Map<string, string>;
  /** pytest's closing line. */
  summary: string;
}

/** Why the reference cannot run here, or undefined when it can. */
export function referenceMissing(): string | undefined {
  if (!fs.existsSync(path.join(REFERENCE, 'run-suite.sh'))) return `no MLflow reference at ${REFERENCE}`;
  return undefined;
}

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** `runlog server` as the template run-suite.sh fills in ({backend}, {artifacts}, {port}); extra flags appended. */
export function serverTemplate(extra = ''): string {
  const main = path.join(REPO_ROOT, 'packages/server/dist/cli/main.js');
  return `node ${shellQuote(main).replaceAll('{', '{{').replaceAll('}', '}}')} server --backend-store-uri {backend} --default-artifact-root {artifacts} --host 127.0.0.1 --port {port}${extra}`;
}

function unescapeXml(s: string): string {
  return s
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&apos;', "'")
    .replaceAll('&#10;', '\n')
    .replaceAll('&amp;', '&');
}

export function parseJunit(xml: string): Pick<SuiteResult, 'outcomes' | 'messages'> {
  const outcomes = new Map<string, Outcome>();
  const messages = new Map<string, string>();
  const testcase = /<testcase\b([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const m of xml.matchAll(testcase)) {
    const name = /\bname="([^"]*)"/.exec(m[1] ?? '')?.[1];
    if (name === undefined) continue;
    const body = m[2] ?? '';
    const id = unescapeXml(name);
    if (/<(failure|error)\b/.test(body)) {
      outcomes.set(id, 'failed');
      messages.set(id, unescapeXml(/<(?:failure|error)\b[^>]*\bmessage="([^"]*)"/.exec(body)?.[1] ?? 'failed').slice(0, 600));
    } else if (/<skipped\b/.test(body)) {
      outcomes.set(id, 'skipped');
    } else {
      outcomes.set(id, 'passed');
    }
  }
  return { outcomes, messages };
}

interface Spawned {
  code: number;
  output: string;
}

async function runSuiteScript(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Spawned> {
  const child = spawn(path.join(REFERENCE, 'run-suite.sh'), args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-200_000)));
  child.stderr.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-200_000)));
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c) => resolve(c ?? -1));
  });
  return { code, output };
}

/** The node ids pytest selects for `selection` (pytest args such as `-k sqlalchemy`) in `file`. */
export async function collectTests(file: string, selection: readonly string[]): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-mlflow-collect-'));
  try {
    const { code, output } = await runSuiteScript(['-', file, ...selection, '--collect-only', '-p', 'no:randomly'], dir, {});
    // eslint-disable-next-line no-control-regex -- pytest's colour escapes
    const names = [...output.replace(/\x1b\[[0-9;]*m/g, '').matchAll(/<Function ([^>]+)>/g)].map((m) => `${file}::${m[1] ?? ''}`);
    if (names.length === 0) throw new Error(`pytest collected nothing (exit ${code}):\n${output.slice(-3000)}`);
    return names;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs the given pytest node ids against `template`, split over `shards` concurrent pytest processes (each test
 * mostly waits for its own server to start and stop), each in a fresh working directory.
 */
export async function runMlflowSuite(template: string, nodeIds: readonly string[], shards = 2, env: NodeJS.ProcessEnv = {}): Promise<SuiteResult> {
  const groups = Array.from({ length: Math.max(1, shards) }, (_, k) => nodeIds.filter((_, i) => i % shards === k)).filter((g) => g.length > 0);
  const results = await Promise.all(groups.map((ids) => runShard(template, ids, env)));
  const outcomes = new Map<string, Outcome>();
  const messages = new Map<string, string>();
  for (const r of results) {
    for (const [k, v] of r.outcomes) outcomes.set(k, v);
    for (const [k, v] of r.messages) messages.set(k, v);
  }
  return { outcomes, messages, summary: results.map((r) => r.summary).join(' | ') };
}

async function runShard(template: string, nodeIds: readonly string[], env: NodeJS.ProcessEnv): Promise<SuiteResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-mlflow-suite-'));
  const xml = path.join(dir, 'results.xml');
  const args = [template, ...nodeIds, '-p', 'no:randomly', '-q', '--tb=line', '-o', 'junit_family=xunit1', `--junitxml=${xml}`];
  const { code, output } = await runSuiteScript(args, dir, { SERVER_LOG: path.join(dir, 'servers.log'), ...env });
  const summary = /run-suite: (.*)/.exec(output)?.[1] ?? `exit code ${code}`;
  if (!fs.existsSync(xml)) throw new Error(`MLflow's suite wrote no results (exit ${code}):\n${output.slice(-4000)}`);
  const result = { ...parseJunit(fs.readFileSync(xml, 'utf8')), summary };
  fs.rmSync(dir, { recursive: true, force: true });
  return result;
}
