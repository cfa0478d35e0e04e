/**
 * minimize() with tracking, in local mode (a SQLite file, no server): one nested run per trial with the params
 * the objective received, its loss and status; failing, NaN and malformed trials; the best on the parent;
 * early stopping; parallelism; a search that crashes mid-trial and is resumed to the same trials an
 * uninterrupted search runs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Run, RunStatus } from '@runlog/core';
import * as runlog from '@runlog/client';
import { RunlogClient, SEARCH_TAG, hp, minimize } from '@runlog/client';
import { rejection } from './helpers/rejection.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-search-'));
const uri = `sqlite:///${path.join(dir, 'runlog.db')}`;
let client: RunlogClient;

beforeAll(() => {
  client = new RunlogClient({ trackingUri: uri, env: {} });
});
afterAll(async () => {
  await client.close();
  await runlog.getClient().close();
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  runlog.resetFluentState({});
  runlog.setTrackingUri(uri);
});

const tagsOf = (run: Run): Record<string, string> => Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));
const paramsOf = (run: Run): Record<string, string> => Object.fromEntries((run.data.params ?? []).map((p) => [p.key, p.value]));
const lossOf = (run: Run): number | undefined => run.data.metrics?.find((m) => m.key === 'loss')?.value;

async function children(parentRunId: string, experimentId: string): Promise<Run[]> {
  const runs: Run[] = [];
  for await (const r of client.iterateRuns({ experimentIds: [experimentId], filter: `tags.mlflow.parentRunId = '${parentRunId}'` })) runs.push(r);
  return runs.sort((a, b) => Number(tagsOf(a)[SEARCH_TAG.trialNumber]) - Number(tagsOf(b)[SEARCH_TAG.trialNumber]));
}

const space = {
  model: hp.choice('model', [
    { type: 'linear', alpha: hp.loguniform('alpha', -5, 0) },
    { type: 'trees', depth: hp.quniform('depth', 2, 8, 1) },
  ]),
  lr: hp.uniform('lr', 0, 1),
};
const loss = (p: { model: { type: string; alpha?: number; depth?: number }; lr: number }): number =>
  (p.model.type === 'trees' ? Math.abs((p.model.depth ?? 0) - 5) : 3) + (p.lr - 0.3) ** 2;

describe('minimize', () => {
  it('runs one nested child run per trial with the received params, loss and status, and puts the best on the parent', async () => {
    const exp = await runlog.setExperiment('search-basic');
    const received: unknown[] = [];
    const result = await minimize({
      space,
      objective: (params, trial) => {
        received.push(params);
        trial.logMetric('depth_error', params.model.type === 'trees' ? Math.abs((params.model.depth ?? 0) - 5) : -1);
        return loss(params);
      },
      maxEvals: 25,
      seed: 11,
      runName: 'tpe-search',
    });
    expect(result.trials).toHaveLength(25);
    const parent = await client.getRun(result.parentRunId);
    expect(parent.info).toMatchObject({ status: 'FINISHED', run_name: 'tpe-search', experiment_id: exp.experiment_id });
    expect(tagsOf(parent)).toMatchObject({ [SEARCH_TAG.algo]: 'tpe', [SEARCH_TAG.seed]: '11', [SEARCH_TAG.bestRunId]: result.best?.runId });

    const kids = await children(result.parentRunId, exp.experiment_id);
    expect(kids).toHaveLength(25);
    kids.forEach((kid, i) => {
      expect(kid.info.status).toBe('FINISHED');
      expect(kid.info.run_name).toBe(`trial-${i}`);
      const p = received[i] as Parameters<typeof loss>[0];
      const expected: Record<string, string> = { 'model.type': p.model.type, lr: String(p.lr) };
      if (p.model.alpha !== undefined) expected['model.alpha'] = String(p.model.alpha);
      if (p.model.depth !== undefined) expected['model.depth'] = String(p.model.depth);
      expect(paramsOf(kid)).toEqual(expected);
      expect(lossOf(kid)).toBe(loss(p));
      expect(kid.data.metrics?.some((m) => m.key === 'depth_error')).toBe(true);
    });
    const bestLoss = Math.min(...received.map((p) => loss(p as Parameters<typeof loss>[0])));
    expect(result.best?.loss).toBe(bestLoss);
    expect(lossOf(parent)).toBe(bestLoss);
    expect(paramsOf(parent)).toEqual(paramsOf(kids[result.best?.trial ?? -1] as Run));
    // The parent's loss history is the best-so-far curve: strictly decreasing.
    const curve = (await client.getMetricHistory(result.parentRunId, 'loss')).map((m) => m.value);
    expect(curve.every((v, i) => i === 0 || v < (curve[i - 1] as number))).toBe(true);
  });

  it('marks throwing, failing and malformed trials FAILED with an error naming the trial, records NaN, and goes on', async () => {
    const exp = await runlog.setExperiment('search-failures');
    const outcomes: unknown[] = [() => { throw new Error('out of memory'); }, Number.NaN, 'abc', { status: 'fail' }, { loss: 2 }, 1.5, { loss: undefined }, 7];
    const result = await minimize({
      space: { x: hp.uniform('x', 0, 1) },
      objective: (_p, t) => {
        const o = outcomes[t.trial];
        return (typeof o === 'function' ? (o as () => number)() : o) as number;
      },
      maxEvals: outcomes.length,
      algo: 'random',
      seed: 1,
    });
    const kids = await children(result.parentRunId, exp.experiment_id);
    const status = (i: number): RunStatus | undefined => kids[i]?.info.status;
    const error = (i: number): string | undefined => tagsOf(kids[i] as Run)[SEARCH_TAG.trialError];
    expect(kids.map((k) => k.info.status)).toEqual(['FAILED', 'FINISHED', 'FAILED', 'FAILED', 'FINISHED', 'FINISHED', 'FAILED', 'FINISHED']);
    expect(error(0)).toBe('Trial 0 failed: out of memory');
    expect(lossOf(kids[1] as Run)).toBeNaN(); // recorded ...
    expect(error(2)).toMatch(/^Trial 2: the objective returned "abc"; it must return a number or \{ loss: number/);
    expect(error(3)).toBeUndefined(); // a declared failure is not an error
    expect(status(3)).toBe('FAILED');
    expect(error(6)).toMatch(/^Trial 6: the objective returned \{\}/);
    expect(result.best).toMatchObject({ trial: 5, loss: 1.5 }); // ... and skipped: NaN is never best
    expect(result.trials.map((t) => t.status)).toEqual(['fail', 'ok', 'fail', 'fail', 'ok', 'ok', 'fail', 'ok']);
  });

  it('refuses bad input before creating any run, and fails the search when every trial fails', async () => {
    const exp = await runlog.setExperiment('search-bad-input');
    const objective = (): number => 1;
    expect((await rejection(minimize({ space: {}, objective, maxEvals: 3 }))).message).toMatch(/no hp\.\* expression/);
    expect((await rejection(minimize({ space: { a: hp.choice('a', []) }, objective, maxEvals: 3 }))).message).toMatch(/hp.choice needs at least one option/);
    const zero = await rejection(minimize({ space: { x: hp.uniform('x', 0, 1) }, objective, maxEvals: 0 }));
    expect(zero.errorCode).toBe('INVALID_PARAMETER_VALUE');
    expect(zero.message).toBe('maxEvals must be an integer >= 1, got 0.');
    expect((await rejection(minimize({ space: { x: hp.uniform('x', 0, 1) }, objective, maxEvals: 2, parallelism: 0 }))).message).toMatch(/parallelism/);
    expect((await client.searchRuns({ experimentIds: [exp.experiment_id] })).items).toHaveLength(0);

    const all = await rejection(minimize({ space: { x: hp.uniform('x', 0, 1) }, objective: () => Number.NaN, maxEvals: 2 }));
    expect(all.message).toMatch(/^All 2 trials of the search failed/);
    const [parent] = (await client.searchRuns({ experimentIds: [exp.experiment_id], filter: `tags.mlflow.runName = 'search'` })).items;
    expect(parent?.info.status).toBe('FAILED');
  });

  it('stops after earlyStop trials without improvement', async () => {
    await runlog.setExperiment('search-early-stop');
    const losses = [5, 4, 3, 3.5, 3.2, 9, 8, 1, 0];
    const result = await minimize({ space: { x: hp.uniform('x', 0, 1) }, objective: (_p, t) => losses[t.trial] as number, maxEvals: 9, earlyStop: 3, algo: 'random' });
    expect(result.stoppedEarly).toBe(true);
    expect(result.trials.map((t) => t.loss)).toEqual([5, 4, 3, 3.5, 3.2, 9]);
    expect(result.best?.loss).toBe(3);
  });

  it('runs `parallelism` trials at once and finishes them all', async () => {
    const exp = await runlog.setExperiment('search-parallel');
    let running = 0;
    let peak = 0;
    const result = await minimize({
      space: { x: hp.uniform('x', -1, 1) },
      objective: async ({ x }) => {
        peak = Math.max(peak, ++running);
        await new Promise((r) => setImmediate(r));
        running--;
        return x * x;
      },
      maxEvals: 12,
      parallelism: 4,
      seed: 5,
    });
    expect(peak).toBe(4);
    expect(result.trials.map((t) => t.trial)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect((await children(result.parentRunId, exp.experiment_id)).every((k) => k.info.status === 'FINISHED')).toBe(true);
  });

  it('shows a long trial its params while it runs (short trials send them with the loss)', async () => {
    await runlog.setExperiment('search-long-trial');
    const seen: Record<string, string>[] = [];
    await minimize({
      space: { x: hp.uniform('x', 0, 1) },
      objective: async (_p, trial) => {
        // Waits (for the condition, up to 10 s) until the trial's own run shows its params.
        for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
          const params = paramsOf(await client.getRun(trial.runId));
          if (Object.keys(params).length > 0) {
            seen.push(params);
            break;
          }
        }
        return 1;
      },
      maxEvals: 1,
      seed: 3,
    });
    expect(seen).toHaveLength(1);
    expect(Object.keys(seen[0] ?? {})).toEqual(['x']);
  });

  it('uses the active run as the parent and leaves it active', async () => {
    await runlog.setExperiment('search-active-parent');
    const run = await runlog.startRun({ runName: 'outer' });
    const result = await minimize({ space: { x: hp.randint('x', 3) }, objective: ({ x }) => x, maxEvals: 3, algo: 'grid' });
    expect(result.parentRunId).toBe(run.runId);
    expect(result.trials.map((t) => t.params)).toEqual([{ x: 0 }, { x: 1 }, { x: 2 }]);
    expect((await client.getRun(run.runId)).info.status).toBe('RUNNING');
    expect(runlog.activeRun()?.runId).toBe(run.runId);
    await runlog.endRun();
  });

  it('resumes a search that crashed mid-trial: finished trials kept, the killed one redone, same trials as without the crash', async () => {
    const exp = await runlog.setExperiment('search-resume');
    const objective = ({ x, k }: { x: number; k: number }): number => (x - 0.2) ** 2 + k;
    const resumeSpace = { x: hp.uniform('x', 0, 1), k: hp.randint('k', 3) };
    const reference = await minimize({ space: resumeSpace, objective, maxEvals: 26, seed: 9, runName: 'reference' });

    // A client whose connection dies while trial 22 ends: that run stays RUNNING, as after a crash.
    class DyingClient extends RunlogClient {
      override async setTerminated(runId: string, status?: RunStatus, endTime?: number): ReturnType<RunlogClient['setTerminated']> {
        const run = await this.getRun(runId);
        if (run.info.run_name === 'trial-22') throw new Error('connect ECONNREFUSED 127.0.0.1:5000');
        return super.setTerminated(runId, status, endTime);
      }
    }
    const dying = new DyingClient({ trackingUri: uri, env: {} });
    const crashed = await minimize({ space: resumeSpace, objective, maxEvals: 26, seed: 9, runName: 'crashes', client: dying, experimentId: exp.experiment_id }).then(
      () => undefined,
      (e: unknown) => e,
    );
    await dying.close();
    expect(String(crashed)).toMatch(/ECONNREFUSED/);
    const [parent] = (await client.searchRuns({ experimentIds: [exp.experiment_id], filter: `tags.mlflow.runName = 'crashes'` })).items;
    expect(parent?.info.status).toBe('FAILED');
    const before = await children(parent?.info.run_id ?? '', exp.experiment_id);
    // Trial 22 stays RUNNING; the trials after it whose writes were under way when it failed may have ended.
    expect(before.slice(0, 23).map((k) => k.info.status)).toEqual([...new Array<RunStatus>(22).fill('FINISHED'), 'RUNNING']);

    // Resuming without repeating the seed: it is read from the parent.
    const resumed = await minimize({ space: resumeSpace, objective, maxEvals: 26, resumeRunId: parent?.info.run_id ?? '' });
    expect(resumed.parentRunId).toBe(parent?.info.run_id);
    expect(resumed.trials.map((t) => t.vals)).toEqual(reference.trials.map((t) => t.vals));
    expect(resumed.best?.loss).toBe(reference.best?.loss);
    const after = await children(resumed.parentRunId, exp.experiment_id);
    expect(after.filter((k) => k.info.status === 'KILLED').map((k) => k.info.run_name)).toEqual(['trial-22']);
    expect(after.filter((k) => k.info.status === 'FINISHED')).toHaveLength(26);
    const finishedBefore = before.filter((k) => k.info.status === 'FINISHED').map((k) => k.info.run_id);
    expect(after.filter((k) => finishedBefore.includes(k.info.run_id)).every((k) => k.info.status === 'FINISHED')).toBe(true);
    expect(resumed.trials.filter((t) => finishedBefore.includes(t.runId))).toHaveLength(finishedBefore.length); // kept, not redone
    expect((await client.getRun(resumed.parentRunId)).info.status).toBe('FINISHED');
  });
});
