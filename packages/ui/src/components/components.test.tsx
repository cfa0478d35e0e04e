import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { App } from '../app';
import { DiffTable } from '../pages/compare';
import { ExperimentPage } from '../pages/experiment';
import { ExperimentsPage } from '../pages/experiments';
import { parseHash } from '../router';
import { fakeServer, makeRun, renderWithClient } from '../test-utils';
import { Preview } from './artifacts';
import { FilterBox } from './filter-box';
import { RunsTable } from './runs-table';
import { buildTree, collectKeys } from '../lib/runs';

describe('RunsTable', () => {
  it('keeps only a window of 10,000 runs in the DOM, and sorts from the headers', () => {
    const runs = Array.from({ length: 10_000 }, (_, i) => makeRun(i, { metrics: { loss: i, acc: 1 - i / 1e4 }, params: { lr: '0.1', depth: String(i % 7) } }));
    const onSort = vi.fn();
    const onLoadMore = vi.fn();
    renderWithClient(
      <RunsTable
        rows={buildTree(runs, new Set())}
        columns={[{ kind: 'attr', key: 'start_time' }, { kind: 'metric', key: 'loss' }, { kind: 'param', key: 'lr' }]}
        sort={{ column: { kind: 'attr', key: 'start_time' }, ascending: false }}
        onSort={onSort}
        selected={new Set()}
        onToggleSelect={() => {}}
        onToggleAll={() => {}}
        collapsed={new Set()}
        onToggleCollapse={() => {}}
        hasMore={false}
        loadingMore={false}
        onLoadMore={onLoadMore}
        experimentId="1"
      />,
    );
    const grid = screen.getByRole('grid', { name: 'Runs' });
    expect(grid.getAttribute('aria-rowcount')).toBe('10001');
    const rendered = grid.querySelectorAll('[data-run-id]').length;
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(80);
    expect(screen.getByRole('link', { name: 'run-0' }).getAttribute('href')).toBe('#/experiments/1/runs/run00000');
    fireEvent.click(screen.getByRole('button', { name: /Sort by metric loss/ }));
    expect(onSort).toHaveBeenCalledWith({ kind: 'metric', key: 'loss' }, false);
    const created = screen.getByRole('columnheader', { name: /Created/ });
    expect(created.getAttribute('aria-sort')).toBe('descending');
    fireEvent.click(within(created).getByRole('button'));
    expect(onSort).toHaveBeenLastCalledWith({ kind: 'attr', key: 'start_time' }, true);
  });

  it('asks for the next page when the loaded rows run out', () => {
    const runs = Array.from({ length: 20 }, (_, i) => makeRun(i));
    const onLoadMore = vi.fn();
    renderWithClient(
      <RunsTable
        rows={buildTree(runs, new Set())}
        columns={[]}
        sort={undefined}
        onSort={() => {}}
        selected={new Set()}
        onToggleSelect={() => {}}
        onToggleAll={() => {}}
        collapsed={new Set()}
        onToggleCollapse={() => {}}
        hasMore
        loadingMore={false}
        onLoadMore={onLoadMore}
        experimentId="1"
      />,
    );
    expect(onLoadMore).toHaveBeenCalled();
  });
});

describe('FilterBox', () => {
  it('autocompletes keys and applies the filter on Enter', () => {
    const onApply = vi.fn();
    renderWithClient(<FilterBox value="" keys={collectKeys([makeRun(1, { metrics: { accuracy: 1 } })])} onApply={onApply} />);
    const input = screen.getByRole('combobox', { name: 'Filter runs' });
    fireEvent.change(input, { target: { value: 'metrics.acc', selectionStart: 11 } });
    const option = screen.getByRole('option', { name: 'metrics.accuracy' });
    fireEvent.mouseDown(option);
    expect((input as HTMLInputElement).value).toBe('metrics.accuracy ');
    fireEvent.change(input, { target: { value: 'metrics.accuracy > 0.5' } });
    fireEvent.keyDown(input, { key: 'Escape' });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(onApply).toHaveBeenCalledWith('metrics.accuracy > 0.5');
  });

  it('takes focus when "/" is pressed elsewhere on the page', () => {
    renderWithClient(<FilterBox value="" keys={collectKeys([])} onApply={() => {}} />);
    fireEvent.keyDown(document.body, { key: '/' });
    expect(document.activeElement).toBe(screen.getByRole('combobox', { name: 'Filter runs' }));
  });
});

describe('ExperimentsPage', () => {
  it('lists experiments and links each to its runs', async () => {
    fakeServer({
      'experiments/search': () => ({
        experiments: [{ experiment_id: '7', name: 'cats', artifact_location: 'mlflow-artifacts:/7', lifecycle_stage: 'active', creation_time: 1 }],
      }),
    });
    renderWithClient(<ExperimentsPage route={parseHash('#/experiments')} />);
    const link = await screen.findByRole('link', { name: 'cats' });
    expect(link.getAttribute('href')).toBe('#/experiments/7');
  });

  it('shows a useful empty state', async () => {
    fakeServer({ 'experiments/search': () => ({}) });
    renderWithClient(<ExperimentsPage route={parseHash('#/experiments')} />);
    expect(await screen.findByText(/No experiments yet/)).toBeTruthy();
  });
});

