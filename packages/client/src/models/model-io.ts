/**
 * Logging and loading models through a RunlogClient. Model URIs (mlflow-registry-auth-models.md §8):
 * `runs:/<run_id>/<path>`, `models:/<name>/<version>`, `models:/<name>@<alias>`, `models:/<name>/<stage>` and
 * `/latest`, a local folder or `file:` URI.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { RunlogError, formatRunsUri, isModelUri, isRunsUri, parseRunsUri, type ModelVersion } from '@runlog/core';
import type { RunlogClient } from '../tracking/runlog-client.js';
import { localArtifactFolder } from '../tracking/local-artifacts.js';
import { loggedModelJson, type MLmodel } from './mlmodel.js';
import { loadModelFromDir, type LoadedModel } from './pyfunc.js';
import { pyyamlDump } from './pyyaml-dump.js';
import { saveModel, type SaveModelOptions } from './save-model.js';

export interface LogModelOptions extends Omit<SaveModelOptions, 'runId' | 'artifactPath'> {
  /** Run-relative folder of the model (default `model`). */
  artifactPath?: string;
  /** Also register the model under this name (created when missing). */
  registeredModelName?: string;
}

export interface LoggedModel {
  modelUri: string;
  metadata: MLmodel;
  /** The registered version, when `registeredModelName` was given. */
  version?: ModelVersion;
}

export async function logModel(client: RunlogClient, runId: string, options: LogModelOptions): Promise<LoggedModel> {
  const artifactPath = options.artifactPath ?? 'model';
  const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'runlog-model-'));
  try {
    const dir = path.join(tmp, path.posix.basename(artifactPath));
    const metadata = await saveModel(dir, { ...options, runId, artifactPath });
    await client.logArtifacts(runId, dir, artifactPath);
    try {
      await client.recordLoggedModel(runId, loggedModelJson(metadata));
    } catch (err) {
      // As MLflow's client: the model is logged even when the run's model history cannot be updated.
      process.emitWarning(`Runlog: could not record the logged model on run ${runId}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const modelUri = formatRunsUri(runId, artifactPath);
    if (options.registeredModelName === undefined) return { modelUri, metadata };
    const version = await client.registerModel(modelUri, options.registeredModelName);
    return { modelUri, metadata, version };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function downloadRunPath(client: RunlogClient, runId: string, artifactPath: string, dst: string): Promise<string> {
  return client.downloadArtifacts(runId, artifactPath, dst);
}

async function downloadVersion(client: RunlogClient, version: ModelVersion, subPath: string, dst: string): Promise<string> {
  const uri = await client.getModelVersionDownloadUri(version.name, version.version);
  const join = (base: string): string => (subPath === '' ? base : path.join(base, ...subPath.split('/')));
  const local = localArtifactFolder(uri);
  if (local !== undefined && fs.existsSync(local)) return join(local);
  if (isRunsUri(uri)) {
    const { runId, path: p } = parseRunsUri(uri);
    return downloadRunPath(client, runId, [p, subPath].filter((s) => s !== '').join('/'), dst);
  }
  if (version.run_id) {
    const root = (await client.getRun(version.run_id)).info.artifact_uri.replace(/\/+$/, '');
    if (uri === root || uri.startsWith(`${root}/`)) {
      const rel = uri.slice(root.length).replace(/^\/+/, '');
      return downloadRunPath(client, version.run_id, [rel, subPath].filter((s) => s !== '').join('/'), dst);
    }
  }
  throw new RunlogError('NOT_IMPLEMENTED', `Cannot download model version ${version.name}/${version.version} from '${uri}': not a run's artifact.`);
}

/** The model at `uri` in a local folder (downloaded below `dstPath`, a new temp folder by default). */
export async function downloadModel(client: RunlogClient, uri: string, dstPath?: string): Promise<string> {
  const local = localArtifactFolder(uri) ?? (/^[A-Za-z][A-Za-z0-9+.-]+:/.test(uri) ? undefined : path.resolve(uri));
  if (local !== undefined) {
    if (!fs.existsSync(local)) throw RunlogError.notFound(`No model folder at '${uri}'.`);
    return local;
  }
  const dst = dstPath ?? (await fsp.mkdtemp(path.join(os.tmpdir(), 'runlog-load-')));
  if (isRunsUri(uri)) {
    const { runId, path: p } = parseRunsUri(uri);
    return downloadRunPath(client, runId, p, dst);
  }
  if (isModelUri(uri)) {
    const { version, subPath } = await client.resolveModelVersion(uri);
    const dir = await downloadVersion(client, version, subPath, dst);
    if (dir.startsWith(dst)) {
      fs.writeFileSync(path.join(dir, 'registered_model_meta'), pyyamlDump({ model_name: version.name, model_version: version.version }));
    }
    return dir;
  }
  throw new RunlogError('NOT_IMPLEMENTED', `Unsupported model URI '${uri}': use runs:/, models:/ or a local folder.`);
}

export async function loadModel(client: RunlogClient, uri: string, options: { dstPath?: string } = {}): Promise<LoadedModel> {
  return loadModelFromDir(await downloadModel(client, uri, options.dstPath));
}
