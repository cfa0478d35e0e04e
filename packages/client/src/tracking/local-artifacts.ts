/**
 * Artifacts of a run whose artifact root is a local folder (local mode: `/abs/path` or `file:///abs/path`),
 * read and written directly. Paths are confined with core's safe-path rules, as the proxied service does.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunlogError, joinArtifactPath, safeArtifactPath, type FileInfo } from '@runlog/core';
import type { RunArtifactStore } from './run-artifacts.js';

/** The local folder of an artifact URI, or undefined when the URI is not local. */
export function localArtifactFolder(artifactUri: string): string | undefined {
  if (/^file:/i.test(artifactUri)) {
    try {
      return fileURLToPath(artifactUri);
    } catch {
      return undefined;
    }
  }
  if (path.isAbsolute(artifactUri) && !/^[A-Za-z][A-Za-z0-9+.-]+:/.test(artifactUri)) return artifactUri;
  return undefined;
}

function relativePath(artifactPath: string | undefined): string {
  return artifactPath === undefined || artifactPath === '' ? '' : safeArtifactPath(artifactPath);
}

function under(root: string, relative: string): string {
  return relative === '' ? root : path.join(root, ...relative.split('/'));
}

async function walk(dir: string, prefix: string, out: string[]): Promise<void> {
  for (const entry of await fsp.readdir(dir, { withFileTypes: true })) {
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) await walk(path.join(dir, entry.name), rel, out);
    else if (entry.isFile()) out.push(rel);
  }
}

export function localRunArtifacts(root: string): RunArtifactStore {
  return {
    uploadFile: async (localPath, artifactPath) => {
      const stat = await fsp.stat(localPath);
      if (!stat.isFile()) throw RunlogError.invalidParameter(`'${localPath}' is not a file.`);
      const target = joinArtifactPath(relativePath(artifactPath), safeArtifactPath(path.basename(localPath)));
      await fsp.mkdir(path.dirname(under(root, target)), { recursive: true });
      await fsp.copyFile(localPath, under(root, target));
      return target;
    },
    uploadDirectory: async (localDir, artifactPath) => {
      const files: string[] = [];
      await walk(localDir, '', files);
      const base = relativePath(artifactPath);
      const written: string[] = [];
      for (const rel of files) {
        const target = joinArtifactPath(base, safeArtifactPath(rel));
        await fsp.mkdir(path.dirname(under(root, target)), { recursive: true });
        await fsp.copyFile(path.join(localDir, ...rel.split('/')), under(root, target));
        written.push(target);
      }
      return written.sort();
    },
    listArtifacts: async (artifactPath) => {
      const rel = relativePath(artifactPath);
      const dir = under(root, rel);
      let entries;
      try {
        entries = await fsp.readdir(dir, { withFileTypes: true });
      } catch {
        return [];
      }
      const infos: FileInfo[] = [];
      for (const entry of entries) {
        const p = rel === '' ? entry.name : `${rel}/${entry.name}`;
        if (entry.isDirectory()) infos.push({ path: p, is_dir: true });
        else if (entry.isFile()) infos.push({ path: p, is_dir: false, file_size: (await fsp.stat(path.join(dir, entry.name))).size });
      }
      return infos.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    },
    downloadArtifacts: async (artifactPath, destDir) => {
      const rel = relativePath(artifactPath);
      const source = under(root, rel);
      const target = under(path.resolve(destDir), rel);
      try {
        await fsp.stat(source);
      } catch {
        throw RunlogError.notFound(`No artifact at '${rel}'.`);
      }
      await fsp.mkdir(path.dirname(target), { recursive: true });
      await fsp.cp(source, target, { recursive: true });
      return target;
    },
  };
}
