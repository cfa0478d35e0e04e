/**
 * Behavioural conformance suite for `TrackingStore`: what MLflow's tracking service observably does (values,
 * orders, MLflow error codes; never message text), run against every store implementation. Facts come from
 * the MLflow tracking API reference (mlflow-tracking-api.md) §3.2 (endpoint behaviour), §4 (limits) and §5 (search).
 *
 * Every case gets a fresh store. A store that deliberately differs lists the case in `skip` with its reason;
 * the case then still shows up in the report, skipped, with the reason in its title.
 */
import { describe, expect, it } from 'vitest';
import { allPages, caseHarness, expectCode, type CaseHarness } from './suite-harness.js';
import {
  type CreateRunInput,
  type DatasetInput,
  type Experiment,
  type KeyValue,
  type Metric,
  type Page,
  type Run,
  type TrackingStore,
  type ViewType,
} from '@runlog/core';

export interface TrackingStoreSuiteOptions {
  name: string;
  create: () => Promise<{ store: TrackingStore; cleanup: () => Promise<void> }>;
  /** Case name → why this store does not run it. */
  skip?: Record<string, string>;
}

type Suite = CaseHarness<TrackingStore>;

export function describeTrackingStore(options: TrackingStoreSuiteOptions): void {
  describe(`TrackingStore conformance (${options.name})`, () => {
    const names = new Set<string>();
    const suite: Suite = caseHarness(options.create, names, options.skip);
    describe('experiments', () => experimentCases(suite));
    describe('searchExperiments', () => searchExperimentCases(suite));
    describe('runs', () => runCases(suite));
    describe('logBatch', () => logBatchCases(suite));
    describe('metric history', () => metricHistoryCases(suite));
    describe('inputs and logged models', () => inputCases(suite));
    describe('searchRuns', () => searchRunCases(suite));
    it('every skipped case names a case of the suite', () => {
      expect(Object.keys(options.skip ?? {}).filter((name) => !names.has(name))).toEqual([]);
    });
  });
}

// ------------------------------------------------------------------------------------------------------------
// Helpers

const pt = (key: string, value: number, step = 0, timestamp = 0): Metric => ({ key, value, step, timestamp });
const kv = (key: string, value: string): KeyValue => ({ key, value });
const byKey = (a: { key: string }, b: { key: string }): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
const sortedTags = (tags: readonly KeyValue[] | undefined): KeyValue[] => [...(tags ?? [])].sort(byKey);
const tagOf = (run: Run, key: string): string | undefined => run.data.tags?.find((t) => t.key === key)?.value;
const paramOf = (run: Run, key: string): string | undefined => run.data.params?.find((p) => p.key === key)?.value;
const latestOf = (run: Run, key: string): Metric | undefined => run.data.metrics?.find((m) => m.key === key);
const byStepTime = (a: Metric, b: Metric): number => a.step - b.step || a.timestamp - b.timestamp || a.value - b.value;
/** Numeric-aware id order (SQL ids are integers; equal-length digit strings compare like numbers). */
const idOrder = (a: string, b: string): number => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

async function newRun(store: TrackingStore, experimentId: string, input: Partial<CreateRunInput> = {}): Promise<string> {
  const run = await store.createRun({ experimentId, startTime: 0, ...input });
  return run.info.run_id;
}

async function logMetrics(store: TrackingStore, runId: string, metrics: readonly Metric[]): Promise<void> {
  await store.logBatch(runId, metrics, [], []);
}

function dataset(name: string, digest: string, context?: string): DatasetInput {
  const input: DatasetInput = {
    dataset: { name, digest, source_type: 's3', source: '{"uri": "s3://bucket/x.csv"}', schema: '{"cols": ["a"]}', profile: '{"rows": 3}' },
  };
  if (context !== undefined) input.tags = [kv('mlflow.data.context', context)];
  return input;
}

// ------------------------------------------------------------------------------------------------------------
// Experiments

