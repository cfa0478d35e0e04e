/**
 * `runlog run` (the built CLI) against a spawned `runlog server`:
 * - examples/project's node entry point (the TS SDK attaches to the run through MLFLOW_RUN_ID): params, MLflow's
 *   project tags, FINISHED, and the child's metrics and tag in the same run;
 * - a shell entry point with an extra parameter (`--name value`), its output streamed;
 * - a failing entry point ends FAILED; SIGTERM stops the child's whole process group and ends KILLED;
 * - a git repository: `--version` (branch or commit) and `#subdirectory`, with the commit, branch and repo URL tags;
 * - bad input (unknown entry point, missing/mistyped/nonexistent-path parameter, malformed MLproject, another
 *   env manager, docker_env without docker) fails with a clear message and creates no run.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunlogClient } from '@runlog/client';
import type { Run } from '@runlog/core';
import { startSpawnedServer, type SpawnedServer } from '../packages/server/src/testing/spawned-server.js';
import { CLI, ROOT, runlog } from './spawn-cli.js';

let server: SpawnedServer;
let client: RunlogClient;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-projects-'));

beforeAll(async () => {
  server = await startSpawnedServer();
  client = new RunlogClient({ trackingUri: server.url, env: {} });
});
afterAll(async () => {
  await client.close();
  await server.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function projectDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(tmp, 'project-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const run = (args: readonly string[], env: Record<string, string> = {}) => runlog(['run', ...args], { MLFLOW_TRACKING_URI: server.url, ...env });

async function runsIn(experimentName: string): Promise<Run[]> {
  const experiment = await client.getExperimentByName(experimentName);
  if (experiment === undefined) return [];
  return (await client.searchRuns({ experimentIds: [experiment.experiment_id] })).items;
}

function runIdFrom(stderr: string): string {
  const id = /in run with ID '([0-9a-f]{32})'/.exec(stderr)?.[1];
  if (id === undefined) throw new Error(`no run id in:\n${stderr}`);
  return id;
}

/** The checkout's git working tree, when it is one (a source archive is not). */
const gitTop = ((): string | undefined => {
  try {
    return execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
})();

const tags = (r: Run): Record<string, string> => Object.fromEntries((r.data.tags ?? []).map((t) => [t.key, t.value]));
const params = (r: Run): Record<string, string> => Object.fromEntries((r.data.params ?? []).map((p) => [p.key, p.value]));

describe('runlog run', () => {
  it('runs the example project with the TS SDK: params, project tags, FINISHED, metrics in the same run', async () => {
    const res = await run(['examples/project', '-P', 'epochs=4', '-P', 'rate=0.5', '--experiment-name', 'proj-node', '--run-name', 'decay']);
    expect(res.code, res.stderr).toBe(0);
    const runId = runIdFrom(res.stderr);
    expect(res.stdout).toContain(`run ${runId}: final loss 0.0625 after 4 epochs`);
    const runs = await runsIn('proj-node');
    expect(runs.map((r) => r.info.run_id)).toEqual([runId]); // the child attached, it did not start its own run
    const r = await client.getRun(runId);
    expect(r.info.status).toBe('FINISHED');
    expect(r.info.run_name).toBe('decay');
    expect(params(r)).toEqual({ rate: '0.5', epochs: '4' });
    expect(tags(r)).toMatchObject({
      'mlflow.source.type': 'PROJECT',
      'mlflow.source.name': gitTop === undefined ? path.join(ROOT, 'examples/project') : `file://${gitTop}#examples/project`,
      'mlflow.project.entryPoint': 'main',
      'mlflow.project.env': 'local',
      'mlflow.project.backend': 'local',
      trainer: 'typescript',
    });
    if (gitTop !== undefined) expect(tags(r)['mlflow.source.git.commit']).toMatch(/^[0-9a-f]{40}$/);
    expect((await client.getMetricHistory(runId, 'loss')).map((m) => [m.step, m.value])).toEqual([
      [0, 0.5],
      [1, 0.25],
      [2, 0.125],
      [3, 0.0625],
    ]);
  });

  it('runs a shell entry point, passes extra parameters as --name value and streams its output', async () => {
    const dir = projectDir({
      MLproject: 'entry_points:\n  main:\n    parameters:\n      who: {type: string, default: world}\n    command: "echo hello {who} exp=$MLFLOW_EXPERIMENT_ID"\n',
    });
    const res = await run([dir, '-P', 'who=big world', '-P', 'extra=x y', '--experiment-name', 'proj-shell']);
    expect(res.code, res.stderr).toBe(0);
    const [only] = await runsIn('proj-shell');
    expect(res.stdout).toBe(`hello big world exp=${only?.info.experiment_id} --extra x y\n`);
    expect(only?.info.status).toBe('FINISHED');
    expect(params(only!)).toEqual({ who: "'big world'", extra: "'x y'" }); // quoted, as MLflow logs them
    expect(tags(only!)['mlflow.source.name']).toBe(dir);
    expect(tags(only!)['mlflow.source.git.commit']).toBeUndefined();
  });

  it('ends FAILED when the entry point exits non-zero, even after the SDK ended the run FINISHED', async () => {
    const sdk = pathToFileURL(path.join(ROOT, 'packages/client/dist/index.js')).href;
    const dir = projectDir({
      MLproject: 'entry_points:\n  main:\n    command: "node fail.mjs"\n',
      'fail.mjs': `import * as runlog from '${sdk}';\nawait runlog.startRun();\nrunlog.logMetric('m', 1);\nawait runlog.endRun();\nprocess.exitCode = 7;\n`,
    });
    const failed = await run([dir, '--experiment-name', 'proj-fail']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/failed \(exit code 7\)/);
    const r = await client.getRun(runIdFrom(failed.stderr));
    expect(r.info.status).toBe('FAILED');
    expect(r.data.metrics?.map((m) => [m.key, m.value])).toEqual([['m', 1]]);
  });

  it('runs a script by its extension in a folder without MLproject', async () => {
    const dir = projectDir({ 'hello.mjs': 'console.log(`args ${process.argv.slice(2).join(",")} run ${process.env.MLFLOW_RUN_ID}`);\n' });
    const res = await run([dir, '-e', 'hello.mjs', '-P', 'lr=0.1', '--experiment-name', 'proj-script']);
    expect(res.code, res.stderr).toBe(0);
    const runId = runIdFrom(res.stderr);
    expect(res.stdout).toBe(`args --lr,0.1 run ${runId}\n`);
    expect(params(await client.getRun(runId))).toEqual({ lr: '0.1' });
  });

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('stops the whole child process group on %s and ends the run KILLED', async (signal, exitCode) => {
    const dir = projectDir({ MLproject: 'entry_points:\n  main:\n    command: "sleep 300 & echo $! > sleep.pid; echo ready; wait"\n' });
    const child = spawn(process.execPath, [CLI, 'run', dir, '--experiment-name', 'proj-kill'], {
      cwd: ROOT,
      env: { ...process.env, MLFLOW_TRACKING_URI: server.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.includes('ready')) resolve();
      });
      child.once('exit', () => reject(new Error(`exited before ready:\n${stderr}`)));
    });
    const sleepPid = Number(fs.readFileSync(path.join(dir, 'sleep.pid'), 'utf8'));
    child.kill(signal);
    expect(await exited).toBe(exitCode);
    const r = await client.getRun(runIdFrom(stderr));
    expect(r.info.status).toBe('KILLED');
    expect(alive(sleepPid)).toBe(false);
  });

  it('runs a docker_env project with docker run: the project mounted, the run variables passed, tagged docker', async () => {
    const fakeBin = fs.mkdtempSync(path.join(tmp, 'bin-'));
    const argsFile = path.join(fakeBin, 'args');
    // A stand-in for docker that records its arguments, one a line.
    fs.writeFileSync(path.join(fakeBin, 'docker'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${argsFile}'\n`, { mode: 0o755 });
    const dir = projectDir({
      MLproject: 'docker_env:\n  image: trainer:1\n  volumes: ["/data:/data"]\n  environment: [["MODE", "fast"]]\nentry_points:\n  main:\n    parameters:\n      n: {type: int, default: 2}\n    command: "python train.py --n {n}"\n',
    });
    const res = await run([dir, '--experiment-name', 'proj-docker'], { PATH: `${fakeBin}${path.delimiter}${process.env.PATH ?? ''}` });
    expect(res.code, res.stderr).toBe(0);
    const runId = runIdFrom(res.stderr);
    const args = fs.readFileSync(argsFile, 'utf8').trimEnd().split('\n');
    expect(args.slice(0, 6)).toEqual(['run', '--rm', '-v', `${dir}:/mlflow/projects/code`, '-w', '/mlflow/projects/code']);
    expect(args).toEqual(expect.arrayContaining(['--network', 'host', '/data:/data', `MLFLOW_RUN_ID=${runId}`, `MLFLOW_TRACKING_URI=${server.url}`, 'MODE=fast']));
    expect(args.slice(-4)).toEqual(['trainer:1', 'bash', '-c', 'python train.py --n 2']);
    const r = await client.getRun(runId);
    expect(r.info.status).toBe('FINISHED');
    expect(tags(r)['mlflow.project.env']).toBe('docker');
  });

  describe('git repositories', () => {
    let repo: string;
    let first: string;
    let second: string;
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();

    beforeAll(() => {
      repo = fs.mkdtempSync(path.join(tmp, 'repo-'));
      git('init', '--quiet', '--initial-branch', 'main');
      git('config', 'user.email', 'test@example.com');
      git('config', 'user.name', 'test');
      const write = (message: string): void => {
        fs.mkdirSync(path.join(repo, 'proj'), { recursive: true });
        fs.writeFileSync(path.join(repo, 'proj', 'MLproject'), `entry_points:\n  main:\n    command: "echo ${message}"\n`);
      };
      write('first version');
      git('add', '.');
      git('commit', '--quiet', '-m', 'first');
      first = git('rev-parse', 'HEAD');
      git('checkout', '--quiet', '-b', 'feature');
      write('feature version');
      git('commit', '--quiet', '-am', 'feature');
      second = git('rev-parse', 'HEAD');
      git('checkout', '--quiet', 'main');
    });

    it('checks out a branch into a clone and records commit, branch and repo URL', async () => {
      const res = await run([`${repo}#proj`, '--version', 'feature', '--experiment-name', 'proj-git']);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout).toBe('feature version\n');
      const r = await client.getRun(runIdFrom(res.stderr));
      expect(tags(r)).toMatchObject({
        'mlflow.source.git.commit': second,
        'mlflow.source.git.branch': 'feature',
        'mlflow.source.git.repoURL': repo,
        'mlflow.source.name': `${repo}#proj`,
      });
      expect(git('rev-parse', '--abbrev-ref', 'HEAD')).toBe('main'); // the working copy was not touched
    });

    it('checks out a commit', async () => {
      const res = await run([`${repo}#proj`, '-v', first, '--experiment-name', 'proj-git']);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout).toBe('first version\n');
      const t = tags(await client.getRun(runIdFrom(res.stderr)));
      expect(t['mlflow.source.git.commit']).toBe(first);
      expect(t['mlflow.source.git.branch']).toBeUndefined();
    });

    it('refuses a version that does not exist, and a version for a folder that is not a repository', async () => {
      const missing = await run([`${repo}#proj`, '-v', 'no-such-branch', '--experiment-name', 'proj-git-bad']);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/Unable to check out version 'no-such-branch'/);
      const plain = await run([projectDir({ MLproject: 'entry_points:\n  main:\n    command: "true"\n' }), '-v', 'main', '--experiment-name', 'proj-git-bad']);
      expect(plain.code).toBe(1);
      expect(plain.stderr).toMatch(/only for a git repository/);
      expect(await runsIn('proj-git-bad')).toEqual([]);
    });
  });

  describe('bad input: a clear error and no run', () => {
    const mlproject = `entry_points:
  main:
    parameters:
      epochs: {type: int, default: 3}
      data: path
    command: "echo {epochs} {data}"
`;
    let dir: string;
    let experimentId: string;
    beforeAll(async () => {
      dir = projectDir({ MLproject: mlproject, 'data.csv': 'x\n' });
      experimentId = await client.createExperiment('proj-bad');
    });

    it.each([
      ['an unknown entry point', ['-e', 'nope', '-P', 'data=data.csv'], /Unknown entry point 'nope': the project declares 'main'/],
      ['a missing required parameter', [], /No value given for missing parameters of entry point 'main': 'data'/],
      ['a parameter of the wrong type', ['-P', 'data=data.csv', '-P', 'epochs=three'], /Parameter 'epochs' \(MLproject line 4\) is of type int, but got 'three'/],
      ['a path that does not exist', ['-P', 'data=missing.csv'], /'missing.csv' for parameter 'data', but no such file or directory/],
      ['another env manager', ['-P', 'data=data.csv', '--env-manager', 'virtualenv'], /--env-manager virtualenv is not supported/],
      ['a malformed -P', ['-P', 'data'], /Invalid format for -P parameter: 'data'/],
      ['a parameter name MLflow refuses', ['-P', 'data=data.csv', '-P', 'bad*name=1'], /Invalid param name: 'bad\*name'/],
    ])('%s', async (_what, args, message) => {
      // path parameters resolve against the folder runlog run starts in: run from the project folder.
      const res = await runIn(dir, ['.', '--experiment-id', experimentId, ...args]);
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(message);
      expect(res.stderr).not.toMatch(/in run with ID/);
      expect((await client.searchRuns({ experimentIds: [experimentId] })).items).toEqual([]);
    });

    it('a folder that does not exist, and a subdirectory that does not exist', async () => {
      const missing = await run([path.join(tmp, 'no-such-project'), '--experiment-id', experimentId]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/No such project folder: .*no-such-project \(nor is it a git URL\)/);
      const sub = await run([`${dir}#nosub`, '--experiment-id', experimentId]);
      expect(sub.code).toBe(1);
      expect(sub.stderr).toMatch(/Could not find subdirectory 'nosub'/);
      expect((await client.searchRuns({ experimentIds: [experimentId] })).items).toEqual([]);
    });

    it('a malformed MLproject, naming the line', async () => {
      const bad = projectDir({ MLproject: 'entry_points:\n  main:\n    parameters:\n      n: {type: integer}\n    command: "echo {n}"\n' });
      const res = await run([bad, '--experiment-id', experimentId]);
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/Invalid MLproject .*MLproject line 4: parameter 'n' has type 'integer'/);
      expect((await client.searchRuns({ experimentIds: [experimentId] })).items).toEqual([]);
    });

    it('a docker_env project whose environment copies a variable that is not set', async () => {
      const fakeBin = fs.mkdtempSync(path.join(tmp, 'bin-'));
      fs.writeFileSync(path.join(fakeBin, 'docker'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
      const docker = projectDir({ MLproject: 'docker_env:\n  image: img\n  environment: [NOT_SET_ANYWHERE]\nentry_points:\n  main:\n    command: "true"\n' });
      const res = await run([docker, '--experiment-id', experimentId], { PATH: `${fakeBin}${path.delimiter}${process.env.PATH ?? ''}` });
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/copies the environment variable NOT_SET_ANYWHERE, which is not set here/);
      expect((await client.searchRuns({ experimentIds: [experimentId] })).items).toEqual([]);
    });

    it('a docker_env project when docker is not on PATH', async () => {
      const docker = projectDir({ MLproject: 'docker_env:\n  image: python:3.12\nentry_points:\n  main:\n    command: "true"\n' });
      const res = await run([docker, '--experiment-id', experimentId], { PATH: path.join(tmp, 'empty-path') });
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/docker was not found on PATH/);
      expect((await client.searchRuns({ experimentIds: [experimentId] })).items).toEqual([]);
    });
  });
});

function runIn(cwd: string, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MLFLOW_')));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'run', ...args], { cwd, env: { ...base, MLFLOW_TRACKING_URI: server.url }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Whether a process exists and is not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
