import { afterEach, describe, expect, it, vi } from 'vitest';
import { SystemMetricsMonitor, SystemSampler, aggregateSamples, parseNvidiaSmi, systemMetricsOptionsFromEnv, type Sample } from './system-metrics.js';

afterEach(() => vi.useRealTimers());

describe('system metrics', () => {
  it('samples CPU, memory, disk and network under MLflow’s names, in plausible ranges', async () => {
    const sample = await new SystemSampler().sample();
    for (const key of ['cpu_utilization_percentage', 'system_memory_usage_percentage', 'disk_usage_percentage']) {
      expect(sample[key]).toBeGreaterThanOrEqual(0);
      expect(sample[key]).toBeLessThanOrEqual(100);
    }
    expect(sample.system_memory_usage_megabytes).toBeGreaterThan(0);
    expect(sample.disk_usage_megabytes).toBeGreaterThan(0);
    expect(sample.disk_available_megabytes).toBeGreaterThanOrEqual(0);
    expect(sample.network_receive_megabytes).toBeGreaterThanOrEqual(0); // Linux: /proc/net/dev, relative to the first read
    expect(sample.network_transmit_megabytes).toBeGreaterThanOrEqual(0);
  });

  it('reads nvidia-smi CSV into per-GPU metrics (MiB → MB as pynvml bytes / 1e6)', () => {
    expect(parseNvidiaSmi('0, 87, 1024, 16384, 120.5, 250.00\n1, 3, 0, 16384, [N/A], [N/A]\n')).toEqual({
      gpu_0_memory_usage_percentage: 6.3,
      gpu_0_memory_usage_megabytes: 1073.741824,
      gpu_0_utilization_percentage: 87,
      gpu_0_power_usage_watts: 120.5,
      gpu_0_power_usage_percentage: (120.5 / 250) * 100,
      gpu_1_memory_usage_percentage: 0,
      gpu_1_memory_usage_megabytes: 0,
      gpu_1_utilization_percentage: 3,
    });
  });

  it('averages samples, except the cumulative network counters (latest value)', () => {
    expect(aggregateSamples([{ cpu: 10, network_receive_megabytes: 1 }, { cpu: 30, network_receive_megabytes: 5 }])).toEqual({ cpu: 20, network_receive_megabytes: 5 });
  });

  it('reads MLflow’s variables; explicit options win', () => {
    const env = { MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL: '2', MLFLOW_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING: '3', MLFLOW_SYSTEM_METRICS_NODE_ID: 'n1' };
    expect(systemMetricsOptionsFromEnv(env)).toEqual({ samplingInterval: 2, samplesBeforeLogging: 3, nodeId: 'n1' });
    expect(systemMetricsOptionsFromEnv({}, { samplingInterval: 0.5 })).toEqual({ samplingInterval: 0.5, samplesBeforeLogging: 1 });
  });

  it('logs every samplesBeforeLogging samples with increasing steps and the node prefix, and stops for good', async () => {
    vi.useFakeTimers();
    let n = 0;
    const sampler = { sample: (): Promise<Sample> => Promise.resolve({ cpu_utilization_percentage: ++n * 10 }) };
    const logged: [Record<string, number>, number][] = [];
    const monitor = new SystemMetricsMonitor((m, step) => logged.push([{ ...m }, step]), { samplingInterval: 10, samplesBeforeLogging: 2, nodeId: 'w0' }, undefined, sampler);
    monitor.start();
    await vi.advanceTimersByTimeAsync(9_999);
    expect(n).toBe(0);
    await vi.advanceTimersByTimeAsync(40_001);
    expect(n).toBe(5);
    expect(logged).toEqual([
      [{ 'system/w0/cpu_utilization_percentage': 15 }, 0],
      [{ 'system/w0/cpu_utilization_percentage': 35 }, 1],
    ]);
    monitor.stop();
    expect(monitor.running).toBe(false);
    await vi.advanceTimersByTimeAsync(100_000);
    expect(n).toBe(5);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('refuses a non-positive interval', () => {
    expect(() => new SystemMetricsMonitor(() => undefined, { samplingInterval: 0 })).toThrow(/samplingInterval must be > 0/);
  });
});
