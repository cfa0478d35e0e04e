/**
 * The `docker run` command line for a `docker_env` project. Unlike MLflow, which builds an image that copies the
 * project in, the project folder is mounted at MLflow's path `/mlflow/projects/code` (the working directory)
 * and the image is used as named. A local tracking store (SQLite file) is mounted where it is, a tracking
 * server on this host is reached through the host network.
 */
import fs from 'node:fs';
import path from 'node:path';
import { RunlogError } from '@runlog/core';
import type { DockerEnv } from './mlproject.js';

export const DOCKER_WORKDIR = '/mlflow/projects/code';

/** The `docker` executable on PATH, or a clear error (before any run is created). */
export function findDocker(env: NodeJS.ProcessEnv): string {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, 'docker');
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  throw RunlogError.invalidParameter(
    'This project has a docker_env, and docker was not found on PATH: install Docker, or run a project without docker_env.',
  );
}

/** The variables the MLproject's `environment` sets: pairs as given, names copied from the host (which must have them). */
export function dockerEnvironment(spec: DockerEnv, hostEnv: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of spec.environment) {
    if (typeof entry !== 'string') {
      env[entry[0]] = entry[1];
      continue;
    }
    const value = hostEnv[entry];
    if (value === undefined) {
      throw RunlogError.invalidParameter(`This project's docker_env copies the environment variable ${entry}, which is not set here.`);
    }
    env[entry] = value;
  }
  return env;
}

export interface DockerRunInput {
  docker: string;
  spec: DockerEnv;
  projectDir: string;
  command: string;
  /** MLFLOW_RUN_ID, MLFLOW_TRACKING_URI, MLFLOW_EXPERIMENT_ID and the like. */
  runEnv: Readonly<Record<string, string>>;
  /** From dockerEnvironment(). */
  projectEnv: Readonly<Record<string, string>>;
}

export function dockerRunArgv(input: DockerRunInput): string[] {
  const argv = [input.docker, 'run', '--rm', '-v', `${input.projectDir}:${DOCKER_WORKDIR}`, '-w', DOCKER_WORKDIR];
  const tracking = input.runEnv.MLFLOW_TRACKING_URI ?? '';
  if (/^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:|\/|$)/i.test(tracking)) argv.push('--network', 'host');
  const sqlite = /^sqlite:\/\/\/(\/.+)$/i.exec(tracking)?.[1];
  if (sqlite !== undefined) {
    const folder = path.dirname(decodeURIComponent(sqlite.split('?')[0] ?? sqlite));
    argv.push('-v', `${folder}:${folder}`);
  }
  for (const volume of input.spec.volumes) argv.push('-v', volume);
  for (const [key, value] of Object.entries({ ...input.runEnv, ...input.projectEnv })) argv.push('-e', `${key}=${value}`);
  argv.push(input.spec.image, 'bash', '-c', input.command);
  return argv;
}
