/** Runs in the SQL store: create, read (with their data), update, lifecycle. */
import type { Transaction } from 'kysely';
import {
  RunlogError,
  type CreateRunInput,
  type DatasetInput,
  type Metric,
  type Param,
  type Run,
  type RunInfo,
  type RunStatus,
  type RunTag,
  type UpdateRunInput,
} from '@runlog/core';
import { chunked, type SqlContext } from './context.js';
import { newTimeOrderedId } from './ids.js';
import { requireExperimentRow } from './experiments.js';
import { generateRunName } from './run-names.js';
import type { Database, RunRow, RunsTable } from './schema.js';
import { RUN_NAME_TAG, prepareTags, writeTags } from './run-tags.js';

type Db = Transaction<Database> | SqlContext['db'];

export function toRunInfo(row: Omit<RunRow, 'run_key'>): RunInfo {
  const info: RunInfo = {
    run_id: row.run_uuid,
    run_uuid: row.run_uuid,
    run_name: row.name,
    experiment_id: String(row.experiment_id),
    user_id: row.user_id,
    status: row.status as RunStatus,
    start_time: Number(row.start_time),
    artifact_uri: row.artifact_uri,
    lifecycle_stage: row.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
  };
  if (row.end_time !== null && row.end_time !== undefined) info.end_time = Number(row.end_time);
  return info;
}

export async function requireRunRow(db: Db, runId: string): Promise<RunRow> {
  const row = await db.selectFrom('runs').selectAll().where('run_uuid', '=', runId).executeTakeFirst();
  if (!row) throw RunlogError.notFound(`Run '${runId}' not found`);
  return row;
}

export function checkRunActive(runId: string, lifecycleStage: string): void {
  if (lifecycleStage !== 'active') {
    throw RunlogError.invalidParameter(`The run ${runId} must be in the 'active' state. Current state is ${lifecycleStage}.`);
  }
}

export async function requireActiveRunRow(db: Db, runId: string): Promise<RunRow> {
  const row = await requireRunRow(db, runId);
  checkRunActive(runId, row.lifecycle_stage);
  return row;
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  list.push(value);
}

/** Loads params, tags, latest metrics and dataset inputs for many runs with one query per kind. */
export async function hydrateRuns(ctx: SqlContext, rows: readonly RunRow[]): Promise<Run[]> {
  const ids = rows.map((r) => r.run_uuid);
  const idOfKey = new Map(rows.map((r) => [Number(r.run_key), r.run_uuid]));
  const keyOfId = new Map(rows.map((r) => [r.run_uuid, Number(r.run_key)]));
  const params = new Map<string, Param[]>();
  const tags = new Map<string, RunTag[]>();
  const metrics = new Map<string, Metric[]>();
  const inputs = new Map<string, DatasetInput[]>();
  for (const chunk of chunked(ids)) {
    const [p, t, m, i] = await Promise.all([
      ctx.db.selectFrom('params').select(['run_uuid', 'key', 'value']).where('run_uuid', 'in', chunk).execute(),
      ctx.db.selectFrom('tags').select(['run_uuid', 'key', 'value']).where('run_uuid', 'in', chunk).execute(),
      ctx.db
        .selectFrom('latest_metrics')
        .select(['run_key', 'key', 'value', 'timestamp', 'step', 'is_nan'])
        .where('run_key', 'in', chunk.map((id) => keyOfId.get(id) ?? -1))
        .execute(),
      ctx.db
        .selectFrom('inputs as i')
        .innerJoin('datasets as d', 'd.dataset_uuid', 'i.source_id')
        .select(['i.destination_id', 'i.input_uuid', 'd.name', 'd.digest', 'd.source_type', 'd.source', 'd.schema', 'd.profile'])
        .where('i.destination_id', 'in', chunk)
        .execute(),
    ]);
    for (const r of p) pushTo(params, r.run_uuid, { key: r.key, value: r.value });
    for (const r of t) pushTo(tags, r.run_uuid, { key: r.key, value: r.value });
    for (const r of m) {
      pushTo(metrics, idOfKey.get(Number(r.run_key)) ?? '', {
        key: r.key,
        value: r.is_nan ? NaN : Number(r.value),
        timestamp: Number(r.timestamp),
        step: Number(r.step),
      });
    }
    if (i.length > 0) {
      const inputTags = await ctx.db
        .selectFrom('input_tags')
        .select(['input_uuid', 'name', 'value'])
        .where('input_uuid', 'in', i.map((x) => x.input_uuid))
        .execute();
      const tagsByInput = new Map<string, RunTag[]>();
      for (const r of inputTags) pushTo(tagsByInput, r.input_uuid, { key: r.name, value: r.value });
      for (const r of i) {
        const dataset: DatasetInput['dataset'] = { name: r.name, digest: r.digest, source_type: r.source_type, source: r.source };
        if (r.schema !== null) dataset.schema = r.schema;
        if (r.profile !== null) dataset.profile = r.profile;
        const input: DatasetInput = { dataset };
        const it = tagsByInput.get(r.input_uuid);
        if (it) input.tags = it;
        pushTo(inputs, r.destination_id, input);
      }
    }
  }
  return rows.map((row) => {
    const data: Run['data'] = {};
    const m = metrics.get(row.run_uuid);
    const p = params.get(row.run_uuid);
    const t = tags.get(row.run_uuid);
    if (m) data.metrics = m;
    if (p) data.params = p;
    if (t) data.tags = t;
    const runInputs: Run['inputs'] = {};
    const di = inputs.get(row.run_uuid);
    if (di) runInputs.dataset_inputs = di;
    return { info: toRunInfo(row), data, inputs: runInputs };
  });
}

