/**
 * `minimize`: hyperopt's `fmin` with tracking. A parent run holds the search; every trial is a nested child run
 * (`mlflow.parentRunId`) with the params the objective received, its `loss` metric and its status. A trial whose
 * objective throws (or returns something that is not a loss) ends FAILED and the search goes on. Each trial's
 * point is kept in a tag, so a search that crashed can be resumed from its parent run: finished trials are read
 * back, and with the same seed the remaining trials are the ones an uninterrupted search would have run.
 */
import { LIMITS, RunlogError, type Metric, type Param, type Run, type RunTag } from '@runlog/core';
import { activeExperimentId, activeRun, getClient } from '../tracking/fluent.js';
import type { RunlogClient } from '../tracking/runlog-client.js';
import { TAG, currentUser, resolveSystemTags } from '../tracking/system-tags.js';
import { createOptimizer, type SearchAlgorithm } from './optimizer.js';
import { evaluateSpace, flattenParams, type SpaceValue, type Vals } from './space.js';
import type { Observation, TpeOptions } from './tpe.js';

/** Tags a search writes, besides MLflow's. */
export const SEARCH_TAG = {
  trialNumber: 'runlog.trial.number',
  trialVals: 'runlog.trial.vals',
  trialError: 'runlog.trial.error',
  algo: 'runlog.search.algo',
  seed: 'runlog.search.seed',
  bestRunId: 'runlog.search.best_run_id',
  bestTrial: 'runlog.search.best_trial',
} as const;

export type TrialStatus = 'ok' | 'fail';

/** Trials whose end-of-trial writes may be in flight at once. */
const MAX_PENDING = 8;
/** A trial running longer than this gets its params sent before it ends. */
const PARAMS_DELAY_MS = 1000;

/** What an objective returns: a loss, or hyperopt's dict form. */
export type ObjectiveResult = number | { loss?: number; status?: TrialStatus };

export interface TrialContext {
  /** 0-based trial number within the search. */
  readonly trial: number;
  /** The trial's run. */
  readonly runId: string;
  readonly client: RunlogClient;
  /** Queues a metric for the trial's run; sent with its loss when the trial ends. */
  logMetric(key: string, value: number, step?: number): void;
}

export interface MinimizeOptions<S> {
  space: S;
  objective: (params: SpaceValue<S>, trial: TrialContext) => ObjectiveResult | Promise<ObjectiveResult>;
  /** Total trials of the search, earlier ones of a resumed search included (as hyperopt's `max_evals`). */
  maxEvals: number;
  algo?: SearchAlgorithm;
  /** Trials run at once (default 1). Above 1, which trials TPE sees finished depends on timing. */
  parallelism?: number;
  /** Fixes the trials; default: a random seed, recorded on the parent run (or the resumed search's seed). */
  seed?: number;
  /** Stop after this many finished trials without a better loss (hyperopt's `no_progress_loss`). */
  earlyStop?: number;
  tpe?: TpeOptions;
  /** Resume the search recorded under this parent run. */
  resumeRunId?: string;
  /** Parent run name for a new search (default `search`); the active fluent run is used as parent if any. */
  runName?: string;
  experimentId?: string;
  /** Default: the fluent API's client. */
  client?: RunlogClient;
}

export interface TrialResult {
  readonly trial: number;
  readonly runId: string;
  readonly vals: Vals;
  readonly params: unknown;
  readonly status: TrialStatus;
  /** Missing for failed trials; NaN is kept (recorded, never best). */
  readonly loss: number | undefined;
  readonly error?: string;
}

export interface MinimizeResult<S> {
  readonly parentRunId: string;
  /** The trial with the lowest loss; undefined when none succeeded. */
  readonly best: (TrialResult & { params: SpaceValue<S>; loss: number }) | undefined;
  /** Every finished trial in trial order, resumed ones included. */
  readonly trials: TrialResult[];
  readonly stoppedEarly: boolean;
}

function describe(v: unknown): string {
  if (typeof v === 'number') return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** A loss, or a clear error naming the trial. NaN losses are kept, as hyperopt records and then skips them. */
function readResult(trial: number, value: unknown): { status: TrialStatus; loss: number | undefined } {
  const expected = 'it must return a number or { loss: number, status?: "ok" | "fail" }';
  if (typeof value === 'number') return { status: 'ok', loss: value };
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { loss, status } = value as { loss?: unknown; status?: unknown };
    if (status !== undefined && status !== 'ok' && status !== 'fail') {
      throw RunlogError.invalidParameter(`Trial ${trial}: the objective returned status ${describe(status)}; ${expected}.`);
    }
    if (status === 'fail') return { status: 'fail', loss: typeof loss === 'number' ? loss : undefined };
    if (typeof loss === 'number') return { status: 'ok', loss };
  }
  throw RunlogError.invalidParameter(`Trial ${trial}: the objective returned ${describe(value)}; ${expected}.`);
}

