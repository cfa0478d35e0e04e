/** Run-table model: columns, values, server order_by, nesting and grouping. Pure functions (tested). */
import type { Run } from '@runlog/core';
import { formatDuration, formatNumber, formatTime } from './format';

export type ColumnKind = 'attr' | 'metric' | 'param' | 'tag';
export interface ColumnId {
  kind: ColumnKind;
  key: string;
}

export const ATTR_COLUMNS = ['run_name', 'start_time', 'duration', 'status', 'user_id', 'source'] as const;
export const ATTR_LABELS: Record<string, string> = {
  run_name: 'Run name',
  start_time: 'Created',
  duration: 'Duration',
  status: 'Status',
  user_id: 'User',
  source: 'Source',
};

export const PARENT_TAG = 'mlflow.parentRunId';
export const NOTE_TAG = 'mlflow.note.content';

export function columnString(c: ColumnId): string {
  return `${c.kind}:${c.key}`;
}
export function parseColumn(s: string): ColumnId | undefined {
  const i = s.indexOf(':');
  if (i < 0) return undefined;
  const kind = s.slice(0, i) as ColumnKind;
  if (!['attr', 'metric', 'param', 'tag'].includes(kind)) return undefined;
  return { kind, key: s.slice(i + 1) };
}

export function columnLabel(c: ColumnId): string {
  if (c.kind === 'attr') return ATTR_LABELS[c.key] ?? c.key;
  return c.key;
}

/** Quotes a key for the filter/order-by grammar when it is not a plain identifier. */
export function quoteKey(key: string): string {
  return /^[A-Za-z_][\w]*$/.test(key) ? key : `\`${key.replace(/`/g, '')}\``;
}

/** The server `order_by` clause that sorts by a column, or undefined when the column is not sortable there. */
export function orderByFor(c: ColumnId, ascending: boolean): string | undefined {
  const dir = ascending ? 'ASC' : 'DESC';
  switch (c.kind) {
    case 'attr':
      if (c.key === 'duration') return undefined;
      if (c.key === 'source') return `tags.${quoteKey('mlflow.source.name')} ${dir}`;
      return `attributes.${c.key} ${dir}`;
    case 'metric':
      return `metrics.${quoteKey(c.key)} ${dir}`;
    case 'param':
      return `params.${quoteKey(c.key)} ${dir}`;
    case 'tag':
      return `tags.${quoteKey(c.key)} ${dir}`;
  }
}

export interface RunIndex {
  metrics: Map<string, number>;
  params: Map<string, string>;
  tags: Map<string, string>;
}

const indexCache = new WeakMap<Run, RunIndex>();
/** Key→value maps of a run (cached per run object). */
export function indexRun(run: Run): RunIndex {
  let idx = indexCache.get(run);
  if (!idx) {
    idx = {
      metrics: new Map((run.data.metrics ?? []).map((m) => [m.key, m.value])),
      params: new Map((run.data.params ?? []).map((p) => [p.key, p.value])),
      tags: new Map((run.data.tags ?? []).map((t) => [t.key, t.value])),
    };
    indexCache.set(run, idx);
  }
  return idx;
}

export function runDuration(run: Run): number | undefined {
  const { start_time, end_time } = run.info;
  if (!start_time) return undefined;
  if (end_time) return end_time - start_time;
  return run.info.status === 'RUNNING' ? Date.now() - start_time : undefined;
}

export function rawValue(run: Run, c: ColumnId): string | number | undefined {
  const idx = indexRun(run);
  switch (c.kind) {
    case 'metric':
      return idx.metrics.get(c.key);
    case 'param':
      return idx.params.get(c.key);
    case 'tag':
      return idx.tags.get(c.key);
    case 'attr':
      switch (c.key) {
        case 'run_name':
          return run.info.run_name || run.info.run_id;
        case 'start_time':
          return run.info.start_time;
        case 'duration':
          return runDuration(run);
        case 'status':
          return run.info.status;
        case 'user_id':
          return run.info.user_id || idx.tags.get('mlflow.user');
        case 'source':
          return idx.tags.get('mlflow.source.name');
        default:
          return undefined;
      }
  }
}

export function displayValue(run: Run, c: ColumnId): string {
  const v = rawValue(run, c);
  if (v === undefined) return '';
  if (c.kind === 'attr' && c.key === 'start_time') return formatTime(v as number);
  if (c.kind === 'attr' && c.key === 'duration') return formatDuration(v as number);
  if (c.kind === 'attr' && c.key === 'source') return String(v).split(/[\\/]/).pop() ?? String(v);
  if (typeof v === 'number') return formatNumber(v);
  return v;
}

export interface KeySets {
  metrics: string[];
  params: string[];
  tags: string[];
}

