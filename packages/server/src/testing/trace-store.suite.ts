/**
 * Behavioural conformance suite for `TraceStore`: what MLflow 2.17's trace service observably does (values,
 * orders, MLflow error codes; never message text), run on every implementation. Experiments come from the
 * tracking store over the same database. Timestamps are given explicitly, so orders never depend on the clock.
 */
import { describe, expect } from 'vitest';
import {
  TRACE_ARTIFACT_LOCATION_TAG,
  traceValue,
  type KeyValue,
  type TraceInfo,
  type TraceStore,
  type TrackingStore,
} from '@runlog/core';
import { allPages, caseHarness, expectCode, type CaseHarness } from './suite-harness.js';

export interface TraceStores {
  traces: TraceStore;
  tracking: TrackingStore;
}

export interface TraceStoreSuiteOptions {
  name: string;
  create: () => Promise<TraceStores & { cleanup: () => Promise<void> }>;
}

type Suite = CaseHarness<TraceStores>;

export function describeTraceStore(options: TraceStoreSuiteOptions): void {
  describe(`TraceStore conformance (${options.name})`, () => {
    const create = async () => {
      const { cleanup, ...store } = await options.create();
      return { store, cleanup };
    };
    const suite: Suite = caseHarness(create, new Set());
    describe('start, end, get', () => lifecycleCases(suite));
    describe('trace tags', () => tagCases(suite));
    describe('searchTraces', () => searchCases(suite));
    describe('deleteTraces', () => deleteCases(suite));
  });
}

// ------------------------------------------------------------------------------------------------------------
// Helpers

const kv = (key: string, value: string): KeyValue => ({ key, value });
const userTags = (info: TraceInfo): KeyValue[] => (info.tags ?? []).filter((t) => !t.key.startsWith('mlflow.')).sort((a, b) => (a.key < b.key ? -1 : 1));
const sorted = (entries: readonly KeyValue[] | undefined): KeyValue[] => [...(entries ?? [])].sort((a, b) => (a.key < b.key ? -1 : 1));
const ids = (infos: readonly TraceInfo[]): string[] => infos.map((i) => i.request_id);

async function experiment(s: Suite, name = 'traces'): Promise<string> {
  return s.store.tracking.createExperiment(name);
}

/** A finished trace: started at `start`, ended `duration` ms later with `status`. */
async function trace(
  s: Suite,
  experimentId: string,
  start: number,
  options: { duration?: number; status?: 'OK' | 'ERROR'; tags?: KeyValue[]; metadata?: KeyValue[]; name?: string } = {},
): Promise<TraceInfo> {
  const tags = [...(options.tags ?? []), ...(options.name !== undefined ? [kv('mlflow.traceName', options.name)] : [])];
  const info = await s.store.traces.startTrace({ experimentId, timestampMs: start, tags, requestMetadata: options.metadata ?? [] });
  return s.store.traces.endTrace(info.request_id, { timestampMs: start + (options.duration ?? 10), status: options.status ?? 'OK' });
}

async function search(s: Suite, experimentIds: string[], filter?: string, orderBy?: string[]): Promise<string[]> {
  const page = await s.store.traces.searchTraces({ experimentIds, maxResults: 100, filter, orderBy });
  return ids(page.items);
}

// ------------------------------------------------------------------------------------------------------------
// Start, end, get

