/**
 * System metrics as MLflow's `SystemMetricsMonitor` logs them: CPU, memory, disk, network and, where
 * `nvidia-smi` runs, each GPU, sampled every `samplingInterval` seconds (10 by default), averaged over
 * `samplesBeforeLogging` samples (1) and logged under MLflow's names with the `system/` prefix and one step per
 * logging. Linux figures come from /proc (as psutil reads them); elsewhere from `os` where it can. Timers are
 * unref'd: a monitor never keeps the process alive, and it stops when its run ends.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

export interface SystemMetricsOptions {
  /** Seconds between samples (MLflow's `MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL`; default 10). */
  samplingInterval?: number;
  /** Samples averaged into one logged value (`MLFLOW_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING`; default 1). */
  samplesBeforeLogging?: number;
  /** Inserted after the prefix, `system/<node>/…` (`MLFLOW_SYSTEM_METRICS_NODE_ID`). */
  nodeId?: string;
}

export type MetricSink = (metrics: Readonly<Record<string, number>>, step: number, timestamp: number) => void;

const MB = 1e6;

/** One sample: metric name (without prefix) → value. */
export type Sample = Record<string, number>;

interface CpuTimes {
  idle: number;
  total: number;
}

function cpuTimes(): CpuTimes {
  let idle = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const t = cpu.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}

/** MemTotal and MemAvailable in bytes from /proc/meminfo; `os` totals elsewhere. */
function memory(): { total: number; used: number } {
  try {
    const text = fs.readFileSync('/proc/meminfo', 'utf8');
    const kb = (name: string): number | undefined => {
      const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
      return m ? Number(m[1]) * 1024 : undefined;
    };
    const total = kb('MemTotal');
    const available = kb('MemAvailable');
    if (total !== undefined && available !== undefined) return { total, used: total - available };
  } catch {
    // not Linux
  }
  return { total: os.totalmem(), used: os.totalmem() - os.freemem() };
}

/** Bytes received and sent over every interface since boot (psutil.net_io_counters), or undefined. */
function networkBytes(): { rx: number; tx: number } | undefined {
  try {
    let rx = 0;
    let tx = 0;
    for (const line of fs.readFileSync('/proc/net/dev', 'utf8').split('\n').slice(2)) {
      const fields = line.split(':')[1]?.trim().split(/\s+/);
      if (fields === undefined || fields.length < 9) continue;
      rx += Number(fields[0]);
      tx += Number(fields[8]);
    }
    return { rx, tx };
  } catch {
    return undefined;
  }
}

/** Disk usage of the root file system as psutil.disk_usage('/') computes it. */
function disk(): Sample {
  try {
    const s = fs.statfsSync('/');
    const used = (s.blocks - s.bfree) * s.bsize;
    const free = s.bavail * s.bsize;
    return {
      disk_usage_percentage: used + free > 0 ? Number(((used / (used + free)) * 100).toFixed(1)) : 0,
      disk_usage_megabytes: used / MB,
      disk_available_megabytes: free / MB,
    };
  } catch {
    return {};
  }
}

const GPU_QUERY = ['--query-gpu=index,utilization.gpu,memory.used,memory.total,power.draw,power.limit', '--format=csv,noheader,nounits'];

/** Parses nvidia-smi's CSV into MLflow's GPU metric names (memory in MB, as pynvml's bytes / 1e6). */
export function parseNvidiaSmi(csv: string): Sample {
  const out: Sample = {};
  for (const line of csv.split('\n')) {
    const [index, util, memUsed, memTotal, power, powerLimit] = line.split(',').map((f) => Number(f.trim()));
    if (index === undefined || !Number.isInteger(index) || line.trim() === '') continue;
    const mib = 1024 * 1024;
    if (Number.isFinite(memUsed) && Number.isFinite(memTotal) && (memTotal as number) > 0) {
      out[`gpu_${index}_memory_usage_percentage`] = Number((((memUsed as number) / (memTotal as number)) * 100).toFixed(1));
      out[`gpu_${index}_memory_usage_megabytes`] = ((memUsed as number) * mib) / MB;
    }
    if (Number.isFinite(util)) out[`gpu_${index}_utilization_percentage`] = util as number;
    if (Number.isFinite(power)) {
      out[`gpu_${index}_power_usage_watts`] = power as number;
      if (Number.isFinite(powerLimit) && (powerLimit as number) > 0) out[`gpu_${index}_power_usage_percentage`] = ((power as number) / (powerLimit as number)) * 100;
    }
  }
  return out;
}

/** GPU metrics from `nvidia-smi`; resolves to undefined when it is missing or fails (then it is not asked again). */
function queryGpus(): Promise<Sample | undefined> {
  return new Promise((resolve) => {
    execFile('nvidia-smi', GPU_QUERY, { timeout: 5000 }, (err, stdout) => resolve(err ? undefined : parseNvidiaSmi(stdout)));
  });
}

