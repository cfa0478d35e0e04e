/**
 * Behavioural conformance suite for `RegistryStore`: what MLflow's model registry observably does (values,
 * orders, MLflow error codes; never message text), run against every registry implementation. Facts come from
 * the registry reference (§1 endpoints, §2 search, §3 aliases, tags, stages) and the recorded client traffic.
 *
 * Every case gets a fresh store. Sources are `mlflow-artifacts:/` URIs, which every server accepts without a run.
 */
import { describe, expect } from 'vitest';
import { resolveModelUri, type ModelVersion, type RegistryStore } from '@runlog/core';
import { allPages, caseHarness, expectCode, type CaseHarness } from './suite-harness.js';

export interface RegistryStoreSuiteOptions {
  name: string;
  create: () => Promise<{ registry: RegistryStore; cleanup: () => Promise<void> }>;
}

type Suite = CaseHarness<RegistryStore>;

export function describeRegistryStore(options: RegistryStoreSuiteOptions): void {
  describe(`RegistryStore conformance (${options.name})`, () => {
    const create = async () => {
      const created = await options.create();
      return { store: created.registry, cleanup: created.cleanup };
    };
    const suite: Suite = caseHarness(create, new Set());
    describe('registered models', () => modelCases(suite));
    describe('model versions', () => versionCases(suite));
    describe('aliases', () => aliasCases(suite));
    describe('stages', () => stageCases(suite));
    describe('searchRegisteredModels', () => modelSearchCases(suite));
    describe('searchModelVersions', () => versionSearchCases(suite));
    describe('models:/ URIs', () => modelUriCases(suite));
  });
}

// ------------------------------------------------------------------------------------------------------------
// Helpers

const source = (n: number | string): string => `mlflow-artifacts:/0/run${n}/artifacts/model`;

/** Waits until the clock has moved past `since`, so the next write gets a later millisecond timestamp. */
async function afterMillisecond(since = Date.now()): Promise<void> {
  while (Date.now() <= since) await new Promise((resolve) => setImmediate(resolve));
}

async function newVersion(store: RegistryStore, name: string, extra: { runId?: string; tags?: { key: string; value: string }[] } = {}) {
  return store.createModelVersion({ name, source: source(name), ...extra });
}

const names = (items: readonly { name: string }[]): string[] => items.map((i) => i.name);
const versions = (items: readonly ModelVersion[]): string[] => items.map((v) => `${v.name}/${v.version}`);

// ------------------------------------------------------------------------------------------------------------
// Registered models

