/**
 * `runlog artifacts list|download|upload`: MLflow's `mlflow artifacts` subcommands over the SDK's artifact client
 * (artifacts proxied by a tracking server). Results go to stdout (list: one path per line with its size;
 * download: the local path); a progress bar goes to stderr when it is a terminal, a one-line summary otherwise.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import {
  createArtifactClient,
  trackingAuthHeaders,
  trackingCredentialsFromEnv,
  type ArtifactClient,
  type ArtifactProgress,
} from '@runlog/client';

export const DEFAULT_TRACKING_URI = 'http://127.0.0.1:5000';

interface CommonFlags {
  runId: string;
  trackingUri: string;
  artifactPath?: string;
}

interface TransferFlags extends CommonFlags {
  concurrency: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Progress
// ---------------------------------------------------------------------------------------------------------------

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit] ?? ''}`;
}

/** `[#######-----------------]  30% 1.5 MB/5.0 MB  2/7 files` */
export function progressLine(p: ArtifactProgress, width = 24): string {
  const ratio =
    p.bytesTotal > 0 ? Math.min(1, p.bytesDone / p.bytesTotal) : p.filesTotal > 0 ? p.filesDone / p.filesTotal : 1;
  const filled = Math.round(ratio * width);
  const percent = `${Math.floor(ratio * 100)}%`.padStart(4);
  return (
    `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${percent} ` +
    `${formatBytes(p.bytesDone)}/${formatBytes(p.bytesTotal)}  ${p.filesDone}/${p.filesTotal} files`
  );
}

interface Reporter {
  onProgress(progress: ArtifactProgress): void;
  /** Clears the bar and writes `summary(last progress, seconds)` to stderr. */
  finish(summary: (progress: ArtifactProgress, seconds: string) => string): void;
  /** Clears the bar (on failure). */
  clear(): void;
}

function reporter(stream: NodeJS.WriteStream): Reporter {
  const started = Date.now();
  const tty = Boolean(stream.isTTY);
  let last: ArtifactProgress = { bytesDone: 0, bytesTotal: 0, filesDone: 0, filesTotal: 0 };
  let drawnAt = 0;
  let drawn = false;
  const clear = (): void => {
    if (drawn) stream.write('\r\x1b[K');
    drawn = false;
  };
  return {
    onProgress(progress) {
      last = progress;
      if (!tty) return;
      const now = Date.now();
      const complete = progress.filesDone === progress.filesTotal;
      if (now - drawnAt < 100 && !complete) return;
      drawnAt = now;
      stream.write(`\r${progressLine(progress)}\x1b[K`);
      drawn = true;
    },
    finish(summary) {
      clear();
      stream.write(`${summary(last, ((Date.now() - started) / 1000).toFixed(1))}\n`);
    },
    clear,
  };
}

function files(n: number): string {
  return `${n} file${n === 1 ? '' : 's'}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------------------------

function clientFor(flags: CommonFlags, concurrency?: number): ArtifactClient {
  return createArtifactClient({
    trackingUri: flags.trackingUri,
    headers: trackingAuthHeaders(trackingCredentialsFromEnv(process.env)),
    ...(concurrency !== undefined ? { concurrency } : {}),
  });
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer.');
  return n;
}

export async function runArtifactsList(flags: CommonFlags & { json?: boolean }): Promise<void> {
  const infos = await clientFor(flags).listArtifacts(flags.runId, flags.artifactPath);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(infos, null, 2)}\n`);
    return;
  }
  const lines = infos.map((f) => (f.is_dir ? `${f.path}/\t-` : `${f.path}\t${f.file_size ?? '?'}`));
  process.stdout.write(lines.map((l) => `${l}\n`).join(''));
}

export async function runArtifactsUpload(flags: TransferFlags & { localPath: string }): Promise<void> {
  const client = clientFor(flags, flags.concurrency);
  const report = reporter(process.stderr);
  const stat = await fs.promises.stat(flags.localPath);
  const where = flags.artifactPath ? `artifact path '${flags.artifactPath}'` : 'the artifact root';
  try {
    if (stat.isDirectory()) {
      await client.uploadDirectory(flags.runId, flags.localPath, flags.artifactPath, report);
    } else {
      await client.uploadFile(flags.runId, flags.localPath, flags.artifactPath, report);
    }
  } catch (err) {
    report.clear();
    throw err;
  }
  report.finish(
    (p, seconds) =>
      `Uploaded ${files(p.filesDone)} (${formatBytes(p.bytesDone)}) from ${flags.localPath} to ${where} of run ${flags.runId} in ${seconds} s`,
  );
}

export async function runArtifactsDownload(flags: TransferFlags & { dstPath?: string }): Promise<void> {
  const client = clientFor(flags, flags.concurrency);
  const dest = flags.dstPath ?? (await fs.promises.mkdtemp(path.join(os.tmpdir(), 'runlog-artifacts-')));
  const report = reporter(process.stderr);
  let local: string;
  try {
    local = await client.downloadArtifacts(flags.runId, flags.artifactPath ?? '', dest, report);
  } catch (err) {
    report.clear();
    throw err;
  }
  report.finish((p, seconds) => `Downloaded ${files(p.filesDone)} (${formatBytes(p.bytesDone)}) of run ${flags.runId} in ${seconds} s`);
  process.stdout.write(`${local}\n`);
}

export function addArtifactsCommand(program: Command): void {
  const artifacts = program
    .command('artifacts')
    .description('upload, list and download the artifacts of a run through a tracking server (like `mlflow artifacts`)');

  const common = (command: Command): Command =>
    command
      .requiredOption('-r, --run-id <id>', 'run whose artifacts to use')
      .option('-a, --artifact-path <path>', "path relative to the run's artifact root")
      .option(
        '--tracking-uri <uri>',
        'tracking server URI (env MLFLOW_TRACKING_URI); credentials from MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/PASSWORD',
        process.env.MLFLOW_TRACKING_URI || DEFAULT_TRACKING_URI,
      );
  const concurrency = (command: Command): Command =>
    command.option('-j, --concurrency <n>', 'files transferred at once', positiveInt, 4);

  common(artifacts.command('list').description('list the artifacts under a path, one level: path and size in bytes'))
    .option('--json', 'print the FileInfo list as JSON')
    .action((flags: CommonFlags & { json?: boolean }) => runArtifactsList(flags));

  concurrency(
    common(
      artifacts
        .command('download')
        .description('download an artifact file or folder into <dst-path>/<artifact path> and print that local path'),
    ),
  )
    .option('-d, --dst-path <dir>', 'local destination folder (default: a new temporary folder)')
    .action((flags: TransferFlags & { dstPath?: string }) => runArtifactsDownload(flags));

  concurrency(
    common(artifacts.command('upload').description('upload a local file, or the files of a local folder, to the run')),
  )
    .requiredOption('-l, --local-path <path>', 'local file or folder to upload')
    .action((flags: TransferFlags & { localPath: string }) => runArtifactsUpload(flags));
}
