/**
 * The SDK's one retry policy, shared by both HTTP transports and the artifact client: retry network failures
 * and the statuses MLflow's client treats as transient, with exponential backoff and jitter (so clients that
 * failed together do not come back together), up to `maxRetries` more attempts.
 */

/** MLflow's transient statuses (`_TRANSIENT_FAILURE_RESPONSE_CODES`): a 501 or a 4xx is the caller's to fix. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

export interface RetryOptions {
  /** Attempts after the first (default 5). */
  maxRetries?: number;
  /** The first backoff in milliseconds, doubled per retry (default 200). */
  backoffMs?: number;
}

export interface RetryPolicy {
  maxRetries: number;
  backoffMs: number;
}

export function retryPolicy(options: RetryOptions = {}): RetryPolicy {
  return { maxRetries: options.maxRetries ?? 5, backoffMs: options.backoffMs ?? 200 };
}

/** The wait before retry `retry` (0-based): between half and all of `backoffMs · 2^retry`. */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const full = policy.backoffMs * 2 ** retry;
  return full / 2 + (full / 2) * random();
}

/** Waits `ms`, returning early when `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export interface RetryHooks<T> {
  /** A result worth another attempt (a transient status); returned as is when attempts run out. */
  retryResult?: (result: T) => boolean;
  /** A failure worth another attempt; thrown as is when attempts run out. Default: every failure. */
  retryError?: (err: unknown) => boolean;
  /** Stops the waiting and the retries. */
  signal?: AbortSignal | undefined;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

/** Runs `attempt` until it succeeds, fails for good, or `policy.maxRetries` retries are spent. */
export async function withRetries<T>(policy: RetryPolicy, attempt: () => Promise<T>, hooks: RetryHooks<T> = {}): Promise<T> {
  const sleep = hooks.sleep ?? abortableSleep;
  for (let retry = 0; ; retry++) {
    const last = retry >= policy.maxRetries;
    try {
      const result = await attempt();
      if (last || hooks.retryResult?.(result) !== true) return result;
    } catch (err) {
      if (last || !(hooks.retryError?.(err) ?? true)) throw err;
    }
    await sleep(backoffDelay(policy, retry, hooks.random), hooks.signal);
    hooks.signal?.throwIfAborted();
  }
}