function modelCases(s: Suite): void {
  s.test('create returns the model with timestamps, tags and description; get returns the same', async () => {
    const before = Date.now();
    const created = await s.store.createRegisteredModel('m', [{ key: 'team', value: 'ml' }], 'first model');
    expect(created.name).toBe('m');
    expect(created.creation_timestamp).toBeGreaterThanOrEqual(before);
    expect(created.last_updated_timestamp).toBe(created.creation_timestamp);
    expect(created.tags).toEqual([{ key: 'team', value: 'ml' }]);
    expect(created.description).toBe('first model');
    expect(await s.store.getRegisteredModel('m')).toEqual(created);
  });

  s.test('a model without description, tags, versions or aliases omits those fields', async () => {
    const m = await s.store.createRegisteredModel('bare');
    expect(Object.keys(m).sort()).toEqual(['creation_timestamp', 'last_updated_timestamp', 'name']);
  });

  s.test('duplicate name is RESOURCE_ALREADY_EXISTS', async () => {
    await s.store.createRegisteredModel('dup');
    await expectCode(() => s.store.createRegisteredModel('dup'), 'RESOURCE_ALREADY_EXISTS');
  });

  s.test('a percent-encoded spelling of an existing name is a duplicate', async () => {
    await s.store.createRegisteredModel('my-model');
    await expectCode(() => s.store.createRegisteredModel('my%2Dmodel'), 'RESOURCE_ALREADY_EXISTS');
    await expectCode(() => s.store.createRegisteredModel('my%252Dmodel'), 'RESOURCE_ALREADY_EXISTS');
  });

  s.test('concurrent creates of one name: one succeeds, the rest are RESOURCE_ALREADY_EXISTS', async () => {
    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => s.store.createRegisteredModel('race')));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes) {
      if (o.status === 'rejected') expect((o.reason as { errorCode?: string }).errorCode).toBe('RESOURCE_ALREADY_EXISTS');
    }
  });

  s.test('empty name is INVALID_PARAMETER_VALUE', async () => {
    await expectCode(() => s.store.createRegisteredModel(''), 'INVALID_PARAMETER_VALUE');
  });

  s.test('invalid tag key on create is INVALID_PARAMETER_VALUE and creates nothing', async () => {
    await expectCode(() => s.store.createRegisteredModel('t', [{ key: '../x', value: 'v' }]), 'INVALID_PARAMETER_VALUE');
    await expectCode(() => s.store.getRegisteredModel('t'), 'RESOURCE_DOES_NOT_EXIST');
  });

  s.test('get of a missing model is RESOURCE_DOES_NOT_EXIST', async () => {
    await expectCode(() => s.store.getRegisteredModel('nope'), 'RESOURCE_DOES_NOT_EXIST');
  });

  s.test('rename moves versions, tags and aliases; the old name is gone', async () => {
    await s.store.createRegisteredModel('old', [{ key: 'k', value: 'v' }]);
    await newVersion(s.store, 'old', { tags: [{ key: 'vk', value: 'vv' }] });
    await s.store.setRegisteredModelAlias('old', 'champion', '1');
    const renamed = await s.store.renameRegisteredModel('old', 'new');
    expect(renamed.name).toBe('new');
    expect(renamed.tags).toEqual([{ key: 'k', value: 'v' }]);
    expect(renamed.aliases).toEqual([{ alias: 'champion', version: '1' }]);
    await expectCode(() => s.store.getRegisteredModel('old'), 'RESOURCE_DOES_NOT_EXIST');
    const v = await s.store.getModelVersion('new', '1');
    expect(v.name).toBe('new');
    expect(v.tags).toEqual([{ key: 'vk', value: 'vv' }]);
    expect((await s.store.getModelVersionByAlias('new', 'champion')).version).toBe('1');
    expect((await newVersion(s.store, 'new')).version).toBe('2');
  });

  s.test('rename onto an existing name is RESOURCE_ALREADY_EXISTS; a missing model is RESOURCE_DOES_NOT_EXIST', async () => {
    await s.store.createRegisteredModel('a');
    await s.store.createRegisteredModel('b');
    await expectCode(() => s.store.renameRegisteredModel('a', 'b'), 'RESOURCE_ALREADY_EXISTS');
    await expectCode(() => s.store.renameRegisteredModel('ghost', 'c'), 'RESOURCE_DOES_NOT_EXIST');
    expect(names([await s.store.getRegisteredModel('a'), await s.store.getRegisteredModel('b')])).toEqual(['a', 'b']);
  });

  s.test('update sets the description and moves last_updated_timestamp', async () => {
    const created = await s.store.createRegisteredModel('u');
    await afterMillisecond(created.last_updated_timestamp);
    const updated = await s.store.updateRegisteredModel('u', 'now described');
    expect(updated.description).toBe('now described');
    expect(updated.last_updated_timestamp).toBeGreaterThan(created.last_updated_timestamp);
    expect((await s.store.getRegisteredModel('u')).description).toBe('now described');
    await expectCode(() => s.store.updateRegisteredModel('ghost', 'x'), 'RESOURCE_DOES_NOT_EXIST');
  });

  s.test('delete removes the model and its versions; deleting again is RESOURCE_DOES_NOT_EXIST', async () => {
    await s.store.createRegisteredModel('d');
    await newVersion(s.store, 'd');
    await s.store.deleteRegisteredModel('d');
    await expectCode(() => s.store.getRegisteredModel('d'), 'RESOURCE_DOES_NOT_EXIST');
    await expectCode(() => s.store.getModelVersion('d', '1'), 'RESOURCE_DOES_NOT_EXIST');
    await expectCode(() => s.store.deleteRegisteredModel('d'), 'RESOURCE_DOES_NOT_EXIST');
    expect((await s.store.searchModelVersions({ filter: "name = 'd'", maxResults: 100 })).items).toEqual([]);
    await s.store.createRegisteredModel('d');
    expect((await newVersion(s.store, 'd')).version).toBe('1');
  });

  s.test('set-tag inserts and replaces; delete-tag removes; an absent key deletes quietly', async () => {
    await s.store.createRegisteredModel('t');
    await s.store.setRegisteredModelTag('t', { key: 'a', value: '1' });
    await s.store.setRegisteredModelTag('t', { key: 'a', value: '2' });
    await s.store.setRegisteredModelTag('t', { key: 'b', value: '' });
    expect((await s.store.getRegisteredModel('t')).tags).toEqual([
      { key: 'a', value: '2' },
      { key: 'b', value: '' },
    ]);
    await s.store.deleteRegisteredModelTag('t', 'a');
    await s.store.deleteRegisteredModelTag('t', 'never-set');
    expect((await s.store.getRegisteredModel('t')).tags).toEqual([{ key: 'b', value: '' }]);
  });

  s.test('tags on a missing model are RESOURCE_DOES_NOT_EXIST; a bad key is INVALID_PARAMETER_VALUE', async () => {
    await expectCode(() => s.store.setRegisteredModelTag('ghost', { key: 'k', value: 'v' }), 'RESOURCE_DOES_NOT_EXIST');
    await expectCode(() => s.store.deleteRegisteredModelTag('ghost', 'k'), 'RESOURCE_DOES_NOT_EXIST');
    await s.store.createRegisteredModel('t');
    await expectCode(() => s.store.setRegisteredModelTag('t', { key: 'a/../b', value: 'v' }), 'INVALID_PARAMETER_VALUE');
    await expectCode(() => s.store.setRegisteredModelTag('t', { key: 'k', value: 'x'.repeat(5001) }), 'INVALID_PARAMETER_VALUE');
  });
}