/** Takes samples: CPU since the previous sample, memory, disk, network since the collector was made, GPUs. */
export class SystemSampler {
  private cpu = cpuTimes();
  private readonly net0 = networkBytes();
  private gpus = true;

  async sample(): Promise<Sample> {
    const cpu = cpuTimes();
    const dTotal = cpu.total - this.cpu.total;
    const dIdle = cpu.idle - this.cpu.idle;
    this.cpu = cpu;
    const mem = memory();
    const out: Sample = {
      cpu_utilization_percentage: dTotal > 0 ? Number((((dTotal - dIdle) / dTotal) * 100).toFixed(1)) : 0,
      system_memory_usage_megabytes: mem.used / MB,
      system_memory_usage_percentage: (mem.used / mem.total) * 100,
      ...disk(),
    };
    const net = networkBytes();
    if (net !== undefined && this.net0 !== undefined) {
      out.network_receive_megabytes = (net.rx - this.net0.rx) / MB;
      out.network_transmit_megabytes = (net.tx - this.net0.tx) / MB;
    }
    if (this.gpus) {
      const gpu = await queryGpus();
      if (gpu === undefined) this.gpus = false;
      else Object.assign(out, gpu);
    }
    return out;
  }
}

/** Mean of each metric over the samples; network counters are cumulative, so their latest value (as MLflow). */
export function aggregateSamples(samples: readonly Sample[]): Sample {
  const sums = new Map<string, { sum: number; n: number; last: number }>();
  for (const s of samples) {
    for (const [k, v] of Object.entries(s)) {
      const e = sums.get(k) ?? { sum: 0, n: 0, last: 0 };
      e.sum += v;
      e.n++;
      e.last = v;
      sums.set(k, e);
    }
  }
  return Object.fromEntries([...sums].map(([k, e]) => [k, k.startsWith('network_') ? e.last : e.sum / e.n]));
}

/** Reads MLflow's environment variables into options (explicit options win). */
export function systemMetricsOptionsFromEnv(env: Readonly<Record<string, string | undefined>>, options: SystemMetricsOptions = {}): Required<Omit<SystemMetricsOptions, 'nodeId'>> & SystemMetricsOptions {
  const num = (v: string | undefined): number | undefined => (v !== undefined && v !== '' && Number(v) > 0 ? Number(v) : undefined);
  const nodeId = options.nodeId ?? env.MLFLOW_SYSTEM_METRICS_NODE_ID;
  return {
    samplingInterval: options.samplingInterval ?? num(env.MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL) ?? 10,
    samplesBeforeLogging: options.samplesBeforeLogging ?? num(env.MLFLOW_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING) ?? 1,
    ...(nodeId !== undefined && nodeId !== '' ? { nodeId } : {}),
  };
}

/** Samples on an unref'd timer and hands every aggregate to `sink` until `stop()`. */
export class SystemMetricsMonitor {
  private timer: NodeJS.Timeout | undefined;
  private samples: Sample[] = [];
  private step = 0;
  private stopped = false;
  private readonly prefix: string;
  private readonly intervalMs: number;
  private readonly perLog: number;

  constructor(
    private readonly sink: MetricSink,
    options: SystemMetricsOptions = {},
    private readonly onError: (err: unknown) => void = () => undefined,
    private readonly sampler: { sample(): Promise<Sample> } = new SystemSampler(),
  ) {
    const interval = options.samplingInterval ?? 10;
    const perLog = options.samplesBeforeLogging ?? 1;
    if (!(interval > 0)) throw new RangeError(`samplingInterval must be > 0 seconds, got ${interval}`);
    if (!Number.isInteger(perLog) || perLog < 1) throw new RangeError(`samplesBeforeLogging must be an integer >= 1, got ${perLog}`);
    this.intervalMs = interval * 1000;
    this.perLog = perLog;
    this.prefix = `system/${options.nodeId !== undefined ? `${options.nodeId}/` : ''}`;
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  start(): void {
    if (this.stopped || this.timer !== undefined) return;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.timer = setTimeout(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      const sample = await this.sampler.sample();
      if (this.stopped) return;
      this.samples.push(sample);
      if (this.samples.length >= this.perLog) {
        const aggregate = aggregateSamples(this.samples);
        this.samples = [];
        const metrics = Object.fromEntries(Object.entries(aggregate).map(([k, v]) => [this.prefix + k, v]));
        this.sink(metrics, this.step++, Date.now());
      }
    } catch (err) {
      this.onError(err);
    }
    if (!this.stopped) this.schedule();
  }
}