function experimentCases(s: Suite): void {
  s.test('default experiment "0" named "Default" exists and is active', async () => {
    const exp = await s.store.getExperiment('0');
    expect(exp).toMatchObject({ experiment_id: '0', name: 'Default', lifecycle_stage: 'active' });
    expect((await s.store.getExperimentByName('Default')).experiment_id).toBe('0');
  });

  s.test('createExperiment round-trips through getExperiment and getExperimentByName, tags included', async () => {
    const tags = [kv('team', 'ml'), kv('owner', 'me')];
    const id = await s.store.createExperiment('exp-a', undefined, tags);
    expect(id).toMatch(/^[a-zA-Z0-9][\w-]{0,63}$/);
    expect(id).not.toBe('0');
    for (const exp of [await s.store.getExperiment(id), await s.store.getExperimentByName('exp-a')]) {
      expect(exp).toMatchObject({ experiment_id: id, name: 'exp-a', lifecycle_stage: 'active' });
      expect(sortedTags(exp.tags)).toEqual(sortedTags(tags));
      expect(exp.creation_time).toBeGreaterThan(0);
      expect(exp.last_update_time).toBeGreaterThanOrEqual(exp.creation_time!);
    }
    expect(await s.store.createExperiment('exp-b')).not.toBe(id);
  });

  s.test('default artifact location is <root>/<experiment_id>', async () => {
    const root = (await s.store.getExperiment('0')).artifact_location.replace(/\/0$/, '');
    const id = await s.store.createExperiment('exp-a');
    expect((await s.store.getExperiment(id)).artifact_location).toBe(`${root}/${id}`);
  });

  s.test('an explicit artifact location is kept', async () => {
    const id = await s.store.createExperiment('exp-a', 's3://bucket/some/path');
    expect((await s.store.getExperiment(id)).artifact_location).toBe('s3://bucket/some/path');
  });

  for (const stage of ['active', 'deleted'] as const) {
    s.test(`createExperiment with the name of a ${stage} experiment → RESOURCE_ALREADY_EXISTS`, async () => {
      const id = await s.store.createExperiment('taken');
      if (stage === 'deleted') await s.store.deleteExperiment(id);
      await expectCode(() => s.store.createExperiment('taken'), 'RESOURCE_ALREADY_EXISTS');
    });
  }

  for (const [label, name] of [['empty', ''], ['501 characters', 'n'.repeat(501)]] as const) {
    s.test(`createExperiment with an ${label} name → INVALID_PARAMETER_VALUE`, async () => {
      await expectCode(() => s.store.createExperiment(name), 'INVALID_PARAMETER_VALUE');
    });
  }

  s.test('createExperiment accepts a 500-character name', async () => {
    const id = await s.store.createExperiment('n'.repeat(500));
    expect((await s.store.getExperiment(id)).name).toHaveLength(500);
  });

  for (const location of ['runs:/x', 's3://bucket/path#frag', 's3://bucket/path?a=../..']) {
    s.test(`createExperiment with artifact location '${location}' → INVALID_PARAMETER_VALUE`, async () => {
      await expectCode(() => s.store.createExperiment('exp-a', location), 'INVALID_PARAMETER_VALUE');
      await expectCode(() => s.store.getExperimentByName('exp-a'), 'RESOURCE_DOES_NOT_EXIST');
    });
  }

  for (const id of ['424242', 'not-a-number']) {
    s.test(`getExperiment('${id}') → RESOURCE_DOES_NOT_EXIST`, async () => {
      await expectCode(() => s.store.getExperiment(id), 'RESOURCE_DOES_NOT_EXIST');
    });
  }

  s.test('getExperimentByName of a missing name → RESOURCE_DOES_NOT_EXIST', async () => {
    await expectCode(() => s.store.getExperimentByName('nope'), 'RESOURCE_DOES_NOT_EXIST');
  });

  s.test('deleteExperiment marks the experiment and its runs deleted; both stay readable', async () => {
    const id = await s.store.createExperiment('exp-a');
    const runId = await newRun(s.store, id);
    const before = await s.store.getExperiment(id);
    await s.store.deleteExperiment(id);
    const after = await s.store.getExperiment(id);
    expect(after.lifecycle_stage).toBe('deleted');
    expect(after.last_update_time).toBeGreaterThanOrEqual(before.last_update_time!);
    expect((await s.store.getExperimentByName('exp-a')).lifecycle_stage).toBe('deleted');
    expect((await s.store.getRun(runId)).info.lifecycle_stage).toBe('deleted');
  });

  s.test('restoreExperiment brings the experiment and its runs back', async () => {
    const id = await s.store.createExperiment('exp-a');
    const runId = await newRun(s.store, id);
    await s.store.deleteExperiment(id);
    await s.store.restoreExperiment(id);
    expect((await s.store.getExperiment(id)).lifecycle_stage).toBe('active');
    expect((await s.store.getRun(runId)).info.lifecycle_stage).toBe('active');
  });

  s.test('deleteExperiment("0") → INVALID_PARAMETER_VALUE (Runlog: 400 where MLflow answers 500)', async () => {
    await expectCode(() => s.store.deleteExperiment('0'), 'INVALID_PARAMETER_VALUE');
    expect((await s.store.getExperiment('0')).lifecycle_stage).toBe('active');
  });

  s.test('deleteExperiment / restoreExperiment of an unknown id → RESOURCE_DOES_NOT_EXIST', async () => {
    await expectCode(() => s.store.deleteExperiment('424242'), 'RESOURCE_DOES_NOT_EXIST');
    await expectCode(() => s.store.restoreExperiment('424242'), 'RESOURCE_DOES_NOT_EXIST');
  });

  s.test('restoreExperiment of an active experiment → RESOURCE_DOES_NOT_EXIST', async () => {
    const id = await s.store.createExperiment('exp-a');
    await expectCode(() => s.store.restoreExperiment(id), 'RESOURCE_DOES_NOT_EXIST');
  });

  s.test('renameExperiment changes the name both lookups see', async () => {
    const id = await s.store.createExperiment('old-name');
    await s.store.renameExperiment(id, 'new-name');
    expect((await s.store.getExperiment(id)).name).toBe('new-name');
    expect((await s.store.getExperimentByName('new-name')).experiment_id).toBe(id);
    await expectCode(() => s.store.getExperimentByName('old-name'), 'RESOURCE_DOES_NOT_EXIST');
  });

  s.test('renameExperiment to a taken name → RESOURCE_ALREADY_EXISTS', async () => {
    const id = await s.store.createExperiment('exp-a');
    await s.store.createExperiment('exp-b');
    await expectCode(() => s.store.renameExperiment(id, 'exp-b'), 'RESOURCE_ALREADY_EXISTS');
    expect((await s.store.getExperiment(id)).name).toBe('exp-a');
  });

  s.test('renameExperiment of a deleted experiment → INVALID_PARAMETER_VALUE', async () => {
    const id = await s.store.createExperiment('exp-a');
    await s.store.deleteExperiment(id);
    await expectCode(() => s.store.renameExperiment(id, 'exp-b'), 'INVALID_PARAMETER_VALUE');
  });

  s.test('renameExperiment to an empty name → INVALID_PARAMETER_VALUE; unknown id → RESOURCE_DOES_NOT_EXIST', async () => {
    const id = await s.store.createExperiment('exp-a');
    await expectCode(() => s.store.renameExperiment(id, ''), 'INVALID_PARAMETER_VALUE');
    await expectCode(() => s.store.renameExperiment('424242', 'exp-b'), 'RESOURCE_DOES_NOT_EXIST');
  });

  s.test('setExperimentTag adds and overwrites; deleteExperimentTag removes', async () => {
    const id = await s.store.createExperiment('exp-a', undefined, [kv('keep', '1')]);
    await s.store.setExperimentTag(id, kv('k', 'v1'));
    await s.store.setExperimentTag(id, kv('k', 'v2'));
    expect(sortedTags((await s.store.getExperiment(id)).tags)).toEqual([kv('k', 'v2'), kv('keep', '1')]);
    await s.store.deleteExperimentTag(id, 'k');
    expect(sortedTags((await s.store.getExperiment(id)).tags)).toEqual([kv('keep', '1')]);
  });

  s.test('deleteExperimentTag of a missing tag → RESOURCE_DOES_NOT_EXIST', async () => {
    const id = await s.store.createExperiment('exp-a');
    await expectCode(() => s.store.deleteExperimentTag(id, 'missing'), 'RESOURCE_DOES_NOT_EXIST');
  });

  s.test('setExperimentTag on a deleted experiment → INVALID_PARAMETER_VALUE; unknown → RESOURCE_DOES_NOT_EXIST', async () => {
    const id = await s.store.createExperiment('exp-a');
    await s.store.deleteExperiment(id);
    await expectCode(() => s.store.setExperimentTag(id, kv('k', 'v')), 'INVALID_PARAMETER_VALUE');
    await expectCode(() => s.store.setExperimentTag('424242', kv('k', 'v')), 'RESOURCE_DOES_NOT_EXIST');
  });

  const badExperimentTags: [string, KeyValue][] = [
    ['key with a forbidden character', kv('bad!char', 'v')],
    ['251-character key', kv('k'.repeat(251), 'v')],
    ['5001-character value', kv('k', 'v'.repeat(5001))],
  ];
  for (const [label, tag] of badExperimentTags) {
    s.test(`setExperimentTag with a ${label} → INVALID_PARAMETER_VALUE`, async () => {
      const id = await s.store.createExperiment('exp-a');
      await expectCode(() => s.store.setExperimentTag(id, tag), 'INVALID_PARAMETER_VALUE');
    });
  }
}

// ------------------------------------------------------------------------------------------------------------
// searchExperiments

