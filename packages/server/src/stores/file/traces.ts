/**
 * The TraceStore over the `mlruns` folder, in MLflow's FileStore layout so either tool reads the other's traces:
 * `<exp>/traces/<request id>/trace_info.yaml` (request_id, experiment_id, timestamp_ms, execution_time_ms,
 * status) beside `request_metadata/` and `tags/` (one file per key, its value as the file's text).
 * Semantics follow the SQL store (same input rules, search grammar, order and paging).
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { pyyamlDump } from '@runlog/client';
import {
  EXPERIMENT_ID_PATTERN,
  RunlogError,
  TRACE_ARTIFACT_LOCATION_TAG,
  decodePageToken,
  encodePageToken,
  parseTraceFilter,
  parseTraceOrderBy,
  validateEntityKey,
  type DeleteTracesInput,
  type EndTraceInput,
  type KeyValue,
  type Page,
  type SearchTracesQuery,
  type StartTraceInput,
  type TraceClause,
  type TraceInfo,
  type TraceOrderKey,
  type TraceStore,
} from '@runlog/core';
import { checkDeleteTracesInput, checkTraceMaxResults, prepareTraceEntries, traceNotFound, traceStatusOf } from '../trace-rules.js';
import type { FileContext } from './context.js';
import { experimentNotFound, findExperiment } from './experiments.js';
import { durably, exists, isNotFound, isTempName, listDirs, listFilesDeep, readText, removeFile, TEMP_PREFIX, type DurableWrites } from './fs-ops.js';
import { compareValues, idOrder, matches } from './matching.js';
import { num, readYamlMap, str } from './yaml-files.js';

const TRACES = 'traces';
const TRACE_INFO_FILE = 'trace_info.yaml';
type KeyValueFolder = 'tags' | 'request_metadata';

/** Request ids name one folder: MLflow's uuid4 hex, or any id its clients accept (no dots, no separators). */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9][\w-]*$/;

/** A trace as read from its folder; `executionTimeMs` is null while in progress (0 on the wire, as MLflow answers). */
interface TraceRecord {
  info: TraceInfo;
  executionTimeMs: number | null;
  dir: string;
}

function readKeyValues(traceDir: string, folder: KeyValueFolder): KeyValue[] {
  const dir = path.join(traceDir, folder);
  return listFilesDeep(dir).map((key) => ({ key, value: readText(path.join(dir, ...key.split('/'))) ?? '' }));
}

/** The trace in `dir`, or undefined while its trace_info.yaml is not there (being created, or not a trace). */
function readTrace(dir: string): TraceRecord | undefined {
  const meta = readYamlMap(path.join(dir, TRACE_INFO_FILE));
  if (!meta) return undefined;
  const executionTimeMs = num(meta.execution_time_ms) ?? null;
  const info: TraceInfo = {
    request_id: str(meta.request_id),
    experiment_id: str(meta.experiment_id),
    timestamp_ms: num(meta.timestamp_ms) ?? 0,
    execution_time_ms: executionTimeMs ?? 0,
    status: traceStatusOf(meta.status),
  };
  const metadata = readKeyValues(dir, 'request_metadata');
  if (metadata.length > 0) info.request_metadata = metadata;
  const tags = readKeyValues(dir, 'tags');
  if (tags.length > 0) info.tags = tags;
  return { info, executionTimeMs, dir };
}

function traceInfoYaml(record: TraceRecord): string {
  const { info } = record;
  return pyyamlDump({
    request_id: info.request_id,
    experiment_id: info.experiment_id,
    timestamp_ms: info.timestamp_ms,
    execution_time_ms: record.executionTimeMs,
    status: info.status,
  });
}

/** Keys become file names, so they must pass MLflow's path-unique key rule (as MLflow's file store checks). */
function checkKeys(entries: readonly KeyValue[]): void {
  for (const { key } of entries) validateEntityKey('tag', key);
}

function stageKeyValues(ctx: FileContext, w: DurableWrites, traceDir: string, folder: KeyValueFolder, entries: readonly KeyValue[]): void {
  w.mkdir(path.join(traceDir, folder));
  for (const { key, value } of entries) w.replace(ctx.layout.inside(traceDir, folder, ...key.split('/')), value);
}

