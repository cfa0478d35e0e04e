/** Run tags: validation, and the write that keeps `mlflow.runName` and the run's name in step. */
import type { Transaction } from 'kysely';
import { LIMITS, truncateValue, validateEntityKey, type RunTag } from '@runlog/core';
import type { Database } from './schema.js';

export const RUN_NAME_TAG = 'mlflow.runName';

export function prepareTags(tags: readonly RunTag[]): RunTag[] {
  return tags.map((t) => {
    validateEntityKey('tag', t.key);
    return { key: t.key, value: truncateValue(t.value, LIMITS.maxTagValueLength) };
  });
}

export async function writeTags(trx: Transaction<Database>, runId: string, tags: readonly RunTag[]): Promise<void> {
  if (tags.length === 0) return;
  // Last write wins within one request, as sequential set-tag calls would.
  const byKey = new Map<string, string>();
  for (const t of tags) byKey.set(t.key, t.value);
  await trx
    .insertInto('tags')
    // In key order, so concurrent writers of the same tags lock the rows in one order and never deadlock.
    .values([...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, value]) => ({ run_uuid: runId, key, value })))
    .onConflict((oc) => oc.columns(['run_uuid', 'key']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })))
    .execute();
  const runName = byKey.get(RUN_NAME_TAG);
  if (runName !== undefined) await trx.updateTable('runs').set({ name: runName }).where('run_uuid', '=', runId).execute();
}
