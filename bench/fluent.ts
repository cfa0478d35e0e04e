// fluent_log_metric: the SDK's fluent API in this process against the server: 1,000,000 logMetric calls
// (m0..m9, one step per 10 calls) from a loop that yields to the event loop every 10,000 calls, as a training
// loop awaiting its batches does; background log-batch calls carry them. Timed from the first call until
// flushMetrics() resolves (every point acknowledged); then every point is counted back with get-history.
// CPU seconds of both processes over the timed part are printed too: on a shared machine they show what the
// throughput would be with the cores to itself.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as runlog from '@runlog/client';
import { BenchError } from './http.js';
import { emit, log, readHistory, scaled, type Ctx } from './common.js';
import { round } from './stats.js';

const KEYS = 10;
const SLICE = 10_000;
const TOTAL_CALLS = 1_000_000;

/** CPU seconds (user + system) a process has used, from /proc (Linux); undefined elsewhere or with --url. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

export async function fluentLogMetric(ctx: Ctx & { baseUrl: string; serverPid?: number | undefined }): Promise<void> {
  const total = Math.ceil(scaled(ctx, TOTAL_CALLS) / SLICE) * SLICE;
  runlog.resetFluentState({});
  runlog.setTrackingUri(ctx.baseUrl);
  await runlog.setExperiment(`bench-fluent-${ctx.tag}`);
  const run = await runlog.startRun({ runName: 'fluent-log-metric' });

  log(`fluent_log_metric: ${total} logMetric calls`);
  let callMs = 0;
  const cpu0 = process.cpuUsage();
  const serverCpu0 = processCpuSeconds(ctx.serverPid);
  const start = performance.now();
  for (let base = 0; base < total; base += SLICE) {
    const sliceStart = performance.now();
    for (let i = base; i < base + SLICE; i++) runlog.logMetric(`m${i % KEYS}`, i * 0.5, { step: Math.floor(i / KEYS) });
    callMs += performance.now() - sliceStart;
    await new Promise((resolve) => setImmediate(resolve));
  }
  await runlog.flushMetrics();
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const serverCpu1 = processCpuSeconds(ctx.serverPid);
  await runlog.endRun();

  let counted = 0;
  for (let k = 0; k < KEYS; k++) {
    const history = await readHistory(ctx, run.runId, `m${k}`, total);
    counted += history.points.length;
  }
  if (counted !== total) throw new BenchError(`fluent_log_metric: ${total} points logged, ${counted} read back`);
  emit(ctx, 'fluent_log_metric', {
    calls: total,
    calls_per_s: Math.round(total / seconds),
    seconds: round(seconds),
    call_only_per_s: Math.round(total / (callMs / 1000)),
    client_cpu_s: round((cpu.user + cpu.system) / 1e6),
    ...(serverCpu0 !== undefined && serverCpu1 !== undefined ? { server_cpu_s: round(serverCpu1 - serverCpu0) } : {}),
    points_read_back: counted,
  });
}
