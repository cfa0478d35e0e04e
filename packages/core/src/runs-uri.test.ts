import { describe, expect, it } from 'vitest';
import { RunlogError } from './errors.js';
import { formatRunsUri, isRunsUri, parseRunsUri } from './runs-uri.js';

describe('runs:/ URIs', () => {
  it('splits the run id from the path, trimming slashes', () => {
    expect(parseRunsUri('runs:/abc/model')).toEqual({ runId: 'abc', path: 'model' });
    expect(parseRunsUri('RUNS:/abc//a/b/')).toEqual({ runId: 'abc', path: 'a/b' });
    expect(parseRunsUri('runs:/abc')).toEqual({ runId: 'abc', path: '' });
  });

  it('refuses a missing run id or a missing leading slash', () => {
    for (const bad of ['runs:/', 'runs://x', 'runs:abc/model', 'models:/m/1']) {
      expect(() => parseRunsUri(bad), bad).toThrow(RunlogError);
    }
  });

  it('formats what it parses', () => {
    const uri = formatRunsUri('abc', 'model/sub');
    expect(isRunsUri(uri)).toBe(true);
    expect(parseRunsUri(uri)).toEqual({ runId: 'abc', path: 'model/sub' });
    expect(isRunsUri('models:/m/1')).toBe(false);
  });
});