/** Every metric/param/tag key seen in the loaded runs (system `mlflow.*` tags last). */
export function collectKeys(runs: readonly Run[]): KeySets {
  const m = new Set<string>();
  const p = new Set<string>();
  const t = new Set<string>();
  for (const r of runs) {
    for (const x of r.data.metrics ?? []) m.add(x.key);
    for (const x of r.data.params ?? []) p.add(x.key);
    for (const x of r.data.tags ?? []) t.add(x.key);
  }
  const sys = (k: string): number => (k.startsWith('mlflow.') ? 1 : 0);
  return {
    metrics: [...m].sort(),
    params: [...p].sort(),
    tags: [...t].sort((a, b) => sys(a) - sys(b) || a.localeCompare(b)),
  };
}

export interface TreeRow {
  run: Run;
  depth: number;
  childCount: number;
}

/**
 * Orders runs so nested runs follow their parent (when the parent is loaded), keeping the server order
 * among roots and among siblings. Children of collapsed parents are left out.
 */
export function buildTree(runs: readonly Run[], collapsed: ReadonlySet<string>): TreeRow[] {
  const byId = new Map(runs.map((r) => [r.info.run_id, r]));
  const children = new Map<string, Run[]>();
  const roots: Run[] = [];
  for (const r of runs) {
    const parent = indexRun(r).tags.get(PARENT_TAG);
    if (parent && parent !== r.info.run_id && byId.has(parent)) {
      let list = children.get(parent);
      if (!list) children.set(parent, (list = []));
      list.push(r);
    } else roots.push(r);
  }
  const out: TreeRow[] = [];
  const seen = new Set<string>();
  const visit = (r: Run, depth: number): void => {
    if (seen.has(r.info.run_id)) return;
    seen.add(r.info.run_id);
    const kids = children.get(r.info.run_id) ?? [];
    out.push({ run: r, depth, childCount: kids.length });
    if (!collapsed.has(r.info.run_id)) for (const k of kids) visit(k, depth + 1);
  };
  for (const r of roots) visit(r, 0);
  return out;
}

export interface GroupRow {
  value: string;
  count: number;
  stats: Map<string, { mean: number; min: number; max: number; n: number }>;
}

/** Groups runs by a param's value with mean / min / max of every metric. */
export function groupRuns(runs: readonly Run[], param: string, metricKeys: readonly string[]): GroupRow[] {
  const groups = new Map<string, Run[]>();
  for (const r of runs) {
    const v = indexRun(r).params.get(param) ?? '(none)';
    let g = groups.get(v);
    if (!g) groups.set(v, (g = []));
    g.push(r);
  }
  const rows: GroupRow[] = [];
  for (const [value, rs] of groups) {
    const stats = new Map<string, { mean: number; min: number; max: number; n: number }>();
    for (const k of metricKeys) {
      let sum = 0;
      let n = 0;
      let min = Infinity;
      let max = -Infinity;
      for (const r of rs) {
        const v = indexRun(r).metrics.get(k);
        if (v === undefined || !Number.isFinite(v)) continue;
        sum += v;
        n++;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      if (n > 0) stats.set(k, { mean: sum / n, min, max, n });
    }
    rows.push({ value, count: rs.length, stats });
  }
  const num = (s: string): number => (s.trim() !== '' && Number.isFinite(Number(s)) ? Number(s) : NaN);
  rows.sort((a, b) => {
    const x = num(a.value);
    const y = num(b.value);
    if (!Number.isNaN(x) && !Number.isNaN(y)) return x - y;
    return a.value.localeCompare(b.value);
  });
  return rows;
}

/** The filter-box token being typed at `cursor`, and key suggestions for it. */
export function suggestKeys(text: string, cursor: number, keys: KeySets): { start: number; end: number; items: string[] } {
  let start = cursor;
  while (start > 0 && /[\w.`"-]/.test(text[start - 1] ?? '')) start--;
  let end = cursor;
  while (end < text.length && /[\w.`"-]/.test(text[end] ?? '')) end++;
  const token = text.slice(start, cursor).toLowerCase();
  if (token.length === 0) return { start, end, items: [] };
  const all = [
    ...keys.metrics.map((k) => `metrics.${quoteKey(k)}`),
    ...keys.params.map((k) => `params.${quoteKey(k)}`),
    ...keys.tags.map((k) => `tags.${quoteKey(k)}`),
    'attributes.status',
    'attributes.run_name',
    'attributes.user_id',
    'attributes.start_time',
    'attributes.end_time',
    'attributes.run_id',
  ];
  const items = all.filter((s) => s.toLowerCase().includes(token) && s.toLowerCase() !== token);
  items.sort((a, b) => Number(!a.toLowerCase().startsWith(token)) - Number(!b.toLowerCase().startsWith(token)));
  return { start, end, items: items.slice(0, 12) };
}
