/**
 * Moves SQLite's WAL checkpoints off the request path. The writer's own auto-checkpoint copies WAL pages
 * into the database in the middle of whichever commit crosses the threshold (a 50 ms stall under ingest);
 * a worker thread with its own connection runs PASSIVE checkpoints instead, which never block the writer.
 * The writer keeps a far larger auto-checkpoint as a backstop should the worker fall behind.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.file, { fileMustExist: true });
  db.pragma('busy_timeout = 1000');
} catch {
  // The store was closed (and its folder removed) before this thread got going: nothing to checkpoint.
  db = undefined;
}
const timer = db && setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy: try again next tick */ }
}, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); db?.close(); parentPort.close(); });
if (!db) parentPort.close();
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointer(file: string, intervalMs = 1000): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, intervalMs } });
  worker.unref();
  // Checkpointing is an optimisation (the writer's own auto-checkpoint is the backstop): a failing worker must
  // never become an uncaught error in the server.
  worker.on('error', () => undefined);
  let exited = false;
  worker.once('exit', () => {
    exited = true;
  });
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        worker.once('exit', () => resolve());
        // Re-ref'd while stopping: otherwise a process whose last work is close() exits before the worker does,
        // leaving close() unsettled (exit code 13 under a top-level await).
        worker.ref();
        worker.postMessage('stop');
      }),
  };
}