function lifecycleCases(s: Suite): void {
  s.test('start records an in-progress trace with its metadata, tags and artifact location', async () => {
    const exp = await experiment(s);
    const { artifact_location } = await s.store.tracking.getExperiment(exp);
    const info = await s.store.traces.startTrace({
      experimentId: exp,
      timestampMs: 1000,
      requestMetadata: [kv('meta1', 'apple'), kv('meta2', 'grape')],
      tags: [kv('tag1', 'football'), kv('tag2', 'basketball')],
    });
    expect(info.request_id).toMatch(/^[0-9a-f]{32}$/);
    expect(info.experiment_id).toBe(exp);
    expect(info.timestamp_ms).toBe(1000);
    expect(info.execution_time_ms).toBe(0);
    expect(info.status).toBe('IN_PROGRESS');
    expect(sorted(info.request_metadata)).toEqual([kv('meta1', 'apple'), kv('meta2', 'grape')]);
    expect(userTags(info)).toEqual([kv('tag1', 'football'), kv('tag2', 'basketball')]);
    expect(traceValue(info.tags, TRACE_ARTIFACT_LOCATION_TAG)).toBe(`${artifact_location}/traces/${info.request_id}/artifacts`);
    expect(await s.store.traces.getTraceInfo(info.request_id)).toEqual(info);
  });

  s.test('end sets status and execution time and merges metadata and tags over the start ones', async () => {
    const exp = await experiment(s);
    const started = await s.store.traces.startTrace({
      experimentId: exp,
      timestampMs: 1000,
      requestMetadata: [kv('meta1', 'apple'), kv('meta2', 'grape')],
      tags: [kv('tag1', 'football'), kv('tag2', 'basketball')],
    });
    const ended = await s.store.traces.endTrace(started.request_id, {
      timestampMs: 3000,
      status: 'OK',
      requestMetadata: [kv('meta1', 'orange'), kv('meta3', 'banana')],
      tags: [kv('tag1', 'soccer'), kv('tag3', 'tennis')],
    });
    expect(ended.timestamp_ms).toBe(1000);
    expect(ended.execution_time_ms).toBe(2000);
    expect(ended.status).toBe('OK');
    expect(sorted(ended.request_metadata)).toEqual([kv('meta1', 'orange'), kv('meta2', 'grape'), kv('meta3', 'banana')]);
    expect(userTags(ended)).toEqual([kv('tag1', 'soccer'), kv('tag2', 'basketball'), kv('tag3', 'tennis')]);
    expect(traceValue(ended.tags, TRACE_ARTIFACT_LOCATION_TAG)).toBe(traceValue(started.tags, TRACE_ARTIFACT_LOCATION_TAG));
    expect(await s.store.traces.getTraceInfo(started.request_id)).toEqual(ended);
  });

  s.test('a trace without metadata or user tags omits request_metadata', async () => {
    const exp = await experiment(s);
    const info = await s.store.traces.startTrace({ experimentId: exp, timestampMs: 5 });
    expect(info.request_metadata).toBeUndefined();
    expect(info.tags?.map((t) => t.key)).toEqual([TRACE_ARTIFACT_LOCATION_TAG]);
  });

  s.test('request ids are unique', async () => {
    const exp = await experiment(s);
    const started = await Promise.all([1, 2, 3, 4, 5].map((t) => s.store.traces.startTrace({ experimentId: exp, timestampMs: t })));
    expect(new Set(ids(started)).size).toBe(5);
  });

  s.test('start in an unknown experiment is RESOURCE_DOES_NOT_EXIST, in a deleted one INVALID_PARAMETER_VALUE', async () => {
    await expectCode(() => s.store.traces.startTrace({ experimentId: '987654', timestampMs: 1 }), 'RESOURCE_DOES_NOT_EXIST');
    const exp = await experiment(s);
    await s.store.tracking.deleteExperiment(exp);
    await expectCode(() => s.store.traces.startTrace({ experimentId: exp, timestampMs: 1 }), 'INVALID_PARAMETER_VALUE');
  });

  s.test('end and get of an unknown trace are RESOURCE_DOES_NOT_EXIST', async () => {
    await expectCode(() => s.store.traces.getTraceInfo('0123456789abcdef0123456789abcdef'), 'RESOURCE_DOES_NOT_EXIST');
    await expectCode(() => s.store.traces.endTrace('nope', { timestampMs: 1, status: 'OK' }), 'RESOURCE_DOES_NOT_EXIST');
  });

  s.test('a tag key over 250 characters is INVALID_PARAMETER_VALUE and nothing is recorded', async () => {
    const exp = await experiment(s);
    await expectCode(
      () => s.store.traces.startTrace({ experimentId: exp, timestampMs: 1, tags: [kv('k'.repeat(251), 'v')] }),
      'INVALID_PARAMETER_VALUE',
    );
    expect((await s.store.traces.searchTraces({ experimentIds: [exp], maxResults: 10 })).items).toEqual([]);
  });

  s.test('a tag value over 8000 characters is truncated to 8000', async () => {
    const exp = await experiment(s);
    const info = await s.store.traces.startTrace({ experimentId: exp, timestampMs: 1, tags: [kv('long', 'x'.repeat(9000))] });
    expect(traceValue(info.tags, 'long')).toHaveLength(8000);
  });
}

