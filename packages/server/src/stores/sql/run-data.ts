/** What gets logged into a run: the batch of metrics, params and tags, tag deletion, inputs, logged models. */
import type { Transaction } from 'kysely';
import {
  LIMITS,
  RunlogError,
  truncateValue,
  validateEntityKey,
  validateLength,
  type DatasetInput,
  type Metric,
  type Param,
  type RunTag,
} from '@runlog/core';
import type { SqlContext } from './context.js';
import { newTimeOrderedId } from './ids.js';
import type { Database } from './schema.js';
import { requireActiveRunRow } from './runs.js';
import { prepareTags, writeTags } from './run-tags.js';
import { insertMetrics, retryTransientPg, type MetricPoint } from './metric-writes.js';
import { logMetricsOnlyPostgres } from './metric-writes-pg.js';

const LOG_MODEL_HISTORY_TAG = 'mlflow.log-model.history';

export function prepareParams(runId: string, params: readonly Param[]): Param[] {
  const seen = new Set<string>();
  const dupes = new Set<string>();
  const out = params.map((p) => {
    validateEntityKey('param', p.key);
    if (seen.has(p.key)) dupes.add(p.key);
    seen.add(p.key);
    return { key: p.key, value: truncateValue(p.value, LIMITS.maxParamValueLength) };
  });
  if (dupes.size > 0) {
    throw RunlogError.invalidParameter(
      `Duplicate parameter keys have been submitted: [${[...dupes].map((k) => `'${k}'`).join(', ')}] for run ID '${runId}'. Please ensure the request contains only one param value per param key.`,
    );
  }
  return out;
}

export function prepareMetrics(metrics: readonly Metric[]): MetricPoint[] {
  const validKeys = new Set<string>();
  return metrics.map((m) => {
    if (!validKeys.has(m.key)) {
      validateEntityKey('metric', m.key);
      validKeys.add(m.key);
    }
    if (!Number.isSafeInteger(m.timestamp) || m.timestamp < 0) {
      throw RunlogError.invalidParameter(
        `Got invalid timestamp ${m.timestamp} for metric '${m.key}' (value=${m.value}). Timestamp must be a nonnegative long (64-bit integer)`,
      );
    }
    if (!Number.isSafeInteger(m.step)) {
      throw RunlogError.invalidParameter(`Got invalid step ${m.step} for metric '${m.key}'. Step must be a valid long (64-bit integer).`);
    }
    const nan = Number.isNaN(m.value);
    return { key: m.key, step: m.step, timestamp: m.timestamp, value: nan ? 0 : m.value, is_nan: nan ? 1 : 0 };
  });
}

export function checkBatchLimits(metrics: number, params: number, tags: number): void {
  const check = (count: number, limit: number, what: string) => {
    if (count > limit) {
      throw RunlogError.invalidParameter(
        `A batch logging request can contain at most ${limit} ${what}. Got ${count} ${what}. Please split up ${what} across multiple requests and try again.`,
      );
    }
  };
  check(metrics, LIMITS.maxMetricsPerBatch, 'metrics');
  check(params, LIMITS.maxParamsPerBatch, 'params');
  check(tags, LIMITS.maxTagsPerBatch, 'tags');
  check(metrics + params + tags, LIMITS.maxEntitiesPerBatch, 'total entities');
}

async function writeParams(trx: Transaction<Database>, runId: string, params: readonly Param[]): Promise<void> {
  if (params.length === 0) return;
  const existing = await trx
    .selectFrom('params')
    .select(['key', 'value'])
    .where('run_uuid', '=', runId)
    .where('key', 'in', params.map((p) => p.key))
    .execute();
  const stored = new Map(existing.map((r) => [r.key, r.value]));
  const fresh: Param[] = [];
  for (const p of params) {
    const old = stored.get(p.key);
    if (old === undefined) fresh.push(p);
    else if (old !== p.value) {
      throw RunlogError.invalidParameter(
        `Changing param values is not allowed. Param with key='${p.key}' was already logged with value='${old}' for run ID='${runId}'. Attempted logging new value '${p.value}'.`,
      );
    }
  }
  if (fresh.length > 0) {
    fresh.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)); // one lock order for concurrent writers
    await trx.insertInto('params').values(fresh.map((p) => ({ run_uuid: runId, key: p.key, value: p.value }))).execute();
  }
}

