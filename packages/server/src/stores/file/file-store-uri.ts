/** Which backend URIs name a file store (MLflow's `mlruns` folder), and where its folder is. No store is opened. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunlogError } from '@runlog/core';

/** The folder of a `file:` URI or a bare path (MLflow reads both as a file store); undefined for other schemes. */
export function fileStoreFolder(uri: string, cwd: string = process.cwd()): string | undefined {
  if (/^file:/i.test(uri)) {
    try {
      return fileURLToPath(uri);
    } catch {
      throw RunlogError.invalidParameter(`Invalid backend store URI '${uri}': only local file: URIs are supported.`);
    }
  }
  // A scheme is two or more characters, so a Windows drive letter (`C:\…`) still reads as a path.
  if (/^[A-Za-z][A-Za-z0-9+.-]+:/.test(uri)) return undefined;
  return path.resolve(cwd, uri);
}

/** Whether a folder already holds MLflow's layout: the default experiment or the trash folder MLflow creates. */
export function hasMlflowLayout(folder: string): boolean {
  return fs.existsSync(path.join(folder, '0', 'meta.yaml')) || fs.existsSync(path.join(folder, '.trash'));
}
