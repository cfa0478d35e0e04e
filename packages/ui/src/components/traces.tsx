/**
 * MLflow Tracing in the UI: a list of an experiment's traces (or a run's: those whose `mlflow.sourceRun`
 * request metadata names it) and, for the selected one, its spans as a tree with timings.
 */
import { useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import type { TraceInfo } from '@runlog/core';
import { call, fetchTraceData, traceEndpoints } from '../api';
import { formatDuration, formatTime } from '../lib/format';
import { formatSpanMs, parseSpans, spanRows, traceName, userTags, type SpanRow } from '../lib/traces';
import { Empty, ErrorBox, Loading } from './common';

const PAGE = 100;

const statusClass: Record<string, string> = { OK: 'status-finished', ERROR: 'status-failed', IN_PROGRESS: 'status-running' };

function Status({ status }: { status: string }): ReactNode {
  return <span className={`status ${statusClass[status] ?? ''}`}>{status === 'TRACE_STATUS_UNSPECIFIED' ? 'UNSPECIFIED' : status}</span>;
}

export function TracesPanel({ experimentId, runId }: { experimentId: string; runId?: string }): ReactNode {
  const [selected, setSelected] = useState<string | undefined>();
  const filter = runId ? `request_metadata.\`mlflow.sourceRun\` = '${runId}'` : undefined;
  const q = useQuery({
    queryKey: ['traces', experimentId, runId ?? ''],
    queryFn: ({ signal }) =>
      call(traceEndpoints.searchTraces, { experiment_ids: [experimentId], max_results: PAGE, order_by: [], ...(filter ? { filter } : {}) }, signal),
  });
  if (q.isPending) return <Loading what="traces" />;
  if (q.error) return <ErrorBox error={q.error} title="Could not load traces" />;
  const traces = q.data.traces ?? [];
  if (traces.length === 0) {
    return (
      <Empty>
        No traces {runId ? 'from this run' : 'in this experiment'} yet. Record some with <code>@mlflow.trace</code> or{' '}
        <code>mlflow.start_span()</code>.
      </Empty>
    );
  }
  return (
    <div className="traces">
      <table className="grid-table" aria-label="Traces">
        <thead>
          <tr>
            <th scope="col">Request ID</th>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            <th scope="col">Started</th>
            <th scope="col">Duration</th>
            <th scope="col">Tags</th>
          </tr>
        </thead>
        <tbody>
          {traces.map((t) => (
            <TraceRow key={t.request_id} info={t} selected={t.request_id === selected} onSelect={() => setSelected(t.request_id === selected ? undefined : t.request_id)} />
          ))}
        </tbody>
      </table>
      {q.data.next_page_token ? <p className="muted small">Showing the {PAGE} most recent traces.</p> : null}
      {selected ? <TraceDetail requestId={selected} /> : null}
    </div>
  );
}

function TraceRow({ info, selected, onSelect }: { info: TraceInfo; selected: boolean; onSelect: () => void }): ReactNode {
  return (
    <tr className={selected ? 'selected' : undefined}>
      <td className="mono">
        <button type="button" className="link" aria-pressed={selected} onClick={onSelect}>
          {info.request_id}
        </button>
      </td>
      <td>{traceName(info)}</td>
      <td>
        <Status status={info.status} />
      </td>
      <td>{formatTime(info.timestamp_ms)}</td>
      <td className="num">{info.status === 'IN_PROGRESS' ? '—' : formatDuration(info.execution_time_ms)}</td>
      <td>
        {userTags(info).map((t) => (
          <span key={t.key} className="chip">
            {t.key}: {t.value}
          </span>
        ))}
      </td>
    </tr>
  );
}

export function TraceDetail({ requestId }: { requestId: string }): ReactNode {
  const [open, setOpen] = useState<string | undefined>();
  const q = useQuery({ queryKey: ['trace-data', requestId], queryFn: ({ signal }) => fetchTraceData(requestId, signal) });
  if (q.isPending) return <Loading what="spans" />;
  if (q.error) return <ErrorBox error={q.error} title={`Could not load the spans of ${requestId}`} />;
  const rows = spanRows(parseSpans(q.data));
  if (rows.length === 0) return <Empty>This trace has no spans.</Empty>;
  const total = Math.max(...rows.map((r) => r.offsetMs + r.durationMs), 1e-9);
  return (
    <section className="trace-detail" aria-label={`Spans of ${requestId}`}>
      <h3>Spans ({rows.length})</h3>
      <ul className="span-tree" role="tree">
        {rows.map((r) => (
          <SpanItem key={r.span.spanId} row={r} total={total} open={open === r.span.spanId} onToggle={() => setOpen(open === r.span.spanId ? undefined : r.span.spanId)} />
        ))}
      </ul>
    </section>
  );
}

function SpanItem({ row, total, open, onToggle }: { row: SpanRow; total: number; open: boolean; onToggle: () => void }): ReactNode {
  const { span } = row;
  const left = (row.offsetMs / total) * 100;
  const width = Math.max((row.durationMs / total) * 100, 0.5);
  return (
    <li role="treeitem" aria-level={row.depth + 1} aria-expanded={open} className="span" style={{ paddingLeft: `${row.depth * 16}px` }}>
      <button type="button" className="link span-name" onClick={onToggle}>
        {span.name}
      </button>{' '}
      {span.spanType && span.spanType !== 'UNKNOWN' ? <span className="muted small">{span.spanType}</span> : null}{' '}
      {span.status && span.status !== 'OK' ? <Status status={span.status} /> : null}
      <span className="span-time muted small">
        {formatSpanMs(row.durationMs)} <span title="start, from the trace's start">@ +{formatSpanMs(row.offsetMs)}</span>
      </span>
      <div className="span-bar" aria-hidden="true">
        <div style={{ marginLeft: `${left}%`, width: `${width}%` }} />
      </div>
      {open ? (
        <div className="span-io">
          <div>
            <h4>Inputs</h4>
            <pre className="code">{span.inputs ?? '—'}</pre>
          </div>
          <div>
            <h4>Outputs</h4>
            <pre className="code">{span.outputs ?? '—'}</pre>
          </div>
        </div>
      ) : null}
    </li>
  );
}
