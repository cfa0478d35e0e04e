/**
 * A `runlog server` child process from the built CLI (packages/server/dist; `npm test` builds first), on
 * 127.0.0.1 and a port the OS picks, with a temp SQLite store and artifacts folder. For tests that need a real
 * listening server in another process (the SDK's remote mode, the exit-time flush).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const RUNLOG_CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface SpawnedServer {
  url: string;
  dir: string;
  stop(): Promise<void>;
}

export interface ListeningChild {
  url: string;
  /** SIGTERM, then SIGKILL after 10 s; resolves once the process has exited. */
  stop(): Promise<void>;
}

/**
 * Spawns `node <args>` and resolves with the URL it prints as `listening on http://127.0.0.1:<port>` (both `runlog
 * server` and `runlog models serve` do); rejects with its output if it exits first. Killed if the test process exits.
 */
export async function spawnListening(args: readonly string[], what: string): Promise<ListeningChild> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const kill = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', kill);
  const output: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output.push(chunk.toString('utf8'));
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output.join(''));
      if (m?.[1]) resolve(m[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, signal) => reject(new Error(`${what} exited before listening (${signal ?? code}):\n${output.join('')}`)));
  });
  return {
    url,
    stop: async () => {
      process.removeListener('exit', kill);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(kill, 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function startSpawnedServer(extraArgs: readonly string[] = []): Promise<SpawnedServer> {
  if (!fs.existsSync(RUNLOG_CLI)) throw new Error(`${RUNLOG_CLI} is missing: run \`npm run build\` first`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-spawned-'));
  const args = [RUNLOG_CLI, 'server', '--backend-store-uri', `sqlite:///${path.join(dir, 'runlog.db')}`, '--host', '127.0.0.1',
    '--port', '0', '--artifacts-destination', path.join(dir, 'artifacts'), ...extraArgs];
  const server = await spawnListening(args, 'server');
  return {
    url: server.url,
    dir,
    stop: async () => {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
