/**
 * Artifact destination URI → repository implementation: a local path or `file://` URI → the local folder
 * repo, `s3://bucket/prefix` → the S3 repo. Like open-stores.ts, the only place that names concrete repos.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunlogError, type ArtifactRepo } from '@runlog/core';
import { createLocalArtifactRepo } from './local-artifact-repo.js';

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/** The URI's lower-cased scheme; `undefined` for a plain local path (a Windows drive letter counts as one). */
export function uriScheme(uri: string): string | undefined {
  const scheme = SCHEME.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined || (scheme.length === 1 && process.platform === 'win32')) return undefined;
  return scheme;
}

/** The absolute local path of a plain path or a `file:` URI; `undefined` for any other scheme. */
export function localPathOf(uri: string): string | undefined {
  const scheme = uriScheme(uri);
  if (scheme === undefined) return path.resolve(uri);
  if (scheme !== 'file') return undefined;
  try {
    return path.resolve(fileURLToPath(uri));
  } catch (err) {
    throw RunlogError.invalidParameter(`Invalid file URI '${uri}': ${err instanceof Error ? err.message : String(err)}`);
  }
}

export async function openArtifactRepo(destination: string): Promise<ArtifactRepo> {
  const local = localPathOf(destination);
  if (local !== undefined) return createLocalArtifactRepo(local);
  if (uriScheme(destination) === 's3') {
    // Loaded on first use, so a server without S3 destinations never loads the AWS SDK.
    const { createS3ArtifactRepo } = await import('./s3-artifact-repo.js');
    return createS3ArtifactRepo(destination);
  }
  throw RunlogError.invalidParameter(
    `Unsupported artifact destination '${destination}': use a local path, a file:// URI or s3://bucket/prefix`,
  );
}
