import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { TraceInfo } from '@runlog/core';
import { fakeServer, renderWithClient } from '../test-utils';
import { TracesPanel } from './traces';

const ms = 1_000_000; // nanoseconds per millisecond
const t0 = 1_700_000_000_000 * ms;

const info = (id: string, extra: Partial<TraceInfo> & { name?: string; tags?: { key: string; value: string }[] } = {}): TraceInfo => ({
  request_id: id,
  experiment_id: '1',
  timestamp_ms: 1_700_000_000_000,
  execution_time_ms: 12,
  status: 'OK',
  ...extra,
  tags: [{ key: 'mlflow.traceName', value: extra.name ?? 'pipeline' }, { key: 'mlflow.artifactLocation', value: 'x' }, ...(extra.tags ?? [])],
});

const span = (id: string, parent: string | null, name: string, startMs: number, endMs: number, inputs?: unknown) => ({
  name,
  context: { span_id: id, trace_id: '0x1' },
  parent_id: parent,
  start_time: t0 + startMs * ms,
  end_time: t0 + endMs * ms,
  status_code: 'OK',
  status_message: '',
  attributes: { 'mlflow.spanType': '"CHAIN"', ...(inputs !== undefined ? { 'mlflow.spanInputs': JSON.stringify(inputs) } : {}) },
  events: [],
});

describe('TracesPanel', () => {
  it("lists a run's traces and shows a trace's spans as a tree with timings", async () => {
    const server = fakeServer({
      traces: () => ({ traces: [info('tr-1', { tags: [{ key: 'team', value: 'ml' }] }), info('tr-2', { name: 'boom', status: 'ERROR' })] }),
      'get-trace-artifact': () => ({
        spans: [span('0xb', '0xa', 'square', 1, 3, { x: 4 }), span('0xa', null, 'pipeline', 0, 12), span('0xc', '0xa', 'add', 4, 5)],
        request: '{}',
        response: '17',
      }),
    });
    renderWithClient(<TracesPanel experimentId="1" runId="run1" />);

    const table = await screen.findByRole('table', { name: 'Traces' });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(within(rows[1]!).getByText('team: ml')).toBeTruthy();
    expect(within(rows[1]!).getByText('12 ms')).toBeTruthy();
    expect(within(rows[2]!).getByText('ERROR')).toBeTruthy();
    // A run's traces are those whose request metadata names the run as their source.
    const search = server.calls.find((c) => c.path === 'traces');
    expect(search?.query.getAll('experiment_ids')).toEqual(['1']);
    expect(search?.query.get('filter')).toBe("request_metadata.`mlflow.sourceRun` = 'run1'");

    fireEvent.click(screen.getByRole('button', { name: 'tr-1' }));
    const tree = await screen.findByRole('tree');
    const items = within(tree).getAllByRole('treeitem');
    // Depth first, children by start time.
    expect(items.map((i) => i.getAttribute('aria-level'))).toEqual(['1', '2', '2']);
    expect(items.map((i) => within(i).getAllByRole('button')[0]?.textContent)).toEqual(['pipeline', 'square', 'add']);
    expect(items[1]?.textContent).toContain('2.0 ms');
    expect(items[1]?.textContent).toContain('@ +1.0 ms');
    expect(server.calls.find((c) => c.path === 'get-trace-artifact')?.query.get('request_id')).toBe('tr-1');

    fireEvent.click(within(items[1]!).getByRole('button', { name: 'square' }));
    expect(within(tree).getByText(/"x": 4/)).toBeTruthy();
  });

  it('says so when there are no traces, and shows the server error when the spans cannot be read', async () => {
    fakeServer({ traces: () => ({}) });
    const { unmount } = renderWithClient(<TracesPanel experimentId="1" />);
    expect(await screen.findByText(/No traces in this experiment yet/)).toBeTruthy();
    unmount();

    fakeServer({
      traces: () => ({ traces: [info('tr-9')] }),
      'get-trace-artifact': () => {
        throw Object.assign(new Error('Trace data not found'), { status: 404, error_code: 'RESOURCE_DOES_NOT_EXIST' });
      },
    });
    renderWithClient(<TracesPanel experimentId="1" />);
    fireEvent.click(await screen.findByRole('button', { name: 'tr-9' }));
    expect(await screen.findByText(/Trace data not found/)).toBeTruthy();
  });
});
