/**
 * Artifacts in a local folder. Paths arrive already cleaned by core's safe-path rules; confinement is checked
 * again here, on the real file system, before any I/O: the target is resolved against the real root and the
 * deepest existing ancestor (or the target itself) is passed through `realpath`, so a symlink inside the root
 * that points outside it is refused (400 INVALID_PARAMETER_VALUE) for get, put, list and delete alike.
 *
 * Puts stream into a temp file in the target's folder and rename it into place: readers never see half a file
 * and a failed or aborted upload leaves nothing behind. Gets open the file without following a final symlink
 * and stream it. There is no multipart upload (the HTTP layer answers 501 and MLflow's client falls back to a
 * single PUT).
 */
import { randomUUID } from 'node:crypto';
import { constants as fsConstants, createWriteStream } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  RunlogError,
  joinArtifactPath,
  type ArtifactObject,
  type ArtifactRepo,
  type ByteStream,
  type FileInfo,
} from '@runlog/core';

const TEMP_PREFIX = '.runlog-upload-';
const TEMP_SUFFIX = '.tmp';

function errnoCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

function outside(rel: string): RunlogError {
  return RunlogError.invalidParameter(`Invalid path: '${rel}' resolves outside the artifact root`);
}

function notFound(rel: string): RunlogError {
  return RunlogError.notFound(`No such artifact: '${rel}'`);
}

function isInside(root: string, candidate: string): boolean {
  if (candidate === root) return true;
  const rootWithSep = root.endsWith(path.sep) ? root : root + path.sep;
  return candidate.startsWith(rootWithSep);
}

/** A name or path longer than the file system takes is the caller's mistake (400), not a server fault. */
function tooLong<T>(operation: Promise<T>): Promise<T> {
  return operation.catch((err: unknown) => {
    throw errnoCode(err) === 'ENAMETOOLONG' ? RunlogError.invalidParameter('Invalid path: name too long') : err;
  });
}

interface Resolved {
  /** The clean relative path. */
  rel: string;
  /** `<real root>/<rel>`: where the path lives, symlinks in it not followed. */
  target: string;
  /** `realpath(target)` when the target exists (it is inside the root: checked). */
  real: string | undefined;
}

