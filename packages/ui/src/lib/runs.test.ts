import { describe, expect, it } from 'vitest';
import { makeRun } from '../test-utils';
import { buildTree, collectKeys, displayValue, groupRuns, orderByFor, suggestKeys } from './runs';

describe('run-table model', () => {
  it('sorts on the server with MLflow order_by clauses, quoting odd keys', () => {
    expect(orderByFor({ kind: 'metric', key: 'val loss' }, false)).toBe('metrics.`val loss` DESC');
    expect(orderByFor({ kind: 'param', key: 'lr' }, true)).toBe('params.lr ASC');
    expect(orderByFor({ kind: 'attr', key: 'start_time' }, false)).toBe('attributes.start_time DESC');
    expect(orderByFor({ kind: 'attr', key: 'source' }, true)).toBe('tags.`mlflow.source.name` ASC');
    expect(orderByFor({ kind: 'attr', key: 'duration' }, true)).toBeUndefined();
  });

  it('puts nested runs under their parent, and hides them when collapsed', () => {
    const parent = makeRun(1);
    const child1 = makeRun(2, { parent: parent.info.run_id });
    const child2 = makeRun(3, { parent: parent.info.run_id });
    const other = makeRun(4);
    const orphan = makeRun(5, { parent: 'not-loaded' });
    const rows = buildTree([child1, other, parent, child2, orphan], new Set());
    expect(rows.map((r) => [r.run.info.run_name, r.depth, r.childCount])).toEqual([
      ['run-4', 0, 0],
      ['run-1', 0, 2],
      ['run-2', 1, 0],
      ['run-3', 1, 0],
      ['run-5', 0, 0],
    ]);
    expect(buildTree([parent, child1, child2], new Set([parent.info.run_id])).map((r) => r.run.info.run_name)).toEqual(['run-1']);
  });

  it('groups runs by a param with mean, min and max of each metric', () => {
    const runs = [
      makeRun(1, { params: { model: 'a' }, metrics: { acc: 0.5 } }),
      makeRun(2, { params: { model: 'a' }, metrics: { acc: 0.7 } }),
      makeRun(3, { params: { model: 'b' }, metrics: { acc: 0.9 } }),
      makeRun(4, { params: {}, metrics: {} }),
    ];
    const groups = groupRuns(runs, 'model', ['acc']);
    expect(groups.map((g) => [g.value, g.count])).toEqual([
      ['(none)', 1],
      ['a', 2],
      ['b', 1],
    ]);
    const a = groups.find((g) => g.value === 'a')?.stats.get('acc');
    expect(a?.mean).toBeCloseTo(0.6);
    expect([a?.min, a?.max]).toEqual([0.5, 0.7]);
  });

  it('suggests keys for the token under the cursor', () => {
    const keys = collectKeys([makeRun(1, { metrics: { 'val loss': 1, acc: 2 }, params: { lr: '1' } })]);
    const s = suggestKeys('metrics.a', 9, keys);
    expect(s.items[0]).toBe('metrics.acc');
    expect(suggestKeys('params.lr > 1 and met', 21, keys).items).toContain('metrics.`val loss`');
    expect(suggestKeys('', 0, keys).items).toEqual([]);
  });

  it('formats durations, times and sources for display', () => {
    const r = makeRun(1);
    expect(displayValue(r, { kind: 'attr', key: 'duration' })).toBe('5.0 s');
    expect(displayValue(r, { kind: 'attr', key: 'source' })).toBe('train.py');
    expect(displayValue(r, { kind: 'metric', key: 'missing' })).toBe('');
  });
});