function searchExperimentCases(s: Suite): void {
  const search = (filter?: string, viewType: ViewType = 'ALL', orderBy?: string[]): Promise<Page<Experiment>> =>
    s.store.searchExperiments({ viewType, maxResults: 1000, filter, orderBy });
  const names = (page: Page<Experiment>): string[] => page.items.map((e) => e.name);
  const nameSet = (page: Page<Experiment>): string[] => names(page).sort();

  s.test('view types select active, deleted or all experiments', async () => {
    await s.store.createExperiment('live');
    await s.store.deleteExperiment(await s.store.createExperiment('gone'));
    expect(nameSet(await search(undefined, 'ACTIVE_ONLY'))).toEqual(['Default', 'live']);
    expect(nameSet(await search(undefined, 'DELETED_ONLY'))).toEqual(['gone']);
    expect(nameSet(await search(undefined, 'ALL'))).toEqual(['Default', 'gone', 'live']);
  });

  const nameFilters: [string, string[]][] = [
    ["name = 'beta'", ['beta']],
    ["name != 'beta'", ['Alpha-2', 'Default', 'alpha-1']],
    ["name LIKE 'alpha%'", ['alpha-1']],
    ["name LIKE '%a-_'", ['Alpha-2', 'alpha-1']],
    ["name ILIKE 'alpha%'", ['Alpha-2', 'alpha-1']],
    ["attribute.name = 'Default'", ['Default']],
  ];
  for (const [filter, expected] of nameFilters) {
    s.test(`filter ${filter}`, async () => {
      for (const name of ['alpha-1', 'Alpha-2', 'beta']) await s.store.createExperiment(name);
      expect(nameSet(await search(filter))).toEqual(expected);
    });
  }

  const tagFilters: [string, string[]][] = [
    ["tags.team = 'core'", ['e1']],
    ["tags.team != 'core'", ['e2']],
    ["tags.team LIKE 'core%'", ['e1']],
    ["tags.team ILIKE 'core%'", ['e1', 'e2']],
    ["tag.team = 'core' AND name = 'e1'", ['e1']],
    ["tags.team = 'core' and name = 'e2'", []],
  ];
  for (const [filter, expected] of tagFilters) {
    s.test(`filter ${filter}`, async () => {
      await s.store.createExperiment('e1', undefined, [kv('team', 'core')]);
      await s.store.createExperiment('e2', undefined, [kv('team', 'Core-x')]);
      await s.store.createExperiment('e3', undefined, [kv('other', 'core')]);
      expect(nameSet(await search(filter))).toEqual(expected);
    });
  }

  const timeComparators = ['=', '!=', '>', '>=', '<', '<='] as const;
  const compareTime: Record<(typeof timeComparators)[number], (a: number, b: number) => boolean> = {
    '=': (a, b) => a === b,
    '!=': (a, b) => a !== b,
    '>': (a, b) => a > b,
    '>=': (a, b) => a >= b,
    '<': (a, b) => a < b,
    '<=': (a, b) => a <= b,
  };
  for (const op of timeComparators) {
    s.test(`filter creation_time ${op} <time of a middle experiment>`, async () => {
      for (const name of ['t1', 't2', 't3']) await s.store.createExperiment(name);
      const all = (await search()).items;
      const pivot = all.find((e) => e.name === 't2')!.creation_time!;
      const expected = all.filter((e) => compareTime[op](e.creation_time!, pivot)).map((e) => e.name).sort();
      expect(nameSet(await search(`creation_time ${op} ${pivot}`))).toEqual(expected);
    });
  }

  s.test('default order is creation_time DESC, then experiment_id ASC', async () => {
    for (const name of ['o1', 'o2', 'o3', 'o4']) await s.store.createExperiment(name);
    const items = (await search()).items;
    const expected = [...items].sort((a, b) => b.creation_time! - a.creation_time! || idOrder(a.experiment_id, b.experiment_id));
    expect(items.map((e) => e.experiment_id)).toEqual(expected.map((e) => e.experiment_id));
    expect(items).toHaveLength(5);
  });

  const nameOrders: [string[], string[]][] = [
    [['name ASC'], ['a-exp', 'b-exp', 'c-exp']],
    [['name'], ['a-exp', 'b-exp', 'c-exp']],
    [['name DESC'], ['c-exp', 'b-exp', 'a-exp']],
    [['name desc'], ['c-exp', 'b-exp', 'a-exp']],
  ];
  for (const [orderBy, expected] of nameOrders) {
    s.test(`order_by ${JSON.stringify(orderBy)}`, async () => {
      for (const name of ['b-exp', 'c-exp', 'a-exp']) await s.store.createExperiment(name);
      expect(names(await search("name LIKE '%-exp'", 'ALL', orderBy))).toEqual(expected);
    });
  }

  for (const pageSize of [1, 3, 4, 8, 50]) {
    s.test(`paging with maxResults ${pageSize} returns every experiment once; the last page has no token`, async () => {
      for (let i = 0; i < 7; i++) await s.store.createExperiment(`page-${i}`);
      const everything = (await search()).items.map((e) => e.experiment_id);
      const pages = await allPages((pageToken) => s.store.searchExperiments({ viewType: 'ALL', maxResults: pageSize, pageToken }));
      for (const page of pages) expect(page.items.length).toBeLessThanOrEqual(pageSize);
      expect(pages.flatMap((p) => p.items.map((e) => e.experiment_id))).toEqual(everything);
      expect(pages.at(-1)!.items.length).toBeGreaterThan(0);
      expect(pages.at(-1)!.next_page_token).toBeUndefined();
      expect(pages).toHaveLength(Math.ceil(8 / pageSize));
    });
  }

  for (const maxResults of [0, -1, 50001]) {
    s.test(`maxResults ${maxResults} → INVALID_PARAMETER_VALUE`, async () => {
      await expectCode(() => s.store.searchExperiments({ viewType: 'ALL', maxResults }), 'INVALID_PARAMETER_VALUE');
    });
  }

  s.test('maxResults 50000 is accepted', async () => {
    expect((await s.store.searchExperiments({ viewType: 'ALL', maxResults: 50000 })).items).toHaveLength(1);
  });

  for (const filter of ["name = 'a' OR name = 'b'", "name << 'a'", "bogus.key = 'a'", 'name = unquoted', "creation_time > 'x'", 'name ='] as const) {
    s.test(`malformed filter "${filter}" → INVALID_PARAMETER_VALUE`, async () => {
      await expectCode(() => search(filter), 'INVALID_PARAMETER_VALUE');
    });
  }

  s.test('invalid order_by → INVALID_PARAMETER_VALUE', async () => {
    await expectCode(() => search(undefined, 'ALL', ['bogus ASC']), 'INVALID_PARAMETER_VALUE');
    await expectCode(() => search(undefined, 'ALL', ['name SIDEWAYS']), 'INVALID_PARAMETER_VALUE');
  });

  for (const pageToken of ['%%%not-base64%%%', btoa('not json'), btoa('{"offset": -3}')]) {
    s.test(`malformed page token '${pageToken}' → INVALID_PARAMETER_VALUE`, async () => {
      await expectCode(() => s.store.searchExperiments({ viewType: 'ALL', maxResults: 10, pageToken }), 'INVALID_PARAMETER_VALUE');
    });
  }
}

// ------------------------------------------------------------------------------------------------------------
// Runs

function runCases(s: Suite): void {
  s.test('createRun fills in MLflow run fields and getRun returns the same', async () => {
    const expId = await s.store.createExperiment('exp-a');
    const exp = await s.store.getExperiment(expId);
    const run = await s.store.createRun({ experimentId: expId, userId: 'alice', runName: 'my-run', startTime: 1234, tags: [kv('team', 'x')] });
    const { info } = run;
    expect(info.run_id).toMatch(/^[0-9a-f]{32}$/);
    expect(info).toMatchObject({
      run_uuid: info.run_id,
      run_name: 'my-run',
      experiment_id: expId,
      user_id: 'alice',
      status: 'RUNNING',
      start_time: 1234,
      lifecycle_stage: 'active',
      artifact_uri: `${exp.artifact_location}/${info.run_id}/artifacts`,
    });
    expect(info.end_time).toBeUndefined();
    expect(sortedTags(run.data.tags)).toEqual([kv('mlflow.runName', 'my-run'), kv('team', 'x')]);
    const fetched = await s.store.getRun(info.run_id);
    expect(fetched.info).toEqual(info);
    expect(sortedTags(fetched.data.tags)).toEqual(sortedTags(run.data.tags));
  });

  s.test('createRun without a name generates adjective-animal-NNN and tags it', async () => {
    const run = await s.store.getRun(await newRun(s.store, '0'));
    expect(run.info.run_name).toMatch(/^[a-z]+-[a-z]+-\d+$/);
    expect(tagOf(run, 'mlflow.runName')).toBe(run.info.run_name);
  });

  s.test('createRun takes run_name from the mlflow.runName tag', async () => {
    const run = await s.store.getRun(await newRun(s.store, '0', { tags: [kv('mlflow.runName', 'from-tag')] }));
    expect(run.info.run_name).toBe('from-tag');
    expect(tagOf(run, 'mlflow.runName')).toBe('from-tag');
  });

  s.test('createRun accepts run_name equal to the mlflow.runName tag', async () => {
    const run = await s.store.getRun(await newRun(s.store, '0', { runName: 'same', tags: [kv('mlflow.runName', 'same')] }));
    expect(run.info.run_name).toBe('same');
  });

  s.test('createRun with run_name different from the mlflow.runName tag → INVALID_PARAMETER_VALUE', async () => {
    await expectCode(() => newRun(s.store, '0', { runName: 'a', tags: [kv('mlflow.runName', 'b')] }), 'INVALID_PARAMETER_VALUE');
  });

  s.test('createRun in an experiment with a custom location puts artifacts under it', async () => {
    const expId = await s.store.createExperiment('exp-a', 's3://bucket/root/');
    const run = await s.store.getRun(await newRun(s.store, expId));
    expect(run.info.artifact_uri).toMatch(new RegExp(`^s3://bucket/root/+${run.info.run_id}/artifacts$`));
  });

  s.test('createRun in an unknown experiment → RESOURCE_DOES_NOT_EXIST', async () => {
    await expectCode(() => newRun(s.store, '424242'), 'RESOURCE_DOES_NOT_EXIST');
  });

  s.test('createRun in a deleted experiment → INVALID_PARAMETER_VALUE', async () => {
    const expId = await s.store.createExperiment('exp-a');
    await s.store.deleteExperiment(expId);
    await expectCode(() => newRun(s.store, expId), 'INVALID_PARAMETER_VALUE');
  });

  s.test('getRun of an unknown run → RESOURCE_DOES_NOT_EXIST', async () => {
    await expectCode(() => s.store.getRun('0123456789abcdef0123456789abcdef'), 'RESOURCE_DOES_NOT_EXIST');
  });

  s.test('updateRun sets status and end_time and returns the updated info', async () => {
    const runId = await newRun(s.store, '0', { runName: 'keep' });
    const info = await s.store.updateRun(runId, { status: 'FINISHED', endTime: 2000 });
    expect(info).toMatchObject({ run_id: runId, status: 'FINISHED', end_time: 2000, run_name: 'keep' });
    expect((await s.store.getRun(runId)).info).toEqual(info);
  });

  s.test('updateRun changes only the fields given', async () => {
    const runId = await newRun(s.store, '0', { runName: 'keep' });
    await s.store.updateRun(runId, { status: 'KILLED' });
    await s.store.updateRun(runId, { endTime: 99 });
    expect((await s.store.getRun(runId)).info).toMatchObject({ status: 'KILLED', end_time: 99, run_name: 'keep' });
  });

  s.test('updateRun with run_name renames the run and its mlflow.runName tag', async () => {
    const runId = await newRun(s.store, '0', { runName: 'before' });
    expect((await s.store.updateRun(runId, { runName: 'after' })).run_name).toBe('after');
    const run = await s.store.getRun(runId);
    expect(run.info.run_name).toBe('after');
    expect(tagOf(run, 'mlflow.runName')).toBe('after');
  });

  s.test('updateRun / deleteRun / restoreRun of an unknown run → RESOURCE_DOES_NOT_EXIST', async () => {
    const unknown = '0123456789abcdef0123456789abcdef';
    await expectCode(() => s.store.updateRun(unknown, { status: 'FINISHED' }), 'RESOURCE_DOES_NOT_EXIST');
    await expectCode(() => s.store.deleteRun(unknown), 'RESOURCE_DOES_NOT_EXIST');
    await expectCode(() => s.store.restoreRun(unknown), 'RESOURCE_DOES_NOT_EXIST');
  });

  s.test('deleteRun / restoreRun flip lifecycle_stage; a deleted run stays readable with its data', async () => {
    const runId = await newRun(s.store, '0');
    await s.store.logBatch(runId, [pt('m', 1)], [kv('p', '1')], []);
    await s.store.deleteRun(runId);
    const deleted = await s.store.getRun(runId);
    expect(deleted.info.lifecycle_stage).toBe('deleted');
    expect(latestOf(deleted, 'm')?.value).toBe(1);
    expect(paramOf(deleted, 'p')).toBe('1');
    expect((await s.store.getMetricHistory(runId, 'm')).items).toHaveLength(1);
    await s.store.restoreRun(runId);
    expect((await s.store.getRun(runId)).info.lifecycle_stage).toBe('active');
  });

  const writesToDeletedRun: [string, (store: TrackingStore, runId: string) => Promise<unknown>][] = [
    ['updateRun', (store, id) => store.updateRun(id, { status: 'FINISHED' })],
    ['logBatch with a metric', (store, id) => store.logBatch(id, [pt('m', 1)], [], [])],
    ['logBatch with a param', (store, id) => store.logBatch(id, [], [kv('p', 'v')], [])],
    ['logBatch with a tag', (store, id) => store.logBatch(id, [], [], [kv('t', 'v')])],
    ['deleteTag', (store, id) => store.deleteTag(id, 'existing')],
    ['logInputs', (store, id) => store.logInputs(id, [dataset('ds', 'd1')])],
    ['recordLoggedModel', (store, id) => store.recordLoggedModel(id, { artifact_path: 'model' })],
  ];
  for (const [label, write] of writesToDeletedRun) {
    s.test(`${label} on a deleted run → INVALID_PARAMETER_VALUE`, async () => {
      const runId = await newRun(s.store, '0', { tags: [kv('existing', 'x')] });
      await s.store.deleteRun(runId);
      await expectCode(() => write(s.store, runId), 'INVALID_PARAMETER_VALUE');
      await s.store.restoreRun(runId);
      const run = await s.store.getRun(runId);
      expect(run.data.metrics ?? []).toEqual([]);
      expect(run.data.params ?? []).toEqual([]);
      expect(run.info.status).toBe('RUNNING');
    });
  }
}

