/**
 * `runlog models …`: the model command group. `serve` loads a model (`runs:/`, `models:/name/version`,
 * `models:/name@alias`, a local folder) through the SDK and answers MLflow's scoring contract. Other model
 * subcommands attach to the group this returns.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { RunlogClient } from '@runlog/client';
import { createScoringApp } from '../serving/scoring-app.js';

interface ServeFlags {
  modelUri: string;
  envManager?: string;
  port: number;
  host: string;
  trackingUri?: string;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number (0-65535).');
  return n;
}

export async function runModelsServe(flags: ServeFlags): Promise<void> {
  if (flags.envManager !== undefined && flags.envManager !== 'local') {
    throw new InvalidArgumentError(`--env-manager ${flags.envManager} is not supported: models are served in this process (local).`);
  }
  const client = new RunlogClient(flags.trackingUri !== undefined ? { trackingUri: flags.trackingUri } : {});
  const model = await client.loadModel(flags.modelUri);
  const app = createScoringApp(model);
  await app.listen({ host: flags.host, port: flags.port });
  const address = app.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : flags.port;
  const host = flags.host.includes(':') ? `[${flags.host}]` : flags.host;
  process.stdout.write(`Runlog scoring server for ${flags.modelUri} (${model.flavor} flavor) listening on http://${host}:${actualPort}\n`);
  const shutdown = (): void => {
    void app.close().finally(() => client.close().finally(() => process.exit(0)));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

/** Adds `runlog models` with its `serve` subcommand; returns the group so other subcommands can join it. */
export function addModelsCommand(program: Command): Command {
  const models = program.command('models').description('serve models; the model registry: list, show, register, aliases, stages');
  models
    .command('serve')
    .description("serve a model with MLflow's scoring contract (/ping, /health, /version, /invocations, /metrics)")
    .requiredOption('-m, --model-uri <uri>', 'runs:/<run_id>/<path>, models:/<name>/<version>, models:/<name>@<alias>, or a local folder')
    .option('-p, --port <port>', 'port to listen on', port, 5000)
    .option('-h, --host <host>', 'address to listen on', '127.0.0.1')
    .helpOption('--help', 'display help for command')
    .option('--env-manager <manager>', "accepted for MLflow compatibility; only 'local' (the model runs in this process)")
    .option('--tracking-uri <uri>', 'tracking server or local store to resolve runs:/ and models:/ (default: MLFLOW_TRACKING_URI)')
    .action((flags: ServeFlags) => runModelsServe(flags));
  return models;
}