export async function logBatch(
  ctx: SqlContext,
  runId: string,
  metrics: readonly Metric[],
  params: readonly Param[],
  tags: readonly RunTag[],
): Promise<void> {
  checkBatchLimits(metrics.length, params.length, tags.length);
  const metricRows = prepareMetrics(metrics);
  const paramRows = prepareParams(runId, params);
  const tagRows = prepareTags(tags);
  // Idempotent, so a deadlock victim or serialization failure on PostgreSQL simply runs again. So does a
  // unique_violation (23505): from the params insert when a concurrent request logged the same param first
  // (the next attempt sees that committed value and accepts it, or reports a changed value), or from the
  // metrics insert when the batch repeats stored points (the next attempt skips them).
  await retryTransientPg(
    ctx,
    (afterUniqueViolation) => {
      const mode = afterUniqueViolation ? 'skip-duplicates' : 'plain';
      if (ctx.conn.pgPool && paramRows.length === 0 && tagRows.length === 0 && metricRows.length > 0) {
        return logMetricsOnlyPostgres(ctx.conn.pgPool, runId, metricRows, mode);
      }
      return ctx.db.transaction().execute(async (trx) => {
        const run = await requireActiveRunRow(trx, runId);
        await writeParams(trx, runId, paramRows);
        await writeTags(trx, runId, tagRows);
        await insertMetrics(ctx, trx, run.run_key, metricRows, mode);
      });
    },
    ['23505'],
  );
}

export async function deleteTag(ctx: SqlContext, runId: string, key: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await requireActiveRunRow(trx, runId);
    const res = await trx.deleteFrom('tags').where('run_uuid', '=', runId).where('key', '=', key).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) {
      throw RunlogError.notFound(`No tag with name: ${key} in run with id ${runId}`);
    }
  });
}

export function validateDatasetInput(input: DatasetInput): void {
  const d = input.dataset;
  validateLength('Dataset name', d.name, LIMITS.maxDatasetNameLength);
  validateLength('Dataset digest', d.digest, LIMITS.maxDatasetDigestLength);
  validateLength('Dataset source', d.source, LIMITS.maxDatasetSourceLength);
  if (d.schema !== undefined) validateLength('Dataset schema', d.schema, LIMITS.maxDatasetSchemaLength);
  if (d.profile !== undefined) validateLength('Dataset profile', d.profile, LIMITS.maxDatasetProfileLength);
  for (const t of input.tags ?? []) {
    validateLength('Input tag key', t.key, LIMITS.maxInputTagKeyLength);
    validateLength('Input tag value', t.value, LIMITS.maxInputTagValueLength);
  }
}

export async function logInputs(ctx: SqlContext, runId: string, datasets: readonly DatasetInput[]): Promise<void> {
  datasets.forEach(validateDatasetInput);
  await ctx.db.transaction().execute(async (trx) => {
    const run = await requireActiveRunRow(trx, runId);
    for (const input of datasets) {
      const d = input.dataset;
      let dataset = await trx
        .selectFrom('datasets')
        .select('dataset_uuid')
        .where('experiment_id', '=', run.experiment_id)
        .where('name', '=', d.name)
        .where('digest', '=', d.digest)
        .executeTakeFirst();
      if (!dataset) {
        dataset = { dataset_uuid: newTimeOrderedId() };
        await trx
          .insertInto('datasets')
          .values({
            dataset_uuid: dataset.dataset_uuid,
            experiment_id: run.experiment_id,
            name: d.name,
            digest: d.digest,
            source_type: d.source_type,
            source: d.source,
            schema: d.schema ?? null,
            profile: d.profile ?? null,
          })
          .execute();
      }
      const linked = await trx
        .selectFrom('inputs')
        .select('input_uuid')
        .where('source_id', '=', dataset.dataset_uuid)
        .where('destination_id', '=', runId)
        .executeTakeFirst();
      if (linked) continue; // re-logging the same dataset to the same run changes nothing
      const inputUuid = newTimeOrderedId();
      await trx.insertInto('inputs').values({ input_uuid: inputUuid, source_id: dataset.dataset_uuid, destination_id: runId }).execute();
      const tags = input.tags ?? [];
      if (tags.length > 0) {
        await trx
          .insertInto('input_tags')
          .values(tags.map((t) => ({ input_uuid: inputUuid, name: t.key, value: t.value })))
          .onConflict((oc) => oc.columns(['input_uuid', 'name']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })))
          .execute();
      }
    }
  });
}

export async function recordLoggedModel(ctx: SqlContext, runId: string, model: Record<string, unknown>): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await requireActiveRunRow(trx, runId);
    const row = await trx
      .selectFrom('tags')
      .select('value')
      .where('run_uuid', '=', runId)
      .where('key', '=', LOG_MODEL_HISTORY_TAG)
      .executeTakeFirst();
    let history: unknown[] = [];
    if (row) {
      try {
        const parsed: unknown = JSON.parse(row.value);
        if (Array.isArray(parsed)) history = parsed;
      } catch {
        history = [];
      }
    }
    history.push(model);
    await writeTags(trx, runId, [{ key: LOG_MODEL_HISTORY_TAG, value: JSON.stringify(history) }]);
  });
}
