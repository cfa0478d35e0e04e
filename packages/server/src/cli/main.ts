#!/usr/bin/env node
/**
 * The `runlog` command line. Each command group's module (and what it pulls in: the server stack, the SDK) is
 * loaded only when that group is asked for, so `runlog server` never loads the SDK and `runlog models list`
 * never loads the server. Help and unknown commands load every group.
 */
import { Command } from 'commander';
import { RUNLOG_VERSION } from '../version.js';
import type { ServerFlags } from '../config.js';

const program = new Command('runlog')
  .description('Runlog: experiment tracking and model management, wire-compatible with MLflow')
  .version(RUNLOG_VERSION)
  // Program options only before the command name, so `runlog run <uri> --version <commit>` reaches `run`.
  .enablePositionalOptions();

const GROUPS = ['server', 'ui', 'db', 'artifacts', 'models', 'run'] as const;
const asked = process.argv[2];
const wanted = (...names: string[]): boolean =>
  asked === undefined || !(GROUPS as readonly string[]).includes(asked) || names.includes(asked);

if (wanted('server', 'ui')) {
  const { addServerOptions, runServer } = await import('./server-command.js');
  for (const name of ['server', 'ui']) {
    addServerOptions(
      program.command(name).description(name === 'server' ? 'run the tracking server' : 'run the tracking server and web UI'),
    ).action((flags: ServerFlags) => runServer(flags));
  }
}

if (wanted('db')) {
  const { runDbUpgrade } = await import('./db-command.js');
  program
    .command('db')
    .description('database maintenance')
    .command('upgrade')
    .argument('<uri>', 'backend store URI')
    .description('apply pending schema migrations')
    .action((uri: string) => runDbUpgrade(uri));
}

if (wanted('artifacts')) {
  const { addArtifactsCommand } = await import('./artifacts-command.js');
  addArtifactsCommand(program);
}

if (wanted('models')) {
  const [{ addModelsCommand }, { addModelsRegistryCommands }] = await Promise.all([
    import('./models-command.js'),
    import('./models-registry-commands.js'),
  ]);
  addModelsRegistryCommands(addModelsCommand(program));
}

if (wanted('run')) {
  const { addRunCommand } = await import('./run-command.js');
  addRunCommand(program);
}

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`runlog: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
