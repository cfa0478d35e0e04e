/**
 * `runlog run`: MLflow's local project backend, synchronous. Everything that can be wrong with the input (the
 * project, the entry point, the parameters, the environment manager, docker) is checked before the run is
 * created. The run gets MLflow's project tags and the parameters; the child gets `MLFLOW_RUN_ID`,
 * `MLFLOW_TRACKING_URI` (and `RUNLOG_TRACKING_URI`, which the TS SDK reads first) and `MLFLOW_EXPERIMENT_ID`, so
 * `mlflow.start_run()` and the SDK's `startRun()` attach to it. The run ends FINISHED on exit code 0 (unless the
 * child already ended it otherwise), FAILED on any other exit, KILLED when `runlog run` was interrupted.
 */
import path from 'node:path';
import { RunlogError, type RunStatus, type RunTag } from '@runlog/core';
import { currentUser, isRemoteTrackingUri, RunlogClient, trackingUriFromEnv } from '@runlog/client';
import { listenForInterruption, startChild, type ChildOutcome } from './child-command.js';
import { dockerEnvironment, dockerRunArgv, findDocker } from './docker-command.js';
import { entryPointCommand, parseParamArgs, resolveEntryPoint } from './entry-point-command.js';
import { fetchProject } from './fetch-project.js';
import { loadProject } from './mlproject.js';

export interface RunProjectOptions {
  uri: string;
  entryPoint?: string;
  version?: string;
  /** `name=value` strings, as given to `-P`. */
  params?: readonly string[];
  experimentName?: string;
  experimentId?: string;
  runName?: string;
  envManager?: string;
  trackingUri?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Progress lines (MLflow's `=== … ===` log lines); default stderr. */
  log?: (line: string) => void;
}

export interface ProjectRunResult {
  runId: string;
  status: RunStatus;
  /** The child's exit code (undefined when it died of a signal). */
  exitCode: number | undefined;
  interruptedBy: NodeJS.Signals | undefined;
}

const ENV_MANAGERS = ['local', 'virtualenv', 'conda', 'uv'];
const TERMINAL: readonly string[] = ['FINISHED', 'FAILED', 'KILLED'];

function checkEnvManager(envManager: string | undefined): void {
  if (envManager === undefined || envManager === 'local') return;
  if (!ENV_MANAGERS.includes(envManager)) {
    throw RunlogError.invalidParameter(`Invalid value '${envManager}' for --env-manager: expected local.`);
  }
  throw RunlogError.invalidParameter(
    `--env-manager ${envManager} is not supported: Runlog runs projects with --env-manager local only, ` +
      'using the python, node and other tools on PATH.',
  );
}

/**
 * A local store URI the child can use from another working directory: `sqlite:///rel.db` and bare folders are
 * resolved against ours.
 */
export function absoluteTrackingUri(uri: string, cwd: string): string {
  if (isRemoteTrackingUri(uri)) return uri;
  const sqlite = /^sqlite:\/\/\/([^/].*)$/i.exec(uri)?.[1];
  if (sqlite !== undefined) return `sqlite:///${path.resolve(cwd, sqlite)}`;
  if (!/^[A-Za-z][A-Za-z0-9+.-]+:/.test(uri)) return path.resolve(cwd, uri);
  return uri;
}

async function resolveExperimentId(client: RunlogClient, options: RunProjectOptions, env: NodeJS.ProcessEnv): Promise<string> {
  const name = options.experimentName ?? (options.experimentId === undefined ? env.MLFLOW_EXPERIMENT_NAME || undefined : undefined);
  const id = options.experimentId ?? (name === undefined ? env.MLFLOW_EXPERIMENT_ID || undefined : undefined);
  if (id !== undefined) {
    const experiment = await client.getExperiment(id);
    if (experiment.lifecycle_stage === 'deleted') throw RunlogError.invalidParameter(`Experiment ${id} is deleted.`);
    return experiment.experiment_id;
  }
  if (name === undefined) return '0';
  const existing = await client.getExperimentByName(name);
  if (existing !== undefined) {
    if (existing.lifecycle_stage === 'deleted') throw RunlogError.invalidParameter(`Experiment '${name}' is deleted.`);
    return existing.experiment_id;
  }
  return client.createExperiment(name);
}

export async function runProject(options: RunProjectOptions): Promise<ProjectRunResult> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (options.experimentName !== undefined && options.experimentId !== undefined) {
    throw RunlogError.invalidParameter("Specify only one of 'experiment-name' or 'experiment-id'.");
  }
  checkEnvManager(options.envManager);
  const given = parseParamArgs(options.params ?? []);
  const entryName = options.entryPoint ?? 'main';

