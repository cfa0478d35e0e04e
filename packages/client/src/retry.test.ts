import { describe, expect, it } from 'vitest';
import { backoffDelay, isRetryableStatus, retryPolicy, withRetries } from './retry.js';

/** A sleep that records the waits instead of waiting. */
function recordingSleep(): { waits: number[]; sleep: (ms: number) => Promise<void> } {
  const waits: number[] = [];
  return { waits, sleep: (ms) => (waits.push(ms), Promise.resolve()) };
}

describe('retry policy', () => {
  it('retries 408, 429 and the transient 5xx only', () => {
    expect([408, 429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([200, 400, 401, 404, 409, 501].some(isRetryableStatus)).toBe(false);
  });

  it('defaults to 5 retries from 200 ms', () => {
    expect(retryPolicy()).toEqual({ maxRetries: 5, backoffMs: 200 });
    expect(retryPolicy({ maxRetries: 0 })).toEqual({ maxRetries: 0, backoffMs: 200 });
  });

  it('doubles the backoff per retry, jittered between half and all of it', () => {
    const policy = retryPolicy({ backoffMs: 100 });
    expect([0, 1, 2, 3].map((n) => backoffDelay(policy, n, () => 0))).toEqual([50, 100, 200, 400]);
    expect([0, 1, 2, 3].map((n) => backoffDelay(policy, n, () => 1))).toEqual([100, 200, 400, 800]);
    expect(backoffDelay(policy, 2, () => 0.5)).toBe(300);
  });

  it('retries a transient result until it succeeds, waiting between attempts', async () => {
    const statuses = [503, 429, 200];
    const { waits, sleep } = recordingSleep();
    const res = await withRetries(retryPolicy({ backoffMs: 10 }), () => Promise.resolve(statuses.shift()), {
      retryResult: (status) => isRetryableStatus(status ?? 0),
      sleep,
      random: () => 1,
    });
    expect(res).toBe(200);
    expect(waits).toEqual([10, 20]);
  });

  it('returns the last transient result when the retries are spent', async () => {
    let attempts = 0;
    const { waits, sleep } = recordingSleep();
    const res = await withRetries(retryPolicy({ maxRetries: 2 }), () => Promise.resolve((attempts++, 503)), {
      retryResult: isRetryableStatus,
      sleep,
    });
    expect(res).toBe(503);
    expect(attempts).toBe(3);
    expect(waits).toHaveLength(2);
  });

  it('rethrows the last failure when the retries are spent, and a permanent one at once', async () => {
    let attempts = 0;
    const { sleep } = recordingSleep();
    const failing = (): Promise<never> => Promise.reject(new Error(`attempt ${++attempts}`));
    await expect(withRetries(retryPolicy({ maxRetries: 3 }), failing, { sleep })).rejects.toThrow('attempt 4');
    attempts = 0;
    await expect(withRetries(retryPolicy(), failing, { sleep, retryError: () => false })).rejects.toThrow('attempt 1');
  });

  it('stops retrying once the signal aborts', async () => {
    const controller = new AbortController();
    let attempts = 0;
    const attempt = (): Promise<never> => {
      attempts++;
      controller.abort();
      return Promise.reject(new Error('down'));
    };
    await expect(withRetries(retryPolicy(), attempt, { signal: controller.signal, sleep: () => Promise.resolve() })).rejects.toThrow(
      /abort/i,
    );
    expect(attempts).toBe(1);
  });
});