// ------------------------------------------------------------------------------------------------------------
// Tags

function tagCases(s: Suite): void {
  s.test('setTraceTag adds or overwrites a tag; deleteTraceTag removes it', async () => {
    const exp = await experiment(s);
    const info = await s.store.traces.startTrace({ experimentId: exp, timestampMs: 1000, tags: [kv('tag1', 'red'), kv('tag2', 'blue')] });
    await s.store.traces.setTraceTag(info.request_id, 'tag1', 'green');
    await s.store.traces.setTraceTag(info.request_id, 'tag3', '');
    await s.store.traces.deleteTraceTag(info.request_id, 'tag2');
    const after = await s.store.traces.getTraceInfo(info.request_id);
    expect(userTags(after)).toEqual([kv('tag1', 'green'), kv('tag3', '')]);
  });

  s.test('deleting a tag the trace does not have is RESOURCE_DOES_NOT_EXIST', async () => {
    const exp = await experiment(s);
    const info = await s.store.traces.startTrace({ experimentId: exp, timestampMs: 1 });
    await expectCode(() => s.store.traces.deleteTraceTag(info.request_id, 'missing'), 'RESOURCE_DOES_NOT_EXIST');
    await expectCode(() => s.store.traces.deleteTraceTag('nope', 'missing'), 'RESOURCE_DOES_NOT_EXIST');
  });

  s.test('setting a tag on an unknown trace is RESOURCE_DOES_NOT_EXIST', async () => {
    await expectCode(() => s.store.traces.setTraceTag('nope', 'k', 'v'), 'RESOURCE_DOES_NOT_EXIST');
  });

  s.test('a tag key that is not a valid name is INVALID_PARAMETER_VALUE', async () => {
    const exp = await experiment(s);
    const info = await s.store.traces.startTrace({ experimentId: exp, timestampMs: 1 });
    await expectCode(() => s.store.traces.setTraceTag(info.request_id, '../escape', 'v'), 'INVALID_PARAMETER_VALUE');
    await expectCode(() => s.store.traces.setTraceTag(info.request_id, 'bad\u0000key', 'v'), 'INVALID_PARAMETER_VALUE');
  });
}

// ------------------------------------------------------------------------------------------------------------
// Search

