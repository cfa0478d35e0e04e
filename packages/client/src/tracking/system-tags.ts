/**
 * The run-context tags MLflow's client sets on `start_run` (mlflow-tracking-api.md §8): user, source name and
 * type, git commit/branch/remote of the script's repository. Git metadata is read from the `.git` folder
 * directly (no `git` process); anything unreadable is simply left out, as MLflow does.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunTag } from '@runlog/core';
import type { Env } from './tracking-uri.js';

export const TAG = {
  user: 'mlflow.user',
  sourceName: 'mlflow.source.name',
  sourceType: 'mlflow.source.type',
  gitCommit: 'mlflow.source.git.commit',
  gitBranch: 'mlflow.source.git.branch',
  gitRepoUrl: 'mlflow.source.git.repoURL',
  runName: 'mlflow.runName',
  parentRunId: 'mlflow.parentRunId',
  loggedArtifacts: 'mlflow.loggedArtifacts',
} as const;

export function currentUser(env: Env): string {
  if (env.MLFLOW_TRACKING_USERNAME) return env.MLFLOW_TRACKING_USERNAME;
  try {
    return os.userInfo().username;
  } catch {
    return env.USER ?? 'unknown';
  }
}

function findGitDir(start: string): string | undefined {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, '.git');
    try {
      const stat = fs.statSync(candidate);
      if (stat.isDirectory()) return candidate;
      // A worktree or submodule: `.git` is a file pointing at the real folder.
      const pointer = /^gitdir:\s*(.+)$/m.exec(fs.readFileSync(candidate, 'utf8'))?.[1]?.trim();
      if (pointer) return path.resolve(dir, pointer);
    } catch {
      // not here; look one level up
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

function readRef(gitDir: string, commonDir: string, ref: string): string | undefined {
  for (const base of [gitDir, commonDir]) {
    try {
      return fs.readFileSync(path.join(base, ref), 'utf8').trim();
    } catch {
      // try the next place
    }
  }
  try {
    const packed = fs.readFileSync(path.join(commonDir, 'packed-refs'), 'utf8');
    return packed.split('\n').find((line) => line.endsWith(` ${ref}`))?.split(' ')[0];
  } catch {
    return undefined;
  }
}

export interface GitInfo {
  commit?: string;
  branch?: string;
  repoUrl?: string;
}

export function gitInfo(fromDir: string): GitInfo {
  const gitDir = findGitDir(path.resolve(fromDir));
  if (gitDir === undefined) return {};
  let commonDir = gitDir;
  try {
    commonDir = path.resolve(gitDir, fs.readFileSync(path.join(gitDir, 'commondir'), 'utf8').trim());
  } catch {
    // a plain repository
  }
  try {
    const head = fs.readFileSync(path.join(gitDir, 'HEAD'), 'utf8').trim();
    const info: GitInfo = {};
    const ref = /^ref:\s*(.+)$/.exec(head)?.[1];
    const commit = ref === undefined ? head : readRef(gitDir, commonDir, ref);
    if (commit !== undefined && /^[0-9a-f]{40}$/.test(commit)) info.commit = commit;
    if (ref?.startsWith('refs/heads/')) info.branch = ref.slice('refs/heads/'.length);
    try {
      const config = fs.readFileSync(path.join(commonDir, 'config'), 'utf8');
      const url = /\[remote "origin"\][^[]*?url\s*=\s*(\S+)/.exec(config)?.[1];
      if (url !== undefined) info.repoUrl = url;
    } catch {
      // no remote
    }
    return info;
  } catch {
    return {};
  }
}

/** The script that started the process (`process.argv[1]`), as MLflow records `sys.argv[0]`. */
export function sourceName(argv: readonly string[] = process.argv): string {
  const script = argv[1];
  return script === undefined || script === '' ? '<console>' : path.resolve(script);
}

export function resolveSystemTags(env: Env, argv: readonly string[] = process.argv): RunTag[] {
  const source = sourceName(argv);
  const tags: RunTag[] = [
    { key: TAG.user, value: currentUser(env) },
    { key: TAG.sourceName, value: source },
    { key: TAG.sourceType, value: 'LOCAL' },
  ];
  const git = gitInfo(source === '<console>' ? process.cwd() : path.dirname(source));
  if (git.commit !== undefined) tags.push({ key: TAG.gitCommit, value: git.commit });
  if (git.branch !== undefined) tags.push({ key: TAG.gitBranch, value: git.branch });
  if (git.repoUrl !== undefined) tags.push({ key: TAG.gitRepoUrl, value: git.repoUrl });
  return tags;
}
