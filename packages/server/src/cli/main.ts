#!/usr/bin/env node
/** The `runlog` command line. */
import { Command } from 'commander';
import { RUNLOG_VERSION } from '../version.js';
import { addServerOptions, runServer } from './server-command.js';
import { runDbUpgrade } from './db-command.js';
import { addArtifactsCommand } from './artifacts-command.js';
import { addModelsCommand } from './models-command.js';
import { addModelsRegistryCommands } from './models-registry-commands.js';
import type { ServerFlags } from '../config.js';

const program = new Command('runlog')
  .description('Runlog: experiment tracking and model management, wire-compatible with MLflow')
  .version(RUNLOG_VERSION);

for (const name of ['server', 'ui']) {
  addServerOptions(
    program.command(name).description(name === 'server' ? 'run the tracking server' : 'run the tracking server and web UI'),
  ).action((flags: ServerFlags) => runServer(flags));
}

program
  .command('db')
  .description('database maintenance')
  .command('upgrade')
  .argument('<uri>', 'backend store URI')
  .description('apply pending schema migrations')
  .action((uri: string) => runDbUpgrade(uri));

addArtifactsCommand(program);
addModelsRegistryCommands(addModelsCommand(program));

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`runlog: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
