/**
 * The fluent API's metric buffer: `add` is synchronous and cheap; points leave in log-batch calls of up to
 * 1000 (MLflow's per-request limit), sent in the background by up to `maxInFlight` concurrent requests, when a
 * batch fills or after `flushIntervalMs`. `flush()` resolves once every point added before it has been sent,
 * and rejects with the first failure since the last flush (those points are lost; the transport has already
 * retried transient statuses).
 */
import { LIMITS, type Metric } from '@runlog/core';

function doubleJson(value: number): string {
  if (Number.isFinite(value)) return String(value);
  return Number.isNaN(value) ? '"NaN"' : value > 0 ? '"Infinity"' : '"-Infinity"';
}

/**
 * Buffered points in columns rather than one object per point: a million buffered points then cost four
 * arrays, not a million objects for the garbage collector to trace.
 */
export class MetricColumns {
  readonly keys: string[] = [];
  readonly values: number[] = [];
  readonly timestamps: number[] = [];
  readonly steps: number[] = [];

  get length(): number {
    return this.keys.length;
  }

  push(key: string, value: number, timestamp: number, step: number): void {
    this.keys.push(key);
    this.values.push(value);
    this.timestamps.push(timestamp);
    this.steps.push(step);
  }

  /**
   * `[{"key":…,"value":…,"timestamp":…,"step":…}, …]` with MLflow's encoding of NaN/±Infinity, written straight
   * from the columns. `keyJson` caches the JSON text of keys (few distinct keys, logged millions of times).
   */
  toJson(keyJson: Map<string, string>): string {
    const { keys, values, timestamps, steps } = this;
    const parts = new Array<string>(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] ?? '';
      let k = keyJson.get(key);
      if (k === undefined) {
        k = JSON.stringify(key);
        if (keyJson.size < 10_000) keyJson.set(key, k);
      }
      parts[i] = `{"key":${k},"value":${doubleJson(values[i] ?? Number.NaN)},"timestamp":${timestamps[i] ?? 0},"step":${steps[i] ?? 0}}`;
    }
    return `[${parts.join(',')}]`;
  }

  toMetrics(): Metric[] {
    return this.keys.map((key, i) => ({
      key,
      value: this.values[i] ?? Number.NaN,
      timestamp: this.timestamps[i] ?? 0,
      step: this.steps[i] ?? 0,
    }));
  }
}

export type MetricSender = (runId: string, metrics: MetricColumns) => Promise<void>;

export interface MetricBufferOptions {
  batchSize?: number;
  maxInFlight?: number;
  flushIntervalMs?: number;
  /** Called with a background send failure (it is also rethrown by the next flush). */
  onError?: (err: unknown) => void;
}

interface Batch {
  runId: string;
  metrics: MetricColumns;
}

export class MetricBuffer {
  private readonly batchSize: number;
  private readonly maxInFlight: number;
  private readonly flushIntervalMs: number;
  private readonly open = new Map<string, MetricColumns>();
  private readonly ready: Batch[] = [];
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private failure: Error | undefined;
  private idleWaiters: (() => void)[] = [];
  private sentPoints = 0;

  constructor(
    private readonly send: MetricSender,
    private readonly options: MetricBufferOptions = {},
  ) {
    this.batchSize = Math.min(options.batchSize ?? LIMITS.maxMetricsPerBatch, LIMITS.maxMetricsPerBatch);
    this.maxInFlight = options.maxInFlight ?? 4;
    this.flushIntervalMs = options.flushIntervalMs ?? 1000;
  }

  /** Points handed to the sender successfully so far. */
  get sent(): number {
    return this.sentPoints;
  }

  /** True while points are buffered or in flight. */
  get busy(): boolean {
    return this.open.size > 0 || this.ready.length > 0 || this.inFlight > 0;
  }

  add(runId: string, key: string, value: number, timestamp: number, step: number): void {
    let batch = this.open.get(runId);
    if (batch === undefined) {
      batch = new MetricColumns();
      this.open.set(runId, batch);
    }
    batch.push(key, value, timestamp, step);
    if (batch.length >= this.batchSize) {
      this.open.delete(runId);
      this.ready.push({ runId, metrics: batch });
      this.pump();
    } else if (this.timer === undefined) {
      // Unref'd: a pending timer must not keep the process alive; the exit hook flushes what is left.
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.seal();
        this.pump();
      }, this.flushIntervalMs).unref();
    }
  }

  async flush(): Promise<void> {
    this.seal();
    this.pump();
    if (this.busy) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    if (this.failure !== undefined) {
      const err = this.failure;
      this.failure = undefined;
      throw err;
    }
  }

  private seal(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    for (const [runId, metrics] of this.open) this.ready.push({ runId, metrics });
    this.open.clear();
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight) {
      const batch = this.ready.shift();
      if (batch === undefined) break;
      this.inFlight++;
      this.send(batch.runId, batch.metrics).then(
        () => {
          this.sentPoints += batch.metrics.length;
          this.done();
        },
        (err: unknown) => {
          this.failure ??= err instanceof Error ? err : new Error(String(err));
          this.options.onError?.(err);
          this.done();
        },
      );
    }
  }

  private done(): void {
    this.inFlight--;
    this.pump();
    if (!this.busy) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
