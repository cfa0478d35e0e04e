/**
 * The fluent API (MLflow's `mlflow.*` module functions): one process-wide client, current experiment and stack
 * of active runs. `logMetric` is synchronous and buffered (metric-buffer.ts); everything else awaits its call.
 * When the event loop drains (`beforeExit`), buffered metrics are flushed and runs still active are ended
 * FINISHED, as MLflow's atexit hook does; an explicit `process.exit()` skips that, so await `endRun()` first.
 */
import { RunlogError, validateEntityKey, type Experiment, type RunInfo, type RunStatus } from '@runlog/core';
import YAML from 'yaml';
import type { LogModelOptions, LoggedModel } from '../models/model-io.js';
import type { LoadedModel } from '../models/pyfunc.js';
import { datasetInput, type DatasetSpec } from './datasets.js';
import { MetricBuffer } from './metric-buffer.js';
import { SystemMetricsMonitor, systemMetricsOptionsFromEnv, type SystemMetricsOptions } from './system-metrics.js';
import { RunlogClient, stringValue, tagList, type Tags } from './runlog-client.js';
import { TAG, currentUser, resolveSystemTags } from './system-tags.js';
import type { Env } from './tracking-uri.js';

export interface ActiveRun {
  readonly runId: string;
  readonly experimentId: string;
  readonly info: RunInfo;
  readonly parentRunId?: string;
}

export interface StartRunOptions {
  /** Resume this run (default: `MLFLOW_RUN_ID` when no run is active). */
  runId?: string;
  experimentId?: string;
  runName?: string;
  /** Start a child of the active run (`mlflow.parentRunId`); without it, starting while a run is active fails. */
  nested?: boolean;
  /** Explicit parent (must exist), instead of the active run. */
  parentRunId?: string;
  tags?: Tags;
  /** Markdown description (`mlflow.note.content`). */
  description?: string;
  /**
   * Sample CPU, memory, disk, network and GPUs into `system/…` metrics while the run is active (default: the
   * `RUNLOG_ENABLE_SYSTEM_METRICS_LOGGING` or `MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING` variable).
   */
  logSystemMetrics?: boolean;
  /** Sampling interval, samples per logged value, node id (default: MLflow's variables, else 10 s, 1). */
  systemMetrics?: SystemMetricsOptions;
}

interface State {
  env: Env;
  trackingUri: string | undefined;
  client: RunlogClient | undefined;
  buffer: MetricBuffer | undefined;
  experimentId: string | undefined;
  runs: ActiveRun[];
  exitHook: boolean;
  exiting: Promise<void> | undefined;
  monitors: Map<string, SystemMetricsMonitor>;
}

const state: State = {
  env: process.env,
  trackingUri: undefined,
  client: undefined,
  buffer: undefined,
  experimentId: undefined,
  runs: [],
  exitHook: false,
  exiting: undefined,
  monitors: new Map(),
};

const validKeys = new Set<string>();
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

// ---------------------------------------------------------------------------------------------------------------
// Client and experiment
// ---------------------------------------------------------------------------------------------------------------

/** Points the fluent API at a server (`http(s)://…`) or a local store (SQLite URI, folder). */
export function setTrackingUri(uri: string): void {
  const run = activeRun();
  if (run !== undefined) {
    throw new RunlogError('INVALID_STATE', `Run ${run.runId} is active: end it before switching tracking URI.`);
  }
  // Points still buffered for runs of the previous URI keep going there (failures are reported by onError).
  state.buffer?.flush().catch(() => undefined);
  state.trackingUri = uri;
  state.client = undefined;
  state.buffer = undefined;
}

export function getTrackingUri(): string {
  return getClient().trackingUri;
}

/** The client the fluent API uses (created from the tracking URI and the environment on first use). */
export function getClient(): RunlogClient {
  return (state.client ??= new RunlogClient({ env: state.env, ...(state.trackingUri !== undefined ? { trackingUri: state.trackingUri } : {}) }));
}

function buffer(): MetricBuffer {
  if (state.buffer === undefined) {
    const c = getClient();
    state.buffer = new MetricBuffer((runId, metrics) => c.sendMetricColumns(runId, metrics), {
      onError: (err) => process.emitWarning(`Runlog: a metric batch was not logged: ${err instanceof Error ? err.message : String(err)}`),
    });
  }
  return state.buffer;
}

/**
 * Makes an experiment current, by name (created when missing, as MLflow does) or by id. Fails for a deleted
 * experiment.
 */
