import { describe, expect, it } from 'vitest';
import { href, parseHash, parseIdList } from './router';

describe('hash routes', () => {
  it('parses MLflow UI addresses', () => {
    expect(parseHash('#/experiments/3/runs/abc123').segments).toEqual(['experiments', '3', 'runs', 'abc123']);
    expect(parseHash('#/models/my%20model/versions/2').segments).toEqual(['models', 'my model', 'versions', '2']);
    const r = parseHash('#/compare-runs?runs=["a","b"]&experiments=["1"]');
    expect(parseIdList(r.query.get('runs'))).toEqual(['a', 'b']);
    expect(parseIdList('a,b')).toEqual(['a', 'b']);
  });

  it('builds links that round-trip', () => {
    const h = href(['models', 'a/b', 'versions', 1], { tab: 'x', empty: '' });
    expect(h).toBe('#/models/a%2Fb/versions/1?tab=x');
    expect(parseHash(h).segments).toEqual(['models', 'a/b', 'versions', '1']);
  });
});
