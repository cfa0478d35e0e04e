import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../app';
import { splitSystemMetrics } from '../lib/system-metrics';
import { fakeServer, makeRun, renderWithClient } from '../test-utils';

describe('system metrics on the run page', () => {
  it('splits system/* metrics (node-prefixed ones included) from the model’s', () => {
    const keys = (xs: { key: string }[]): string[] => xs.map((x) => x.key);
    const { model, system } = splitSystemMetrics([{ key: 'loss' }, { key: 'system/cpu_utilization_percentage' }, { key: 'system/node-1/gpu_0_utilization_percentage' }, { key: 'systemic' }]);
    expect(keys(model)).toEqual(['loss', 'systemic']);
    expect(keys(system)).toEqual(['system/cpu_utilization_percentage', 'system/node-1/gpu_0_utilization_percentage']);
  });

  function open(metrics: Record<string, number>): void {
    const run = makeRun(4, { metrics });
    fakeServer({
      'runs/get': () => ({ run }),
      'experiments/get': () => ({ experiment: { experiment_id: '1', name: 'exp', artifact_location: 'x', lifecycle_stage: 'active' } }),
      'metrics/get-history-bulk-interval': () => ({ metrics: [] }),
    });
    window.location.hash = `#/experiments/1/runs/${run.info.run_id}?tab=metrics`;
    renderWithClient(<App />);
  }

  it('gives system metrics their own section, as runs logged by MLflow’s Python client have them', async () => {
    open({ loss: 0.5, 'system/cpu_utilization_percentage': 12.5, 'system/system_memory_usage_megabytes': 900 });
    const system = await screen.findByRole('region', { name: 'System metrics' });
    expect(within(system).getByRole('heading', { name: 'System metrics (2)' })).toBeTruthy();
    expect(within(screen.getByRole('region', { name: 'Model metrics' })).getByRole('heading', { name: 'Model metrics (1)' })).toBeTruthy();
  });

  it('shows no section headings when a run has no system metrics', async () => {
    open({ loss: 0.5, acc: 0.9 });
    expect(await screen.findByRole('region', { name: 'Model metrics' })).toBeTruthy();
    expect(screen.queryByRole('region', { name: 'System metrics' })).toBeNull();
    expect(screen.queryByRole('heading', { name: /Model metrics/ })).toBeNull();
  });
});