function searchCases(s: Suite): void {
  s.test('newest first, ties by request id, only the given experiments', async () => {
    const a = await experiment(s, 'a');
    const b = await experiment(s, 'b');
    const t1 = await trace(s, a, 100);
    const t2 = await trace(s, a, 300);
    const t3 = await trace(s, b, 200);
    const t4 = await trace(s, a, 300);
    const tied = [t2.request_id, t4.request_id].sort();
    expect(await search(s, [a])).toEqual([...tied, t1.request_id]);
    expect(await search(s, [a, b])).toEqual([...tied, t3.request_id, t1.request_id]);
    expect(await search(s, ['987654', 'not-a-number'])).toEqual([]);
  });

  s.test('pages follow the order, the last page has no token', async () => {
    const exp = await experiment(s);
    const all: string[] = [];
    for (let i = 0; i < 5; i += 1) all.unshift((await trace(s, exp, 1000 + i)).request_id);
    const pages = await allPages((pageToken) => s.store.traces.searchTraces({ experimentIds: [exp], maxResults: 2, pageToken }));
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap((p) => ids(p.items))).toEqual(all);
    const exact = await s.store.traces.searchTraces({ experimentIds: [exp], maxResults: 5 });
    expect(exact.next_page_token).toBeUndefined();
  });

  s.test('filters on status, timestamps and execution time', async () => {
    const exp = await experiment(s);
    const ok1 = await trace(s, exp, 100, { duration: 5 });
    const ok2 = await trace(s, exp, 200, { duration: 50 });
    const err = await trace(s, exp, 300, { duration: 500, status: 'ERROR' });
    expect(await search(s, [exp], "status = 'OK'", ['timestamp ASC'])).toEqual([ok1.request_id, ok2.request_id]);
    expect(await search(s, [exp], "attributes.status != 'OK'")).toEqual([err.request_id]);
    expect(await search(s, [exp], "trace.status IN ('ERROR', 'IN_PROGRESS')")).toEqual([err.request_id]);
    expect(await search(s, [exp], 'timestamp_ms >= 200')).toEqual([err.request_id, ok2.request_id]);
    expect(await search(s, [exp], 'timestamp > 100 AND execution_time < 100')).toEqual([ok2.request_id]);
    expect(await search(s, [exp], `request_id = '${ok1.request_id}'`)).toEqual([ok1.request_id]);
    expect(await search(s, [exp], `request_id NOT IN ('${ok1.request_id}', '${ok2.request_id}')`)).toEqual([err.request_id]);
  });

  s.test('filters on tags, request metadata, and the name and run_id shorthands', async () => {
    const exp = await experiment(s);
    const t1 = await trace(s, exp, 100, { name: 'predict', tags: [kv('team', 'ml')], metadata: [kv('mlflow.sourceRun', 'run1')] });
    const t2 = await trace(s, exp, 200, { name: 'train', tags: [kv('team', 'ops')], metadata: [kv('user', 'ann')] });
    const t3 = await trace(s, exp, 300, { name: 'predict' });
    expect(await search(s, [exp], "tags.team = 'ml'")).toEqual([t1.request_id]);
    // A trace without the key matches neither = nor !=.
    expect(await search(s, [exp], "tags.team != 'ml'")).toEqual([t2.request_id]);
    expect(await search(s, [exp], "request_metadata.user = 'ann'")).toEqual([t2.request_id]);
    expect(await search(s, [exp], "metadata.user != 'ann'")).toEqual([]);
    expect(await search(s, [exp], "name = 'predict'")).toEqual([t3.request_id, t1.request_id]);
    expect(await search(s, [exp], "tags.`mlflow.traceName` = 'train'")).toEqual([t2.request_id]);
    expect(await search(s, [exp], "run_id = 'run1'")).toEqual([t1.request_id]);
    expect(await search(s, [exp], "name = 'predict' AND tags.team = 'ml'")).toEqual([t1.request_id]);
  });

  s.test('order_by attributes, tags (missing values last) and request metadata', async () => {
    const exp = await experiment(s);
    const t1 = await trace(s, exp, 100, { duration: 30, tags: [kv('rank', 'b')], metadata: [kv('m', '2')] });
    const t2 = await trace(s, exp, 200, { duration: 10, metadata: [kv('m', '1')] });
    const t3 = await trace(s, exp, 300, { duration: 20, tags: [kv('rank', 'a')] });
    expect(await search(s, [exp], undefined, ['timestamp ASC'])).toEqual(ids([t1, t2, t3]));
    expect(await search(s, [exp], undefined, ['execution_time DESC'])).toEqual(ids([t1, t3, t2]));
    expect(await search(s, [exp], undefined, ['execution_time_ms'])).toEqual(ids([t2, t3, t1]));
    expect(await search(s, [exp], undefined, ['tags.rank ASC'])).toEqual(ids([t3, t1, t2]));
    expect(await search(s, [exp], undefined, ['tags.rank DESC'])).toEqual(ids([t1, t3, t2]));
    expect(await search(s, [exp], undefined, ['request_metadata.m'])).toEqual(ids([t2, t1, t3]));
  });

  s.test('bad filters, orders, max_results and page tokens are INVALID_PARAMETER_VALUE', async () => {
    const exp = await experiment(s);
    const bad = (q: { filter?: string; orderBy?: string[]; maxResults?: number; pageToken?: string }) =>
      expectCode(
        () => s.store.traces.searchTraces({ experimentIds: [exp], maxResults: q.maxResults ?? 10, filter: q.filter, orderBy: q.orderBy, pageToken: q.pageToken }),
        'INVALID_PARAMETER_VALUE',
      );
    await bad({ filter: "tags.team LIKE 'm%'" });
    await bad({ filter: "attributes.nope = 'x'" });
    await bad({ filter: "metrics.loss > 1" });
    await bad({ filter: "timestamp > 'yesterday'" });
    await bad({ filter: "status = 'OK' OR status = 'ERROR'" });
    await bad({ orderBy: ['timestamp ASC', 'timestamp_ms DESC'] });
    await bad({ orderBy: ['attributes.nope'] });
    await bad({ maxResults: 0 });
    await bad({ pageToken: 'not a token' });
  });
}

