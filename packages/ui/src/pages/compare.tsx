import { useQueries } from '@tanstack/react-query';
import { lazy, Suspense, useMemo, type ReactNode } from 'react';
import type { Run } from '@runlog/core';
import { call, tracking } from '../api';
import { Empty, ErrorBox, Loading } from '../components/common';
import { formatNumber } from '../lib/format';
import { indexRun } from '../lib/runs';
import type { XAxis } from '../lib/series';
import { href, setQuery, type Route } from '../router';

const MetricChart = lazy(() => import('../components/metric-chart'));
const Plots = lazy(() => import('../components/echarts-plots').then((m) => ({ default: PlotsPanelFactory(m) })));

type PlotsModule = typeof import('../components/echarts-plots');
function PlotsPanelFactory(m: PlotsModule) {
  return function PlotsPanel({ runs, params, metrics, route }: { runs: Run[]; params: string[]; metrics: string[]; route: Route }): ReactNode {
    const plotRuns = runs.map((r) => {
      const idx = indexRun(r);
      const values: Record<string, string | number | undefined> = {};
      for (const p of params) values[`params.${p}`] = idx.params.get(p);
      for (const k of metrics) values[`metrics.${k}`] = idx.metrics.get(k);
      return { id: r.info.run_id, name: r.info.run_name || r.info.run_id, values };
    });
    const dims = [...params.map((p) => `params.${p}`), ...metrics.map((k) => `metrics.${k}`)];
    const x = route.query.get('x') ?? dims[0] ?? '';
    const y = route.query.get('y') ?? dims.find((d) => d.startsWith('metrics.')) ?? dims[1] ?? '';
    const z = route.query.get('z') ?? dims.filter((d) => d.startsWith('metrics.'))[0] ?? '';
    const y2 = route.query.get('y2') ?? dims.filter((d) => d.startsWith('params.'))[1] ?? dims[1] ?? '';
    const pick = (label: string, value: string, key: string): ReactNode => (
      <label>
        {label}{' '}
        <select value={value} onChange={(e) => setQuery(route, { [key]: e.target.value })}>
          {dims.map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </select>
      </label>
    );
    return (
      <>
        <h2>Parallel coordinates</h2>
        <m.ParallelPlot runs={plotRuns} dims={dims} />
        <div className="two-col">
          <div>
            <h2>Scatter</h2>
            <div className="toolbar">
              {pick('X', x, 'x')}
              {pick('Y', y, 'y')}
            </div>
            <m.ScatterPlot runs={plotRuns} x={x} y={y} />
          </div>
          <div>
            <h2>Contour</h2>
            <div className="toolbar">
              {pick('X', x, 'x')}
              {pick('Y', y2, 'y2')}
              {pick('Z', z, 'z')}
            </div>
            <m.ContourPlot runs={plotRuns} x={x} y={y2} z={z} />
          </div>
        </div>
      </>
    );
  };
}

export default function ComparePage({ route, runIds }: { route: Route; runIds: string[] }): ReactNode {
  const results = useQueries({
    queries: runIds.map((id) => ({ queryKey: ['run', id], queryFn: ({ signal }: { signal: AbortSignal }) => call(tracking.getRun, { run_id: id }, signal) })),
  });
  const runs = results.map((r) => r.data?.run).filter((r): r is Run => r !== undefined);
  const pending = results.some((r) => r.isPending);
  const errors = results.filter((r) => r.error).map((r) => r.error);
  const params = useMemo(() => [...new Set(runs.flatMap((r) => (r.data.params ?? []).map((p) => p.key)))].sort(), [runs]);
  const metrics = useMemo(() => [...new Set(runs.flatMap((r) => (r.data.metrics ?? []).map((m) => m.key)))].sort(), [runs]);
  const names = useMemo(() => Object.fromEntries(runs.map((r) => [r.info.run_id, r.info.run_name || r.info.run_id.slice(0, 8)])), [runs]);
  const chosen = route.query.get('metric') ?? '';
  const chartMetrics = chosen ? [chosen] : metrics.slice(0, 6);
  const axis = (route.query.get('axis') as XAxis | null) ?? 'step';
  const expId = runs[0]?.info.experiment_id;
  const onlyDiff = route.query.get('diff') === '1';

  if (runIds.length === 0) return <Empty>No runs to compare. Select two or more runs in an experiment’s table and press Compare.</Empty>;
  return (
    <section className="page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <a href={href(['experiments'])}>Experiments</a>
        {expId ? (
          <>
            {' / '}
            <a href={href(['experiments', expId])}>Experiment {expId}</a>
          </>
        ) : null}{' '}
        / <span>Compare {runIds.length} runs</span>
      </nav>
      <h1>Comparing {runIds.length} runs</h1>
      {errors.map((e, i) => (
        <ErrorBox key={i} error={e} />
      ))}
      {pending ? <Loading what="runs" /> : null}
      {runs.length > 0 ? (
        <>
          <h2>Metrics</h2>
          <div className="toolbar">
            <label>
              Metric{' '}
              <select value={chosen} onChange={(e) => setQuery(route, { metric: e.target.value })}>
                <option value="">First {Math.min(6, metrics.length)} metrics</option>
                {metrics.map((m) => (
                  <option key={m} value={m}>
                    {m}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {metrics.length === 0 ? <p className="muted">These runs have no metrics.</p> : null}
          <div className="charts">
            <Suspense fallback={<Loading what="charts" />}>
              {chartMetrics.map((m) => (
                <MetricChart key={m} metricKey={m} runIds={runs.map((r) => r.info.run_id)} runNames={names} axis={axis} />
              ))}
            </Suspense>
          </div>
          {params.length + metrics.length >= 2 ? (
            <Suspense fallback={<Loading what="plots" />}>
              <Plots runs={runs} params={params} metrics={metrics} route={route} />
            </Suspense>
          ) : null}
          <h2>Differences</h2>
          <label className="check">
            <input type="checkbox" checked={onlyDiff} onChange={(e) => setQuery(route, { diff: e.target.checked ? '1' : undefined })} /> Show only rows that differ
          </label>
          <DiffTable runs={runs} params={params} metrics={metrics} onlyDiff={onlyDiff} />
        </>
      ) : null}
    </section>
  );
}

export function DiffTable({ runs, params, metrics, onlyDiff }: { runs: Run[]; params: string[]; metrics: string[]; onlyDiff: boolean }): ReactNode {
  const rows: { section: string; key: string; values: string[] }[] = [];
  const add = (section: string, key: string, get: (r: Run) => string): void => {
    rows.push({ section, key, values: runs.map(get) });
  };
  add('Run', 'Status', (r) => r.info.status);
  add('Run', 'User', (r) => r.info.user_id);
  for (const p of params) add('Params', p, (r) => indexRun(r).params.get(p) ?? '');
  for (const m of metrics) {
    add('Metrics', m, (r) => {
      const v = indexRun(r).metrics.get(m);
      return v === undefined ? '' : formatNumber(v);
    });
  }
  const tagKeys = [...new Set(runs.flatMap((r) => (r.data.tags ?? []).map((t) => t.key)))].filter((k) => !k.startsWith('mlflow.')).sort();
  for (const t of tagKeys) add('Tags', t, (r) => indexRun(r).tags.get(t) ?? '');
  const shown = rows.filter((r) => !onlyDiff || new Set(r.values).size > 1);
  return (
    <div className="table-scroll">
      <table className="grid-table diff" aria-label="Param and metric differences">
        <thead>
          <tr>
            <th scope="col">Key</th>
            {runs.map((r) => (
              <th scope="col" key={r.info.run_id}>
                <a href={href(['experiments', r.info.experiment_id, 'runs', r.info.run_id])}>{r.info.run_name || r.info.run_id}</a>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.map((row) => {
            const differs = new Set(row.values).size > 1;
            return (
              <tr key={`${row.section}:${row.key}`} className={differs ? 'differs' : undefined} data-differs={differs}>
                <th scope="row">
                  <span className="muted small">{row.section.toLowerCase()}.</span>
                  {row.key}
                </th>
                {row.values.map((v, i) => (
                  <td key={i}>{v}</td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
