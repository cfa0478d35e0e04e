/**
 * Traces move between Runlog and MLflow 2.17's own FileStore in one `mlruns` folder: MLflow reads what Runlog
 * wrote (in progress and finished, a key with `/` as nested files), and Runlog reads, searches and deletes what
 * MLflow wrote.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRACE_ARTIFACT_LOCATION_TAG, traceValue, type TraceInfo } from '@runlog/core';
import { sharedPath } from '../../testing/reference-stores.js';
import { createTempFileStore, type TempFileStore } from '../../testing/temp-file-store.js';

const python = sharedPath('mlflow-reference/bin/python', 'MLflow reference client');
const SCRIPT = fileURLToPath(new URL('./fixtures/traces_interop.py', import.meta.url));

interface SeenTrace {
  request_id: string;
  experiment_id: string;
  timestamp_ms: number;
  execution_time_ms: number | null;
  status: string;
  request_metadata: Record<string, string>;
  tags: Record<string, string>;
}

describe.skipIf(python === undefined)('traces shared with MLflow in one file store', () => {
  let temp: TempFileStore;
  let experimentId: string;
  let finished: TraceInfo;
  let running: TraceInfo;
  let seen: SeenTrace[];
  let written: string;

  beforeAll(async () => {
    temp = createTempFileStore();
    experimentId = await temp.store.createExperiment('traces-interop');
    const started = await temp.traces.startTrace({
      experimentId,
      timestampMs: 1000,
      requestMetadata: [{ key: 'mlflow.sourceRun', value: 'run-a' }],
      tags: [{ key: 'team/sub', value: 'ml' }],
    });
    finished = await temp.traces.endTrace(started.request_id, { timestampMs: 1400, status: 'OK', tags: [{ key: 'mlflow.traceName', value: 'predict' }] });
    running = await temp.traces.startTrace({ experimentId, timestampMs: 2000 });
    const text = execFileSync(python ?? '', [SCRIPT, pathToFileURL(temp.root).href, experimentId], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    ({ seen, written } = JSON.parse(text) as { seen: SeenTrace[]; written: string });
  }, 120_000);

  afterAll(async () => {
    await temp.cleanup();
  });

  it('MLflow reads Runlog-written traces: newest first, null execution time while in progress', () => {
    expect(seen.map((t) => t.request_id)).toEqual([running.request_id, finished.request_id]);
    expect(seen[0]).toMatchObject({ experiment_id: experimentId, timestamp_ms: 2000, execution_time_ms: null, status: 'IN_PROGRESS', request_metadata: {} });
    expect(seen[1]).toEqual({
      request_id: finished.request_id,
      experiment_id: experimentId,
      timestamp_ms: 1000,
      execution_time_ms: 400,
      status: 'OK',
      request_metadata: { 'mlflow.sourceRun': 'run-a' },
      tags: {
        'team/sub': 'ml',
        'mlflow.traceName': 'predict',
        [TRACE_ARTIFACT_LOCATION_TAG]: traceValue(finished.tags, TRACE_ARTIFACT_LOCATION_TAG),
      },
    });
  });

  it('Runlog reads, searches and deletes an MLflow-written trace', async () => {
    const info = await temp.traces.getTraceInfo(written);
    expect(info).toMatchObject({ experiment_id: experimentId, timestamp_ms: 5000, execution_time_ms: 250, status: 'ERROR' });
    expect(info.request_metadata).toEqual([
      { key: 'extra', value: 'v' },
      { key: 'mlflow.sourceRun', value: 'r1' },
    ]);
    expect(traceValue(info.tags, 'later')).toBe('x');
    expect(traceValue(info.tags, 'mlflow.traceName')).toBe('py');
    const { artifact_location } = await temp.store.getExperiment(experimentId);
    expect(traceValue(info.tags, TRACE_ARTIFACT_LOCATION_TAG)).toBe(`${artifact_location}/traces/${written}/artifacts`);
    const found = await temp.traces.searchTraces({ experimentIds: [experimentId], maxResults: 10, filter: "run_id = 'r1'" });
    expect(found.items.map((t) => t.request_id)).toEqual([written]);
    expect(await temp.traces.deleteTraces({ experimentId, requestIds: [written] })).toBe(1);
    const left = await temp.traces.searchTraces({ experimentIds: [experimentId], maxResults: 10 });
    expect(left.items.map((t) => t.request_id)).toEqual([running.request_id, finished.request_id]);
  });
});
