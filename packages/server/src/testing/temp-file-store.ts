/** A throwaway file store (MLflow's `mlruns` layout) in a fresh temp folder. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RegistryStore, TraceStore } from '@runlog/core';
import { createFileRegistryStore } from '../stores/file/file-registry-store.js';
import { createFileTrackingStore, type FileTrackingStore } from '../stores/file/file-tracking-store.js';
import { createFileTraceStore } from '../stores/file/traces.js';

export interface TempFileStore {
  store: FileTrackingStore;
  registry: RegistryStore;
  traces: TraceStore;
  /** The `mlruns` folder. */
  root: string;
  cleanup(): Promise<void>;
}

/** `root` defaults to `<new temp dir>/mlruns`; artifacts default to the store folder, as MLflow's. */
export function createTempFileStore(root?: string): TempFileStore {
  const dir = root ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-filestore-'));
  const storeRoot = root ?? path.join(dir ?? '', 'mlruns');
  const store = createFileTrackingStore({ root: storeRoot, defaultArtifactRoot: pathToFileURL(storeRoot).href });
  return {
    store,
    registry: createFileRegistryStore(store.context),
    traces: createFileTraceStore(store.context),
    root: storeRoot,
    cleanup: async () => {
      await store.close();
      fs.rmSync(dir ?? storeRoot, { recursive: true, force: true });
    },
  };
}