// ------------------------------------------------------------------------------------------------------------
// Model versions

function versionCases(s: Suite): void {
  s.test('versions are numbered from 1, READY, in stage None, with empty description and run_link', async () => {
    await s.store.createRegisteredModel('m');
    const v1 = await s.store.createModelVersion({ name: 'm', source: source(1), runId: 'abc123' });
    const v2 = await newVersion(s.store, 'm');
    expect([v1.version, v2.version]).toEqual(['1', '2']);
    expect(v1).toMatchObject({ name: 'm', current_stage: 'None', status: 'READY', description: '', run_link: '', source: source(1), run_id: 'abc123' });
    expect(v2.run_id).toBeUndefined();
    expect(await s.store.getModelVersion('m', '1')).toEqual(v1);
  });

  s.test('a version bumps its model last_updated_timestamp', async () => {
    const m = await s.store.createRegisteredModel('m');
    await afterMillisecond(m.last_updated_timestamp);
    const v = await newVersion(s.store, 'm');
    expect((await s.store.getRegisteredModel('m')).last_updated_timestamp).toBe(v.creation_timestamp);
  });

  s.test('creating a version of a missing model is RESOURCE_DOES_NOT_EXIST', async () => {
    await expectCode(() => newVersion(s.store, 'ghost'), 'RESOURCE_DOES_NOT_EXIST');
  });

  s.test('concurrent creates get distinct consecutive numbers', async () => {
    await s.store.createRegisteredModel('m');
    const created = await Promise.all(Array.from({ length: 8 }, (_, i) => s.store.createModelVersion({ name: 'm', source: source(i) })));
    expect(created.map((v) => Number(v.version)).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  s.test('version numbers are never reused after a delete', async () => {
    await s.store.createRegisteredModel('m');
    await newVersion(s.store, 'm');
    await newVersion(s.store, 'm');
    await s.store.deleteModelVersion('m', '2');
    expect((await newVersion(s.store, 'm')).version).toBe('3');
  });

  s.test('a non-integer version is INVALID_PARAMETER_VALUE; a missing one RESOURCE_DOES_NOT_EXIST', async () => {
    await s.store.createRegisteredModel('m');
    await newVersion(s.store, 'm');
    await expectCode(() => s.store.getModelVersion('m', 'abc'), 'INVALID_PARAMETER_VALUE');
    await expectCode(() => s.store.getModelVersion('m', '42'), 'RESOURCE_DOES_NOT_EXIST');
    await expectCode(() => s.store.getModelVersion('ghost', '1'), 'RESOURCE_DOES_NOT_EXIST');
  });

  s.test('create with tags and description returns them', async () => {
    await s.store.createRegisteredModel('m');
    const v = await s.store.createModelVersion({
      name: 'm',
      source: source(1),
      description: 'from run 1',
      tags: [{ key: 'validated', value: 'true' }],
    });
    expect(v.description).toBe('from run 1');
    expect(v.tags).toEqual([{ key: 'validated', value: 'true' }]);
  });

  s.test('update changes the description only when given', async () => {
    await s.store.createRegisteredModel('m');
    const v = await s.store.createModelVersion({ name: 'm', source: source(1), description: 'orig' });
    await afterMillisecond(v.last_updated_timestamp);
    const updated = await s.store.updateModelVersion('m', '1', 'changed');
    expect(updated.description).toBe('changed');
    expect(updated.last_updated_timestamp).toBeGreaterThan(v.last_updated_timestamp);
    expect((await s.store.updateModelVersion('m', '1', undefined)).description).toBe('changed');
    await expectCode(() => s.store.updateModelVersion('m', '9', 'x'), 'RESOURCE_DOES_NOT_EXIST');
  });

  s.test('a deleted version is gone from get, search and latest versions; deleting again is RESOURCE_DOES_NOT_EXIST', async () => {
    await s.store.createRegisteredModel('m');
    await newVersion(s.store, 'm');
    await newVersion(s.store, 'm');
    await s.store.deleteModelVersion('m', '2');
    await expectCode(() => s.store.getModelVersion('m', '2'), 'RESOURCE_DOES_NOT_EXIST');
    await expectCode(() => s.store.deleteModelVersion('m', '2'), 'RESOURCE_DOES_NOT_EXIST');
    expect(versions((await s.store.searchModelVersions({ maxResults: 100 })).items)).toEqual(['m/1']);
    expect(versions((await s.store.getRegisteredModel('m')).latest_versions ?? [])).toEqual(['m/1']);
    expect(versions(await s.store.getLatestVersions('m'))).toEqual(['m/1']);
  });

  s.test('version tags: set, replace, delete, absent key quietly, empty value allowed', async () => {
    await s.store.createRegisteredModel('m');
    await newVersion(s.store, 'm');
    await s.store.setModelVersionTag('m', '1', { key: 'a', value: '1' });
    await s.store.setModelVersionTag('m', '1', { key: 'a', value: '2' });
    await s.store.setModelVersionTag('m', '1', { key: 'b', value: '' });
    await s.store.deleteModelVersionTag('m', '1', 'b');
    await s.store.deleteModelVersionTag('m', '1', 'never-set');
    expect((await s.store.getModelVersion('m', '1')).tags).toEqual([{ key: 'a', value: '2' }]);
  });

  s.test('version tags on a missing version are RESOURCE_DOES_NOT_EXIST', async () => {
    await s.store.createRegisteredModel('m');
    await expectCode(() => s.store.setModelVersionTag('m', '99', { key: 'k', value: 'v' }), 'RESOURCE_DOES_NOT_EXIST');
    await expectCode(() => s.store.deleteModelVersionTag('m', '99', 'k'), 'RESOURCE_DOES_NOT_EXIST');
    await expectCode(() => s.store.setModelVersionTag('ghost', '1', { key: 'k', value: 'v' }), 'RESOURCE_DOES_NOT_EXIST');
  });

  s.test('download URI is the source; missing version is RESOURCE_DOES_NOT_EXIST', async () => {
    await s.store.createRegisteredModel('m');
    await newVersion(s.store, 'm');
    expect(await s.store.getModelVersionDownloadUri('m', '1')).toBe(source('m'));
    await expectCode(() => s.store.getModelVersionDownloadUri('m', '42'), 'RESOURCE_DOES_NOT_EXIST');
  });

  s.test('the model lists its latest version per stage', async () => {
    await s.store.createRegisteredModel('m');
    for (let i = 0; i < 4; i++) await newVersion(s.store, 'm');
    await s.store.transitionModelVersionStage('m', '1', 'Production', false);
    await s.store.transitionModelVersionStage('m', '2', 'Staging', false);
    const latest = (await s.store.getRegisteredModel('m')).latest_versions ?? [];
    expect(latest.map((v) => `${v.current_stage}:${v.version}`).sort()).toEqual(['None:4', 'Production:1', 'Staging:2']);
  });
}

// ------------------------------------------------------------------------------------------------------------
// Aliases

function aliasCases(s: Suite): void {
  s.test('an alias resolves to its version; model and version list it', async () => {
    await s.store.createRegisteredModel('m');
    await newVersion(s.store, 'm');
    await newVersion(s.store, 'm');
    await s.store.setRegisteredModelAlias('m', 'champion', '1');
    await s.store.setRegisteredModelAlias('m', 'challenger', '2');
    expect((await s.store.getModelVersionByAlias('m', 'champion')).version).toBe('1');
    expect((await s.store.getModelVersion('m', '1')).aliases).toEqual(['champion']);
    expect((await s.store.getRegisteredModel('m')).aliases).toEqual([
      { alias: 'challenger', version: '2' },
      { alias: 'champion', version: '1' },
    ]);
  });

  s.test('setting an existing alias moves it', async () => {
    await s.store.createRegisteredModel('m');
    await newVersion(s.store, 'm');
    await newVersion(s.store, 'm');
    await s.store.setRegisteredModelAlias('m', 'champion', '1');
    await s.store.setRegisteredModelAlias('m', 'champion', '2');
    expect((await s.store.getModelVersionByAlias('m', 'champion')).version).toBe('2');
    expect((await s.store.getModelVersion('m', '1')).aliases).toBeUndefined();
  });

  s.test('reserved and malformed aliases are INVALID_PARAMETER_VALUE', async () => {
    await s.store.createRegisteredModel('m');
    await newVersion(s.store, 'm');
    for (const alias of ['latest', 'LATEST', 'v3', 'V10', 'a b', 'x/y', 'a.b']) {
      await expectCode(() => s.store.setRegisteredModelAlias('m', alias, '1'), 'INVALID_PARAMETER_VALUE');
    }
    await s.store.setRegisteredModelAlias('m', 'v3a', '1');
    await s.store.setRegisteredModelAlias('m', 'prod_2-x', '1');
  });

  s.test('an alias to a missing version or model is RESOURCE_DOES_NOT_EXIST', async () => {
    await s.store.createRegisteredModel('m');
    await expectCode(() => s.store.setRegisteredModelAlias('m', 'champion', '99'), 'RESOURCE_DOES_NOT_EXIST');
    await expectCode(() => s.store.setRegisteredModelAlias('ghost', 'champion', '1'), 'RESOURCE_DOES_NOT_EXIST');
  });

  s.test('an unknown alias is INVALID_PARAMETER_VALUE (as MLflow answers)', async () => {
    await s.store.createRegisteredModel('m');
    await expectCode(() => s.store.getModelVersionByAlias('m', 'nope'), 'INVALID_PARAMETER_VALUE');
    await expectCode(() => s.store.getModelVersionByAlias('ghost', 'nope'), 'RESOURCE_DOES_NOT_EXIST');
  });

  s.test('delete removes an alias; an unknown alias deletes quietly; a missing model does not', async () => {
    await s.store.createRegisteredModel('m');
    await newVersion(s.store, 'm');
    await s.store.setRegisteredModelAlias('m', 'champion', '1');
    await s.store.deleteRegisteredModelAlias('m', 'champion');
    await s.store.deleteRegisteredModelAlias('m', 'champion');
    await expectCode(() => s.store.getModelVersionByAlias('m', 'champion'), 'INVALID_PARAMETER_VALUE');
    await expectCode(() => s.store.deleteRegisteredModelAlias('ghost', 'champion'), 'RESOURCE_DOES_NOT_EXIST');
  });

  s.test('deleting a version removes its aliases', async () => {
    await s.store.createRegisteredModel('m');
    await newVersion(s.store, 'm');
    await newVersion(s.store, 'm');
    await s.store.setRegisteredModelAlias('m', 'champion', '1');
    await s.store.setRegisteredModelAlias('m', 'keep', '2');
    await s.store.deleteModelVersion('m', '1');
    await expectCode(() => s.store.getModelVersionByAlias('m', 'champion'), 'INVALID_PARAMETER_VALUE');
    expect((await s.store.getRegisteredModel('m')).aliases).toEqual([{ alias: 'keep', version: '2' }]);
  });
}

// ------------------------------------------------------------------------------------------------------------
// Stages

function stageCases(s: Suite): void {
  s.test('transition accepts any case and stores the canonical stage', async () => {
    await s.store.createRegisteredModel('m');
    await newVersion(s.store, 'm');
    const v = await s.store.transitionModelVersionStage('m', '1', 'staging', false);
    expect(v.current_stage).toBe('Staging');
    expect((await s.store.getModelVersion('m', '1')).current_stage).toBe('Staging');
  });

  s.test('an unknown stage is INVALID_PARAMETER_VALUE', async () => {
    await s.store.createRegisteredModel('m');
    await newVersion(s.store, 'm');
    await expectCode(() => s.store.transitionModelVersionStage('m', '1', 'Bogus', false), 'INVALID_PARAMETER_VALUE');
    await expectCode(() => s.store.transitionModelVersionStage('m', '9', 'Staging', false), 'RESOURCE_DOES_NOT_EXIST');
  });

  s.test('archive_existing_versions archives the other versions in the target stage only', async () => {
    await s.store.createRegisteredModel('m');
    for (let i = 0; i < 3; i++) await newVersion(s.store, 'm');
    await s.store.transitionModelVersionStage('m', '1', 'Production', false);
    await s.store.transitionModelVersionStage('m', '2', 'Staging', false);
    await s.store.transitionModelVersionStage('m', '3', 'Production', true);
    const stages = await Promise.all(['1', '2', '3'].map(async (v) => (await s.store.getModelVersion('m', v)).current_stage));
    expect(stages).toEqual(['Archived', 'Staging', 'Production']);
  });

  s.test('archive_existing_versions with a target other than Staging or Production is INVALID_PARAMETER_VALUE', async () => {
    await s.store.createRegisteredModel('m');
    await newVersion(s.store, 'm');
    await expectCode(() => s.store.transitionModelVersionStage('m', '1', 'Archived', true), 'INVALID_PARAMETER_VALUE');
    expect((await s.store.getModelVersion('m', '1')).current_stage).toBe('None');
  });

  s.test('get-latest-versions: every stage when none given, one stage when asked, any case', async () => {
    await s.store.createRegisteredModel('m');
    for (let i = 0; i < 4; i++) await newVersion(s.store, 'm');
    await s.store.transitionModelVersionStage('m', '1', 'Production', false);
    await s.store.transitionModelVersionStage('m', '2', 'Production', false);
    await s.store.transitionModelVersionStage('m', '3', 'Archived', false);
    expect(versions(await s.store.getLatestVersions('m')).sort()).toEqual(['m/2', 'm/3', 'm/4']);
    expect(versions(await s.store.getLatestVersions('m', ['production']))).toEqual(['m/2']);
    expect(versions(await s.store.getLatestVersions('m', ['Staging']))).toEqual([]);
    expect(versions(await s.store.getLatestVersions('m', ['None', 'Archived'])).sort()).toEqual(['m/3', 'm/4']);
  });

  s.test('get-latest-versions: unknown stage is INVALID_PARAMETER_VALUE, missing model RESOURCE_DOES_NOT_EXIST', async () => {
    await s.store.createRegisteredModel('m');
    await expectCode(() => s.store.getLatestVersions('m', ['Bogus']), 'INVALID_PARAMETER_VALUE');
    await expectCode(() => s.store.getLatestVersions('ghost'), 'RESOURCE_DOES_NOT_EXIST');
  });
}

// ------------------------------------------------------------------------------------------------------------
// Search

async function seedModels(store: RegistryStore): Promise<void> {
  await store.createRegisteredModel('reg-alpha', [{ key: 'team', value: 'ml' }]);
  await store.createRegisteredModel('reg-beta', [{ key: 'team', value: 'data' }]);
  await store.createRegisteredModel('REG-gamma');
  await store.createRegisteredModel('other', [{ key: 'team', value: 'ml' }]);
  await store.createRegisteredModel('prompt-1', [{ key: 'mlflow.prompt.is_prompt', value: 'true' }]);
}

function modelSearchCases(s: Suite): void {
  const search = (filter?: string, orderBy?: string[], maxResults = 100) =>
    s.store.searchRegisteredModels({ filter, orderBy, maxResults }).then((p) => names(p.items));

  s.test('no filter returns every model ordered by name', async () => {
    await seedModels(s.store);
    expect(await search()).toEqual(['REG-gamma', 'other', 'prompt-1', 'reg-alpha', 'reg-beta']);
  });

  s.test('name =, !=, LIKE (case-sensitive) and ILIKE', async () => {
    await seedModels(s.store);
    expect(await search("name = 'reg-alpha'")).toEqual(['reg-alpha']);
    expect(await search("name != 'reg-alpha'")).toEqual(['REG-gamma', 'other', 'prompt-1', 'reg-beta']);
    expect(await search("name LIKE 'reg-%'")).toEqual(['reg-alpha', 'reg-beta']);
    expect(await search("name ILIKE 'reg-%'")).toEqual(['REG-gamma', 'reg-alpha', 'reg-beta']);
    expect(await search("name LIKE 'reg-_eta'")).toEqual(['reg-beta']);
  });

  s.test('tag clauses; a model without the tag matches neither = nor !=', async () => {
    await seedModels(s.store);
    expect(await search("tags.team = 'ml'")).toEqual(['other', 'reg-alpha']);
    expect(await search("tags.team != 'ml'")).toEqual(['reg-beta']);
    expect(await search("tag.team LIKE 'd%'")).toEqual(['reg-beta']);
    expect(await search("name ILIKE 'REG-%' AND tags.team = 'ml'")).toEqual(['reg-alpha']);
  });

  s.test("the prompt clause newer clients add matches models without the tag", async () => {
    await seedModels(s.store);
    expect(await search("tags.`mlflow.prompt.is_prompt` != 'true'")).toEqual(['REG-gamma', 'other', 'reg-alpha', 'reg-beta']);
    expect(await search("name LIKE 'reg-%' AND tags.`mlflow.prompt.is_prompt` != 'true'")).toEqual(['reg-alpha', 'reg-beta']);
    expect(await search("tags.`mlflow.prompt.is_prompt` = 'true'")).toEqual(['prompt-1']);
  });

  s.test('order by last_updated_timestamp (also spelled timestamp), ties broken by name', async () => {
    await s.store.createRegisteredModel('b');
    await afterMillisecond();
    await s.store.createRegisteredModel('a');
    await afterMillisecond();
    await s.store.createRegisteredModel('c');
    expect(await search(undefined, ['last_updated_timestamp DESC'])).toEqual(['c', 'a', 'b']);
    expect(await search(undefined, ['timestamp ASC'])).toEqual(['b', 'a', 'c']);
    expect(await search(undefined, ['name DESC'])).toEqual(['c', 'b', 'a']);
  });

  s.test('paging walks every model once; the last page has no token', async () => {
    await seedModels(s.store);
    const pages = await allPages((pageToken) => s.store.searchRegisteredModels({ maxResults: 2, pageToken }));
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(pages.at(-1)?.next_page_token).toBeUndefined();
    expect(pages.flatMap((p) => names(p.items))).toEqual(await search());
    const exact = await allPages((pageToken) => s.store.searchRegisteredModels({ maxResults: 5, pageToken }));
    expect(exact).toHaveLength(1);
  });

  s.test('search results carry latest versions, tags and aliases', async () => {
    await s.store.createRegisteredModel('m', [{ key: 'k', value: 'v' }]);
    await newVersion(s.store, 'm');
    await s.store.setRegisteredModelAlias('m', 'champion', '1');
    const [m] = (await s.store.searchRegisteredModels({ maxResults: 10 })).items;
    expect(m?.tags).toEqual([{ key: 'k', value: 'v' }]);
    expect(m?.aliases).toEqual([{ alias: 'champion', version: '1' }]);
    expect(versions(m?.latest_versions ?? [])).toEqual(['m/1']);
  });

  s.test('bad max_results, filters, order_by and page tokens are INVALID_PARAMETER_VALUE', async () => {
    await seedModels(s.store);
    const bad = (q: { filter?: string; orderBy?: string[]; maxResults?: number; pageToken?: string }) =>
      expectCode(() => s.store.searchRegisteredModels({ maxResults: 100, ...q }), 'INVALID_PARAMETER_VALUE');
    await bad({ maxResults: 1001 });
    await bad({ maxResults: 0 });
    await bad({ filter: "name = 'a' OR name = 'b'" });
    await bad({ filter: "run_id = 'x'" });
    await bad({ filter: 'name = x' });
    await bad({ filter: "name = = 'x'" });
    await bad({ filter: "name > 'a'" });
    await bad({ orderBy: ['bogus_col DESC'] });
    await bad({ orderBy: ['name', 'name DESC'] });
    await bad({ pageToken: 'not-a-token' });
  });
}

function versionSearchCases(s: Suite): void {
  const seed = async () => {
    await s.store.createRegisteredModel('a');
    await s.store.createRegisteredModel('b');
    await s.store.createModelVersion({ name: 'a', source: 'mlflow-artifacts:/1/r1/artifacts/model', runId: 'r1', tags: [{ key: 'ok', value: 'yes' }] });
    await afterMillisecond();
    await s.store.createModelVersion({ name: 'a', source: 'mlflow-artifacts:/1/r2/artifacts/model', runId: 'r2' });
    await afterMillisecond();
    await s.store.createModelVersion({ name: 'b', source: 'mlflow-artifacts:/1/r1/artifacts/other', runId: 'r1', tags: [{ key: 'ok', value: 'no' }] });
  };
  const search = (filter?: string, orderBy?: string[]) =>
    s.store.searchModelVersions({ filter, orderBy, maxResults: 1000 }).then((p) => versions(p.items));

  s.test('default order is last_updated_timestamp DESC, name ASC, version DESC', async () => {
    await seed();
    expect(await search()).toEqual(['b/1', 'a/2', 'a/1']);
  });

  s.test('filters on name, run_id (= and IN), version_number, source_path and tags', async () => {
    await seed();
    expect(await search("name = 'a'")).toEqual(['a/2', 'a/1']);
    expect(await search("run_id = 'r1'")).toEqual(['b/1', 'a/1']);
    expect(await search("run_id IN ('r2', 'r9')")).toEqual(['a/2']);
    expect(await search("name = 'a' AND version_number > 1")).toEqual(['a/2']);
    expect(await search('version_number <= 1')).toEqual(['b/1', 'a/1']);
    expect(await search("source_path LIKE '%/other'")).toEqual(['b/1']);
    expect(await search("tags.ok = 'yes'")).toEqual(['a/1']);
    expect(await search("tags.ok != 'yes'")).toEqual(['b/1']);
  });

  s.test('run ids with upper-case letters are dropped from an IN list', async () => {
    await seed();
    expect(await search("run_id IN ('R1')")).toEqual([]);
  });

  s.test('order by version_number DESC pages through every version', async () => {
    await seed();
    const pages = await allPages((pageToken) => s.store.searchModelVersions({ maxResults: 2, orderBy: ['version_number DESC'], pageToken }));
    expect(pages.map((p) => versions(p.items))).toEqual([['a/2', 'a/1'], ['b/1']]);
    expect(pages.at(-1)?.next_page_token).toBeUndefined();
  });

  s.test('deleted versions are not found by search', async () => {
    await seed();
    await s.store.deleteModelVersion('a', '1');
    expect(await search("run_id = 'r1'")).toEqual(['b/1']);
  });

  s.test('bad order_by keys, comparators and max_results are INVALID_PARAMETER_VALUE', async () => {
    await seed();
    const bad = (q: { filter?: string; orderBy?: string[]; maxResults?: number }) =>
      expectCode(() => s.store.searchModelVersions({ maxResults: 100, ...q }), 'INVALID_PARAMETER_VALUE');
    await bad({ orderBy: ['run_id DESC'] });
    await bad({ filter: "name === 'x'" });
    await bad({ filter: "version_number = 'one'" });
    await bad({ filter: "name IN ('a')" });
    await bad({ maxResults: 0 });
    await bad({ maxResults: 200_001 });
  });
}

// ------------------------------------------------------------------------------------------------------------
// models:/ URIs

function modelUriCases(s: Suite): void {
  const seed = async () => {
    await s.store.createRegisteredModel('m');
    for (let i = 1; i <= 3; i++) await s.store.createModelVersion({ name: 'm', source: source(i) });
    await s.store.transitionModelVersionStage('m', '1', 'Production', false);
    await s.store.transitionModelVersionStage('m', '2', 'Staging', false);
    await s.store.setRegisteredModelAlias('m', 'champion', '2');
  };

  s.test('models:/name/version, @alias, /stage (any case) and /latest resolve to a version and its download URI', async () => {
    await seed();
    const resolve = async (uri: string) => {
      const r = await resolveModelUri(s.store, uri);
      return `${r.version.version} ${r.artifactUri}`;
    };
    expect(await resolve('models:/m/1')).toBe(`1 ${source(1)}`);
    expect(await resolve('models:/m@champion')).toBe(`2 ${source(2)}`);
    expect(await resolve('models:/m/Production')).toBe(`1 ${source(1)}`);
    expect(await resolve('models:/m/staging')).toBe(`2 ${source(2)}`);
    expect(await resolve('models:/m/latest')).toBe(`3 ${source(3)}`);
    expect(await resolve('models:/m/3/data/model.onnx')).toBe(`3 ${source(3)}/data/model.onnx`);
  });

  s.test('models:/ URIs naming nothing fail with MLflow codes', async () => {
    await seed();
    await expectCode(() => resolveModelUri(s.store, 'models:/m/Archived'), 'RESOURCE_DOES_NOT_EXIST');
    await expectCode(() => resolveModelUri(s.store, 'models:/m/9'), 'RESOURCE_DOES_NOT_EXIST');
    await expectCode(() => resolveModelUri(s.store, 'models:/m@nope'), 'INVALID_PARAMETER_VALUE');
    await expectCode(() => resolveModelUri(s.store, 'models:/ghost/1'), 'RESOURCE_DOES_NOT_EXIST');
    await expectCode(() => resolveModelUri(s.store, 'models:/m/Bogus'), 'INVALID_PARAMETER_VALUE');
    for (const bad of ['models:/m', 'models:/', 'models:/@a', 'models:/m@', 'models://m/1', 'runs:/x/m']) {
      await expectCode(() => resolveModelUri(s.store, bad), 'INVALID_PARAMETER_VALUE');
    }
  });
}