export async function getRun(ctx: SqlContext, runId: string): Promise<Run> {
  const row = await requireRunRow(ctx.db, runId);
  const [run] = await hydrateRuns(ctx, [row]);
  if (!run) throw RunlogError.notFound(`Run '${runId}' not found`);
  return run;
}

export async function createRun(ctx: SqlContext, input: CreateRunInput): Promise<Run> {
  const tags = prepareTags(input.tags ?? []);
  const tagName = tags.find((t) => t.key === RUN_NAME_TAG)?.value;
  if (input.runName && tagName !== undefined && tagName !== input.runName) {
    throw RunlogError.invalidParameter(
      `Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${input.runName}', mlflow.runName='${tagName}').`,
    );
  }
  const runName = input.runName || tagName || generateRunName();
  if (tagName === undefined) tags.push({ key: RUN_NAME_TAG, value: runName });
  const runId = newTimeOrderedId();
  const row = await ctx.db.transaction().execute(async (trx) => {
    const exp = await requireExperimentRow(trx, input.experimentId);
    if (exp.lifecycle_stage !== 'active') {
      // MLflow answers INVALID_STATE (500, retried by its client for minutes); this is the caller's mistake.
      throw RunlogError.invalidParameter(
        `The experiment ${input.experimentId} must be in the 'active' state. Current state is ${exp.lifecycle_stage}.`,
      );
    }
    const newRow: Omit<RunsTable, 'run_key'> = {
      run_uuid: runId,
      name: runName,
      experiment_id: Number(exp.experiment_id),
      user_id: input.userId ?? '',
      status: 'RUNNING',
      start_time: input.startTime ?? Date.now(),
      end_time: null,
      deleted_time: null,
      lifecycle_stage: 'active',
      artifact_uri: `${exp.artifact_location.replace(/\/+$/, '')}/${runId}/artifacts`,
    };
    await trx.insertInto('runs').values(newRow).execute();
    await writeTags(trx, runId, tags);
    return newRow;
  });
  return { info: toRunInfo(row), data: { tags }, inputs: {} };
}

export async function updateRun(ctx: SqlContext, runId: string, input: UpdateRunInput): Promise<RunInfo> {
  return ctx.db.transaction().execute(async (trx) => {
    const row = await requireActiveRunRow(trx, runId);
    const changes: Partial<Omit<RunRow, 'run_key'>> = {};
    if (input.status !== undefined) changes.status = input.status;
    if (input.endTime !== undefined) changes.end_time = input.endTime;
    if (input.runName) {
      changes.name = input.runName;
      await writeTags(trx, runId, [{ key: RUN_NAME_TAG, value: input.runName }]);
    }
    if (Object.keys(changes).length > 0) {
      await trx.updateTable('runs').set(changes).where('run_uuid', '=', runId).execute();
    }
    return toRunInfo({ ...row, ...changes });
  });
}

export async function setRunLifecycle(ctx: SqlContext, runId: string, stage: 'active' | 'deleted'): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await requireRunRow(trx, runId);
    await trx
      .updateTable('runs')
      .set({ lifecycle_stage: stage, deleted_time: stage === 'deleted' ? Date.now() : null })
      .where('run_uuid', '=', runId)
      .execute();
  });
}
