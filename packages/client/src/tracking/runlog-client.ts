/**
 * `RunlogClient`, the equivalent of MLflow's `MlflowClient`: every tracking operation, typed, over either a
 * server (`http(s)://…`) or the stores opened in-process (local mode: a SQLite URI or a folder). Errors are
 * RunlogErrors with MLflow's codes; over HTTP only transient statuses are retried (see http.ts).
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  LIMITS,
  RunlogError,
  metricsJson,
  tracking as api,
  type DatasetInput,
  type DatasetSummary,
  type Experiment,
  type FileInfo,
  type KeyValue,
  type LocalBackend,
  type ModelVersion,
  type RegisteredModel,
  type RegistryStore,
  isModelUri,
  parseModelUri,
  parseRunsUri,
  isRunsUri,
  resolveModelReference,
  type LocalBackendModule,
  type Metric,
  type MetricWithRunId,
  type Page,
  type Param,
  type Run,
  type RunInfo,
  type RunStatus,
  type RunTag,
  type TrackingStore,
  type ViewType,
} from '@runlog/core';
import { createArtifactClient, type ArtifactClient } from '../artifacts.js';
import { nodeHttpTransport } from '../node-transport.js';
import { errorFromResponse, trackingAuthHeaders, trackingCredentialsFromEnv, type Transport } from '../http.js';
import { createRestRegistryStore, iterateModelVersions, iterateRegisteredModels } from '../rest-registry-store.js';
import { createRestTrackingStore } from '../rest-tracking-store.js';
import { localArtifactFolder, localRunArtifacts } from './local-artifacts.js';
import { downloadModel, loadModel, logModel, type LogModelOptions, type LoggedModel } from '../models/model-io.js';
import type { LoadedModel } from '../models/pyfunc.js';
import type { MetricColumns } from './metric-buffer.js';
import type { RunArtifactStore } from './run-artifacts.js';
import { isRemoteTrackingUri, trackingUriFromEnv, type Env } from './tracking-uri.js';

export interface RunlogClientOptions {
  /** Default: `RUNLOG_TRACKING_URI`, else `MLFLOW_TRACKING_URI`, else `sqlite:///runlog-data/runlog.db`. */
  trackingUri?: string;
  /** Where credentials and defaults are read from (default `process.env`). */
  env?: Env;
  /** Extra headers for every request (default: the `Authorization` header from `MLFLOW_TRACKING_*`). */
  headers?: Record<string, string>;
  /** Retries of transient failures over HTTP (5), backoff from `backoffMs` (200). */
  maxRetries?: number;
  backoffMs?: number;
  /** Remote mode: the transport to use instead of fetch (tests drive an in-process app this way). */
  transport?: Transport;
  /** Local mode: how to open the stores (default: `openLocalBackend` of `@runlog/server`, imported lazily). */
  openLocalBackend?: LocalBackendModule['openLocalBackend'];
}

export type Tags = Readonly<Record<string, string>> | readonly RunTag[];

export interface SearchExperimentsOptions {
  filter?: string;
  orderBy?: readonly string[];
  viewType?: ViewType;
  maxResults?: number;
  pageToken?: string;
}

export interface SearchRunsOptions {
  experimentIds: readonly string[];
  filter?: string;
  orderBy?: readonly string[];
  viewType?: ViewType;
  maxResults?: number;
  pageToken?: string;
}

export interface CreateRunOptions {
  experimentId?: string;
  runName?: string;
  startTime?: number;
  userId?: string;
  tags?: Tags;
}

export interface LogBatchInput {
  metrics?: readonly Metric[];
  params?: readonly Param[];
  tags?: readonly RunTag[];
}

export function tagList(tags: Tags | undefined): RunTag[] {
  if (tags === undefined) return [];
  if (Array.isArray(tags)) return [...(tags as readonly RunTag[])];
  return Object.entries(tags as Readonly<Record<string, string>>).map(([key, value]) => ({ key, value }));
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** MLflow's `str(value)` for params and tags. */
export function stringValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? String(value);
}

const LOCAL_BACKEND_MODULE = '@runlog/server';