describe('ExperimentPage', () => {
  const exp = { experiment: { experiment_id: '1', name: 'exp', artifact_location: 'x', lifecycle_stage: 'active', tags: [] } };

  it('sends the URL filter and sort to the server and shows its error message', async () => {
    const server = fakeServer({
      'experiments/get': () => exp,
      'runs/search': () => {
        // fakeServer's protocol: a thrown {status, error_code, message} becomes that HTTP error.
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        throw { status: 400, error_code: 'INVALID_PARAMETER_VALUE', message: "Invalid comparator '~' in metrics.loss ~ 1" };
      },
    });
    renderWithClient(<ExperimentPage route={parseHash('#/experiments/1?filter=metrics.loss%20~%201&sort=metric:loss&dir=asc')} experimentId="1" />);
    const alert = await screen.findByText(/Invalid comparator/);
    expect(alert.closest('[role=alert]')?.textContent).toContain('The filter was refused');
    const body = server.calls.find((c) => c.path === 'runs/search')?.body;
    expect(body?.['filter']).toBe('metrics.loss ~ 1');
    expect(body?.['order_by']).toEqual(['metrics.loss ASC', 'attributes.start_time DESC']);
  });

  it('renders runs with metric and param columns and enables Compare for two selected runs', async () => {
    fakeServer({
      'experiments/get': () => exp,
      'runs/search': () => ({ runs: [makeRun(1), makeRun(2)] }),
    });
    renderWithClient(<ExperimentPage route={parseHash('#/experiments/1')} experimentId="1" />);
    await screen.findByRole('link', { name: 'run-1' });
    expect(screen.getByRole('button', { name: /Sort by metric loss/ })).toBeTruthy();
    const compare = screen.getByRole('button', { name: /^Compare/ });
    expect((compare as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select run run-1' }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select run run-2' }));
    expect((compare as HTMLButtonElement).disabled).toBe(false);
    fireEvent.click(compare);
    expect(decodeURIComponent(window.location.hash)).toContain('#/compare-runs?runs=["run00001","run00002"]');
  });
});

describe('artifact previews', () => {
  it('shows CSV as a table', async () => {
    fakeServer({ 'get-artifact': () => 'a,b\n1,2\n' });
    renderWithClient(<Preview runId="r" path="data.csv" size={8} />);
    const table = await screen.findByRole('table', { name: 'Table data.csv' });
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['a', 'b']);
  });

  it('shows HTML in a sandbox that cannot run scripts', async () => {
    fakeServer({ 'get-artifact': () => '<script>alert(1)</script><p>hi</p>' });
    renderWithClient(<Preview runId="r" path="report.html" />);
    const frame = await screen.findByTitle('Preview of report.html');
    expect(frame.getAttribute('sandbox')).toBe('');
  });

  it('pretty-prints JSON', async () => {
    fakeServer({ 'get-artifact': () => '{"a":[1,2]}' });
    renderWithClient(<Preview runId="r" path="c.json" />);
    await waitFor(() => expect(document.querySelector('pre')?.textContent).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}'));
  });
});

describe('compare diff table', () => {
  it('highlights the rows whose values differ', () => {
    const a = makeRun(1, { params: { lr: '0.1', seed: '1' } });
    const b = makeRun(2, { params: { lr: '0.2', seed: '1' } });
    renderWithClient(<DiffTable runs={[a, b]} params={['lr', 'seed']} metrics={[]} onlyDiff={false} />);
    const rows = screen.getAllByRole('row');
    const lr = rows.find((r) => r.textContent?.includes('params.lr'));
    const seed = rows.find((r) => r.textContent?.includes('params.seed'));
    expect(lr?.getAttribute('data-differs')).toBe('true');
    expect(seed?.getAttribute('data-differs')).toBe('false');
  });
});

describe('App routes', () => {
  it('opens the run page from an MLflow run link', async () => {
    const run = makeRun(3);
    fakeServer({
      'runs/get': () => ({ run }),
      'experiments/get': () => ({ experiment: { experiment_id: '1', name: 'exp', artifact_location: 'x', lifecycle_stage: 'active' } }),
      'runs/search': () => ({}),
    });
    window.location.hash = `#/experiments/1/runs/${run.info.run_id}`;
    renderWithClient(<App />);
    expect(await screen.findByRole('heading', { name: /run-3/ })).toBeTruthy();
    expect(screen.getByRole('tab', { name: 'Overview' }).getAttribute('aria-selected')).toBe('true');
  });

  it('says when a link leads nowhere', () => {
    window.location.hash = '#/nowhere';
    renderWithClient(<App />);
    expect(screen.getByText(/Nothing lives at/)).toBeTruthy();
  });
});
