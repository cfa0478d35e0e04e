/** Reading MLflow Tracing's data for display: trace infos' tags, and `traces.json` spans as a timed tree. */
import { TRACE_NAME_TAG, traceValue, type TraceInfo } from '@runlog/core';

export interface Span {
  spanId: string;
  parentId: string | null;
  name: string;
  /** Nanoseconds since the epoch (JSON numbers: precise to a fraction of a microsecond, enough to show). */
  start: number;
  end: number;
  status: string;
  spanType: string;
  inputs: string | undefined;
  outputs: string | undefined;
}

export interface SpanRow {
  span: Span;
  depth: number;
  /** Milliseconds from the trace's first span start. */
  offsetMs: number;
  durationMs: number;
}

export function traceName(info: TraceInfo): string {
  return traceValue(info.tags, TRACE_NAME_TAG) ?? '';
}

/** Tags a person set (MLflow's own `mlflow.*` tags are bookkeeping). */
export function userTags(info: TraceInfo): { key: string; value: string }[] {
  return (info.tags ?? []).filter((t) => !t.key.startsWith('mlflow.'));
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Span attributes are JSON-encoded strings (`"\"CHAIN\""`); shows them decoded where they are. */
function attribute(attrs: Record<string, unknown>, key: string): string | undefined {
  const raw = attrs[key];
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string') return JSON.stringify(raw);
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  } catch {
    return raw;
  }
}

/** The spans of a `traces.json` document; anything unreadable is skipped rather than failing the view. */
export function parseSpans(data: unknown): Span[] {
  if (!isRecord(data) || !Array.isArray(data.spans)) return [];
  const spans: Span[] = [];
  for (const s of data.spans as unknown[]) {
    if (!isRecord(s)) continue;
    const context = isRecord(s.context) ? s.context : {};
    const attrs = isRecord(s.attributes) ? s.attributes : {};
    const spanId = typeof context.span_id === 'string' ? context.span_id : String(spans.length);
    spans.push({
      spanId,
      parentId: typeof s.parent_id === 'string' ? s.parent_id : null,
      // MLflow's client allows non-string span names (a number, None).
      name: typeof s.name === 'string' ? s.name : typeof s.name === 'number' ? String(s.name) : '(unnamed)',
      start: Number(s.start_time ?? 0),
      end: Number(s.end_time ?? s.start_time ?? 0),
      status: typeof s.status_code === 'string' ? s.status_code : '',
      spanType: attribute(attrs, 'mlflow.spanType') ?? '',
      inputs: attribute(attrs, 'mlflow.spanInputs'),
      outputs: attribute(attrs, 'mlflow.spanOutputs'),
    });
  }
  return spans;
}

/** Epoch nanoseconds are doubles here (precise to ~0.25 µs), so differences are shown to the microsecond. */
const nsToMs = (ns: number): number => Math.round(ns / 1000) / 1000;

/** Depth-first rows (children by start time); spans whose parent is missing become roots. */
export function spanRows(spans: readonly Span[]): SpanRow[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | null, Span[]>();
  for (const s of spans) {
    const parent = s.parentId !== null && ids.has(s.parentId) ? s.parentId : null;
    const list = children.get(parent) ?? [];
    list.push(s);
    children.set(parent, list);
  }
  for (const list of children.values()) list.sort((a, b) => a.start - b.start);
  const origin = spans.length > 0 ? Math.min(...spans.map((s) => s.start)) : 0;
  const rows: SpanRow[] = [];
  const seen = new Set<string>();
  const visit = (span: Span, depth: number): void => {
    if (seen.has(span.spanId)) return; // a cycle in hand-written data
    seen.add(span.spanId);
    rows.push({ span, depth, offsetMs: nsToMs(span.start - origin), durationMs: nsToMs(Math.max(0, span.end - span.start)) });
    for (const child of children.get(span.spanId) ?? []) visit(child, depth + 1);
  };
  for (const root of children.get(null) ?? []) visit(root, 0);
  return rows;
}

/** Sub-millisecond durations matter in traces; shows them with a fraction. */
export function formatSpanMs(ms: number): string {
  if (ms < 1) return `${ms.toFixed(3)} ms`;
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}
