/** Where the MLflow-written reference stores and MLflow itself live beside the repository (CI provides both). */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * `../shared/<relative>` from the repository root (or under `$RUNLOG_SHARED_DIR`, for a checkout that lives
 * elsewhere, e.g. a git worktree) when it exists; outside CI a missing one is skipped with a printed reason.
 */
export function sharedPath(relative: string, what: string): string | undefined {
  const p = path.resolve(process.env.RUNLOG_SHARED_DIR ?? path.join(REPO_ROOT, '..', 'shared'), relative);
  if (fs.existsSync(p)) return p;
  if (process.env.CI === 'true') throw new Error(`${what} is required under CI=true: ${p} is missing`);
  process.stdout.write(`Skipping ${what} tests: ${p} is missing\n`);
  return undefined;
}

/** Copies a (possibly read-only) folder to `target`, leaving the copy writable. */
export function copyWritable(source: string, target: string): void {
  fs.cpSync(source, target, { recursive: true });
  const walk = (p: string): void => {
    const st = fs.statSync(p);
    fs.chmodSync(p, st.mode | 0o200);
    if (st.isDirectory()) for (const name of fs.readdirSync(p)) walk(path.join(p, name));
  };
  walk(target);
}