export function createFileTraceStore(ctx: FileContext): TraceStore {
  const { layout } = ctx;
  /** Where each request id was last seen; checked before use, since experiments move to and from .trash. */
  const located = new Map<string, string>();

  const tracesDirOf = (experimentDir: string): string => layout.inside(experimentDir, TRACES);

  function locate(requestId: string): string | undefined {
    if (!REQUEST_ID_PATTERN.test(requestId)) return undefined;
    const known = located.get(requestId);
    if (known !== undefined && exists(path.join(known, TRACE_INFO_FILE))) return known;
    located.delete(requestId);
    const experimentDirs = [
      ...layout.activeExperimentIds().map((id) => layout.inside(layout.root, id)),
      ...layout.deletedExperimentIds().map((id) => layout.inside(layout.trash, id)),
    ];
    for (const experimentDir of experimentDirs) {
      const dir = layout.inside(tracesDirOf(experimentDir), requestId);
      if (exists(path.join(dir, TRACE_INFO_FILE))) {
        located.set(requestId, dir);
        return dir;
      }
    }
    return undefined;
  }

  function requireTrace(requestId: string): TraceRecord {
    const dir = locate(requestId);
    const record = dir === undefined ? undefined : readTrace(dir);
    if (!record) throw traceNotFound(requestId);
    if (record.info.request_id !== requestId) {
      throw new RunlogError('INVALID_STATE', `Trace with request ID '${requestId}' metadata is in invalid state.`);
    }
    return record;
  }

  function tracesOf(experimentId: string): TraceRecord[] {
    const experimentDir = layout.experimentDir(experimentId);
    if (experimentDir === undefined) return [];
    const tracesDir = tracesDirOf(experimentDir);
    const out: TraceRecord[] = [];
    for (const name of listDirs(tracesDir)) {
      if (isTempName(name) || !REQUEST_ID_PATTERN.test(name)) continue;
      const record = readTrace(path.join(tracesDir, name));
      if (record) out.push(record);
    }
    return out;
  }

  function startTrace(input: StartTraceInput): TraceInfo {
    const metadata = prepareTraceEntries(input.requestMetadata, 'Request metadata');
    const userTags = prepareTraceEntries(input.tags, 'Trace tag');
    checkKeys(metadata);
    checkKeys(userTags);
    const found = findExperiment(ctx, input.experimentId);
    if (!found) throw experimentNotFound(input.experimentId);
    const { experiment, dir: experimentDir } = found;
    if (experiment.lifecycle_stage !== 'active') {
      throw RunlogError.invalidParameter(
        `The experiment ${input.experimentId} must be in the 'active' state. Current state is ${experiment.lifecycle_stage}.`,
      );
    }
    const requestId = randomUUID().replace(/-/g, '');
    const location = `${experiment.artifact_location.replace(/\/+$/, '')}/traces/${requestId}/artifacts`;
    const tags = [...userTags.filter((t) => t.key !== TRACE_ARTIFACT_LOCATION_TAG), { key: TRACE_ARTIFACT_LOCATION_TAG, value: location }];
    const tracesDir = tracesDirOf(experimentDir);
    const dir = layout.inside(tracesDir, requestId);
    const record: TraceRecord = {
      info: { request_id: requestId, experiment_id: experiment.experiment_id, timestamp_ms: input.timestampMs, execution_time_ms: 0, status: 'IN_PROGRESS' },
      executionTimeMs: null,
      dir,
    };
    durably((w) => {
      w.mkdir(tracesDir);
      w.mkdir(dir);
      stageKeyValues(ctx, w, dir, 'request_metadata', metadata);
      stageKeyValues(ctx, w, dir, 'tags', tags);
      // Renamed last: readers take a folder without trace_info.yaml for a trace still being created.
      w.replace(path.join(dir, TRACE_INFO_FILE), traceInfoYaml(record));
    }, ctx.sync);
    located.set(requestId, dir);
    return requireTrace(requestId).info;
  }

  function endTrace(requestId: string, input: EndTraceInput): TraceInfo {
    const metadata = prepareTraceEntries(input.requestMetadata, 'Request metadata');
    const tags = prepareTraceEntries(input.tags, 'Trace tag');
    checkKeys(metadata);
    checkKeys(tags);
    const record = requireTrace(requestId);
    const executionTimeMs = input.timestampMs - record.info.timestamp_ms;
    const ended: TraceRecord = { ...record, info: { ...record.info, status: input.status, execution_time_ms: executionTimeMs }, executionTimeMs };
    durably((w) => {
      stageKeyValues(ctx, w, record.dir, 'request_metadata', metadata);
      stageKeyValues(ctx, w, record.dir, 'tags', tags);
      w.replace(path.join(record.dir, TRACE_INFO_FILE), traceInfoYaml(ended));
    }, ctx.sync);
    return requireTrace(requestId).info;
  }

  function setTraceTag(requestId: string, key: string, value: string): void {
    validateEntityKey('tag', key);
    const tags = prepareTraceEntries([{ key, value }], 'Trace tag');
    const { dir } = requireTrace(requestId);
    durably((w) => stageKeyValues(ctx, w, dir, 'tags', tags), ctx.sync);
  }

  function deleteTraceTag(requestId: string, key: string): void {
    const missing = () => RunlogError.notFound(`No trace tag with key '${key}' for trace with request_id '${requestId}'`);
    const dir = locate(requestId);
    if (dir === undefined) throw missing();
    validateEntityKey('tag', key);
    if (!removeFile(layout.inside(dir, 'tags', ...key.split('/')))) throw missing();
  }

  function searchTraces(query: SearchTracesQuery): Page<TraceInfo> {
    checkTraceMaxResults(query.maxResults);
    const clauses = parseTraceFilter(query.filter);
    const orderKeys = parseTraceOrderBy(query.orderBy);
    const offset = decodePageToken(query.pageToken);
    const experimentIds = [...new Set(query.experimentIds)].filter((id) => EXPERIMENT_ID_PATTERN.test(id));
    const hits = experimentIds.flatMap(tracesOf).filter((r) => clauses.every((c) => clauseMatches(r, c)));
    hits.sort(traceOrder(orderKeys));
    const page: Page<TraceInfo> = { items: hits.slice(offset, offset + query.maxResults).map((r) => r.info) };
    if (hits.length > offset + query.maxResults) page.next_page_token = encodePageToken(offset + query.maxResults);
    return page;
  }

  /** Moves the folder aside first (one rename), so readers see the trace whole or gone, then removes it. */
  function removeTrace(dir: string): boolean {
    const aside = path.join(path.dirname(dir), `${TEMP_PREFIX}${randomBytes(6).toString('hex')}`);
    try {
      fs.renameSync(dir, aside);
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
    fs.rmSync(aside, { recursive: true, force: true });
    return true;
  }

  function deleteTraces(input: DeleteTracesInput): number {
    checkDeleteTracesInput(input);
    let doomed: TraceRecord[];
    if (input.requestIds && input.requestIds.length > 0) {
      // Only the named folders are read; ids of other experiments name no folder here.
      const experimentDir = layout.experimentDir(input.experimentId);
      doomed = [];
      for (const id of new Set(input.requestIds)) {
        if (experimentDir === undefined || !REQUEST_ID_PATTERN.test(id)) continue;
        const record = readTrace(layout.inside(tracesDirOf(experimentDir), id));
        if (record?.info.request_id === id) doomed.push(record);
      }
    } else {
      const max = input.maxTimestampMillis ?? 0;
      // Oldest first, so max_traces deletes the oldest traces.
      doomed = tracesOf(input.experimentId)
        .filter((r) => r.info.timestamp_ms <= max)
        .sort((a, b) => a.info.timestamp_ms - b.info.timestamp_ms || compareValues(a.info.request_id, b.info.request_id, true))
        .slice(0, input.maxTraces ?? Infinity);
    }
    let deleted = 0;
    for (const r of doomed) {
      if (removeTrace(r.dir)) deleted += 1;
      located.delete(r.info.request_id);
    }
    return deleted;
  }

  const run = <T>(fn: () => T): Promise<T> => {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  };
  return {
    startTrace: (input) => run(() => startTrace(input)),
    endTrace: (requestId, input) => run(() => endTrace(requestId, input)),
    getTraceInfo: (requestId) => run(() => requireTrace(requestId).info),
    searchTraces: (query) => run(() => searchTraces(query)),
    deleteTraces: (input) => run(() => deleteTraces(input)),
    setTraceTag: (requestId, key, value) => run(() => setTraceTag(requestId, key, value)),
    deleteTraceTag: (requestId, key) => run(() => deleteTraceTag(requestId, key)),
  };
}

// ------------------------------------------------------------------------------------------------------------
// Search, in memory over core's parsed filter and order_by (the SQL store's semantics)

type Value = string | number | undefined;

function valueOf(record: TraceRecord, type: TraceClause['type'], key: string): Value {
  const { info } = record;
  if (type === 'tag') return info.tags?.find((t) => t.key === key)?.value;
  if (type === 'request_metadata') return info.request_metadata?.find((m) => m.key === key)?.value;
  switch (key) {
    case 'request_id':
      return info.request_id;
    case 'experiment_id':
      return info.experiment_id;
    case 'timestamp_ms':
      return info.timestamp_ms;
    case 'execution_time_ms':
      // In progress is NULL in the SQL store: it matches no comparison and sorts last.
      return record.executionTimeMs ?? undefined;
    case 'status':
      return info.status;
    default:
      return undefined;
  }
}

/** A trace without the key matches neither = nor != (MLflow inner-joins the key's rows). */
function clauseMatches(record: TraceRecord, clause: TraceClause): boolean {
  return matches(valueOf(record, clause.type, clause.key), clause.comparator, clause.value);
}

function compareKey(a: TraceRecord, b: TraceRecord, k: TraceOrderKey): number {
  const x = valueOf(a, k.type, k.key);
  const y = valueOf(b, k.type, k.key);
  // Experiment ids are integers in the SQL store; compare them as numbers of any length.
  if (k.type === 'attribute' && k.key === 'experiment_id' && x !== undefined && y !== undefined) {
    const c = idOrder(String(x), String(y));
    return k.ascending ? c : -c;
  }
  return compareValues(x, y, k.ascending);
}

/** The given keys (missing values last), then newest first, then request id, unless those were named. */
function traceOrder(keys: readonly TraceOrderKey[]): (a: TraceRecord, b: TraceRecord) => number {
  const named = (key: string) => keys.some((k) => k.type === 'attribute' && k.key === key);
  const all: TraceOrderKey[] = [...keys];
  if (!named('timestamp_ms')) all.push({ type: 'attribute', key: 'timestamp_ms', ascending: false });
  if (!named('request_id')) all.push({ type: 'attribute', key: 'request_id', ascending: true });
  return (a, b) => {
    for (const k of all) {
      const c = compareKey(a, b, k);
      if (c !== 0) return c;
    }
    return 0;
  };
}
