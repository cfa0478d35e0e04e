/**
 * A metric over steps or time for one or more runs (uPlot). Fed by get-history-bulk-interval: the server
 * sends at most ~1,000 evenly sampled points per run, and zooming in asks again for just the visible steps,
 * so a 1,000,000-step metric stays interactive.
 */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { historyIntervalQuery } from '../lib/history';
import { alignSeries, PALETTE, smooth, splitByRun, type XAxis } from '../lib/series';
import { ErrorBox } from './common';

export interface MetricChartProps {
  metricKey: string;
  runIds: string[];
  runNames?: Record<string, string>;
  height?: number;
  /** Initial axis/scale/smoothing (a compare page keeps these in the URL). */
  axis?: XAxis;
  logY?: boolean;
  smoothing?: number;
  showControls?: boolean;
  onSettings?: (s: { axis: XAxis; logY: boolean; smoothing: number }) => void;
}

export default function MetricChart(p: MetricChartProps): ReactNode {
  const [axis, setAxis] = useState<XAxis>(p.axis ?? 'step');
  const [logY, setLogY] = useState(p.logY ?? false);
  const [smoothing, setSmoothing] = useState(p.smoothing ?? 0);
  const [range, setRange] = useState<[number, number] | null>(null);
  const holder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const { onSettings } = p;
  useEffect(() => onSettings?.({ axis, logY, smoothing }), [axis, logY, smoothing, onSettings]);

  const q = useQuery({ ...historyIntervalQuery(p.metricKey, p.runIds, range), placeholderData: (prev) => prev });

  const data = useMemo(() => {
    const series = splitByRun(q.data?.metrics ?? [], p.runIds, axis).map((s) => ({ ...s, y: smooth(s.y, smoothing) }));
    return alignSeries(series);
  }, [q.data, p.runIds, axis, smoothing]);

  const dark = typeof document !== 'undefined' && document.documentElement.dataset.theme === 'dark';
  useEffect(() => {
    const el = holder.current;
    if (!el) return;
    const width = Math.max(300, el.clientWidth || 600);
    const axisColor = dark ? '#c9d1d9' : '#333';
    const grid = { stroke: dark ? '#30363d' : '#e5e5e5', width: 1 };
    const opts: uPlot.Options = {
      width,
      height: p.height ?? 260,
      scales: {
        x: { time: axis === 'time' },
        // uPlot's Distr is a const enum an isolated-module build cannot inline: 3 is its Logarithmic member.
        // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
        y: logY ? { distr: 3 } : {},
      },
      axes: [
        { stroke: axisColor, grid, label: axis === 'step' ? 'step' : axis === 'time' ? '' : 'seconds since first point' },
        { stroke: axisColor, grid, size: 60 },
      ],
      legend: { show: true, live: true },
      cursor: { drag: { x: true, y: false, setScale: true } },
      series: [
        { label: axis === 'step' ? 'step' : 'time' },
        ...p.runIds.map((id, i) => ({
          label: p.runNames?.[id] ?? id.slice(0, 8),
          stroke: PALETTE[i % PALETTE.length],
          width: 1.5,
          spanGaps: true,
          points: { show: data.x.length < 60 },
        })),
      ],
      hooks: {
        setSelect: [],
        setScale: [
          (u, key) => {
            if (key !== 'x' || axis !== 'step') return;
            const min = u.scales.x?.min;
            const max = u.scales.x?.max;
            if (min === undefined || max === undefined || min === null || max === null) return;
            const full = data.x.length > 0 && min <= (data.x[0] ?? 0) && max >= (data.x[data.x.length - 1] ?? 0);
            if (!full && u.status === 1) setRange([min, max]);
          },
        ],
      },
    };
    const aligned: uPlot.AlignedData = [data.x, ...data.ys];
    plot.current?.destroy();
    plot.current = new uPlot(opts, aligned, el);
    const ro = typeof ResizeObserver !== 'undefined' ? new ResizeObserver(() => plot.current?.setSize({ width: Math.max(300, el.clientWidth), height: p.height ?? 260 })) : null;
    ro?.observe(el);
    return () => {
      ro?.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [data, axis, logY, dark, p.runIds, p.runNames, p.height]);

  const empty = q.data && (q.data.metrics ?? []).length === 0;
  return (
    <figure className="chart" aria-label={`Chart of ${p.metricKey}`}>
      <figcaption>
        <strong>{p.metricKey}</strong>
        {q.isFetching ? <span className="muted small"> loading…</span> : null}
        {range ? (
          <button type="button" className="small" onClick={() => setRange(null)}>
            Reset zoom
          </button>
        ) : null}
      </figcaption>
      {p.showControls !== false ? (
        <div className="chart-controls">
          <label>
            X axis{' '}
            <select value={axis} onChange={(e) => { setAxis(e.target.value as XAxis); setRange(null); }}>
              <option value="step">Step</option>
              <option value="time">Time</option>
              <option value="relative">Relative time</option>
            </select>
          </label>
          <label className="check">
            <input type="checkbox" checked={logY} onChange={(e) => setLogY(e.target.checked)} /> Log scale
          </label>
          <label>
            Smoothing{' '}
            <input type="range" min={0} max={0.99} step={0.01} value={smoothing} onChange={(e) => setSmoothing(Number(e.target.value))} aria-valuetext={smoothing.toFixed(2)} />
            <span className="mono small"> {smoothing.toFixed(2)}</span>
          </label>
          <span className="muted small">Drag to zoom (the visible steps are fetched again at full detail).</span>
        </div>
      ) : null}
      <ErrorBox error={q.error} title={`Could not load ${p.metricKey}`} />
      {empty ? <p className="muted">No points logged for {p.metricKey}.</p> : null}
      <div ref={holder} className="chart-canvas" data-testid={`chart-${p.metricKey}`} data-points={data.x.length} data-first-step={data.x[0]} />
    </figure>
  );
}
