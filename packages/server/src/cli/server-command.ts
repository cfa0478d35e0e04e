/** `runlog server` / `runlog ui`: MLflow's flags, a banner, `--workers` processes, graceful shutdown. */
import cluster from 'node:cluster';
import type { Command } from 'commander';
import { buildServerConfig, type ServerConfig, type ServerFlags } from '../config.js';
import { startServer, type RunningServer } from '../serve.js';
import { openStores } from '../open-stores.js';
import { RUNLOG_VERSION } from '../version.js';

function banner(config: ServerConfig, url: string): string {
  return [
    `Runlog ${RUNLOG_VERSION} listening on ${url}${config.staticPrefix}/`,
    `  backend store:  ${config.backendStoreUri}`,
    `  artifact root:  ${config.defaultArtifactRoot}`,
    config.serveArtifacts ? `  artifacts:      served from ${config.artifactsDestination}` : '  artifacts:      not served (--no-serve-artifacts)',
    ...(config.artifactsOnly ? ['  mode:           artifacts only (tracking routes answer 503)'] : []),
    `  workers:        ${config.workers}`,
    `  Python: MLFLOW_TRACKING_URI=${url}`,
  ].join('\n');
}

function onShutdown(close: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\nRunlog: ${signal} received, shutting down\n`);
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`Runlog: error during shutdown: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function runPrimaryWithWorkers(config: ServerConfig): Promise<void> {
  // Migrate once before forking (a file store: create its folder), so workers never race on the set-up.
  const stores = await openStores({ backendStoreUri: config.backendStoreUri, defaultArtifactRoot: config.defaultArtifactRoot, dbPoolSize: 1 });
  await stores.tracking.close();
  let listening = 0;
  for (let i = 0; i < config.workers; i++) cluster.fork();
  cluster.on('listening', (_worker, address) => {
    listening += 1;
    if (listening === config.workers) {
      const host = config.host.includes(':') ? `[${config.host}]` : config.host;
      process.stdout.write(`${banner(config, `http://${host}:${address.port}`)}\n`);
    }
  });
  cluster.on('exit', (worker, code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM' && signal !== 'SIGINT') {
      process.stderr.write(`Runlog: worker ${worker.process.pid ?? '?'} exited (${signal ?? code}); starting another\n`);
      cluster.fork();
    }
  });
  onShutdown(async () => {
    const workers = Object.values(cluster.workers ?? {});
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (!w) return resolve();
            w.once('exit', () => resolve());
            w.kill('SIGTERM');
          }),
      ),
    );
  });
}

export async function runServer(flags: ServerFlags): Promise<void> {
  const config = buildServerConfig(flags);
  if (cluster.isPrimary && config.workers > 1) {
    await runPrimaryWithWorkers(config);
    return;
  }
  let server: RunningServer;
  try {
    server = await startServer(config);
  } catch (err) {
    process.stderr.write(`Runlog: cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  if (cluster.isPrimary) process.stdout.write(`${banner(config, server.url)}\n`);
  onShutdown(() => server.close());
}

export function addServerOptions(cmd: Command): Command {
  return cmd
    .option('--backend-store-uri <uri>', 'SQL store: sqlite:///relative.db, sqlite:////abs.db or postgresql://… (default: ./runlog-data/runlog.db)')
    .option('--default-artifact-root <uri>', 'artifact root for new experiments (default: mlflow-artifacts:/ when serving artifacts)')
    .option('--serve-artifacts', 'proxy artifact uploads and downloads (default)')
    .option('--no-serve-artifacts', 'do not proxy artifacts; clients use the artifact root directly')
    .option('--artifacts-destination <uri>', 'where proxied artifacts are stored (default: ./runlog-data/artifacts)')
    .option('--artifacts-only', 'serve only the artifact routes')
    .option('-h, --host <host>', 'network address to listen on', '127.0.0.1')
    .option('-p, --port <port>', 'port to listen on', '5000')
    .option('-w, --workers <n>', 'number of server processes')
    .option('--static-prefix <prefix>', 'prefix for the UI and ajax-api routes')
    .option('--db-pool-size <n>', 'PostgreSQL connections per server process (default 10)')
    .option('--allowed-hosts <hosts>', 'comma-separated Host header values accepted; * for all (default: loopback names and --host)')
    .option('--cors-allowed-origins <origins>', 'comma-separated origins allowed by CORS; * for all (default: none, no CORS headers)')
    .option('--headers-timeout <seconds>', 'time a client has to send request headers (default 60)')
    .option('--request-timeout <seconds>', 'time a client has to send a whole request, body included; 0 = none (default 600)')
    .option('--expose-prometheus [dir]', "serve Prometheus metrics on /metrics (MLflow's directory argument is accepted and unused)")
    .option('--log-format <format>', "'json' for structured access logs on stdout, one line per request; 'none' (default)")
    .option('--connection-timeout <seconds>', 'idle time before a connection is closed; 0 = none (default 120)')
    .helpOption('--help', 'display help for command');
}
