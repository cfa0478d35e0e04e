import { describe, expect, it } from 'vitest';
import { alignSeries, smooth, splitByRun } from './series';

const pt = (run_id: string, step: number, value: number, timestamp = 1000 + step * 1000) => ({ run_id, key: 'loss', step, value, timestamp });

describe('chart series', () => {
  it('splits a bulk answer by run on step, time and relative-time axes', () => {
    const pts = [pt('b', 1, 5), pt('a', 2, 3), pt('a', 1, 4)];
    expect(splitByRun(pts, ['a', 'b'], 'step')).toEqual([
      { runId: 'a', x: [1, 2], y: [4, 3] },
      { runId: 'b', x: [1], y: [5] },
    ]);
    expect(splitByRun(pts, ['a'], 'time')[0]?.x).toEqual([2, 3]);
    expect(splitByRun(pts, ['a'], 'relative')[0]?.x).toEqual([0, 1]);
  });

  it('aligns runs on the union of x values, null where a run has no point', () => {
    const out = alignSeries([
      { runId: 'a', x: [0, 2], y: [1, 2] },
      { runId: 'b', x: [1, 2], y: [3, NaN] },
    ]);
    expect(out.x).toEqual([0, 1, 2]);
    expect(out.ys).toEqual([
      [1, null, 2],
      [null, 3, null],
    ]);
  });

  it('smooths with a debiased moving average and leaves weight 0 raw', () => {
    expect(smooth([1, 2, 3], 0)).toEqual([1, 2, 3]);
    const s = smooth([1, 1, 1, 10], 0.5);
    expect(s[0]).toBeCloseTo(1);
    expect(s[3]).toBeGreaterThan(1);
    expect(s[3]).toBeLessThan(10);
  });
});
