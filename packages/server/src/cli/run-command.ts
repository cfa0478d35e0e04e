/**
 * `runlog run <uri>`: runs an MLflow project (a folder with an MLproject file, or a git repository) as a run, as
 * `mlflow run` does with `--env-manager local`. The exit code is 0 when the run FINISHED, 1 when it FAILED, and
 * 128 + the signal's number when it was interrupted (KILLED).
 */
import os from 'node:os';
import type { Command } from 'commander';
import { runProject } from '../projects/run-project.js';

interface RunFlags {
  entryPoint: string;
  version?: string;
  paramList: string[];
  experimentName?: string;
  experimentId?: string;
  runName?: string;
  envManager?: string;
  trackingUri?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export async function runRunCommand(uri: string, flags: RunFlags): Promise<void> {
  const result = await runProject({
    uri,
    entryPoint: flags.entryPoint,
    params: flags.paramList,
    ...(flags.version !== undefined ? { version: flags.version } : {}),
    ...(flags.experimentName !== undefined ? { experimentName: flags.experimentName } : {}),
    ...(flags.experimentId !== undefined ? { experimentId: flags.experimentId } : {}),
    ...(flags.runName !== undefined ? { runName: flags.runName } : {}),
    ...(flags.envManager !== undefined ? { envManager: flags.envManager } : {}),
    ...(flags.trackingUri !== undefined ? { trackingUri: flags.trackingUri } : {}),
  });
  if (result.interruptedBy !== undefined) {
    process.exitCode = 128 + (os.constants.signals[result.interruptedBy] ?? 15);
  } else if (result.status !== 'FINISHED') {
    process.exitCode = 1;
  }
}

export function addRunCommand(program: Command): void {
  program
    .command('run')
    .description('run an MLflow project (a folder with an MLproject file, or a git repository) as a tracked run')
    .argument('<uri>', 'project folder or git repository; <uri>#<subdirectory> for a project inside it')
    .option('-e, --entry-point <name>', 'entry point of the MLproject, or a script file (.py, .sh, .js, .mjs)', 'main')
    .option('-v, --version <version>', 'git commit, branch or tag to check out (git repositories only)')
    .option('-P, --param-list <name=value>', 'a parameter of the entry point (repeatable)', collect, [])
    .option('--experiment-name <name>', 'experiment to run in (created when missing; default: MLFLOW_EXPERIMENT_NAME)')
    .option('--experiment-id <id>', 'experiment to run in (default: MLFLOW_EXPERIMENT_ID, else 0)')
    .option('--run-name <name>', 'name of the run')
    .option('--env-manager <manager>', "only 'local' is supported: the project uses the tools on PATH")
    .option('--tracking-uri <uri>', 'tracking server or local store (default: RUNLOG_TRACKING_URI, MLFLOW_TRACKING_URI)')
    .action((uri: string, flags: RunFlags) => runRunCommand(uri, flags));
}
