/**
 * Store interfaces: minimal, async, MLflow's operation names in camelCase. Anything derivable (logMetric,
 * setTag, logParam) is a one-liner over logBatch outside the interface.
 */
import type {
  FileInfo,
  Dataset,
  DatasetInput,
  DatasetSummary,
  Experiment,
  ExperimentTag,
  KeyValue,
  Metric,
  MetricWithRunId,
  Page,
  Param,
  Run,
  RunInfo,
  RunStatus,
  RunTag,
  ViewType,
} from './entities.js';

export interface SearchExperimentsQuery {
  viewType: ViewType;
  maxResults: number;
  filter?: string | undefined;
  orderBy?: readonly string[] | undefined;
  pageToken?: string | undefined;
}

export interface CreateRunInput {
  experimentId: string;
  userId?: string | undefined;
  runName?: string | undefined;
  startTime?: number | undefined;
  tags?: readonly RunTag[] | undefined;
}

export interface UpdateRunInput {
  status?: RunStatus | undefined;
  endTime?: number | undefined;
  runName?: string | undefined;
}

export interface SearchRunsQuery {
  experimentIds: readonly string[];
  filter?: string | undefined;
  viewType: ViewType;
  maxResults: number;
  orderBy?: readonly string[] | undefined;
  pageToken?: string | undefined;
}

export interface MetricHistoryQuery {
  maxResults?: number | undefined;
  pageToken?: string | undefined;
}

export interface BulkIntervalQuery {
  runIds: readonly string[];
  metricKey: string;
  startStep?: number | undefined;
  endStep?: number | undefined;
  maxResults: number;
}

export interface TrackingStore {
  createExperiment(name: string, artifactLocation?: string, tags?: readonly ExperimentTag[]): Promise<string>;
  getExperiment(experimentId: string): Promise<Experiment>;
  getExperimentByName(name: string): Promise<Experiment>;
  searchExperiments(query: SearchExperimentsQuery): Promise<Page<Experiment>>;
  deleteExperiment(experimentId: string): Promise<void>;
  restoreExperiment(experimentId: string): Promise<void>;
  renameExperiment(experimentId: string, newName: string): Promise<void>;
  setExperimentTag(experimentId: string, tag: ExperimentTag): Promise<void>;
  deleteExperimentTag(experimentId: string, key: string): Promise<void>;

  createRun(input: CreateRunInput): Promise<Run>;
  getRun(runId: string): Promise<Run>;
  updateRun(runId: string, input: UpdateRunInput): Promise<RunInfo>;
  deleteRun(runId: string): Promise<void>;
  restoreRun(runId: string): Promise<void>;
  /** All-or-nothing; a retried identical batch changes nothing. */
  logBatch(runId: string, metrics: readonly Metric[], params: readonly Param[], tags: readonly RunTag[]): Promise<void>;
  deleteTag(runId: string, key: string): Promise<void>;
  logInputs(runId: string, datasets: readonly DatasetInput[]): Promise<void>;
  /** Appends a logged model's metadata to the run's `mlflow.log-model.history` tag, atomically. */
  recordLoggedModel(runId: string, model: Record<string, unknown>): Promise<void>;
  searchRuns(query: SearchRunsQuery): Promise<Page<Run>>;

  getMetricHistory(runId: string, key: string, query?: MetricHistoryQuery): Promise<Page<Metric>>;
  /**
   * Optional hot path: the same page already serialised as MLflow's response body
   * (`{"metrics":[…],"next_page_token":"…"}`), for stores that can build it natively. Histories run to
   * millions of points; materialising them as objects costs more than reading them.
   */
  getMetricHistoryJson?(runId: string, key: string, query?: MetricHistoryQuery): Promise<string>;
  getMetricHistoryBulkInterval(query: BulkIntervalQuery): Promise<MetricWithRunId[]>;
  getMetricHistoryBulk(runIds: readonly string[], key: string, maxResults: number): Promise<MetricWithRunId[]>;
  searchDatasets(experimentIds: readonly string[]): Promise<DatasetSummary[]>;

  /** Optional cheap round trip to the backing database, for `/health`; rejects when it cannot answer. */
  ping?(): Promise<void>;
  close(): Promise<void>;
}

export type { Dataset, KeyValue };

/** A byte stream in either direction; Node's Readable is one, so is a web ReadableStream. */
export type ByteStream = AsyncIterable<Uint8Array>;

export interface ArtifactObject {
  stream: ByteStream;
  /** Bytes, when the backend knows them up front. */
  size?: number;
}

export interface MultipartCredential {
  url: string;
  part_number: number;
  headers: Record<string, string>;
}

export interface MultipartUpload {
  upload_id: string;
  credentials: MultipartCredential[];
}

/**
 * Where artifact bytes live (a local folder, an S3 prefix). Every `path` is relative to the repo's root and
 * has already been decoded, normalised and confined by the caller (core's safe-path rules); repos check
 * confinement again before any I/O.
 */
export interface ArtifactRepo {
  /** Streams `body` to `path`, creating parent folders; replaces an existing file. */
  put(path: string, body: ByteStream): Promise<void>;
  /** RESOURCE_DOES_NOT_EXIST when there is no file at `path`. */
  get(path: string): Promise<ArtifactObject>;
  /** One level under `path` (a folder; `''` is the root), names relative to the repo root, sorted. */
  list(path: string): Promise<FileInfo[]>;
  /** Deletes a file, or a folder and everything under it. Missing paths are not an error. */
  delete(path: string): Promise<void>;
  /** Present only where the backend has multipart uploads (S3). */
  multipart?: {
    create(path: string, numParts: number): Promise<MultipartUpload>;
    complete(path: string, uploadId: string, parts: readonly { part_number: number; etag: string }[]): Promise<void>;
    abort(path: string, uploadId: string): Promise<void>;
  };
}