function tag(run: Run, key: string): string | undefined {
  return run.data.tags?.find((t) => t.key === key)?.value;
}

/** The finished trials recorded under a parent run; trials left RUNNING by a crash are marked KILLED and redone. */
async function readTrials(client: RunlogClient, parent: Run, space: unknown): Promise<TrialResult[]> {
  const trials: TrialResult[] = [];
  const filter = `tags.\`${TAG.parentRunId}\` = '${parent.info.run_id}'`;
  for await (const run of client.iterateRuns({ experimentIds: [parent.info.experiment_id], filter })) {
    const number = Number(tag(run, SEARCH_TAG.trialNumber));
    const valsText = tag(run, SEARCH_TAG.trialVals);
    if (!Number.isInteger(number) || valsText === undefined) continue; // a child that is not a trial
    const status = run.info.status;
    if (status !== 'FINISHED' && status !== 'FAILED') {
      if (status === 'RUNNING') await client.setTerminated(run.info.run_id, 'KILLED');
      continue;
    }
    const vals = JSON.parse(valsText) as Vals;
    const loss = run.data.metrics?.find((m) => m.key === 'loss')?.value;
    const error = tag(run, SEARCH_TAG.trialError);
    trials.push({
      trial: number,
      runId: run.info.run_id,
      vals,
      params: evaluateSpace(space, vals),
      status: status === 'FINISHED' ? 'ok' : 'fail',
      loss: status === 'FINISHED' ? loss : undefined,
      ...(error !== undefined ? { error } : {}),
    });
  }
  // A trial number redone after a crash appears once per attempt; keep the finished one.
  const byNumber = new Map<number, TrialResult>();
  for (const t of trials) byNumber.set(t.trial, t);
  return [...byNumber.values()].sort((a, b) => a.trial - b.trial);
}

const better = (t: TrialResult, best: TrialResult | undefined): boolean =>
  t.status === 'ok' && t.loss !== undefined && !Number.isNaN(t.loss) && (best?.loss === undefined || t.loss < best.loss);