export function createLocalArtifactRepo(root: string): ArtifactRepo {
  const absRoot = path.resolve(root);
  let realRoot: string | undefined;

  /** The root's real path; created only when `create` (reads of a missing root find nothing). */
  async function rootPath(create: boolean): Promise<string | undefined> {
    if (realRoot !== undefined) return realRoot;
    try {
      realRoot = await fsp.realpath(absRoot);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
      if (!create) return undefined;
      await fsp.mkdir(absRoot, { recursive: true });
      realRoot = await fsp.realpath(absRoot);
    }
    return realRoot;
  }

  /** Confines `relPath` to the root on the real file system (see the module comment). */
  async function resolve(base: string, relPath: string): Promise<Resolved> {
    const rel = joinArtifactPath(relPath);
    const target = rel === '' ? base : path.join(base, ...rel.split('/'));
    if (!isInside(base, target)) throw outside(rel);
    let probe = target;
    for (;;) {
      try {
        const real = await fsp.realpath(probe);
        if (!isInside(base, real)) throw outside(rel);
        return { rel, target, real: probe === target ? real : undefined };
      } catch (err) {
        const code = errnoCode(err);
        if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
        // The root itself went away after it was first seen: nothing exists below it (a put recreates it).
        if (probe === base) return { rel, target, real: undefined };
        probe = path.dirname(probe);
      }
    }
  }

  async function removeQuietly(file: string): Promise<void> {
    await fsp.rm(file, { force: true }).catch(() => undefined);
  }

  const repo: ArtifactRepo = {
    async put(relPath: string, body: ByteStream): Promise<void> {
      const base = await rootPath(true);
      if (base === undefined) throw new Error(`artifact root ${absRoot} could not be created`);
      const { rel, target, real } = await resolve(base, relPath);
      if (rel === '') throw RunlogError.invalidParameter('Invalid path: cannot write to the artifact root itself');
      if (real !== undefined && (await fsp.stat(real)).isDirectory()) {
        throw RunlogError.invalidParameter(`Invalid path: '${rel}' is a directory`);
      }
      const parent = path.dirname(target);
      try {
        await fsp.mkdir(parent, { recursive: true });
      } catch (err) {
        const code = errnoCode(err);
        if (code === 'EEXIST' || code === 'ENOTDIR') {
          throw RunlogError.invalidParameter(`Invalid path: a parent of '${rel}' is a file`);
        }
        throw err;
      }
      // The parent now exists: confine it again (nothing may have raced a symlink into the chain).
      const realParent = await fsp.realpath(parent);
      if (!isInside(base, realParent)) throw outside(rel);
      const temp = path.join(realParent, `${TEMP_PREFIX}${randomUUID()}${TEMP_SUFFIX}`);
      try {
        await pipeline(body, createWriteStream(temp, { flags: 'wx' }));
        await fsp.rename(temp, path.join(realParent, path.basename(target)));
      } catch (err) {
        await removeQuietly(temp);
        if (errnoCode(err) === 'EISDIR') throw RunlogError.invalidParameter(`Invalid path: '${rel}' is a directory`);
        throw err;
      }
    },

    async get(relPath: string): Promise<ArtifactObject> {
      const base = await rootPath(false);
      if (base === undefined) throw notFound(joinArtifactPath(relPath));
      const { rel, real } = await resolve(base, relPath);
      if (real === undefined) throw notFound(rel);
      let handle: fsp.FileHandle;
      try {
        handle = await fsp.open(real, fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0));
      } catch (err) {
        const code = errnoCode(err);
        if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') throw notFound(rel);
        throw err;
      }
      try {
        const stat = await handle.stat();
        if (!stat.isFile()) throw notFound(rel);
        return { stream: handle.createReadStream(), size: stat.size };
      } catch (err) {
        await handle.close();
        throw err;
      }
    },

    async list(relPath: string): Promise<FileInfo[]> {
      const base = await rootPath(false);
      if (base === undefined) return [];
      const { rel, real } = await resolve(base, relPath);
      if (real === undefined) return [];
      let entries;
      try {
        entries = await fsp.readdir(real, { withFileTypes: true });
      } catch (err) {
        if (errnoCode(err) === 'ENOTDIR' || errnoCode(err) === 'ENOENT') return [];
        throw err;
      }
      const infos = await Promise.all(
        entries.map(async (entry): Promise<FileInfo | undefined> => {
          if (entry.name.startsWith(TEMP_PREFIX) && entry.name.endsWith(TEMP_SUFFIX)) return undefined;
          const full = path.join(real, entry.name);
          try {
            if (entry.isSymbolicLink() && !isInside(base, await fsp.realpath(full))) return undefined;
            const stat = await fsp.stat(full);
            const entryPath = rel === '' ? entry.name : `${rel}/${entry.name}`;
            if (stat.isDirectory()) return { path: entryPath, is_dir: true };
            if (stat.isFile()) return { path: entryPath, is_dir: false, file_size: stat.size };
            return undefined;
          } catch {
            return undefined; // vanished meanwhile, or a dangling link
          }
        }),
      );
      return infos
        .filter((i): i is FileInfo => i !== undefined)
        .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    },

    async delete(relPath: string): Promise<void> {
      const rel = joinArtifactPath(relPath);
      if (rel === '') throw RunlogError.invalidParameter('Invalid path: cannot delete the artifact root itself');
      const base = await rootPath(false);
      if (base === undefined) return;
      const { target, real } = await resolve(base, rel);
      if (real === undefined) return;
      // `rm` removes a symlink (one pointing inside the root, as checked) rather than what it points to.
      await fsp.rm(target, { recursive: true, force: true });
    },
  };
  return {
    put: (relPath, body) => tooLong(repo.put(relPath, body)),
    get: (relPath) => tooLong(repo.get(relPath)),
    list: (relPath) => tooLong(repo.list(relPath)),
    delete: (relPath) => tooLong(repo.delete(relPath)),
  };
}
