/**
 * The file operations the file store is built from, chosen so a crash or a second writer never leaves a torn
 * file: replacements go through a temp file and a rename, creations that must be unique use O_EXCL or mkdir,
 * metric points are appended as whole lines in one write (O_APPEND).
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/** Temp files live beside their target (a rename never crosses file systems); readers skip them. */
export const TEMP_PREFIX = '.runlog-tmp-';

export function isTempName(name: string): boolean {
  return name.startsWith(TEMP_PREFIX);
}

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

export function isNotFound(err: unknown): boolean {
  const code = errorCode(err);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Replaces `file` with `text` atomically: readers see the old or the new content, never a mix. */
export function writeFileAtomic(file: string, text: string): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const temp = path.join(dir, `${TEMP_PREFIX}${randomBytes(6).toString('hex')}`);
  const fd = fs.openSync(temp, 'wx');
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(temp, file);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
}

/** Creates `file` with `text` unless it exists (false then); the check and the creation are one step. */
export function createFileExclusive(file: string, text: string): boolean {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx');
  } catch (err) {
    if (errorCode(err) === 'EEXIST') return false;
    throw err;
  }
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

/** Appends whole lines with one write call, so concurrent appenders interleave lines, never bytes. */
export function appendText(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'a');
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Creates a folder unless it exists (false then). */
export function mkdirExclusive(dir: string): boolean {
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  try {
    fs.mkdirSync(dir);
    return true;
  } catch (err) {
    if (errorCode(err) === 'EEXIST') return false;
    throw err;
  }
}

export function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (isNotFound(err) || errorCode(err) === 'EISDIR') return undefined;
    throw err;
  }
}

export function exists(p: string): boolean {
  return fs.existsSync(p);
}

/** Names of the sub-folders of `dir` (none when it is missing). */
export function listDirs(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
}

/** Every file under `dir` as a `/`-separated relative path (keys with `/` are nested files), temp files skipped. */
export function listFilesDeep(dir: string): string[] {
  const out: string[] = [];
  const walk = (abs: string, rel: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(abs, { withFileTypes: true });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    for (const e of entries) {
      if (isTempName(e.name)) continue;
      const childRel = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(path.join(abs, e.name), childRel);
      else if (e.isFile()) out.push(childRel);
    }
  };
  walk(dir, '');
  return out.sort();
}

/** Removes a file; false when it was not there. */
export function removeFile(file: string): boolean {
  try {
    fs.unlinkSync(file);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/** A change stamp for a file or folder: modification time (ns) and size; '' when missing. */
export function stamp(p: string): string {
  const st = fs.statSync(p, { bigint: true, throwIfNoEntry: false });
  return st ? `${st.mtimeNs}:${st.size}` : '';
}

const LOCK_STALE_MS = 30_000;

/**
 * Runs `fn` holding the store-wide lock file (O_EXCL create), for the few check-then-write steps that no single
 * atomic file operation covers (unique experiment names). A lock older than 30 s is taken to be a crashed
 * holder's and broken. Only files are created in the store root, so MLflow never mistakes it for an experiment.
 */
export async function withStoreLock<T>(root: string, fn: () => T): Promise<T> {
  const lock = path.join(root, '.runlog-lock');
  for (let attempt = 0; ; attempt++) {
    if (createFileExclusive(lock, String(process.pid))) break;
    const st = fs.statSync(lock, { throwIfNoEntry: false });
    if (st && Date.now() - st.mtimeMs > LOCK_STALE_MS) {
      removeFile(lock);
      continue;
    }
    if (attempt > 2000) throw new Error(`could not take the store lock ${lock}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  try {
    return fn();
  } finally {
    removeFile(lock);
  }
}
