/** Parallel coordinates, scatter and contour (a binned heat map) of params vs metrics, on ECharts' core. */
import { BarChart, HeatmapChart, ParallelChart, ScatterChart } from 'echarts/charts';
import { GridComponent, ParallelComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef, type ReactNode } from 'react';
import { PALETTE } from '../lib/series';

echarts.use([ParallelChart, ScatterChart, HeatmapChart, BarChart, ParallelComponent, GridComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

export interface PlotRun {
  id: string;
  name: string;
  values: Record<string, string | number | undefined>;
}

function useChart(option: echarts.EChartsCoreOption, height: number): React.RefObject<HTMLDivElement | null> {
  const ref = useRef<HTMLDivElement>(null);
  const dark = typeof document !== 'undefined' && document.documentElement.dataset.theme === 'dark';
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const chart = echarts.init(el, dark ? 'dark' : undefined, { height, renderer: 'canvas' });
    chart.setOption({ backgroundColor: 'transparent', animation: false, ...option });
    const ro = typeof ResizeObserver !== 'undefined' ? new ResizeObserver(() => chart.resize()) : null;
    ro?.observe(el);
    return () => {
      ro?.disconnect();
      chart.dispose();
    };
  }, [option, height, dark]);
  return ref;
}

const num = (v: string | number | undefined): number | undefined => {
  if (v === undefined || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : undefined;
};

export function ParallelPlot({ runs, dims }: { runs: PlotRun[]; dims: string[] }): ReactNode {
  const parallelAxis = dims.map((d, i) => {
    const numeric = runs.every((r) => r.values[d] === undefined || num(r.values[d]) !== undefined);
    const cats = numeric ? undefined : [...new Set(runs.map((r) => String(r.values[d] ?? '')))];
    return { dim: i, name: d, type: numeric ? 'value' : 'category', data: cats, nameRotate: 20, scale: true };
  });
  const option = {
    tooltip: { formatter: (p: { name: string }) => p.name },
    parallelAxis,
    parallel: { left: 60, right: 80, top: 50, bottom: 30 },
    series: [
      {
        type: 'parallel',
        lineStyle: { width: 2, opacity: 0.7 },
        data: runs.map((r, i) => ({ name: r.name, value: dims.map((d) => r.values[d] ?? null), lineStyle: { color: PALETTE[i % PALETTE.length] } })),
      },
    ],
  };
  const ref = useChart(option, 340);
  return <div ref={ref} className="echart" style={{ height: 340 }} role="img" aria-label={`Parallel coordinates of ${dims.join(', ')}`} />;
}

export function ScatterPlot({ runs, x, y }: { runs: PlotRun[]; x: string; y: string }): ReactNode {
  const pts = runs
    .map((r, i) => ({ name: r.name, value: [num(r.values[x]), num(r.values[y])], itemStyle: { color: PALETTE[i % PALETTE.length] } }))
    .filter((p) => p.value[0] !== undefined && p.value[1] !== undefined);
  const option = {
    tooltip: { formatter: (p: { name: string; value: number[] }) => `${p.name}<br/>${x}: ${p.value[0]}<br/>${y}: ${p.value[1]}` },
    grid: { left: 70, right: 30, top: 30, bottom: 50 },
    xAxis: { type: 'value', name: x, nameLocation: 'middle', nameGap: 30, scale: true },
    yAxis: { type: 'value', name: y, scale: true },
    series: [{ type: 'scatter', symbolSize: 10, data: pts }],
  };
  const ref = useChart(option, 320);
  return <div ref={ref} className="echart" style={{ height: 320 }} role="img" aria-label={`Scatter of ${y} against ${x}`} />;
}

/** A contour-style map: z binned on a grid of x and y (mean per cell), coloured by level. */
export function ContourPlot({ runs, x, y, z }: { runs: PlotRun[]; x: string; y: string; z: string }): ReactNode {
  const pts = runs
    .map((r) => [num(r.values[x]), num(r.values[y]), num(r.values[z])] as const)
    .filter((p): p is readonly [number, number, number] => p.every((v) => v !== undefined));
  const xs = [...new Set(pts.map((p) => p[0]))].sort((a, b) => a - b);
  const ys = [...new Set(pts.map((p) => p[1]))].sort((a, b) => a - b);
  const cells = new Map<string, { sum: number; n: number }>();
  for (const [a, b, c] of pts) {
    const k = `${xs.indexOf(a)},${ys.indexOf(b)}`;
    const cell = cells.get(k) ?? { sum: 0, n: 0 };
    cell.sum += c;
    cell.n++;
    cells.set(k, cell);
  }
  const data = [...cells.entries()].map(([k, v]) => [...k.split(',').map(Number), v.sum / v.n]);
  const zs = data.map((d) => d[2] ?? 0);
  const option = {
    tooltip: {},
    grid: { left: 70, right: 90, top: 30, bottom: 50 },
    xAxis: { type: 'category', name: x, data: xs.map(String), nameLocation: 'middle', nameGap: 30 },
    yAxis: { type: 'category', name: y, data: ys.map(String) },
    visualMap: { min: Math.min(...zs, 0), max: Math.max(...zs, 1), calculable: true, orient: 'vertical', right: 0, top: 'center', text: [z, ''] },
    series: [{ type: 'heatmap', data, label: { show: data.length < 60, formatter: (p: { value: number[] }) => (p.value[2] ?? 0).toPrecision(3) } }],
  };
  const ref = useChart(option, 320);
  if (pts.length === 0) return <p className="muted">No run has numeric values for {x}, {y} and {z}.</p>;
  return <div ref={ref} className="echart" style={{ height: 320 }} role="img" aria-label={`Contour of ${z} over ${x} and ${y}`} />;
}