// ------------------------------------------------------------------------------------------------------------
// Delete

function deleteCases(s: Suite): void {
  const exists = async (s2: Suite, requestId: string): Promise<boolean> => {
    try {
      await s2.store.traces.getTraceInfo(requestId);
      return true;
    } catch {
      return false;
    }
  };

  s.test('by max timestamp: traces at or before it, in that experiment only', async () => {
    const a = await experiment(s, 'a');
    const b = await experiment(s, 'b');
    const old = await trace(s, a, 100, { tags: [kv('k', 'v')], metadata: [kv('m', 'v')] });
    const edge = await trace(s, a, 200);
    const recent = await trace(s, a, 300);
    const other = await trace(s, b, 100);
    expect(await s.store.traces.deleteTraces({ experimentId: a, maxTimestampMillis: 200 })).toBe(2);
    expect(await exists(s, old.request_id)).toBe(false);
    expect(await exists(s, edge.request_id)).toBe(false);
    expect(await exists(s, recent.request_id)).toBe(true);
    expect(await exists(s, other.request_id)).toBe(true);
    expect(await search(s, [a])).toEqual([recent.request_id]);
  });

  s.test('max_traces deletes the oldest first', async () => {
    const exp = await experiment(s);
    const t1 = await trace(s, exp, 100);
    const t2 = await trace(s, exp, 200);
    const t3 = await trace(s, exp, 300);
    expect(await s.store.traces.deleteTraces({ experimentId: exp, maxTimestampMillis: 1e15, maxTraces: 2 })).toBe(2);
    expect(await search(s, [exp])).toEqual([t3.request_id]);
    expect(await exists(s, t1.request_id)).toBe(false);
    expect(await exists(s, t2.request_id)).toBe(false);
  });

  s.test('by request ids: only those of the experiment; unknown ids count for nothing', async () => {
    const a = await experiment(s, 'a');
    const b = await experiment(s, 'b');
    const t1 = await trace(s, a, 100);
    const t2 = await trace(s, a, 200);
    const other = await trace(s, b, 100);
    const deleted = await s.store.traces.deleteTraces({ experimentId: a, requestIds: [t1.request_id, other.request_id, 'nope'] });
    expect(deleted).toBe(1);
    expect(await exists(s, t1.request_id)).toBe(false);
    expect(await exists(s, t2.request_id)).toBe(true);
    expect(await exists(s, other.request_id)).toBe(true);
  });

  s.test('a deleted trace can no longer be tagged', async () => {
    const exp = await experiment(s);
    const t = await trace(s, exp, 100, { tags: [kv('k', 'v')] });
    expect(await s.store.traces.deleteTraces({ experimentId: exp, requestIds: [t.request_id] })).toBe(1);
    await expectCode(() => s.store.traces.setTraceTag(t.request_id, 'k', 'v2'), 'RESOURCE_DOES_NOT_EXIST');
    await expectCode(() => s.store.traces.deleteTraceTag(t.request_id, 'k'), 'RESOURCE_DOES_NOT_EXIST');
  });

  s.test('criteria MLflow refuses are INVALID_PARAMETER_VALUE', async () => {
    const exp = await experiment(s);
    const t = await trace(s, exp, 100);
    await expectCode(() => s.store.traces.deleteTraces({ experimentId: exp }), 'INVALID_PARAMETER_VALUE');
    await expectCode(() => s.store.traces.deleteTraces({ experimentId: exp, requestIds: [] }), 'INVALID_PARAMETER_VALUE');
    await expectCode(() => s.store.traces.deleteTraces({ experimentId: exp, maxTimestampMillis: 1e15, requestIds: [t.request_id] }), 'INVALID_PARAMETER_VALUE');
    await expectCode(() => s.store.traces.deleteTraces({ experimentId: exp, maxTraces: 1, requestIds: [t.request_id] }), 'INVALID_PARAMETER_VALUE');
    await expectCode(() => s.store.traces.deleteTraces({ experimentId: exp, maxTimestampMillis: 1e15, maxTraces: 0 }), 'INVALID_PARAMETER_VALUE');
    expect(await exists(s, t.request_id)).toBe(true);
  });
}
