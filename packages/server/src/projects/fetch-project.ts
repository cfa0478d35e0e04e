/**
 * Where a project's files come from, as MLflow's `_fetch_project`: `<uri>[#subdirectory]` is a local folder (run
 * in place) or a git repository; a git repository is cloned with the system `git` into a temporary folder and
 * `version` (a commit, branch or tag) checked out. A local folder with a version must be a git repository and is
 * cloned too, so the working copy is never touched. Also what MLflow records about the source: its name, the
 * commit, the first remote's URL and the branch when the version names one.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { RunlogError } from '@runlog/core';

const execFileAsync = promisify(execFile);

export interface FetchedProject {
  /** The project folder (the subdirectory, when one was named). */
  readonly dir: string;
  /** `mlflow.source.name`. */
  readonly sourceName: string;
  readonly commit?: string;
  readonly repoUrl?: string;
  readonly branch?: string;
  /** Removes the clone, if one was made. */
  cleanup(): void;
}

/** Splits `uri#sub` (quotes around the whole are dropped, as MLflow does); `.` is not allowed in `sub`. */
export function parseProjectUri(uri: string): { base: string; subdirectory: string } {
  const unquoted = uri.replace(/^['"]+|['"]+$/g, '');
  const hash = unquoted.indexOf('#');
  const base = hash < 0 ? unquoted : unquoted.slice(0, hash);
  const subdirectory = hash < 0 ? '' : unquoted.slice(hash + 1);
  if (subdirectory.includes('.')) throw RunlogError.invalidParameter(`'.' is not allowed in project subdirectory paths ('${subdirectory}').`);
  if (base === '') throw RunlogError.invalidParameter('The project URI is empty.');
  return { base, subdirectory };
}

async function git(args: readonly string[], cwd?: string): Promise<string> {
  // No credential prompt: a repository that needs one fails with git's message instead of waiting for input.
  const env = { ...process.env, GIT_TERMINAL_PROMPT: '0' };
  const { stdout } = await execFileAsync('git', args, { cwd, env, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

async function gitOrUndefined(args: readonly string[], cwd: string): Promise<string | undefined> {
  try {
    const out = await git(args, cwd);
    return out === '' ? undefined : out;
  } catch {
    return undefined;
  }
}

function localFolder(base: string, cwd: string): string | undefined {
  const candidate = /^file:\/\//i.test(base) ? fileURLToPath(base) : path.resolve(cwd, base);
  return fs.existsSync(candidate) ? candidate : undefined;
}

function failure(err: unknown): string {
  const stderr = (err as { stderr?: unknown }).stderr;
  const text = typeof stderr === 'string' && stderr.trim() !== '' ? stderr : err instanceof Error ? err.message : String(err);
  return text.trim().split('\n').slice(-3).join(' ');
}

async function cloneInto(source: string, version: string | undefined): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-project-'));
  try {
    await git(['clone', '--quiet', '--no-checkout', '--', source, dir]);
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw RunlogError.invalidParameter(`Could not clone the git repository ${source}: ${failure(err)}`);
  }
  try {
    // Without a version, the remote's default branch (what the clone's HEAD names).
    await git(['checkout', '--quiet', version ?? 'HEAD', '--'], dir);
    await git(['submodule', '--quiet', 'update', '--init', '--recursive'], dir);
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw RunlogError.invalidParameter(
      `Unable to check out version '${version ?? 'HEAD'}' of git repository ${source} (is it a commit, branch or tag there?): ${failure(err)}`,
    );
  }
  return dir;
}

export async function fetchProject(uri: string, version: string | undefined, cwd: string = process.cwd()): Promise<FetchedProject> {
  const { base, subdirectory } = parseProjectUri(uri);
  const local = localFolder(base, cwd);
  let root: string;
  let clone: string | undefined;
  // Neither a folder here nor anything git could fetch from (a URL, user@host:path): a mistyped folder.
  if (local === undefined && !/^[A-Za-z][A-Za-z0-9+.-]*:\/\/|^[^/]+@[^/]+:/.test(base)) {
    throw RunlogError.invalidParameter(`No such project folder: ${base} (nor is it a git URL).`);
  }
  if (local !== undefined && version === undefined) {
    root = local;
  } else {
    if (local !== undefined && (await gitOrUndefined(['rev-parse', '--show-toplevel'], local)) !== fs.realpathSync(local)) {
      throw RunlogError.invalidParameter(`A version can be given only for a git repository, and ${local} is not the top of one.`);
    }
    clone = await cloneInto(local ?? base, version);
    root = clone;
  }
  const cleanup = (): void => {
    if (clone !== undefined) fs.rmSync(clone, { recursive: true, force: true });
  };
  const dir = path.resolve(root, subdirectory);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    cleanup();
    throw RunlogError.invalidParameter(
      `Could not find subdirectory '${subdirectory}' of ${base}.`,
    );
  }
  const commit = await gitOrUndefined(['rev-parse', 'HEAD'], dir);
  const repoUrl = await firstRemoteUrl(dir);
  const branch =
    version !== undefined && (await gitOrUndefined(['rev-parse', '--verify', '--quiet', `refs/heads/${version}`], dir)) !== undefined
      ? version
      : undefined;
  return {
    dir,
    sourceName: local !== undefined ? await localSourceName(local, subdirectory, uri) : uri,
    ...(commit !== undefined ? { commit } : {}),
    ...(repoUrl !== undefined ? { repoUrl } : {}),
    ...(branch !== undefined ? { branch } : {}),
    cleanup,
  };
}

async function firstRemoteUrl(dir: string): Promise<string | undefined> {
  const remote = (await gitOrUndefined(['remote'], dir))?.split('\n')[0];
  return remote === undefined ? undefined : gitOrUndefined(['remote', 'get-url', remote], dir);
}

/** `file://<repository top>#<folder inside it>` when the folder is in a git working tree, as MLflow names it. */
async function localSourceName(local: string, subdirectory: string, uri: string): Promise<string> {
  if (subdirectory !== '') return uri;
  const top = await gitOrUndefined(['rev-parse', '--show-toplevel'], local);
  if (top === undefined) return local;
  const inside = path.relative(top, fs.realpathSync(local));
  return inside === '' ? `file://${top}` : `file://${top}#${inside}`;
}
