import { describe, expect, it } from 'vitest';
import { fillPath, pathParamNames } from './endpoint.js';

describe('endpoint path parameters', () => {
  it('names the parameters of a path', () => {
    expect(pathParamNames('/mlflow/traces/{request_id}/tags')).toEqual(['request_id']);
    expect(pathParamNames('/mlflow/traces')).toEqual([]);
  });

  it('fills parameters percent-encoded and leaves the rest of the request', () => {
    expect(fillPath('/mlflow/traces/{request_id}/tags', { request_id: 'a/b c', key: 'k' })).toEqual({
      path: '/mlflow/traces/a%2Fb%20c/tags',
      rest: { key: 'k' },
    });
  });

  it('refuses a missing or empty parameter', () => {
    expect(() => fillPath('/mlflow/traces/{request_id}', {})).toThrow(/request_id/);
    expect(() => fillPath('/mlflow/traces/{request_id}', { request_id: '' })).toThrow(/request_id/);
  });
});