  const fetched = await fetchProject(options.uri, options.version, cwd);
  const client = new RunlogClient({ trackingUri: absoluteTrackingUri(options.trackingUri ?? trackingUriFromEnv(env), cwd), env });
  try {
    const project = loadProject(fetched.dir);
    const computed = entryPointCommand(resolveEntryPoint(project, entryName, env), given, cwd);
    const docker =
      project.env.type === 'docker_env'
        ? { spec: project.env.docker, executable: findDocker(env), projectEnv: dockerEnvironment(project.env.docker, env) }
        : undefined;
    if (project.env.type === 'python_env' || project.env.type === 'conda_env') {
      log(`=== ${project.env.type} (${path.basename(project.env.file)}) is not used: the project runs with --env-manager local ===`);
    }

    const experimentId = await resolveExperimentId(client, options, env);
    const tags: RunTag[] = [
      { key: 'mlflow.user', value: currentUser(env) },
      { key: 'mlflow.source.name', value: fetched.sourceName },
      { key: 'mlflow.source.type', value: 'PROJECT' },
      { key: 'mlflow.project.entryPoint', value: entryName },
      { key: 'mlflow.project.env', value: docker !== undefined ? 'docker' : 'local' },
      { key: 'mlflow.project.backend', value: 'local' },
    ];
    if (fetched.commit !== undefined) tags.push({ key: 'mlflow.source.git.commit', value: fetched.commit });
    if (fetched.repoUrl !== undefined) {
      tags.push({ key: 'mlflow.source.git.repoURL', value: fetched.repoUrl }, { key: 'mlflow.gitRepoURL', value: fetched.repoUrl });
    }
    if (fetched.branch !== undefined) {
      tags.push({ key: 'mlflow.source.git.branch', value: fetched.branch }, { key: 'mlflow.gitBranchName', value: fetched.branch });
    }

    const interruption = listenForInterruption();
    try {
      const run = await client.createRun({
        experimentId,
        userId: currentUser(env),
        ...(options.runName !== undefined ? { runName: options.runName } : {}),
        tags: Object.fromEntries(tags.map((t) => [t.key, t.value])),
      });
      const runId = run.info.run_id;
      let outcome: ChildOutcome;
      try {
        if (computed.params.length > 0) await client.logBatch(runId, { params: [...computed.params] });

        outcome = { code: undefined, interruptedBy: interruption.signal };
        if (interruption.signal === undefined) {
          const runEnv = {
            MLFLOW_RUN_ID: runId,
            MLFLOW_TRACKING_URI: client.trackingUri,
            RUNLOG_TRACKING_URI: client.trackingUri,
            MLFLOW_EXPERIMENT_ID: experimentId,
          };
          const command =
            docker === undefined
              ? { shell: computed.command }
              : {
                  argv: dockerRunArgv({
                    docker: docker.executable,
                    spec: docker.spec,
                    projectDir: fetched.dir,
                    command: computed.command,
                    runEnv,
                    projectEnv: docker.projectEnv,
                  }),
                };
          log(`=== Running command '${computed.command}' in run with ID '${runId}' ===`);
          outcome = await startChild(command, { cwd: fetched.dir, env: { ...env, ...runEnv }, interruption }).done;
        }
      } catch (err) {
        // The run exists: it must not stay RUNNING when its parameters or the child could not be started.
        await client.setTerminated(runId, 'FAILED').catch(() => undefined);
        throw err;
      }
      const status = await finalStatus(client, runId, outcome);
      log(
        status === 'FINISHED'
          ? `=== Run (ID '${runId}') succeeded ===`
          : status === 'KILLED'
            ? `=== Run (ID '${runId}') interrupted (${outcome.interruptedBy ?? 'signal'}): marked KILLED ===`
            : `=== Run (ID '${runId}') failed (${outcome.code !== undefined ? `exit code ${outcome.code}` : 'killed by a signal'}) ===`,
      );
      return { runId, status, exitCode: outcome.code, interruptedBy: outcome.interruptedBy };
    } finally {
      interruption.dispose();
    }
  } finally {
    await client.close();
    fetched.cleanup();
  }
}

/** Sets and returns the run's end status. */
async function finalStatus(client: RunlogClient, runId: string, outcome: ChildOutcome): Promise<RunStatus> {
  let status: RunStatus;
  if (outcome.interruptedBy !== undefined) status = 'KILLED';
  else if (outcome.code !== 0) status = 'FAILED';
  else {
    // As MLflow: a run the child already ended keeps the status it gave.
    const current = (await client.getRun(runId)).info.status;
    if (TERMINAL.includes(current)) return current;
    status = 'FINISHED';
  }
  await client.setTerminated(runId, status);
  return status;
}