export async function setExperiment(nameOrOptions: string | { experimentName?: string; experimentId?: string }): Promise<Experiment> {
  const opts = typeof nameOrOptions === 'string' ? { experimentName: nameOrOptions } : nameOrOptions;
  const c = getClient();
  let experiment: Experiment | undefined;
  if (opts.experimentId !== undefined) {
    experiment = await c.getExperiment(opts.experimentId);
  } else if (opts.experimentName !== undefined) {
    const name = opts.experimentName;
    experiment = await c.getExperimentByName(name);
    if (experiment === undefined) {
      try {
        experiment = await c.getExperiment(await c.createExperiment(name));
      } catch (err) {
        // Another process created it meanwhile.
        if (!(err instanceof RunlogError && err.errorCode === 'RESOURCE_ALREADY_EXISTS')) throw err;
        experiment = await c.getExperimentByName(name);
      }
    }
  }
  if (experiment === undefined) throw RunlogError.invalidParameter('setExperiment needs an experiment name or id.');
  if (experiment.lifecycle_stage === 'deleted') {
    throw RunlogError.invalidParameter(
      `Cannot set a deleted experiment '${experiment.name}' as the active experiment. Restore it first, or pick another.`,
    );
  }
  state.experimentId = experiment.experiment_id;
  return experiment;
}

async function currentExperimentId(): Promise<string> {
  if (state.experimentId !== undefined) return state.experimentId;
  if (state.env.MLFLOW_EXPERIMENT_NAME) return (await setExperiment(state.env.MLFLOW_EXPERIMENT_NAME)).experiment_id;
  if (state.env.MLFLOW_EXPERIMENT_ID) return (await setExperiment({ experimentId: state.env.MLFLOW_EXPERIMENT_ID })).experiment_id;
  return '0';
}

/** The experiment new runs go to (for helpers such as `minimize` that create runs themselves). */
export async function activeExperimentId(): Promise<string> {
  return currentExperimentId();
}

// ---------------------------------------------------------------------------------------------------------------
// Runs
// ---------------------------------------------------------------------------------------------------------------

export function activeRun(): ActiveRun | undefined {
  return state.runs.at(-1);
}

function requireRun(): ActiveRun {
  const run = activeRun();
  if (run === undefined) throw new RunlogError('INVALID_STATE', 'No active run: call startRun() (or withRun()) first.');
  return run;
}

/** The active run, or a new one as MLflow's logging functions start implicitly. */
async function ensureRun(): Promise<ActiveRun> {
  return activeRun() ?? startRun();
}

export async function startRun(options: StartRunOptions = {}): Promise<ActiveRun> {
  const c = getClient();
  const parent = activeRun();
  if (parent !== undefined && !options.nested && options.parentRunId === undefined) {
    throw new RunlogError(
      'INVALID_STATE',
      `Run with UUID ${parent.runId} is already active. End it with endRun(), or start a nested run with startRun({ nested: true }).`,
    );
  }
  installExitHook();
  const resumeId = options.runId ?? (parent === undefined ? state.env.MLFLOW_RUN_ID : undefined);
  let run: ActiveRun;
  if (resumeId !== undefined && resumeId !== '') {
    const existing = await c.getRun(resumeId);
    if (existing.info.lifecycle_stage === 'deleted') {
      throw RunlogError.invalidParameter(`Cannot start run with ID ${resumeId} because it is in the deleted state.`);
    }
    const info = await c.updateRun(resumeId, { status: 'RUNNING' });
    const extra = tagList(options.tags);
    if (options.runName !== undefined) extra.push({ key: TAG.runName, value: options.runName });
    if (extra.length > 0) await c.logBatch(resumeId, { tags: extra });
    run = { runId: resumeId, experimentId: info.experiment_id, info };
  } else {
    const parentRunId = options.parentRunId ?? (options.nested ? parent?.runId : undefined);
    if (options.parentRunId !== undefined) await c.getRun(options.parentRunId);
    const tags = [...resolveSystemTags(state.env), ...tagList(options.tags)];
    if (parentRunId !== undefined) tags.push({ key: TAG.parentRunId, value: parentRunId });
    if (options.description !== undefined) tags.push({ key: 'mlflow.note.content', value: options.description });
    if (options.runName !== undefined) tags.push({ key: TAG.runName, value: options.runName });
    const experimentId = options.experimentId ?? (await currentExperimentId());
    const created = await c.createRun({
      experimentId,
      userId: currentUser(state.env),
      ...(options.runName !== undefined ? { runName: options.runName } : {}),
      tags,
    });
    run = {
      runId: created.info.run_id,
      experimentId: created.info.experiment_id,
      info: created.info,
      ...(parentRunId !== undefined ? { parentRunId } : {}),
    };
  }
  state.runs.push(run);
  if (options.logSystemMetrics ?? systemMetricsEnabled(state.env)) startSystemMetrics(run.runId, options.systemMetrics);
  return run;
}

