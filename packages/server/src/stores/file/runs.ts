/** Runs in the file store: `<experiment>/<run id>/` with meta.yaml, params/, metrics/, tags/, inputs/, artifacts/. */
import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import {
  RunlogError,
  type CreateRunInput,
  type DatasetInput,
  type Metric,
  type Param,
  type Run,
  type RunInfo,
  type RunTag,
  type UpdateRunInput,
} from '@runlog/core';
import { generateRunName } from '../sql/run-names.js';
import { RUN_NAME_TAG, prepareTags } from '../sql/run-tags.js';
import { checkBatchLimits, prepareMetrics, prepareParams, validateDatasetInput } from '../sql/run-data.js';
import type { FileContext } from './context.js';
import { experimentNotFound, requireExperiment } from './experiments.js';
import { durably, exists, readText, removeFile, writeFileAtomic, type DurableWrites } from './fs-ops.js';
import { isRunId } from './layout.js';
import { metricLine } from './metric-lines.js';
import { persistedRunMeta, type RunRecord } from './run-index.js';
import { createMeta, writeMeta } from './yaml-files.js';

const LOG_MODEL_HISTORY_TAG = 'mlflow.log-model.history';

export function runNotFound(runId: string): RunlogError {
  return RunlogError.notFound(`Run '${runId}' not found`);
}

export function requireRun(ctx: FileContext, runId: string): RunRecord {
  const dir = isRunId(runId) ? ctx.runs.locate(runId) : undefined;
  const run = dir ? ctx.runs.read(dir) : undefined;
  if (!run) throw runNotFound(runId);
  return run;
}

function requireActiveRun(ctx: FileContext, runId: string): RunRecord {
  const run = requireRun(ctx, runId);
  if (run.info.lifecycle_stage !== 'active') {
    throw RunlogError.invalidParameter(`The run ${runId} must be in the 'active' state. Current state is ${run.info.lifecycle_stage}.`);
  }
  return run;
}

export function toRun(record: RunRecord): Run {
  const data: Run['data'] = {};
  if (record.metrics.length > 0) data.metrics = [...record.metrics];
  if (record.params.length > 0) data.params = [...record.params];
  if (record.tags.length > 0) data.tags = [...record.tags];
  const inputs: Run['inputs'] = {};
  if (record.inputs.length > 0) inputs.dataset_inputs = [...record.inputs];
  return { info: { ...record.info }, data, inputs };
}

export function getRun(ctx: FileContext, runId: string): Run {
  return toRun(requireRun(ctx, runId));
}

function writeTag(ctx: FileContext, runDir: string, tag: RunTag, w?: DurableWrites): void {
  const file = ctx.layout.keyFile(runDir, 'tags', tag.key);
  if (w) w.replace(file, tag.value);
  else writeFileAtomic(file, tag.value);
}

export function createRun(ctx: FileContext, input: CreateRunInput): Run {
  const tags = prepareTags(input.tags ?? []);
  const tagName = tags.find((t) => t.key === RUN_NAME_TAG)?.value;
  if (input.runName && tagName !== undefined && tagName !== input.runName) {
    throw RunlogError.invalidParameter(
      `Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${input.runName}', mlflow.runName='${tagName}').`,
    );
  }
  const runName = input.runName || tagName || generateRunName();
  if (tagName === undefined) tags.push({ key: RUN_NAME_TAG, value: runName });
  const exp = requireExperiment(ctx, input.experimentId);
  if (exp.experiment.lifecycle_stage !== 'active') {
    // MLflow answers INVALID_STATE (500, retried by its client for minutes); this is the caller's mistake.
    throw RunlogError.invalidParameter(
      `The experiment ${input.experimentId} must be in the 'active' state. Current state is ${exp.experiment.lifecycle_stage}.`,
    );
  }
  const runId = randomUUID().replaceAll('-', '');
  const dir = ctx.layout.inside(exp.dir, runId);
  const info: RunInfo = {
    run_id: runId,
    run_uuid: runId,
    run_name: runName,
    experiment_id: exp.experiment.experiment_id,
    user_id: input.userId ?? '',
    status: 'RUNNING',
    start_time: input.startTime ?? Date.now(),
    artifact_uri: `${exp.experiment.artifact_location.replace(/\/+$/, '')}/${runId}/artifacts`,
    lifecycle_stage: 'active',
  };
  fs.mkdirSync(dir);
  durably((w) => {
    w.mkdir(dir);
    for (const sub of ['metrics', 'params', 'artifacts']) w.mkdir(path.join(dir, sub));
    const byKey = new Map(tags.map((t) => [t.key, t.value]));
    for (const [key, value] of byKey) writeTag(ctx, dir, { key, value }, w);
  }, ctx.sync);
  // meta.yaml last: a reader sees the run complete or not at all.
  durably((w) => createMeta(dir, persistedRunMeta(info, null), w), ctx.sync);
  ctx.runs.invalidate(dir);
  return { info, data: { tags }, inputs: {} };
}

function rewriteInfo(ctx: FileContext, run: RunRecord, info: RunInfo, deletedTime?: number): void {
  writeMeta(run.dir, persistedRunMeta(info, deletedTime));
  ctx.runs.invalidate(run.dir);
}

export function updateRun(ctx: FileContext, runId: string, input: UpdateRunInput): RunInfo {
  const run = requireActiveRun(ctx, runId);
  const info: RunInfo = { ...run.info };
  if (input.status !== undefined) info.status = input.status;
  if (input.endTime !== undefined) info.end_time = input.endTime;
  if (input.runName) {
    info.run_name = input.runName;
    writeTag(ctx, run.dir, { key: RUN_NAME_TAG, value: input.runName });
  }
  rewriteInfo(ctx, run, info);
  return info;
}