// ------------------------------------------------------------------------------------------------------------
// logBatch

function logBatchCases(s: Suite): void {
  s.test('metrics, params and tags land in the run', async () => {
    const runId = await newRun(s.store, '0', { runName: 'r' });
    await s.store.logBatch(runId, [pt('loss', 0.5, 3, 100), pt('acc', 0.9, 1, 50)], [kv('lr', '0.1'), kv('opt', 'adam')], [kv('team', 'x')]);
    const run = await s.store.getRun(runId);
    expect([...(run.data.metrics ?? [])].sort(byKey)).toEqual([pt('acc', 0.9, 1, 50), pt('loss', 0.5, 3, 100)]);
    expect(sortedTags(run.data.params)).toEqual([kv('lr', '0.1'), kv('opt', 'adam')]);
    expect(sortedTags(run.data.tags)).toEqual([kv('mlflow.runName', 'r'), kv('team', 'x')]);
  });

  s.test('tags are overwritten by a later batch', async () => {
    const runId = await newRun(s.store, '0');
    await s.store.logBatch(runId, [], [], [kv('t', 'one')]);
    await s.store.logBatch(runId, [], [], [kv('t', 'two')]);
    expect(tagOf(await s.store.getRun(runId), 't')).toBe('two');
  });

  // The latest value of a key is the max of (step, timestamp, value), however the points arrive.
  const points = [pt('m', 1, 1, 50), pt('m', 2, 2, 1), pt('m', -1, 2, 3), pt('m', 0, 2, 3), pt('m', 7, 0, 999)];
  const winner = pt('m', 0, 2, 3);
  const orders: [string, Metric[][]][] = [
    ['one batch, logged order', [points]],
    ['one batch, reversed', [[...points].reverse()]],
    ['one batch per point', points.map((p) => [p])],
    ['one batch per point, reversed', [...points].reverse().map((p) => [p])],
  ];
  for (const [label, batches] of orders) {
    s.test(`latest metric is the max by (step, timestamp, value): ${label}`, async () => {
      const runId = await newRun(s.store, '0');
      for (const batch of batches) await logMetrics(s.store, runId, batch);
      expect(latestOf(await s.store.getRun(runId), 'm')).toEqual(winner);
    });
  }

  s.test('NaN, Infinity and -Infinity round-trip through getRun and getMetricHistory', async () => {
    const runId = await newRun(s.store, '0');
    const specials = [pt('nan', NaN, 0, 1), pt('inf', Infinity, 0, 1), pt('ninf', -Infinity, 0, 1)];
    await logMetrics(s.store, runId, specials);
    const run = await s.store.getRun(runId);
    for (const p of specials) {
      expect(latestOf(run, p.key)).toEqual(p);
      expect((await s.store.getMetricHistory(runId, p.key)).items).toEqual([p]);
    }
  });

  s.test('re-logging a param with the same value succeeds', async () => {
    const runId = await newRun(s.store, '0');
    await s.store.logBatch(runId, [], [kv('p', 'v')], []);
    await s.store.logBatch(runId, [], [kv('p', 'v')], []);
    expect((await s.store.getRun(runId)).data.params).toEqual([kv('p', 'v')]);
  });

  s.test('re-logging a param with a different value → INVALID_PARAMETER_VALUE and the batch writes nothing', async () => {
    const runId = await newRun(s.store, '0', { runName: 'r' });
    await s.store.logBatch(runId, [], [kv('p', 'v')], []);
    await expectCode(
      () => s.store.logBatch(runId, [pt('m', 1, 0, 1), pt('m2', 2, 0, 1)], [kv('fresh', '1'), kv('p', 'other')], [kv('t', 'x')]),
      'INVALID_PARAMETER_VALUE',
    );
    const run = await s.store.getRun(runId);
    expect(run.data.metrics ?? []).toEqual([]);
    expect(run.data.params).toEqual([kv('p', 'v')]);
    expect(sortedTags(run.data.tags)).toEqual([kv('mlflow.runName', 'r')]);
    expect((await s.store.getMetricHistory(runId, 'm')).items).toEqual([]);
  });

  for (const [label, values] of [['same', ['a', 'a']], ['different', ['a', 'b']]] as const) {
    s.test(`duplicate param keys (${label} values) in one batch → INVALID_PARAMETER_VALUE`, async () => {
      const runId = await newRun(s.store, '0');
      await expectCode(() => s.store.logBatch(runId, [pt('m', 1)], [kv('p', values[0]), kv('p', values[1])], []), 'INVALID_PARAMETER_VALUE');
      expect((await s.store.getRun(runId)).data.params ?? []).toEqual([]);
    });
  }

  const many = (n: number, make: (i: number) => KeyValue): KeyValue[] => Array.from({ length: n }, (_, i) => make(i));
  const metricsN = (n: number): Metric[] => Array.from({ length: n }, (_, i) => pt(`m${i}`, i));
  const limits: [string, Metric[], KeyValue[], KeyValue[]][] = [
    ['1001 metrics', metricsN(1001), [], []],
    ['101 params', [], many(101, (i) => kv(`p${i}`, 'v')), []],
    ['101 tags', [], [], many(101, (i) => kv(`t${i}`, 'v'))],
    ['1000 metrics + 1 param (1001 entities)', metricsN(1000), [kv('p', 'v')], []],
  ];
  for (const [label, metrics, params, tags] of limits) {
    s.test(`a batch with ${label} → INVALID_PARAMETER_VALUE`, async () => {
      const runId = await newRun(s.store, '0');
      await expectCode(() => s.store.logBatch(runId, metrics, params, tags), 'INVALID_PARAMETER_VALUE');
      expect((await s.store.getRun(runId)).data.metrics ?? []).toEqual([]);
    });
  }

  s.test('a batch at the limits (1000 metrics; 100 params + 100 tags) is accepted', async () => {
    const runId = await newRun(s.store, '0');
    await s.store.logBatch(runId, metricsN(1000), [], []);
    await s.store.logBatch(runId, [], many(100, (i) => kv(`p${i}`, 'v')), many(100, (i) => kv(`t${i}`, 'v')));
    const run = await s.store.getRun(runId);
    expect(run.data.metrics).toHaveLength(1000);
    expect(run.data.params).toHaveLength(100);
    expect(run.data.tags!.length).toBeGreaterThanOrEqual(100);
  });

  const kinds: [string, (key: string) => [Metric[], KeyValue[], KeyValue[]]][] = [
    ['metric', (key) => [[pt(key, 1)], [], []]],
    ['param', (key) => [[], [kv(key, 'v')], []]],
    ['tag', (key) => [[], [], [kv(key, 'v')]]],
  ];
  const badKeys = ['../x', 'a//b', '/a', 'a/', '.', 'bad!char', 'k'.repeat(251)];
  for (const [kind, batch] of kinds) {
    for (const key of badKeys) {
      s.test(`${kind} key '${key.length > 20 ? `<${key.length} chars>` : key}' → INVALID_PARAMETER_VALUE`, async () => {
        const runId = await newRun(s.store, '0');
        await expectCode(() => s.store.logBatch(runId, ...batch(key)), 'INVALID_PARAMETER_VALUE');
      });
    }
    s.test(`${kind} keys with slashes, dots, dashes, spaces, colons and 250 characters are accepted`, async () => {
      const runId = await newRun(s.store, '0');
      for (const key of ['a/b', 'x.y-z w:v_u', 'k'.repeat(250)]) await s.store.logBatch(runId, ...batch(key));
    });
  }

  s.test('an invalid metric key among valid entries writes nothing', async () => {
    const runId = await newRun(s.store, '0');
    await expectCode(() => s.store.logBatch(runId, [pt('good', 1), pt('bad!', 2)], [kv('p', 'v')], [kv('t', 'v')]), 'INVALID_PARAMETER_VALUE');
    const run = await s.store.getRun(runId);
    expect(run.data.metrics ?? []).toEqual([]);
    expect(run.data.params ?? []).toEqual([]);
    expect(tagOf(run, 't')).toBeUndefined();
  });

  s.test('long param values are truncated to 6000 and tag values to 8000 characters', async () => {
    const runId = await newRun(s.store, '0');
    await s.store.logBatch(runId, [], [kv('p', 'x'.repeat(6001))], [kv('t', 'y'.repeat(8001))]);
    const run = await s.store.getRun(runId);
    expect(paramOf(run, 'p')).toBe('x'.repeat(6000));
    expect(tagOf(run, 't')).toBe('y'.repeat(8000));
  });

  s.test('a retried identical batch is idempotent', async () => {
    const runId = await newRun(s.store, '0');
    const metrics = [pt('m', 1, 0, 10), pt('m', 2, 1, 11), pt('m', NaN, 2, 12)];
    await s.store.logBatch(runId, metrics, [kv('p', 'v')], [kv('t', 'v')]);
    await s.store.logBatch(runId, metrics, [kv('p', 'v')], [kv('t', 'v')]);
    expect((await s.store.getMetricHistory(runId, 'm')).items).toEqual(metrics);
    expect((await s.store.getRun(runId)).data.params).toEqual([kv('p', 'v')]);
  });

  s.test('a retried metrics-only batch is idempotent; a batch overlapping stored points adds only the new ones', async () => {
    const runId = await newRun(s.store, '0');
    const first = [pt('m', 1, 0, 10), pt('m', 2, 1, 11), pt('n', NaN, 0, 12)];
    await logMetrics(s.store, runId, first);
    await logMetrics(s.store, runId, first);
    const overlapping = [pt('m', 2, 1, 11), pt('m', 3, 2, 13), pt('m', 3, 2, 13), pt('n', Infinity, 1, 14)];
    await logMetrics(s.store, runId, overlapping);
    expect((await s.store.getMetricHistory(runId, 'm')).items).toEqual([pt('m', 1, 0, 10), pt('m', 2, 1, 11), pt('m', 3, 2, 13)]);
    expect((await s.store.getMetricHistory(runId, 'n')).items).toEqual([pt('n', NaN, 0, 12), pt('n', Infinity, 1, 14)]);
    const run = await s.store.getRun(runId);
    expect(latestOf(run, 'm')).toEqual(pt('m', 3, 2, 13));
    expect(latestOf(run, 'n')).toEqual(pt('n', Infinity, 1, 14));
  });

  s.test('negative steps, steps beyond 32 bits and timestamps up to 2^53 - 1 round-trip', async () => {
    const runId = await newRun(s.store, '0');
    const points = [
      pt('m', -1.5, Number.MIN_SAFE_INTEGER, 0),
      pt('m', 0.25, -1, 2 ** 32),
      pt('m', 0.5, 2 ** 32 + 7, 2 ** 40 + 3),
      pt('m', 1e-300, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
    ];
    await logMetrics(s.store, runId, [...points].reverse());
    expect((await s.store.getMetricHistory(runId, 'm')).items).toEqual(points);
    expect(latestOf(await s.store.getRun(runId), 'm')).toEqual(points[3]);
  });

  s.test('a tag mlflow.runName renames the run', async () => {
    const runId = await newRun(s.store, '0', { runName: 'before' });
    await s.store.logBatch(runId, [], [], [kv('mlflow.runName', 'after')]);
    expect((await s.store.getRun(runId)).info.run_name).toBe('after');
  });

  s.test('deleteTag removes a tag', async () => {
    const runId = await newRun(s.store, '0');
    await s.store.logBatch(runId, [], [], [kv('t', 'v'), kv('u', 'w')]);
    await s.store.deleteTag(runId, 't');
    const run = await s.store.getRun(runId);
    expect(tagOf(run, 't')).toBeUndefined();
    expect(tagOf(run, 'u')).toBe('w');
  });

  s.test('deleteTag of a missing tag or an unknown run → RESOURCE_DOES_NOT_EXIST', async () => {
    const runId = await newRun(s.store, '0');
    await expectCode(() => s.store.deleteTag(runId, 'missing'), 'RESOURCE_DOES_NOT_EXIST');
    await expectCode(() => s.store.deleteTag('0123456789abcdef0123456789abcdef', 't'), 'RESOURCE_DOES_NOT_EXIST');
  });

  s.test('logBatch to an unknown run → RESOURCE_DOES_NOT_EXIST', async () => {
    await expectCode(() => s.store.logBatch('0123456789abcdef0123456789abcdef', [pt('m', 1)], [], []), 'RESOURCE_DOES_NOT_EXIST');
  });
}

// ------------------------------------------------------------------------------------------------------------
// getMetricHistory, getMetricHistoryBulkInterval, getMetricHistoryBulk

function metricHistoryCases(s: Suite): void {
  s.test('getMetricHistory returns every point in step order, same step with different timestamps included', async () => {
    const runId = await newRun(s.store, '0');
    const points = [pt('m', 3, 2, 10), pt('m', 1, 0, 5), pt('m', 2, 1, 8), pt('m', 4, 1, 7), pt('m', 5, 1, 9)];
    await logMetrics(s.store, runId, points.slice(0, 2));
    await logMetrics(s.store, runId, points.slice(2));
    const page = await s.store.getMetricHistory(runId, 'm');
    expect(page.items.map((p) => p.step)).toEqual([0, 1, 1, 1, 2]);
    expect([...page.items].sort(byStepTime)).toEqual([...points].sort(byStepTime));
    expect(page.next_page_token).toBeUndefined();
  });

  s.test('getMetricHistory of an unknown key is empty; of an unknown run → RESOURCE_DOES_NOT_EXIST', async () => {
    const runId = await newRun(s.store, '0');
    await logMetrics(s.store, runId, [pt('m', 1)]);
    expect((await s.store.getMetricHistory(runId, 'other')).items).toEqual([]);
    await expectCode(() => s.store.getMetricHistory('0123456789abcdef0123456789abcdef', 'm'), 'RESOURCE_DOES_NOT_EXIST');
  });

  for (const maxResults of [1, 7, 25, 100]) {
    s.test(`getMetricHistory paged by ${maxResults} covers every point exactly once`, async () => {
      const runId = await newRun(s.store, '0');
      const points = Array.from({ length: 25 }, (_, i) => pt('m', i * 0.5, Math.floor(i / 2), 1000 + i));
      await logMetrics(s.store, runId, [...points].reverse());
      const pages = await allPages((pageToken) => s.store.getMetricHistory(runId, 'm', { maxResults, pageToken }));
      for (const page of pages) expect(page.items.length).toBeLessThanOrEqual(maxResults);
      expect(pages.flatMap((p) => p.items)).toEqual(points);
      expect(pages.at(-1)!.next_page_token).toBeUndefined();
    });
  }

  s.test('bulk interval with no more steps than maxResults returns every point of each run, in run order', async () => {
    const r1 = await newRun(s.store, '0');
    const r2 = await newRun(s.store, '0');
    const p1 = [pt('m', 1, 0, 1), pt('m', 2, 1, 2), pt('m', 3, 1, 3), pt('m', 4, 4, 4)];
    const p2 = [pt('m', 5, 0, 1), pt('m', 6, 2, 2), pt('m', 7, 3, 3)];
    await logMetrics(s.store, r1, [...p1].reverse());
    await logMetrics(s.store, r2, p2);
    const out = await s.store.getMetricHistoryBulkInterval({ runIds: [r2, r1], metricKey: 'm', maxResults: 10 });
    expect(out).toEqual([...p2.map((p) => ({ ...p, run_id: r2 })), ...p1.map((p) => ({ ...p, run_id: r1 }))]);
  });

  s.test('bulk interval downsamples 1000 steps to about maxResults per run, keeping first and last', async () => {
    const runs = [await newRun(s.store, '0'), await newRun(s.store, '0')];
    for (const runId of runs) await logMetrics(s.store, runId, Array.from({ length: 1000 }, (_, i) => pt('m', i, i, i)));
    const out = await s.store.getMetricHistoryBulkInterval({ runIds: runs, metricKey: 'm', maxResults: 10 });
    expect(out.map((p) => p.run_id)).toEqual([...out.map((p) => p.run_id)].sort((a, b) => runs.indexOf(a) - runs.indexOf(b)));
    for (const runId of runs) {
      const steps = out.filter((p) => p.run_id === runId).map((p) => p.step);
      expect(steps).toEqual([...new Set(steps)].sort((a, b) => a - b));
      expect(steps.length).toBeGreaterThanOrEqual(2);
      expect(steps.length).toBeLessThanOrEqual(12);
      expect(steps[0]).toBe(0);
      expect(steps.at(-1)).toBe(999);
    }
    for (const p of out) expect(p.value).toBe(p.step);
  });

  // MLflow's sampling: picks at index start + int(i * n / max_results), kept while below n (the count in range — a
  // quirk that drops late picks of a window that does not start at the first step), plus the last step in range.
  s.test('bulk interval picks the same ranks whether the steps are dense or sparse', async () => {
    const dense = await newRun(s.store, '0');
    const sparse = await newRun(s.store, '0');
    await logMetrics(s.store, dense, Array.from({ length: 100 }, (_, i) => pt('m', i, i, i)));
    await logMetrics(s.store, sparse, Array.from({ length: 100 }, (_, i) => pt('m', i, 2 * i, i)));
    const d = await s.store.getMetricHistoryBulkInterval({ runIds: [dense], metricKey: 'm', maxResults: 5 });
    const sp = await s.store.getMetricHistoryBulkInterval({ runIds: [sparse], metricKey: 'm', maxResults: 5 });
    expect(d.map((p) => p.step)).toEqual([0, 20, 40, 60, 80, 99]);
    expect(sp.map((p) => p.step)).toEqual([0, 40, 80, 120, 160, 198]);
    const window = await s.store.getMetricHistoryBulkInterval({ runIds: [dense], metricKey: 'm', startStep: 10, endStep: 30, maxResults: 3 });
    expect(window.map((p) => p.step)).toEqual([10, 17, 30]);
  });

  s.test('bulk interval with start_step and end_step returns only that window', async () => {
    const runId = await newRun(s.store, '0');
    await logMetrics(s.store, runId, Array.from({ length: 20 }, (_, i) => pt('m', i, i, i)));
    const out = await s.store.getMetricHistoryBulkInterval({ runIds: [runId], metricKey: 'm', startStep: 5, endStep: 9, maxResults: 100 });
    expect(out.map((p) => p.step)).toEqual([5, 6, 7, 8, 9]);
  });

  s.test('bulk interval of an unknown key is empty', async () => {
    const runId = await newRun(s.store, '0');
    expect(await s.store.getMetricHistoryBulkInterval({ runIds: [runId], metricKey: 'none', maxResults: 10 })).toEqual([]);
  });

  const badIntervals: [string, (runId: string) => Parameters<TrackingStore['getMetricHistoryBulkInterval']>[0]][] = [
    ['only start_step', (id) => ({ runIds: [id], metricKey: 'm', startStep: 1, maxResults: 10 })],
    ['only end_step', (id) => ({ runIds: [id], metricKey: 'm', endStep: 1, maxResults: 10 })],
    ['start_step > end_step', (id) => ({ runIds: [id], metricKey: 'm', startStep: 5, endStep: 4, maxResults: 10 })],
    ['no run ids', () => ({ runIds: [], metricKey: 'm', maxResults: 10 })],
    ['101 run ids', (id) => ({ runIds: Array.from({ length: 101 }, (_, i) => (i === 0 ? id : `${i}`.padStart(32, 'a'))), metricKey: 'm', maxResults: 10 })],
  ];
  for (const [label, query] of badIntervals) {
    s.test(`bulk interval with ${label} → INVALID_PARAMETER_VALUE`, async () => {
      const runId = await newRun(s.store, '0');
      await logMetrics(s.store, runId, [pt('m', 1, 1, 1)]);
      await expectCode(() => s.store.getMetricHistoryBulkInterval(query(runId)), 'INVALID_PARAMETER_VALUE');
    });
  }

  s.test('getMetricHistoryBulk returns points grouped by run id, capped at maxResults', async () => {
    const r1 = await newRun(s.store, '0');
    const r2 = await newRun(s.store, '0');
    await logMetrics(s.store, r1, [pt('m', 1, 0, 2), pt('m', 2, 1, 1)]);
    await logMetrics(s.store, r2, [pt('m', 3, 0, 5)]);
    const out = await s.store.getMetricHistoryBulk([r1, r2], 'm', 25000);
    expect(out).toHaveLength(3);
    expect(out.map((p) => p.run_id)).toEqual([r1, r1, r2].sort());
    expect(out.filter((p) => p.run_id === r1).map((p) => p.timestamp)).toEqual([1, 2]);
    expect(await s.store.getMetricHistoryBulk([r1, r2], 'm', 2)).toHaveLength(2);
  });
}

// ------------------------------------------------------------------------------------------------------------
// logInputs, searchDatasets, recordLoggedModel

function inputCases(s: Suite): void {
  s.test('logInputs: the dataset shows up in getRun().inputs.dataset_inputs with its tags', async () => {
    const runId = await newRun(s.store, '0');
    const input = dataset('ds1', 'abc123', 'training');
    await s.store.logInputs(runId, [input]);
    expect((await s.store.getRun(runId)).inputs.dataset_inputs).toEqual([input]);
  });

  s.test('logInputs: logging the same dataset twice keeps one input', async () => {
    const runId = await newRun(s.store, '0');
    await s.store.logInputs(runId, [dataset('ds1', 'abc123', 'training')]);
    await s.store.logInputs(runId, [dataset('ds1', 'abc123', 'training')]);
    expect((await s.store.getRun(runId)).inputs.dataset_inputs).toHaveLength(1);
  });

  s.test('logInputs: different digests are different datasets', async () => {
    const runId = await newRun(s.store, '0');
    await s.store.logInputs(runId, [dataset('ds1', 'd1'), dataset('ds1', 'd2')]);
    const digests = (await s.store.getRun(runId)).inputs.dataset_inputs!.map((i) => i.dataset.digest).sort();
    expect(digests).toEqual(['d1', 'd2']);
  });

  s.test('searchDatasets returns one summary per dataset and context', async () => {
    const expId = await s.store.createExperiment('exp-a');
    const r1 = await newRun(s.store, expId);
    const r2 = await newRun(s.store, expId);
    await s.store.logInputs(r1, [dataset('train', 'd1', 'training'), dataset('eval', 'd2', 'eval')]);
    await s.store.logInputs(r2, [dataset('train', 'd1', 'training')]);
    await s.store.logInputs(await newRun(s.store, '0'), [dataset('elsewhere', 'd3', 'training')]);
    const summaries = [...(await s.store.searchDatasets([expId]))].sort((a, b) => (a.name < b.name ? -1 : 1));
    expect(summaries).toEqual([
      { experiment_id: expId, name: 'eval', digest: 'd2', context: 'eval' },
      { experiment_id: expId, name: 'train', digest: 'd1', context: 'training' },
    ]);
  });

  s.test('recordLoggedModel appends to the mlflow.log-model.history tag', async () => {
    const runId = await newRun(s.store, '0');
    const first = { run_id: runId, artifact_path: 'model', utc_time_created: '2024-01-01 00:00:00.000000', flavors: { python_function: {} } };
    const second = { ...first, artifact_path: 'model2' };
    await s.store.recordLoggedModel(runId, first);
    await s.store.recordLoggedModel(runId, second);
    const history: unknown = JSON.parse(tagOf(await s.store.getRun(runId), 'mlflow.log-model.history') ?? 'null');
    expect(history).toEqual([first, second]);
  });
}

// ------------------------------------------------------------------------------------------------------------
// searchRuns

type Label = 'A' | 'B' | 'C' | 'D';

interface RunSpec {
  name: string;
  user: string;
  start: number;
  status?: 'FINISHED' | 'FAILED';
  metrics: Record<string, number>;
  params: Record<string, string>;
  tags: Record<string, string>;
  dataset?: [name: string, context: string];
}

/** Four runs; C and D start at the same time, so ties fall back to run_id ASC. */
const RUN_SPECS: Record<Label, RunSpec> = {
  A: { name: 'alpha', user: 'alice', start: 1000, status: 'FINISHED', metrics: { loss: 0.5, acc: 0.9 }, params: { model: 'lr', batch: '32' }, tags: { team: 'ml-core', prio: 'b' }, dataset: ['train-ds', 'training'] },
  B: { name: 'beta', user: 'bob', start: 2000, metrics: { loss: 1.5 }, params: { model: 'LR-big', batch: '128' }, tags: { team: 'ML-ops', prio: 'c' } },
  C: { name: 'gamma', user: 'alice', start: 3000, status: 'FAILED', metrics: { acc: 0.1 }, params: { model: 'tree', batch: '64' }, tags: {}, dataset: ['eval-ds', 'eval'] },
  D: { name: 'delta', user: 'carol', start: 3000, metrics: { loss: 1 }, params: {}, tags: { team: 'ml-core', prio: 'a' } },
};

interface RunFixture {
  experimentId: string;
  ids: Record<Label, string>;
  labels(runs: readonly Run[]): Label[];
  /** Expected order; a nested list is a tie, ordered by run_id ASC. */
  order(expected: readonly (Label | readonly Label[])[]): Label[];
}

async function seedRun(store: TrackingStore, experimentId: string, spec: RunSpec): Promise<string> {
  const runId = await newRun(store, experimentId, { runName: spec.name, userId: spec.user, startTime: spec.start });
  const metrics = Object.entries(spec.metrics).map(([key, value]) => pt(key, value, 0, spec.start));
  await store.logBatch(runId, metrics, Object.entries(spec.params).map(([k, v]) => kv(k, v)), Object.entries(spec.tags).map(([k, v]) => kv(k, v)));
  if (spec.status) await store.updateRun(runId, { status: spec.status, endTime: spec.start + 1 });
  if (spec.dataset) await store.logInputs(runId, [dataset(spec.dataset[0], 'digest', spec.dataset[1])]);
  return runId;
}

async function seedRuns(store: TrackingStore): Promise<RunFixture> {
  const experimentId = await store.createExperiment('search-runs');
  const ids = {} as Record<Label, string>;
  for (const label of ['A', 'B', 'C', 'D'] as const) ids[label] = await seedRun(store, experimentId, RUN_SPECS[label]);
  const byId = new Map(Object.entries(ids).map(([label, id]) => [id, label as Label]));
  return {
    experimentId,
    ids,
    labels: (runs) => runs.map((r) => byId.get(r.info.run_id) ?? (r.info.run_id as Label)),
    order: (expected) => expected.flatMap((e) => (typeof e === 'string' ? [e] : [...e].sort((a, b) => (ids[a] < ids[b] ? -1 : 1)))),
  };
}

function searchRunCases(s: Suite): void {
  const search = (fx: RunFixture, filter?: string, orderBy?: string[], viewType: ViewType = 'ACTIVE_ONLY'): Promise<Page<Run>> =>
    s.store.searchRuns({ experimentIds: [fx.experimentId], filter, orderBy, viewType, maxResults: 1000 });

  const filters: [string, Label[]][] = [
    ['metrics.loss = 1', ['D']],
    ['metrics.loss != 1', ['A', 'B']],
    ['metrics.loss > 0.5', ['B', 'D']],
    ['metrics.loss >= 0.5', ['A', 'B', 'D']],
    ['metrics.loss < 1.5', ['A', 'D']],
    ['metrics.loss <= 1.5', ['A', 'B', 'D']],
    ['metric.acc > 0.5', ['A']],
    ['metrics.missing > 0', []],
    ["params.model = 'lr'", ['A']],
    ["params.model != 'lr'", ['B', 'C']],
    ["params.model LIKE 'lr%'", ['A']],
    ["params.model LIKE '%r%'", ['A', 'C']],
    ["params.model ILIKE 'lr%'", ['A', 'B']],
    ["param.batch = '32'", ['A']],
    ["tags.team = 'ml-core'", ['A', 'D']],
    ["tags.team != 'ml-core'", ['B']],
    ["tags.team LIKE 'ml-%'", ['A', 'D']],
    ["tags.team ILIKE 'ml-%'", ['A', 'B', 'D']],
    ['tags."mlflow.runName" = \'beta\'', ['B']],
    ["attributes.status = 'RUNNING'", ['B', 'D']],
    ["attributes.status != 'RUNNING'", ['A', 'C']],
    ["attributes.run_name = 'alpha'", ['A']],
    ["attributes.run_name LIKE '%ta'", ['B', 'D']],
    ["attributes.run_name ILIKE 'DELTA'", ['D']],
    ["attributes.run_name LIKE 'DELTA'", []],
    ['attributes.start_time > 1000', ['B', 'C', 'D']],
    ['attributes.start_time = 3000', ['C', 'D']],
    ['attributes.start_time <= 2000', ['A', 'B']],
    ['attributes.start_time != 3000', ['A', 'B']],
    ['created < 2000', ['A']],
    ["attributes.run_id IN ('{A}', '{C}')", ['A', 'C']],
    ["attributes.run_id NOT IN ('{A}', '{C}')", ['B', 'D']],
    ["attributes.run_id = '{B}'", ['B']],
    ["attributes.user_id = 'alice'", ['A', 'C']],
    ["datasets.name = 'train-ds'", ['A']],
    ["datasets.context = 'eval'", ['C']],
    ["datasets.name IN ('train-ds', 'eval-ds')", ['A', 'C']],
    ["metrics.loss < 2 AND params.model ILIKE 'lr%'", ['A', 'B']],
    ["metrics.loss < 2 and tags.team = 'ml-core' and attributes.user_id = 'carol'", ['D']],
  ];
  for (const [filter, expected] of filters) {
    s.test(`filter ${filter}`, async () => {
      const fx = await seedRuns(s.store);
      const resolved = filter.replace(/\{([ABCD])\}/g, (_, label: Label) => fx.ids[label]);
      expect(fx.labels((await search(fx, resolved)).items).sort()).toEqual(expected);
    });
  }

  const orders: [string[], (Label | Label[])[]][] = [
    [[], [['C', 'D'], 'B', 'A']],
    [['metrics.loss ASC'], ['A', 'D', 'B', 'C']],
    [['metrics.loss'], ['A', 'D', 'B', 'C']],
    [['metrics.loss DESC'], ['B', 'D', 'A', 'C']],
    [['metrics.acc DESC'], ['A', 'C', 'D', 'B']],
    [['params.batch ASC'], ['B', 'A', 'C', 'D']],
    [['params.batch DESC'], ['C', 'A', 'B', 'D']],
    [['tags.prio ASC'], ['D', 'A', 'B', 'C']],
    [['tags.prio DESC'], ['B', 'A', 'D', 'C']],
    [['attributes.run_name ASC'], ['A', 'B', 'D', 'C']],
    [['attributes.start_time ASC'], ['A', 'B', ['C', 'D']]],
    [['start_time DESC'], [['C', 'D'], 'B', 'A']],
    [['attributes.status ASC'], ['C', 'A', 'D', 'B']],
    [['attributes.user_id ASC', 'attributes.start_time ASC'], ['A', 'C', 'B', 'D']],
  ];
  for (const [orderBy, expected] of orders) {
    s.test(`order_by ${JSON.stringify(orderBy)}${orderBy.length === 0 ? ' (default: start_time DESC, run_id ASC)' : ''}`, async () => {
      const fx = await seedRuns(s.store);
      expect(fx.labels((await search(fx, undefined, orderBy)).items)).toEqual(fx.order(expected));
    });
  }

  for (const direction of ['ASC', 'DESC'] as const) {
    s.test(`order_by a metric ${direction}: NaN after numbers, missing last`, async () => {
      const expId = await s.store.createExperiment('nan-order');
      const values: [string, number | undefined][] = [['one', 1], ['nan', NaN], ['none', undefined], ['two', 2]];
      for (const [i, [name, value]] of values.entries()) {
        const runId = await newRun(s.store, expId, { runName: name, startTime: i });
        if (value !== undefined) await logMetrics(s.store, runId, [pt('m', value)]);
      }
      const page = await s.store.searchRuns({ experimentIds: [expId], viewType: 'ALL', maxResults: 10, orderBy: [`metrics.m ${direction}`] });
      const numbers = direction === 'ASC' ? ['one', 'two'] : ['two', 'one'];
      expect(page.items.map((r) => r.info.run_name)).toEqual([...numbers, 'nan', 'none']);
    });
  }

  const views: [ViewType, Label[]][] = [
    ['ACTIVE_ONLY', ['A', 'C', 'D']],
    ['DELETED_ONLY', ['B']],
    ['ALL', ['A', 'B', 'C', 'D']],
  ];
  for (const [viewType, expected] of views) {
    s.test(`view type ${viewType}`, async () => {
      const fx = await seedRuns(s.store);
      await s.store.deleteRun(fx.ids.B);
      expect(fx.labels((await search(fx, undefined, undefined, viewType)).items).sort()).toEqual(expected);
    });
  }

  s.test('search results carry run data', async () => {
    const fx = await seedRuns(s.store);
    const [run] = (await search(fx, "attributes.run_name = 'alpha'")).items;
    expect(latestOf(run!, 'loss')).toEqual(pt('loss', 0.5, 0, 1000));
    expect(paramOf(run!, 'model')).toBe('lr');
    expect(tagOf(run!, 'team')).toBe('ml-core');
    expect(run!.inputs.dataset_inputs?.map((i) => i.dataset.name)).toEqual(['train-ds']);
  });

  s.test('searching several experiments returns runs of all of them', async () => {
    const e1 = await s.store.createExperiment('e1');
    const e2 = await s.store.createExperiment('e2');
    const ids = [await newRun(s.store, e1), await newRun(s.store, e2), await newRun(s.store, '0')];
    const page = await s.store.searchRuns({ experimentIds: [e1, e2], viewType: 'ALL', maxResults: 10 });
    expect(page.items.map((r) => r.info.run_id).sort()).toEqual(ids.slice(0, 2).sort());
  });

  for (const maxResults of [1, 3, 7, 50]) {
    s.test(`paging by ${maxResults} covers every run exactly once; the last page has no token`, async () => {
      const expId = await s.store.createExperiment('paging');
      for (const start of [50, 40, 40, 30, 20, 10, 10]) await newRun(s.store, expId, { startTime: start });
      const query = { experimentIds: [expId], viewType: 'ALL' as const };
      const everything = (await s.store.searchRuns({ ...query, maxResults: 100 })).items.map((r) => r.info.run_id);
      const pages = await allPages((pageToken) => s.store.searchRuns({ ...query, maxResults, pageToken }));
      for (const page of pages) expect(page.items.length).toBeLessThanOrEqual(maxResults);
      expect(pages.flatMap((p) => p.items.map((r) => r.info.run_id))).toEqual(everything);
      expect(new Set(everything).size).toBe(7);
      expect(pages.at(-1)!.items.length).toBeGreaterThan(0);
      expect(pages.at(-1)!.next_page_token).toBeUndefined();
    });
  }

  s.test('an experiment with no runs gives an empty page without a token', async () => {
    const expId = await s.store.createExperiment('empty');
    const page = await s.store.searchRuns({ experimentIds: [expId], viewType: 'ALL', maxResults: 10 });
    expect(page.items).toEqual([]);
    expect(page.next_page_token).toBeUndefined();
  });

  s.test('max_results 50001 → INVALID_PARAMETER_VALUE; 50000 is accepted', async () => {
    await expectCode(() => s.store.searchRuns({ experimentIds: ['0'], viewType: 'ALL', maxResults: 50001 }), 'INVALID_PARAMETER_VALUE');
    expect((await s.store.searchRuns({ experimentIds: ['0'], viewType: 'ALL', maxResults: 50000 })).items).toEqual([]);
  });

  const badFilters = [
    "metrics.loss < 'abc'",
    'params.model = lr',
    "bogus.key = 'x'",
    'metrics.loss << 1',
    'metrics.loss = 1 OR metrics.loss = 2',
    "attributes.nope = 'x'",
    "params.model > 'a'",
    'metrics.loss >',
  ];
  for (const filter of badFilters) {
    s.test(`malformed filter "${filter}" → INVALID_PARAMETER_VALUE`, async () => {
      await expectCode(() => s.store.searchRuns({ experimentIds: ['0'], viewType: 'ALL', maxResults: 10, filter }), 'INVALID_PARAMETER_VALUE');
    });
  }

  for (const orderBy of [['metrics.loss SIDEWAYS'], ['bogus.key ASC'], ['attributes.nope']]) {
    s.test(`invalid order_by ${JSON.stringify(orderBy)} → INVALID_PARAMETER_VALUE`, async () => {
      await expectCode(() => s.store.searchRuns({ experimentIds: ['0'], viewType: 'ALL', maxResults: 10, orderBy }), 'INVALID_PARAMETER_VALUE');
    });
  }

  s.test('malformed page token → INVALID_PARAMETER_VALUE', async () => {
    await expectCode(
      () => s.store.searchRuns({ experimentIds: ['0'], viewType: 'ALL', maxResults: 10, pageToken: '%%%not-base64%%%' }),
      'INVALID_PARAMETER_VALUE',
    );
  });
}