export async function minimize<S>(options: MinimizeOptions<S>): Promise<MinimizeResult<S>> {
  const { maxEvals } = options;
  const parallelism = options.parallelism ?? 1;
  if (!Number.isInteger(maxEvals) || maxEvals < 1) throw RunlogError.invalidParameter(`maxEvals must be an integer >= 1, got ${maxEvals}.`);
  if (!Number.isInteger(parallelism) || parallelism < 1) throw RunlogError.invalidParameter(`parallelism must be an integer >= 1, got ${parallelism}.`);
  if (options.earlyStop !== undefined && (!Number.isInteger(options.earlyStop) || options.earlyStop < 1)) {
    throw RunlogError.invalidParameter(`earlyStop must be an integer >= 1, got ${options.earlyStop}.`);
  }
  if (typeof options.objective !== 'function') throw RunlogError.invalidParameter('minimize needs an objective function.');
  const client = options.client ?? getClient();
  // Space, algorithm and seed are checked before any run exists (built again below once a resumed seed is known).
  const optimizerOptions = { algo: options.algo ?? 'tpe', ...(options.tpe ? { tpe: options.tpe } : {}) };
  let optimizer = createOptimizer(options.space, { ...optimizerOptions, ...(options.seed !== undefined ? { seed: options.seed } : {}) });

  // The parent: a resumed search's, the active fluent run, or a new run ended with the search.
  let parent: Run;
  let previous: TrialResult[] = [];
  let ownsParent = false;
  if (options.resumeRunId !== undefined) {
    parent = await client.getRun(options.resumeRunId);
    previous = await readTrials(client, parent, options.space);
    ownsParent = parent.info.run_id !== activeRun()?.runId;
    if (ownsParent) await client.updateRun(parent.info.run_id, { status: 'RUNNING' });
  } else {
    const active = activeRun();
    if (active !== undefined && (options.client === undefined || options.client === getClient())) {
      parent = await client.getRun(active.runId);
    } else {
      ownsParent = true;
      const experimentId = options.experimentId ?? (await activeExperimentId());
      const runName = options.runName ?? 'search';
      parent = await client.createRun({
        experimentId,
        userId: currentUser(process.env),
        runName,
        tags: [...resolveSystemTags(process.env), { key: TAG.runName, value: runName }],
      });
    }
  }
  const parentRunId = parent.info.run_id;
  // A resumed search keeps its recorded algorithm and seed unless told otherwise.
  const recordedSeed = tag(parent, SEARCH_TAG.seed);
  const recordedAlgo = tag(parent, SEARCH_TAG.algo);
  const seed = options.seed ?? (recordedSeed !== undefined && Number.isInteger(Number(recordedSeed)) ? Number(recordedSeed) : undefined);
  if (options.resumeRunId !== undefined && (seed !== options.seed || (options.algo === undefined && recordedAlgo !== undefined))) {
    const algo = options.algo ?? (recordedAlgo as SearchAlgorithm | undefined) ?? 'tpe';
    optimizer = createOptimizer(options.space, { ...optimizerOptions, algo, ...(seed !== undefined ? { seed } : {}) });
  }
  await client.logBatch(parentRunId, {
    tags: [
      { key: SEARCH_TAG.algo, value: optimizer.algo },
      { key: SEARCH_TAG.seed, value: String(optimizer.seed) },
    ],
  });

  const store = await client.store();
  const baseTags: RunTag[] = [...resolveSystemTags(process.env), { key: TAG.parentRunId, value: parentRunId }];
  const user = currentUser(process.env);
  // Finished trials, kept in trial order (TPE's forgetting weights depend on it).
  const finished: TrialResult[] = [...previous];
  const addFinished = (t: TrialResult): void => {
    let i = finished.length;
    while (i > 0 && (finished[i - 1] as TrialResult).trial > t.trial) i--;
    finished.splice(i, 0, t);
  };
  let best = finished.reduce<TrialResult | undefined>((b, t) => (better(t, b) ? t : b), undefined);
  let sinceImprovement = 0;
  let stoppedEarly = false;
  // Trial numbers still to run: a resumed search first redoes the ones a crash left unfinished.
  const done = new Set(previous.map((t) => t.trial));
  const todo = Array.from({ length: Math.min(maxEvals, optimizer.size) }, (_, i) => i).filter((i) => !done.has(i));

  // A trial's writes after its objective (loss, status) go on in the background while the next trial starts;
  // at most MAX_PENDING trials' writes are in flight, and a failed write stops the search.
  const pending = new Set<Promise<void>>();
  let writeError: Error | undefined;
  let crashed = false;
  const inBackground = (work: Promise<unknown>): void => {
    const p: Promise<void> = work.then(
      () => undefined,
      (err: unknown) => {
        writeError ??= err instanceof Error ? err : new Error(String(err));
        crashed = true;
      },
    );
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };

  const runTrial = async (trial: number): Promise<void> => {
    // Only lower-numbered trials are history: a sequential search, resumed or not, sees what it would have seen.
    const history: Observation[] = [];
    for (const t of finished) {
      if (t.trial >= trial) break;
      history.push({ vals: t.vals, loss: t.status === 'ok' ? t.loss : undefined });
    }
    const vals = optimizer.suggest(trial, history);
    const params = evaluateSpace(optimizer.space.space, vals);
    const runName = `trial-${trial}`;
    const run = await client.createRun({
      experimentId: parent.info.experiment_id,
      userId: user,
      runName,
      tags: [
        ...baseTags,
        { key: TAG.runName, value: runName },
        { key: SEARCH_TAG.trialNumber, value: String(trial) },
        { key: SEARCH_TAG.trialVals, value: JSON.stringify(vals) },
      ],
    });
    const runId = run.info.run_id;
    const paramList: Param[] = Object.entries(flattenParams(params)).map(([key, value]) => ({ key, value }));
    // Params go with the loss in one request, unless the trial is still running after PARAMS_DELAY_MS: then they
    // are sent at once, so the UI shows what a long trial is trying (short trials save a request each).
    let paramsSent: Promise<void> | undefined;
    const paramsTimer = setTimeout(() => {
      paramsSent = client.logBatch(runId, { params: paramList });
      paramsSent.catch(() => undefined); // awaited after the objective; this only marks it handled
    }, PARAMS_DELAY_MS);
    paramsTimer.unref();

    const metrics: Metric[] = [];
    const ctx: TrialContext = {
      trial,
      runId,
      client,
      logMetric: (key, value, step = 0) => void metrics.push({ key, value, timestamp: Date.now(), step }),
    };
    let result: { status: TrialStatus; loss: number | undefined };
    let error: string | undefined;
    try {
      result = readResult(trial, await options.objective(params as SpaceValue<S>, ctx));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      error = message.startsWith(`Trial ${trial}`) ? message : `Trial ${trial} failed: ${message}`;
      result = { status: 'fail', loss: undefined };
    }
    if (result.loss !== undefined) metrics.push({ key: 'loss', value: result.loss, timestamp: Date.now(), step: 0 });
    if (result.loss !== undefined && Number.isNaN(result.loss)) process.emitWarning(`Runlog search: trial ${trial} returned a NaN loss; it is recorded and skipped.`);
    if (error !== undefined) process.emitWarning(`Runlog search: ${error}`);
    const tags: RunTag[] = error !== undefined ? [{ key: SEARCH_TAG.trialError, value: error.slice(0, 5000) }] : [];
    const status = result.status === 'ok' ? 'FINISHED' : 'FAILED';
    clearTimeout(paramsTimer);
    const sent = paramsSent;
    const lateParams = sent === undefined ? paramList : [];
    inBackground(
      (async () => {
        await sent;
        if (metrics.length <= LIMITS.maxMetricsPerBatch && lateParams.length <= LIMITS.maxParamsPerBatch) {
          if (metrics.length + lateParams.length + tags.length > 0) await store.logBatch(runId, metrics, lateParams, tags);
        } else {
          await client.logBatch(runId, { metrics, params: lateParams, tags });
        }
        await client.setTerminated(runId, status);
      })(),
    );

    const trialResult: TrialResult = { trial, runId, vals, params, ...result, ...(error !== undefined ? { error } : {}) };
    addFinished(trialResult);
    if (better(trialResult, best)) {
      best = trialResult;
      sinceImprovement = 0;
      // The parent's `loss` history is the search's best-so-far curve.
      inBackground(store.logBatch(parentRunId, [{ key: 'loss', value: trialResult.loss as number, timestamp: Date.now(), step: trial }], [], []));
    } else {
      sinceImprovement++;
    }
    if (options.earlyStop !== undefined && best !== undefined && sinceImprovement >= options.earlyStop) stoppedEarly = true;
  };

  const worker = async (): Promise<void> => {
    for (let trial = todo.shift(); trial !== undefined; trial = todo.shift()) {
      while (pending.size >= MAX_PENDING) await Promise.race(pending);
      if (stoppedEarly || crashed) return;
      try {
        await runTrial(trial);
      } catch (err) {
        crashed = true; // the other workers finish their current trial and start no new one
        throw err;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: parallelism }, worker));
    await Promise.all(pending);
    if (writeError !== undefined) throw writeError;
  } catch (err) {
    // Tracking failed (objective errors never get here): finished trials stay, the search can be resumed.
    await Promise.all(pending);
    if (ownsParent) await client.setTerminated(parentRunId, 'FAILED').catch(() => undefined);
    throw err;
  }

  const trials = finished;
  if (best === undefined) {
    if (ownsParent) await client.setTerminated(parentRunId, 'FAILED');
    const firstError = trials.find((t) => t.error !== undefined)?.error;
    throw new RunlogError('BAD_REQUEST', `All ${trials.length} trials of the search failed${firstError !== undefined ? `; the first: ${firstError}` : '.'}`);
  }
  await logBest(client, parentRunId, best);
  if (ownsParent) await client.setTerminated(parentRunId, 'FINISHED');
  return { parentRunId, best: best as MinimizeResult<S>['best'], trials, stoppedEarly };
}

/**
 * The best trial on the parent: its params (params are write-once in MLflow, so a resumed search that found a
 * better trial keeps the earlier values and says so in a warning; the tags always name the current best).
 */
async function logBest(client: RunlogClient, parentRunId: string, best: TrialResult): Promise<void> {
  const parent = await client.getRun(parentRunId);
  const existing = new Map((parent.data.params ?? []).map((p) => [p.key, p.value]));
  const params: Param[] = [];
  for (const [key, value] of Object.entries(flattenParams(best.params))) {
    const old = existing.get(key);
    if (old === undefined) params.push({ key, value });
    else if (old !== value) process.emitWarning(`Runlog search: the parent already has param ${key}=${old}; the best trial's ${value} is in trial-${best.trial}.`);
  }
  await client.logBatch(parentRunId, {
    params,
    tags: [
      { key: SEARCH_TAG.bestRunId, value: best.runId },
      { key: SEARCH_TAG.bestTrial, value: String(best.trial) },
    ],
  });
}