export function setRunLifecycle(ctx: FileContext, runId: string, stage: 'active' | 'deleted'): void {
  const run = requireRun(ctx, runId);
  rewriteInfo(ctx, run, { ...run.info, lifecycle_stage: stage }, stage === 'deleted' ? Date.now() : undefined);
}

/**
 * Validates the whole batch (keys, limits, values, params against what is stored) before writing anything, so
 * a refused batch leaves the run untouched. Params are created with O_EXCL (a racing writer of the same key is
 * caught), tags replaced atomically, each metric's points appended as whole lines in one write.
 */
export function logBatch(ctx: FileContext, runId: string, metrics: readonly Metric[], params: readonly Param[], tags: readonly RunTag[]): void {
  checkBatchLimits(metrics.length, params.length, tags.length);
  const points = prepareMetrics(metrics);
  const paramRows = prepareParams(runId, params);
  const tagRows = prepareTags(tags);
  const run = requireActiveRun(ctx, runId);
  const changed = (p: Param, old: string) =>
    RunlogError.invalidParameter(
      `Changing param values is not allowed. Param with key='${p.key}' was already logged with value='${old}' for run ID='${runId}'. Attempted logging new value '${p.value}'.`,
    );
  const fresh: Param[] = [];
  for (const p of paramRows) {
    const old = readText(ctx.layout.keyFile(run.dir, 'params', p.key));
    if (old === undefined) fresh.push(p);
    else if (old !== p.value) throw changed(p, old);
  }
  try {
    durably((w) => {
      for (const p of fresh) {
        const file = ctx.layout.keyFile(run.dir, 'params', p.key);
        if (!w.create(file, p.value)) {
          const old = readText(file) ?? '';
          if (old !== p.value) throw changed(p, old);
        }
      }
      const lastTag = new Map(tagRows.map((t) => [t.key, t.value]));
      for (const [key, value] of lastTag) writeTag(ctx, run.dir, { key, value }, w);
      const runName = lastTag.get(RUN_NAME_TAG);
      if (runName !== undefined) writeMeta(run.dir, persistedRunMeta({ ...run.info, run_name: runName }, undefined), w);
      const lines = new Map<string, string>();
      for (const m of points) {
        const line = metricLine({ key: m.key, value: m.is_nan ? NaN : m.value, timestamp: m.timestamp, step: m.step });
        lines.set(m.key, (lines.get(m.key) ?? '') + line);
      }
      for (const [key, text] of lines) w.append(ctx.layout.keyFile(run.dir, 'metrics', key), text);
    }, ctx.sync);
  } finally {
    ctx.runs.invalidate(run.dir);
  }
}

export function deleteTag(ctx: FileContext, runId: string, key: string): void {
  const run = requireActiveRun(ctx, runId);
  prepareTags([{ key, value: '' }]);
  const removed = removeFile(ctx.layout.keyFile(run.dir, 'tags', key));
  ctx.runs.invalidate(run.dir);
  if (!removed) throw RunlogError.notFound(`No tag with name: ${key} in run with id ${runId}`);
}

const md5 = (...parts: string[]): string => {
  const h = createHash('md5');
  for (const p of parts) h.update(p, 'utf8');
  return h.digest('hex');
};

/** Datasets under `<experiment>/datasets/<md5(name, digest)>`, linked from `<run>/inputs/<md5(dataset id, run id)>`. */
export function logInputs(ctx: FileContext, runId: string, datasets: readonly DatasetInput[]): void {
  datasets.forEach(validateDatasetInput);
  const run = requireActiveRun(ctx, runId);
  try {
    for (const input of datasets) {
      const d = input.dataset;
      const datasetId = md5(d.name, d.digest);
      const datasetDir = ctx.layout.inside(run.experimentDir, 'datasets', datasetId);
      fs.mkdirSync(datasetDir, { recursive: true });
      createMeta(datasetDir, {
        digest: d.digest,
        name: d.name,
        profile: d.profile ?? null,
        schema: d.schema ?? null,
        source: d.source,
        source_type: d.source_type,
      });
      const inputDir = ctx.layout.inside(run.dir, 'inputs', md5(datasetId, runId));
      if (exists(inputDir)) continue; // re-logging the same dataset to the same run changes nothing
      fs.mkdirSync(inputDir, { recursive: true });
      createMeta(inputDir, {
        // MLflow's file store writes the dataset id as the destination too; kept so both read the same files.
        destination_id: datasetId,
        destination_type: 'RUN',
        source_id: datasetId,
        source_type: 'DATASET',
        tags: Object.fromEntries((input.tags ?? []).map((t) => [t.key, t.value])),
      });
    }
  } finally {
    ctx.runs.invalidate(run.dir);
  }
}

export function recordLoggedModel(ctx: FileContext, runId: string, model: Record<string, unknown>): void {
  const run = requireActiveRun(ctx, runId);
  const file = ctx.layout.keyFile(run.dir, 'tags', LOG_MODEL_HISTORY_TAG);
  let history: unknown[] = [];
  const text = readText(file);
  if (text !== undefined) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) history = parsed;
    } catch {
      history = [];
    }
  }
  history.push(model);
  writeFileAtomic(file, JSON.stringify(history));
  ctx.runs.invalidate(run.dir);
}

export { experimentNotFound };