async function importLocalBackend(uri: string): Promise<LocalBackend> {
  let mod: Partial<LocalBackendModule>;
  try {
    // A variable specifier: the client must not depend on the server package at build time.
    const specifier: string = LOCAL_BACKEND_MODULE;
    mod = (await import(specifier)) as Partial<LocalBackendModule>;
  } catch (err) {
    throw new RunlogError(
      'NOT_IMPLEMENTED',
      `Local mode (tracking URI '${uri}') needs the @runlog/server package installed: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (typeof mod.openLocalBackend !== 'function') {
    throw new RunlogError('NOT_IMPLEMENTED', `${LOCAL_BACKEND_MODULE} does not provide openLocalBackend.`);
  }
  return mod.openLocalBackend(uri);
}

export class RunlogClient {
  readonly trackingUri: string;
  readonly local: boolean;
  private readonly options: RunlogClientOptions;
  private readonly env: Env;
  private readonly transport: Transport | undefined;
  private backend: Promise<LocalBackend> | undefined;
  private remoteStore: TrackingStore | undefined;
  private remoteRegistry: RegistryStore | undefined;
  private artifactClient: ArtifactClient | undefined;
  /** JSON text of metric keys seen so far (few distinct keys, logged millions of times). */
  private readonly keyJson = new Map<string, string>();

  constructor(options: RunlogClientOptions = {}) {
    this.options = options;
    this.env = options.env ?? process.env;
    this.trackingUri = options.trackingUri ?? trackingUriFromEnv(this.env);
    this.local = !isRemoteTrackingUri(this.trackingUri);
    if (!this.local) {
      const headers = options.headers ?? trackingAuthHeaders(trackingCredentialsFromEnv(this.env));
      this.transport =
        options.transport ??
        nodeHttpTransport(this.trackingUri, { headers, maxRetries: options.maxRetries ?? 5, backoffMs: options.backoffMs ?? 200 });
    }
  }

  /** The tracking store behind this client (opened on first use in local mode). */
  async store(): Promise<TrackingStore> {
    if (this.transport !== undefined) return (this.remoteStore ??= createRestTrackingStore(this.transport));
    return (await this.localBackend()).tracking;
  }

  /** The model registry behind this client. */
  async registry(): Promise<RegistryStore> {
    if (this.transport !== undefined) return (this.remoteRegistry ??= createRestRegistryStore(this.transport));
    return (await this.localBackend()).registry;
  }

  private localBackend(): Promise<LocalBackend> {
    if (this.backend === undefined) {
      const open = this.options.openLocalBackend ?? importLocalBackend;
      this.backend = open(this.trackingUri);
      this.backend.catch(() => (this.backend = undefined));
    }
    return this.backend;
  }

  // ------------------------------------------------------------------------------------------------------------
  // Experiments
  // ------------------------------------------------------------------------------------------------------------

  async createExperiment(name: string, options: { artifactLocation?: string; tags?: Tags } = {}): Promise<string> {
    return (await this.store()).createExperiment(name, options.artifactLocation, tagList(options.tags));
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    return (await this.store()).getExperiment(experimentId);
  }

  /** The experiment, or undefined when there is none by that name (as MLflow's client returns None). */
  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    try {
      return await (await this.store()).getExperimentByName(name);
    } catch (err) {
      if (err instanceof RunlogError && err.errorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined;
      throw err;
    }
  }

  async searchExperiments(options: SearchExperimentsOptions = {}): Promise<Page<Experiment>> {
    return (await this.store()).searchExperiments({
      viewType: options.viewType ?? 'ACTIVE_ONLY',
      maxResults: options.maxResults ?? 1000,
      filter: options.filter,
      orderBy: options.orderBy,
      pageToken: options.pageToken,
    });
  }

  /** Every matching experiment, page after page. */
  async *iterateExperiments(options: Omit<SearchExperimentsOptions, 'pageToken'> = {}): AsyncGenerator<Experiment> {
    yield* pages((pageToken) => this.searchExperiments({ ...options, ...(pageToken ? { pageToken } : {}) }));
  }

  async deleteExperiment(experimentId: string): Promise<void> {
    await (await this.store()).deleteExperiment(experimentId);
  }

  async restoreExperiment(experimentId: string): Promise<void> {
    await (await this.store()).restoreExperiment(experimentId);
  }

  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    await (await this.store()).renameExperiment(experimentId, newName);
  }

  async setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    await (await this.store()).setExperimentTag(experimentId, { key, value });
  }

  async deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    await (await this.store()).deleteExperimentTag(experimentId, key);
  }

  // ------------------------------------------------------------------------------------------------------------
  // Runs
  // ------------------------------------------------------------------------------------------------------------

  /** As `MlflowClient.create_run`: experiment `"0"` by default, `user_id` "unknown" unless given. */
  async createRun(options: CreateRunOptions = {}): Promise<Run> {
    return (await this.store()).createRun({
      experimentId: options.experimentId ?? '0',
      userId: options.userId ?? 'unknown',
      runName: options.runName,
      startTime: options.startTime ?? Date.now(),
      tags: tagList(options.tags),
    });
  }

  async getRun(runId: string): Promise<Run> {
    return (await this.store()).getRun(runId);
  }

  async updateRun(runId: string, update: { status?: RunStatus; endTime?: number; runName?: string }): Promise<RunInfo> {
    return (await this.store()).updateRun(runId, update);
  }

  /** Ends a run: status (FINISHED by default) and end time (now by default). */
  async setTerminated(runId: string, status: RunStatus = 'FINISHED', endTime: number = Date.now()): Promise<RunInfo> {
    return this.updateRun(runId, { status, endTime });
  }

  async deleteRun(runId: string): Promise<void> {
    await (await this.store()).deleteRun(runId);
  }

  async restoreRun(runId: string): Promise<void> {
    await (await this.store()).restoreRun(runId);
  }

  async searchRuns(options: SearchRunsOptions): Promise<Page<Run>> {
    return (await this.store()).searchRuns({
      experimentIds: options.experimentIds,
      viewType: options.viewType ?? 'ACTIVE_ONLY',
      maxResults: options.maxResults ?? LIMITS.defaultRunsSearchResults,
      filter: options.filter,
      orderBy: options.orderBy,
      pageToken: options.pageToken,
    });
  }

  /** Every matching run, page after page. */
  async *iterateRuns(options: Omit<SearchRunsOptions, 'pageToken'>): AsyncGenerator<Run> {
    yield* pages((pageToken) => this.searchRuns({ ...options, ...(pageToken ? { pageToken } : {}) }));
  }

  /** Sends metrics, params and tags in as many log-batch calls as MLflow's per-request limits need. */
  async logBatch(runId: string, batch: LogBatchInput): Promise<void> {
    const store = await this.store();
    for (const params of chunks(batch.params ?? [], LIMITS.maxParamsPerBatch)) await store.logBatch(runId, [], params, []);
    for (const tags of chunks(batch.tags ?? [], LIMITS.maxTagsPerBatch)) await store.logBatch(runId, [], [], tags);
    for (const metrics of chunks(batch.metrics ?? [], LIMITS.maxMetricsPerBatch)) await store.logBatch(runId, metrics, [], []);
  }

  /** One log-batch call with metrics only (at most 1000). */
  async sendMetrics(runId: string, metrics: readonly Metric[]): Promise<void> {
    if (this.transport === undefined) {
      await (await this.store()).logBatch(runId, metrics, [], []);
      return;
    }
    await this.postLogBatch(runId, metricsJson(metrics));
  }

  /**
   * The fluent API's hot path: buffered columns straight into a log-batch body over HTTP, without objects
   * per point or a generic JSON walk.
   */
  async sendMetricColumns(runId: string, columns: MetricColumns): Promise<void> {
    if (this.transport === undefined) {
      await (await this.store()).logBatch(runId, columns.toMetrics(), [], []);
      return;
    }
    await this.postLogBatch(runId, columns.toJson(this.keyJson));
  }

  private async postLogBatch(runId: string, metricsArrayJson: string): Promise<void> {
    if (this.transport === undefined) throw new RunlogError('INTERNAL_ERROR', 'postLogBatch needs a remote transport');
    const res = await this.transport({
      method: 'POST',
      path: `/api/2.0${api.logBatch.path}`,
      body: `{"run_id":${JSON.stringify(runId)},"metrics":${metricsArrayJson}}`,
    });
    if (res.status !== 200) throw errorFromResponse(res);
  }

  async logMetric(runId: string, key: string, value: number, options: { step?: number; timestamp?: number } = {}): Promise<void> {
    await this.sendMetrics(runId, [{ key, value, timestamp: options.timestamp ?? Date.now(), step: options.step ?? 0 }]);
  }

  async logParam(runId: string, key: string, value: unknown): Promise<void> {
    await (await this.store()).logBatch(runId, [], [{ key, value: stringValue(value) }], []);
  }

  async setTag(runId: string, key: string, value: unknown): Promise<void> {
    await (await this.store()).logBatch(runId, [], [], [{ key, value: stringValue(value) }]);
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    await (await this.store()).deleteTag(runId, key);
  }

  async logInputs(runId: string, datasets: readonly DatasetInput[]): Promise<void> {
    await (await this.store()).logInputs(runId, datasets);
  }

  /** Appends a logged model's metadata to the run's `mlflow.log-model.history` tag (MLflow's runs/log-model). */
  async recordLoggedModel(runId: string, model: Record<string, unknown>): Promise<void> {
    await (await this.store()).recordLoggedModel(runId, model);
  }

  async getMetricHistoryPage(runId: string, key: string, options: { maxResults?: number; pageToken?: string } = {}): Promise<Page<Metric>> {
    return (await this.store()).getMetricHistory(runId, key, options);
  }

  /** Every point of a metric, in step order, read page by page (25000 per page, as MLflow's client asks). */
  async *iterateMetricHistory(runId: string, key: string): AsyncGenerator<Metric> {
    yield* pages((pageToken) => this.getMetricHistoryPage(runId, key, { maxResults: 25_000, ...(pageToken ? { pageToken } : {}) }));
  }

  async getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    const out: Metric[] = [];
    for await (const metric of this.iterateMetricHistory(runId, key)) out.push(metric);
    return out;
  }

  async getMetricHistoryBulkInterval(
    runIds: readonly string[],
    metricKey: string,
    options: { startStep?: number; endStep?: number; maxResults?: number } = {},
  ): Promise<MetricWithRunId[]> {
    return (await this.store()).getMetricHistoryBulkInterval({
      runIds,
      metricKey,
      startStep: options.startStep,
      endStep: options.endStep,
      maxResults: options.maxResults ?? LIMITS.maxBulkIntervalResults,
    });
  }

  /** Histories of one metric for several runs (`metrics/get-history-bulk`, the UI's call), each point with its run id. */
  async getMetricHistoryBulk(runIds: readonly string[], metricKey: string, maxResults: number = LIMITS.maxHistoryBulkResults): Promise<MetricWithRunId[]> {
    return (await this.store()).getMetricHistoryBulk(runIds, metricKey, maxResults);
  }

  async searchDatasets(experimentIds: readonly string[]): Promise<DatasetSummary[]> {
    return (await this.store()).searchDatasets(experimentIds);
  }

  // ------------------------------------------------------------------------------------------------------------
  // Artifacts
  // ------------------------------------------------------------------------------------------------------------

  /** The run's artifact store: the server's proxy remotely, its local folder in local mode. */
  async runArtifacts(runId: string): Promise<RunArtifactStore> {
    if (this.local) {
      const uri = (await this.getRun(runId)).info.artifact_uri;
      const folder = localArtifactFolder(uri);
      if (folder === undefined) {
        throw new RunlogError(
          'NOT_IMPLEMENTED',
          `The run's artifact root '${uri}' is not a local folder; in local mode the SDK writes artifacts only to local folders.`,
        );
      }
      return localRunArtifacts(folder);
    }
    const client = (this.artifactClient ??= createArtifactClient({
      trackingUri: this.trackingUri,
      headers: this.options.headers ?? trackingAuthHeaders(trackingCredentialsFromEnv(this.env)),
      ...(this.options.transport ? { transport: this.options.transport } : {}),
    }));
    return {
      uploadFile: (localPath, artifactPath) => client.uploadFile(runId, localPath, artifactPath),
      uploadDirectory: (localDir, artifactPath) => client.uploadDirectory(runId, localDir, artifactPath),
      listArtifacts: (artifactPath) => client.listArtifacts(runId, artifactPath),
      downloadArtifacts: (artifactPath, destDir) => client.downloadArtifacts(runId, artifactPath, destDir),
    };
  }

  async logArtifact(runId: string, localPath: string, artifactPath?: string): Promise<string> {
    return (await this.runArtifacts(runId)).uploadFile(localPath, artifactPath);
  }

  async logArtifacts(runId: string, localDir: string, artifactPath?: string): Promise<string[]> {
    return (await this.runArtifacts(runId)).uploadDirectory(localDir, artifactPath);
  }

  /** Writes `content` as the artifact `artifactFile` (a run-relative path such as `config/params.json`). */
  async logBytes(runId: string, content: string | Uint8Array, artifactFile: string): Promise<string> {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'runlog-artifact-'));
    try {
      const name = path.posix.basename(artifactFile);
      const folder = path.posix.dirname(artifactFile);
      const local = path.join(dir, name);
      await fsp.writeFile(local, content);
      return await this.logArtifact(runId, local, folder === '.' ? undefined : folder);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  async listArtifacts(runId: string, artifactPath?: string): Promise<FileInfo[]> {
    return (await this.runArtifacts(runId)).listArtifacts(artifactPath);
  }

  async downloadArtifacts(runId: string, artifactPath: string, destDir: string): Promise<string> {
    return (await this.runArtifacts(runId)).downloadArtifacts(artifactPath, destDir);
  }

  // ------------------------------------------------------------------------------------------------------------
  // Model registry
  // ------------------------------------------------------------------------------------------------------------

  async createRegisteredModel(name: string, options: { tags?: Tags; description?: string } = {}): Promise<RegisteredModel> {
    return (await this.registry()).createRegisteredModel(name, tagList(options.tags), options.description);
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    return (await this.registry()).getRegisteredModel(name);
  }

  async renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    return (await this.registry()).renameRegisteredModel(name, newName);
  }

  async updateRegisteredModel(name: string, description: string | undefined): Promise<RegisteredModel> {
    return (await this.registry()).updateRegisteredModel(name, description);
  }

  async deleteRegisteredModel(name: string): Promise<void> {
    await (await this.registry()).deleteRegisteredModel(name);
  }

  async searchRegisteredModels(options: { filter?: string; orderBy?: readonly string[]; maxResults?: number; pageToken?: string } = {}): Promise<Page<RegisteredModel>> {
    return (await this.registry()).searchRegisteredModels({ maxResults: 100, ...options });
  }

  async *iterateRegisteredModels(options: { filter?: string; orderBy?: readonly string[]; maxResults?: number } = {}): AsyncGenerator<RegisteredModel> {
    yield* iterateRegisteredModels(await this.registry(), options);
  }

  async getLatestVersions(name: string, stages?: readonly string[]): Promise<ModelVersion[]> {
    return (await this.registry()).getLatestVersions(name, stages);
  }

  async setRegisteredModelTag(name: string, key: string, value: string): Promise<void> {
    await (await this.registry()).setRegisteredModelTag(name, { key, value });
  }

  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    await (await this.registry()).deleteRegisteredModelTag(name, key);
  }

  async setRegisteredModelAlias(name: string, alias: string, version: string | number): Promise<void> {
    await (await this.registry()).setRegisteredModelAlias(name, alias, String(version));
  }

  async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    await (await this.registry()).deleteRegisteredModelAlias(name, alias);
  }

  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return (await this.registry()).getModelVersionByAlias(name, alias);
  }

  /**
   * A new version of `name` from `source` (`runs:/<run_id>/<path>`, `models:/…` or a storage URI). Over HTTP
   * the server validates and resolves the source; in local mode a `runs:/` source is resolved here.
   */
  async createModelVersion(
    name: string,
    source: string,
    options: { runId?: string; runLink?: string; description?: string; tags?: Tags } = {},
  ): Promise<ModelVersion> {
    const registry = await this.registry();
    let storageLocation: string | undefined;
    let runId = options.runId;
    if (this.local && isRunsUri(source)) {
      const { runId: fromUri, path: artifactPath } = parseRunsUri(source);
      runId ??= fromUri;
      const root = (await this.getRun(fromUri)).info.artifact_uri.replace(/\/+$/, '');
      storageLocation = artifactPath === '' ? root : `${root}/${artifactPath}`;
    }
    return registry.createModelVersion({
      name,
      source,
      storageLocation,
      runId,
      runLink: options.runLink,
      description: options.description,
      tags: tagList(options.tags),
    });
  }

  /**
   * MLflow's `register_model`: creates the registered model when it does not exist yet, then a version from
   * `modelUri`.
   */
  async registerModel(modelUri: string, name: string, options: { tags?: Tags; description?: string } = {}): Promise<ModelVersion> {
    try {
      await this.createRegisteredModel(name);
    } catch (err) {
      if (!(err instanceof RunlogError && err.errorCode === 'RESOURCE_ALREADY_EXISTS')) throw err;
    }
    const runId = isRunsUri(modelUri) ? parseRunsUri(modelUri).runId : undefined;
    return this.createModelVersion(name, modelUri, { ...options, ...(runId !== undefined ? { runId } : {}) });
  }

  async getModelVersion(name: string, version: string | number): Promise<ModelVersion> {
    return (await this.registry()).getModelVersion(name, String(version));
  }

  async updateModelVersion(name: string, version: string | number, description: string | undefined): Promise<ModelVersion> {
    return (await this.registry()).updateModelVersion(name, String(version), description);
  }

  async deleteModelVersion(name: string, version: string | number): Promise<void> {
    await (await this.registry()).deleteModelVersion(name, String(version));
  }

  async transitionModelVersionStage(name: string, version: string | number, stage: string, archiveExistingVersions = false): Promise<ModelVersion> {
    return (await this.registry()).transitionModelVersionStage(name, String(version), stage, archiveExistingVersions);
  }

  async searchModelVersions(options: { filter?: string; orderBy?: readonly string[]; maxResults?: number; pageToken?: string } = {}): Promise<Page<ModelVersion>> {
    return (await this.registry()).searchModelVersions({ maxResults: 10_000, ...options });
  }

  async *iterateModelVersions(options: { filter?: string; orderBy?: readonly string[]; maxResults?: number } = {}): AsyncGenerator<ModelVersion> {
    yield* iterateModelVersions(await this.registry(), options);
  }

  async getModelVersionDownloadUri(name: string, version: string | number): Promise<string> {
    return (await this.registry()).getModelVersionDownloadUri(name, String(version));
  }

  async setModelVersionTag(name: string, version: string | number, key: string, value: string): Promise<void> {
    await (await this.registry()).setModelVersionTag(name, String(version), { key, value });
  }

  async deleteModelVersionTag(name: string, version: string | number, key: string): Promise<void> {
    await (await this.registry()).deleteModelVersionTag(name, String(version), key);
  }

  /** The model version a `models:/name/version`, `models:/name@alias`, `/stage` or `/latest` URI names. */
  async resolveModelVersion(modelUri: string): Promise<{ version: ModelVersion; subPath: string }> {
    if (!isModelUri(modelUri)) throw RunlogError.invalidParameter(`'${modelUri}' is not a models:/ URI.`);
    const { ref, subPath } = parseModelUri(modelUri, true);
    return { version: await resolveModelReference(await this.registry(), ref), subPath };
  }

  // ------------------------------------------------------------------------------------------------------------
  // Models
  // ------------------------------------------------------------------------------------------------------------

  /** Saves a model (MLflow's folder layout) into the run's artifacts, records it on the run, optionally registers it. */
  async logModel(runId: string, options: LogModelOptions): Promise<LoggedModel> {
    return logModel(this, runId, options);
  }

  /** Loads a model from `runs:/…`, `models:/name/version`, `models:/name@alias`, or a local folder. */
  async loadModel(modelUri: string, options: { dstPath?: string } = {}): Promise<LoadedModel> {
    return loadModel(this, modelUri, options);
  }

  /** The model's files in a local folder (downloaded when remote); returns that folder. */
  async downloadModel(modelUri: string, dstPath?: string): Promise<string> {
    return downloadModel(this, modelUri, dstPath);
  }

  /** Closes the local stores (a no-op over HTTP). */
  async close(): Promise<void> {
    const backend = this.backend;
    this.backend = undefined;
    if (backend !== undefined) await (await backend).close();
  }
}

async function* pages<T>(fetchPage: (pageToken: string | undefined) => Promise<Page<T>>): AsyncGenerator<T> {
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    yield* page.items;
    token = page.next_page_token;
  } while (token);
}

export type { KeyValue };
