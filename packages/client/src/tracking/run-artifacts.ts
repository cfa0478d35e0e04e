/** One run's artifacts, whichever store holds them (the proxied service, or a local folder in local mode). */
import type { FileInfo } from '@runlog/core';

export interface RunArtifactStore {
  /** Copies one file to `<artifactPath>/<its name>`; returns that artifact path. */
  uploadFile(localPath: string, artifactPath?: string): Promise<string>;
  /** Copies the files below `localDir` to `<artifactPath>/<relative path>`; returns the artifact paths, sorted. */
  uploadDirectory(localDir: string, artifactPath?: string): Promise<string[]>;
  listArtifacts(artifactPath?: string): Promise<FileInfo[]>;
  /** Downloads a file or folder into `destDir/<artifactPath>` and returns that local path. */
  downloadArtifacts(artifactPath: string, destDir: string): Promise<string>;
}
