/**
 * The runs grid: rows and columns virtualised (a few dozen cells in the DOM whatever the run count), rows
 * loaded page by page as you scroll, server-side sort from the headers, nested runs as a tree.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, type ReactNode } from 'react';
import { columnLabel, columnString, displayValue, orderByFor, type ColumnId, type TreeRow } from '../lib/runs';
import { href } from '../router';

export const ROW_HEIGHT = 32;
const HEADER_HEIGHT = 36;
const SELECT_WIDTH = 36;
const NAME_WIDTH = 260;

export function columnWidth(c: ColumnId): number {
  if (c.kind === 'attr') {
    if (c.key === 'start_time') return 170;
    if (c.key === 'status') return 110;
    if (c.key === 'duration') return 110;
    if (c.key === 'source') return 180;
    return 140;
  }
  return Math.min(220, Math.max(110, c.key.length * 8 + 40));
}

export interface RunsTableProps {
  rows: TreeRow[];
  columns: ColumnId[];
  sort: { column: ColumnId; ascending: boolean } | undefined;
  onSort: (column: ColumnId, ascending: boolean) => void;
  selected: ReadonlySet<string>;
  onToggleSelect: (runId: string) => void;
  onToggleAll: () => void;
  collapsed: ReadonlySet<string>;
  onToggleCollapse: (runId: string) => void;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  experimentId: string;
}

function StatusBadge({ status }: { status: string }): ReactNode {
  return <span className={`status status-${status.toLowerCase()}`}>{status}</span>;
}

export function RunsTable(p: RunsTableProps): ReactNode {
  const scrollRef = useRef<HTMLDivElement>(null);
  const nameCol: ColumnId = { kind: 'attr', key: 'run_name' };
  const cols = useMemo(() => p.columns.filter((c) => !(c.kind === 'attr' && c.key === 'run_name')), [p.columns]);
  const widths = useMemo(() => cols.map(columnWidth), [cols]);
  const pinned = SELECT_WIDTH + NAME_WIDTH;
  const restWidth = widths.reduce((a, b) => a + b, 0);

  const rowV = useVirtualizer({
    count: p.rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    scrollMargin: HEADER_HEIGHT,
    initialRect: { width: 1200, height: 700 },
  });
  const colV = useVirtualizer({
    horizontal: true,
    count: cols.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => widths[i] ?? 120,
    overscan: 4,
    scrollMargin: pinned,
    initialRect: { width: 1200, height: 700 },
  });
  useEffect(() => colV.measure(), [widths, colV]);

  const vRows = rowV.getVirtualItems();
  const vCols = colV.getVirtualItems();
  const lastIndex = vRows.length > 0 ? (vRows[vRows.length - 1]?.index ?? 0) : 0;
  const { hasMore, loadingMore, onLoadMore, rows } = p;
  useEffect(() => {
    if (hasMore && !loadingMore && lastIndex >= rows.length - 30) onLoadMore();
  }, [lastIndex, hasMore, loadingMore, onLoadMore, rows.length]);

  const headerCell = (c: ColumnId, width: number, style: React.CSSProperties, key: string): ReactNode => {
    const sortable = orderByFor(c, true) !== undefined;
    const active = p.sort && columnString(p.sort.column) === columnString(c);
    const ariaSort = active ? (p.sort?.ascending ? 'ascending' : 'descending') : 'none';
    const label = columnLabel(c);
    const kindLabel = c.kind === 'attr' ? '' : c.kind;
    return (
      <div key={key} role="columnheader" aria-sort={ariaSort} className={`cell head kind-${c.kind}`} style={{ ...style, width }} title={`${kindLabel ? `${kindLabel}: ` : ''}${label}`}>
        {sortable ? (
          <button
            type="button"
            className="sort"
            onClick={() => p.onSort(c, active ? !p.sort?.ascending : c.kind === 'attr' && c.key === 'run_name')}
            aria-label={`Sort by ${kindLabel ? `${kindLabel} ` : ''}${label}${active ? (p.sort?.ascending ? ', sorted ascending' : ', sorted descending') : ''}`}
          >
            {kindLabel ? <span className="kind">{kindLabel[0]}</span> : null}
            <span className="label">{label}</span>
            {active ? <span aria-hidden="true">{p.sort?.ascending ? ' ▲' : ' ▼'}</span> : null}
          </button>
        ) : (
          <span className="label">{label}</span>
        )}
      </div>
    );
  };

  const allSelected = rows.length > 0 && rows.every((r) => p.selected.has(r.run.info.run_id));
  return (
    <div
      ref={scrollRef}
      className="runs-grid"
      role="grid"
      aria-label="Runs"
      aria-rowcount={rows.length + 1}
      aria-colcount={cols.length + 2}
      data-testid="runs-grid"
    >
      <div className="grid-inner" style={{ width: pinned + restWidth, height: HEADER_HEIGHT + rowV.getTotalSize() }}>
        <div className="grid-header" role="row" style={{ height: HEADER_HEIGHT, width: pinned + restWidth }}>
          <div className="pinned" style={{ width: pinned }}>
            <div className="cell head select" style={{ width: SELECT_WIDTH }} role="columnheader">
              <input type="checkbox" aria-label="Select all loaded runs" checked={allSelected} onChange={p.onToggleAll} />
            </div>
            {headerCell(nameCol, NAME_WIDTH, {}, 'name')}
          </div>
          <div className="rest" style={{ width: restWidth }}>
            {vCols.map((vc) => {
              const c = cols[vc.index];
              if (!c) return null;
              return headerCell(c, vc.size, { position: 'absolute', left: vc.start - pinned, top: 0 }, columnString(c));
            })}
          </div>
        </div>
        {vRows.map((vr) => {
          const row = rows[vr.index];
          if (!row) return null;
          const r = row.run;
          const id = r.info.run_id;
          const selected = p.selected.has(id);
          return (
            <div
              key={id}
              role="row"
              aria-rowindex={vr.index + 2}
              aria-selected={selected}
              className={`grid-row${selected ? ' selected' : ''}${r.info.lifecycle_stage === 'deleted' ? ' deleted' : ''}${vr.index % 2 ? ' odd' : ''}`}
              style={{ transform: `translateY(${vr.start}px)`, height: ROW_HEIGHT, width: pinned + restWidth }}
              data-run-id={id}
            >
              <div className="pinned" style={{ width: pinned }}>
                <div className="cell select" role="gridcell" style={{ width: SELECT_WIDTH }}>
                  <input type="checkbox" aria-label={`Select run ${r.info.run_name || id}`} checked={selected} onChange={() => p.onToggleSelect(id)} />
                </div>
                <div className="cell name" role="gridcell" style={{ width: NAME_WIDTH, paddingLeft: 8 + row.depth * 18 }}>
                  {row.childCount > 0 ? (
                    <button
                      type="button"
                      className="expander"
                      aria-expanded={!p.collapsed.has(id)}
                      aria-label={`${p.collapsed.has(id) ? 'Expand' : 'Collapse'} ${row.childCount} child runs`}
                      onClick={() => p.onToggleCollapse(id)}
                    >
                      {p.collapsed.has(id) ? '▸' : '▾'}
                    </button>
                  ) : row.depth > 0 ? (
                    <span className="tree-leaf" aria-hidden="true">
                      └
                    </span>
                  ) : null}
                  <a href={href(['experiments', r.info.experiment_id || p.experimentId, 'runs', id])} title={r.info.run_name || id}>
                    {r.info.run_name || id}
                  </a>
                  {row.childCount > 0 ? <span className="muted small"> ({row.childCount})</span> : null}
                </div>
              </div>
              <div className="rest" style={{ width: restWidth }}>
                {vCols.map((vc) => {
                  const c = cols[vc.index];
                  if (!c) return null;
                  const text = displayValue(r, c);
                  return (
                    <div
                      key={columnString(c)}
                      role="gridcell"
                      className={`cell${c.kind === 'metric' ? ' num' : ''}`}
                      style={{ position: 'absolute', left: vc.start - pinned, width: vc.size, top: 0 }}
                      title={text}
                    >
                      {c.kind === 'attr' && c.key === 'status' ? <StatusBadge status={r.info.status} /> : text}
                    </div>
                  );
                })}
              </div>
            </div>
          );
        })}
      </div>
    </div>
  );
}