function systemMetricsEnabled(env: Env): boolean {
  const on = (v: string | undefined): boolean => v !== undefined && ['true', '1'].includes(v.toLowerCase());
  return on(env.RUNLOG_ENABLE_SYSTEM_METRICS_LOGGING) || on(env.MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING);
}

/** System metrics go through the metric buffer, so they leave in the same background log-batch calls. */
function startSystemMetrics(runId: string, options: SystemMetricsOptions | undefined): void {
  const monitor = new SystemMetricsMonitor(
    (metrics, step, timestamp) => {
      for (const [key, value] of Object.entries(metrics)) buffer().add(runId, key, value, timestamp, step);
    },
    systemMetricsOptionsFromEnv(state.env, options),
    (err) => process.emitWarning(`Runlog: a system metrics sample failed: ${err instanceof Error ? err.message : String(err)}`),
  );
  state.monitors.get(runId)?.stop();
  state.monitors.set(runId, monitor);
  monitor.start();
}

/** Whether system metrics are being sampled for a run (they stop when it ends). */
export function isLoggingSystemMetrics(runId: string): boolean {
  return state.monitors.get(runId)?.running ?? false;
}

/** Ends the innermost active run (FINISHED by default) after its buffered metrics are sent. */
export async function endRun(status: RunStatus = 'FINISHED'): Promise<void> {
  const run = state.runs.at(-1);
  if (run === undefined) return;
  await finishRun(run, status);
}

async function finishRun(run: ActiveRun, status: RunStatus): Promise<void> {
  const index = state.runs.indexOf(run);
  if (index >= 0) state.runs.splice(index, 1);
  state.monitors.get(run.runId)?.stop();
  state.monitors.delete(run.runId);
  let flushError: Error | undefined;
  try {
    await state.buffer?.flush();
  } catch (err) {
    flushError = err instanceof Error ? err : new Error(String(err));
  }
  await getClient().setTerminated(run.runId, flushError === undefined ? status : 'FAILED');
  if (flushError !== undefined) throw flushError;
}

/**
 * Runs `fn` inside a new run (nested when another is active) and ends it FINISHED, or FAILED when `fn` throws
 * (the error is rethrown).
 */
export async function withRun<T>(fn: (run: ActiveRun) => Promise<T> | T, options: StartRunOptions = {}): Promise<T> {
  const run = await startRun({ ...(activeRun() !== undefined ? { nested: true } : {}), ...options });
  let result: T;
  try {
    result = await fn(run);
  } catch (err) {
    await finishRun(run, 'FAILED');
    throw err;
  }
  await finishRun(run, 'FINISHED');
  return result;
}

