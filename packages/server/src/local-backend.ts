/**
 * Stores for the SDK's local mode (no server process): a SQLite/PostgreSQL URI, or a folder that holds
 * `runlog.db` and `artifacts/`. Artifacts of experiments created here live in a local folder the SDK writes
 * directly: `<folder of the database>/artifacts` for a SQLite file (the `runlog server` defaults), `./runlog-data/artifacts`
 * for PostgreSQL. A folder with MLflow's `mlruns` layout opens as a file store, artifacts inside it as MLflow keeps them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunlogError, type LocalBackend } from '@runlog/core';
import { createSqlRegistryStore } from './stores/sql/sql-registry-store.js';
import { createSqlTrackingStore } from './stores/sql/sql-tracking-store.js';
import { createFileRegistryStore } from './stores/file/file-registry-store.js';
import { fileStoreFolder, hasMlflowLayout } from './stores/file/file-store-uri.js';
import { createFileTrackingStore } from './stores/file/file-tracking-store.js';

interface LocalLayout {
  backendStoreUri: string;
  artifactRoot: string;
}

function sqliteFile(uri: string): string {
  // sqlite:///rel.db is relative to the working directory, sqlite:////abs.db absolute (SQLAlchemy's reading).
  const rest = decodeURIComponent(uri.slice('sqlite:///'.length).split('?')[0] ?? '');
  return path.resolve(rest);
}

export function localLayout(trackingUri: string): LocalLayout {
  if (/^sqlite:\/\/\//i.test(trackingUri)) {
    return { backendStoreUri: trackingUri, artifactRoot: path.join(path.dirname(sqliteFile(trackingUri)), 'artifacts') };
  }
  if (/^postgres(ql)?:\/\//i.test(trackingUri)) {
    return { backendStoreUri: trackingUri, artifactRoot: path.resolve('runlog-data', 'artifacts') };
  }
  let folder: string;
  if (/^file:/i.test(trackingUri)) {
    try {
      folder = fileURLToPath(trackingUri);
    } catch {
      throw RunlogError.invalidParameter(`Invalid tracking URI '${trackingUri}': only local file: URIs are supported.`);
    }
  } else if (/^[A-Za-z][A-Za-z0-9+.-]+:/.test(trackingUri)) {
    throw RunlogError.invalidParameter(
      `Unsupported tracking URI '${trackingUri}': use http(s)://host:port, sqlite:///file.db, postgresql://… or a folder path.`,
    );
  } else {
    folder = trackingUri;
  }
  const root = path.resolve(folder);
  return { backendStoreUri: `sqlite:///${path.join(root, 'runlog.db')}`, artifactRoot: path.join(root, 'artifacts') };
}

/**
 * The MLflow file store a local tracking URI names, if any: a folder that already holds MLflow's layout, or one
 * named `mlruns` without Runlog's database. Any other folder keeps its meaning (runlog.db + artifacts/).
 */
function mlflowFolder(trackingUri: string): string | undefined {
  if (/^(sqlite|postgres(ql)?):/i.test(trackingUri)) return undefined;
  let folder: string | undefined;
  try {
    folder = fileStoreFolder(trackingUri);
  } catch {
    return undefined;
  }
  if (folder === undefined) return undefined;
  if (hasMlflowLayout(folder)) return folder;
  return path.basename(folder) === 'mlruns' && !fs.existsSync(path.join(folder, 'runlog.db')) ? folder : undefined;
}

export async function openLocalBackend(trackingUri: string): Promise<LocalBackend> {
  const mlruns = mlflowFolder(trackingUri);
  if (mlruns !== undefined) {
    const tracking = createFileTrackingStore({ root: mlruns, defaultArtifactRoot: mlruns });
    return { tracking, registry: createFileRegistryStore(tracking.context), artifactRoot: mlruns, close: () => tracking.close() };
  }
  const layout = localLayout(trackingUri);
  if (layout.backendStoreUri.startsWith('sqlite:')) {
    fs.mkdirSync(path.dirname(sqliteFile(layout.backendStoreUri)), { recursive: true });
  }
  const tracking = await createSqlTrackingStore({ uri: layout.backendStoreUri, defaultArtifactRoot: layout.artifactRoot });
  return { tracking, registry: createSqlRegistryStore(tracking.context), artifactRoot: layout.artifactRoot, close: () => tracking.close() };
}
