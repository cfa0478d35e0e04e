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

/**
 * The writes of one store operation, made durable together before it is acknowledged: files are written
 * first, then every written file is fsynced (on a journalling file system the first fsync commits them all,
 * so the rest cost little), then replacements are renamed into place, then each touched folder is fsynced so
 * the new names survive a crash too. Readers see a replaced file old or new, never a mix.
 */
export class DurableWrites {
  /** `sync: false` skips the fsyncs (a process crash still loses nothing; a power loss may lose the last writes). */
  constructor(private readonly sync = true) {}

  private readonly fds: number[] = [];
  private readonly renames: [string, string][] = [];
  private readonly dirs = new Set<string>();

  private open(file: string, flags: string): number {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const fd = fs.openSync(file, flags);
    this.fds.push(fd);
    this.dirs.add(path.dirname(file));
    return fd;
  }

  /** Replaces `file` with `text` (through a temp file beside it and a rename at commit). */
  replace(file: string, text: string): void {
    const temp = path.join(path.dirname(file), `${TEMP_PREFIX}${randomBytes(6).toString('hex')}`);
    fs.writeSync(this.open(temp, 'wx'), text);
    this.renames.push([temp, file]);
  }

  /** Creates `file` with `text` unless it exists (false then); the check and the creation are one step. */
  create(file: string, text: string): boolean {
    let fd: number;
    try {
      fd = this.open(file, 'wx');
    } catch (err) {
      if (errorCode(err) === 'EEXIST') return false;
      throw err;
    }
    fs.writeSync(fd, text);
    return true;
  }

  /** Appends whole lines with one write call (O_APPEND), so concurrent appenders interleave lines, never bytes. */
  append(file: string, text: string): void {
    fs.writeSync(this.open(file, 'a'), text);
  }

  /** A new folder whose name must survive a crash. */
  mkdir(dir: string): void {
    fs.mkdirSync(dir, { recursive: true });
    this.dirs.add(path.dirname(dir));
  }

  commit(): void {
    try {
      if (this.sync) for (const fd of this.fds) fs.fsyncSync(fd);
    } finally {
      this.closeAll();
    }
    for (const [temp, file] of this.renames) fs.renameSync(temp, file);
    this.renames.length = 0;
    if (this.sync) for (const dir of this.dirs) syncDir(dir);
  }

  /** Drops what was staged: open files closed, temp files removed (files already created stay, as any partial write). */
  abort(): void {
    this.closeAll();
    for (const [temp] of this.renames) fs.rmSync(temp, { force: true });
    this.renames.length = 0;
  }

  private closeAll(): void {
    for (const fd of this.fds.splice(0)) fs.closeSync(fd);
  }
}

function syncDir(dir: string): void {
  let fd: number;
  try {
    fd = fs.openSync(dir, 'r');
  } catch (err) {
    if (isNotFound(err)) return;
    throw err;
  }
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Runs `stage` on a fresh DurableWrites and commits it; a throw aborts instead. */
export function durably<T>(stage: (w: DurableWrites) => T, sync = true): T {
  const w = new DurableWrites(sync);
  let result: T;
  try {
    result = stage(w);
  } catch (err) {
    w.abort();
    throw err;
  }
  w.commit();
  return result;
}

/** Replaces `file` with `text` atomically and durably. */
export function writeFileAtomic(file: string, text: string): void {
  durably((w) => w.replace(file, text));
}

/** Creates `file` with `text` unless it exists (false then), durably. */
export function createFileExclusive(file: string, text: string): boolean {
  return durably((w) => w.create(file, text));
}

/** Appends whole lines durably in one write call. */
export function appendText(file: string, text: string): void {
  durably((w) => w.append(file, text));
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

/** A lock file needs no durability: after a crash a stale one is broken anyway. */
function tryCreate(file: string): boolean {
  try {
    fs.closeSync(fs.openSync(file, 'wx'));
    return true;
  } catch (err) {
    if (errorCode(err) === 'EEXIST') return false;
    throw err;
  }
}

/**
 * Runs `fn` holding the store-wide lock file (O_EXCL create), for the few check-then-write steps that no single
 * atomic file operation covers (unique experiment names). A lock older than 30 s is taken to be a crashed
 * holder's and broken. Only files are created in the store root, so MLflow never mistakes it for an experiment.
 */
export async function withStoreLock<T>(root: string, fn: () => T): Promise<T> {
  const lock = path.join(root, '.runlog-lock');
  for (let attempt = 0; ; attempt++) {
    if (tryCreate(lock)) break;
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