function installExitHook(): void {
  if (state.exitHook) return;
  state.exitHook = true;
  process.on('beforeExit', () => {
    if (state.exiting !== undefined || (state.runs.length === 0 && !state.buffer?.busy)) return;
    state.exiting = (async () => {
      try {
        while (state.runs.length > 0) await endRun('FINISHED');
        await state.buffer?.flush();
      } catch (err) {
        process.stderr.write(`runlog: could not finish runs at exit: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 1;
      }
    })().finally(() => (state.exiting = undefined));
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Logging
// ---------------------------------------------------------------------------------------------------------------

/**
 * Buffers one metric point for the active run; it leaves in a background log-batch call. Validation of the key
 * happens here, so a bad key fails at the call rather than losing a whole batch later.
 */
export function logMetric(key: string, value: number, options: { step?: number; timestamp?: number } = {}): void {
  const run = requireRun();
  if (!validKeys.has(key)) {
    validateEntityKey('metric', key);
    validKeys.add(key);
  }
  if (typeof value !== 'number') throw RunlogError.invalidParameter(`Got invalid value ${String(value)} for metric '${key}'.`);
  const step = options.step ?? 0;
  if (!Number.isInteger(step)) throw RunlogError.invalidParameter(`Got invalid step ${step} for metric '${key}': expected an integer.`);
  buffer().add(run.runId, key, value, options.timestamp ?? Date.now(), step);
}

export function logMetrics(metrics: Readonly<Record<string, number>>, options: { step?: number; timestamp?: number } = {}): void {
  const timestamp = options.timestamp ?? Date.now();
  for (const [key, value] of Object.entries(metrics)) logMetric(key, value, { ...options, timestamp });
}

/** Resolves once every buffered metric has been sent (rejects with a send failure since the last flush). */
export async function flushMetrics(): Promise<void> {
  await state.buffer?.flush();
}

export async function logParam(key: string, value: unknown): Promise<void> {
  await getClient().logParam((await ensureRun()).runId, key, value);
}

export async function logParams(params: Readonly<Record<string, unknown>>): Promise<void> {
  const run = await ensureRun();
  await getClient().logBatch(run.runId, { params: Object.entries(params).map(([key, value]) => ({ key, value: stringValue(value) })) });
}

export async function setTag(key: string, value: unknown): Promise<void> {
  await getClient().setTag((await ensureRun()).runId, key, value);
}

export async function setTags(tags: Readonly<Record<string, unknown>>): Promise<void> {
  const run = await ensureRun();
  await getClient().logBatch(run.runId, { tags: Object.entries(tags).map(([key, value]) => ({ key, value: stringValue(value) })) });
}

export async function logArtifact(localPath: string, artifactPath?: string): Promise<string> {
  return getClient().logArtifact((await ensureRun()).runId, localPath, artifactPath);
}

export async function logArtifacts(localDir: string, artifactPath?: string): Promise<string[]> {
  return getClient().logArtifacts((await ensureRun()).runId, localDir, artifactPath);
}

export async function logText(text: string, artifactFile: string): Promise<string> {
  return getClient().logBytes((await ensureRun()).runId, text, artifactFile);
}

/** JSON (indented by 2), or YAML when `artifactFile` ends in `.yaml`/`.yml`, as MLflow's `log_dict`. */
export async function logDict(dict: unknown, artifactFile: string): Promise<string> {
  const text = /\.ya?ml$/i.test(artifactFile) ? YAML.stringify(dict) : JSON.stringify(dict, null, 2);
  return logText(text, artifactFile);
}

/** A table as MLflow's `log_table` writes it: `{"columns": […], "data": [[…]]}`, listed in `mlflow.loggedArtifacts`. */
export async function logTable(
  table: Readonly<Record<string, readonly unknown[]>> | readonly Readonly<Record<string, unknown>>[],
  artifactFile: string,
): Promise<string> {
  if (!artifactFile.endsWith('.json')) throw RunlogError.invalidParameter(`Table artifact '${artifactFile}' must be a .json file.`);
  let columns: string[];
  let data: unknown[][];
  if (Array.isArray(table)) {
    const rows = table as readonly Readonly<Record<string, unknown>>[];
    columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    data = rows.map((r) => columns.map((c) => r[c] ?? null));
  } else {
    const cols = table as Readonly<Record<string, readonly unknown[]>>;
    columns = Object.keys(cols);
    const length = Math.max(0, ...columns.map((c) => cols[c]?.length ?? 0));
    data = Array.from({ length }, (_, i) => columns.map((c) => cols[c]?.[i] ?? null));
  }
  const run = await ensureRun();
  const c = getClient();
  const written = await c.logBytes(run.runId, JSON.stringify({ columns, data }), artifactFile);
  const current = (await c.getRun(run.runId)).data.tags?.find((t) => t.key === TAG.loggedArtifacts)?.value;
  const entries = current ? (JSON.parse(current) as { path: string; type: string }[]) : [];
  if (!entries.some((e) => e.path === written)) entries.push({ path: written, type: 'table' });
  await c.setTag(run.runId, TAG.loggedArtifacts, JSON.stringify(entries));
  return written;
}

/** PNG bytes as an image artifact (`artifactFile`, e.g. `plots/loss.png`). */
export async function logImage(png: Uint8Array, artifactFile: string): Promise<string> {
  if (png.length < PNG_SIGNATURE.length || PNG_SIGNATURE.some((b, i) => png[i] !== b)) {
    throw RunlogError.invalidParameter('logImage expects PNG bytes (the data does not start with the PNG signature).');
  }
  return getClient().logBytes((await ensureRun()).runId, png, artifactFile);
}

/** Records a dataset the run used (`context`: e.g. `training`, `evaluation`). */
export async function logInput(dataset: DatasetSpec, context?: string): Promise<void> {
  await getClient().logInputs((await ensureRun()).runId, [datasetInput(dataset, context)]);
}

/** Logs a model into the active run (see RunlogClient.logModel). */
export async function logModel(options: LogModelOptions): Promise<LoggedModel> {
  return getClient().logModel((await ensureRun()).runId, options);
}

/** Loads a model by URI through the fluent client (see RunlogClient.loadModel). */
export async function loadModel(modelUri: string, options: { dstPath?: string } = {}): Promise<LoadedModel> {
  return getClient().loadModel(modelUri, options);
}

/** Test seam: forget the current client, experiment and runs (pending metrics included) and read `env` from now on. */
export function resetFluentState(env: Env = process.env): void {
  for (const monitor of state.monitors.values()) monitor.stop();
  state.monitors.clear();
  state.env = env;
  state.trackingUri = undefined;
  state.client = undefined;
  state.buffer = undefined;
  state.experimentId = undefined;
  state.runs = [];
}
