import { infiniteQueryOptions, queryOptions, useInfiniteQuery, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useCallback, useMemo, useState, type ReactNode } from 'react';
import type { Run } from '@runlog/core';
import { call, tracking } from '../api';
import { Empty, ErrorBox, Loading, PromptDialog, Tabs, TagEditor } from '../components/common';
import { FilterBox } from '../components/filter-box';
import { Markdown } from '../components/markdown';
import { RunsTable } from '../components/runs-table';
import { TracesPanel } from '../components/traces';
import { formatNumber } from '../lib/format';
import {
  ATTR_COLUMNS,
  buildTree,
  collectKeys,
  columnLabel,
  columnString,
  groupRuns,
  NOTE_TAG,
  orderByFor,
  parseColumn,
  type ColumnId,
  type KeySets,
} from '../lib/runs';
import { href, navigate, setQuery, type Route } from '../router';

export const PAGE_SIZE = 200;
type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

export function sortOf(route: Route): { sortCol: ColumnId; ascending: boolean; orderBy: string | undefined } {
  const sortCol = parseColumn(route.query.get('sort') ?? '') ?? { kind: 'attr', key: 'start_time' };
  const ascending = route.query.get('dir') === 'asc';
  return { sortCol, ascending, orderBy: orderByFor(sortCol, ascending) };
}

/** The runs table's paged search (also prefetched by main.tsx before React first renders). */
export function runsQueryOptions(experimentId: string, filter: string, orderBy: string | undefined, view: ViewType) {
  return infiniteQueryOptions({
    queryKey: ['runs', experimentId, filter, orderBy, view],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      call(
        tracking.searchRuns,
        {
          experiment_ids: [experimentId],
          filter: filter || undefined,
          run_view_type: view,
          max_results: PAGE_SIZE,
          order_by: orderBy && orderBy !== 'attributes.start_time DESC' ? [orderBy, 'attributes.start_time DESC'] : ['attributes.start_time DESC'],
          page_token: pageParam,
        },
        signal,
      ),
    getNextPageParam: (last) => last.next_page_token || undefined,
    staleTime: 30_000,
  });
}

export function experimentQueryOptions(experimentId: string) {
  return queryOptions({
    queryKey: ['experiment', experimentId],
    queryFn: ({ signal }) => call(tracking.getExperiment, { experiment_id: experimentId }, signal),
  });
}

/** Starts the first requests of an experiment page while React is still starting. */
export function prefetchExperimentPage(client: QueryClient, route: Route): void {
  const [a, id, c] = route.segments;
  if (a !== 'experiments' || id === undefined || c !== undefined) return;
  const view = (route.query.get('lifecycle') ?? 'ACTIVE_ONLY') as ViewType;
  // Prefetches: a failure shows up when the page's own query runs.
  client.infiniteQuery(runsQueryOptions(id, route.query.get('filter') ?? '', sortOf(route).orderBy, view)).catch(() => undefined);
  client.query(experimentQueryOptions(id)).catch(() => undefined);
}

export function ExperimentPage({ route, experimentId }: { route: Route; experimentId: string }): ReactNode {
  const qc = useQueryClient();
  const [editing, setEditing] = useState(false);
  const exp = useQuery(experimentQueryOptions(experimentId));
  const e = exp.data?.experiment;
  const note = e?.tags?.find((t) => t.key === NOTE_TAG)?.value ?? '';
  const refresh = (): Promise<void> => qc.invalidateQueries({ queryKey: ['experiment', experimentId] });
  return (
    <section className="page page-fill">
      <nav className="crumbs" aria-label="Breadcrumb">
        <a href={href(['experiments'])}>Experiments</a> / <span>{e?.name ?? experimentId}</span>
      </nav>
      <ErrorBox error={exp.error} title={`Could not load experiment ${experimentId}`} />
      {e ? (
        <div className="page-head">
          <h1>
            {e.name} {e.lifecycle_stage === 'deleted' ? <span className="badge">deleted</span> : null}
          </h1>
          <span className="muted small">
            ID {e.experiment_id} · <span className="mono">{e.artifact_location}</span>
          </span>
        </div>
      ) : exp.isPending ? (
        <Loading what="experiment" />
      ) : null}
      {e ? (
        <details className="exp-details">
          <summary>Description and tags</summary>
          <div className="two-col">
            <div>
              <h3>
                Description{' '}
                <button type="button" className="small" onClick={() => setEditing(true)}>
                  Edit
                </button>
              </h3>
              {note ? <Markdown text={note} /> : <p className="muted">No description.</p>}
            </div>
            <div>
              <h3>Tags</h3>
              <TagEditor
                tags={e.tags ?? []}
                onSet={async (key, value) => {
                  await call(tracking.setExperimentTag, { experiment_id: experimentId, key, value });
                  await refresh();
                }}
                onDelete={async (key) => {
                  await call(tracking.deleteExperimentTag, { experiment_id: experimentId, key });
                  await refresh();
                }}
              />
            </div>
          </div>
          <PromptDialog
            open={editing}
            title="Experiment description (Markdown)"
            label="Description"
            multiline
            initial={note}
            onClose={() => setEditing(false)}
            onSubmit={async (v) => {
              await call(tracking.setExperimentTag, { experiment_id: experimentId, key: NOTE_TAG, value: v });
              await refresh();
            }}
          />
        </details>
      ) : null}
      <Tabs<'runs' | 'traces'>
        tabs={[
          { id: 'runs', label: 'Runs' },
          { id: 'traces', label: 'Traces' },
        ]}
        current={route.query.get('tab') === 'traces' ? 'traces' : 'runs'}
        onSelect={(t) => navigate(href(['experiments', experimentId], { tab: t === 'traces' ? 'traces' : undefined }))}
      />
      {route.query.get('tab') === 'traces' ? <TracesPanel experimentId={experimentId} /> : <RunsView route={route} experimentId={experimentId} />}
    </section>
  );
}

function parseCols(v: string | null): ColumnId[] | undefined {
  if (!v) return undefined;
  try {
    const arr = JSON.parse(v) as unknown;
    if (Array.isArray(arr)) return arr.map((s) => parseColumn(String(s))).filter((c): c is ColumnId => c !== undefined);
  } catch {
    /* ignore a hand-edited link */
  }
  return undefined;
}

const DEFAULT_ATTRS: ColumnId[] = ATTR_COLUMNS.filter((k) => k !== 'run_name').map((key) => ({ kind: 'attr', key }));

export function defaultColumns(keys: KeySets): ColumnId[] {
  return [
    ...DEFAULT_ATTRS,
    ...keys.metrics.map((key): ColumnId => ({ kind: 'metric', key })),
    ...keys.params.map((key): ColumnId => ({ kind: 'param', key })),
  ];
}

function RunsView({ route, experimentId }: { route: Route; experimentId: string }): ReactNode {
  const qc = useQueryClient();
  const filter = route.query.get('filter') ?? '';
  const view = (route.query.get('lifecycle') ?? 'ACTIVE_ONLY') as 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';
  const { sortCol, ascending, orderBy } = sortOf(route);
  const sort = { column: sortCol, ascending };
  const groupBy = route.query.get('group') ?? '';
  const [selected, setSelected] = useState<Set<string>>(() => new Set());
  const [collapsed, setCollapsed] = useState<Set<string>>(() => new Set());
  const [actionError, setActionError] = useState<unknown>(null);

  const runs = useInfiniteQuery(runsQueryOptions(experimentId, filter, orderBy, view));
  const loaded: Run[] = useMemo(() => runs.data?.pages.flatMap((p) => p.runs ?? []) ?? [], [runs.data]);
  const keys = useMemo(() => collectKeys(loaded.slice(0, 2000)), [loaded]);
  const columns = useMemo(() => parseCols(route.query.get('cols')) ?? defaultColumns(keys), [route.query, keys]);
  const rows = useMemo(() => buildTree(loaded, collapsed), [loaded, collapsed]);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = runs;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);

  const toggle = (set: Set<string>, id: string): Set<string> => {
    const next = new Set(set);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  };
  const act = async (f: () => Promise<unknown>): Promise<void> => {
    setActionError(null);
    try {
      await f();
    } catch (err) {
      setActionError(err);
    }
    setSelected(new Set());
    await qc.invalidateQueries({ queryKey: ['runs', experimentId] });
  };
  const selectedIds = [...selected];
  const setColumns = (cols: ColumnId[]): void => setQuery(route, { cols: JSON.stringify(cols.map(columnString)) });

  return (
    <div className="runs-view">
      <div className="toolbar">
        <FilterBox value={filter} keys={keys} onApply={(f) => setQuery(route, { filter: f })} />
      </div>
      <div className="toolbar">
        <label>
          Show{' '}
          <select value={view} onChange={(e) => setQuery(route, { lifecycle: e.target.value === 'ACTIVE_ONLY' ? undefined : e.target.value })}>
            <option value="ACTIVE_ONLY">Active runs</option>
            <option value="DELETED_ONLY">Deleted runs</option>
            <option value="ALL">All runs</option>
          </select>
        </label>
        <ColumnChooser keys={keys} columns={columns} onChange={setColumns} />
        <label>
          Group by{' '}
          <select value={groupBy} onChange={(e) => setQuery(route, { group: e.target.value })} aria-label="Group runs by param">
            <option value="">(no grouping)</option>
            {keys.params.map((k) => (
              <option key={k} value={k}>
                params.{k}
              </option>
            ))}
          </select>
        </label>
        <span className="spacer" />
        <span className="muted small" aria-live="polite">
          {selected.size > 0 ? `${selected.size} selected · ` : ''}
          {loaded.length.toLocaleString()}
          {hasNextPage ? '+' : ''} runs
        </span>
        <button
          type="button"
          className="primary"
          disabled={selected.size < 2}
          onClick={() => navigate(href(['compare-runs'], { runs: JSON.stringify(selectedIds), experiments: JSON.stringify([experimentId]) }))}
        >
          Compare{selected.size >= 2 ? ` (${selected.size})` : ''}
        </button>
        {view !== 'ACTIVE_ONLY' ? (
          <button type="button" disabled={selected.size === 0} onClick={() => void act(() => Promise.all(selectedIds.map((id) => call(tracking.restoreRun, { run_id: id }))))}>
            Restore
          </button>
        ) : null}
        {view !== 'DELETED_ONLY' ? (
          <button
            type="button"
            className="danger"
            disabled={selected.size === 0}
            onClick={() => {
              if (window.confirm(`Delete ${selected.size} run(s)? They can be restored from “Deleted runs”.`)) {
                void act(() => Promise.all(selectedIds.map((id) => call(tracking.deleteRun, { run_id: id }))));
              }
            }}
          >
            Delete
          </button>
        ) : null}
        <button type="button" onClick={() => void qc.invalidateQueries({ queryKey: ['runs', experimentId] })} aria-label="Refresh runs">
          ↻
        </button>
      </div>
      <ErrorBox error={actionError} />
      {runs.error ? <ErrorBox error={runs.error} title={filter ? 'The filter was refused' : 'Could not load runs'} /> : null}
      {runs.isPending ? <Loading what="runs" /> : null}
      {runs.data && loaded.length === 0 ? (
        <Empty>
          {filter ? (
            <>No run matches <code>{filter}</code>.</>
          ) : view === 'DELETED_ONLY' ? (
            <>No deleted runs.</>
          ) : (
            <>
              No runs in this experiment yet. Log one from Python: <code>mlflow.set_experiment(experiment_id="{experimentId}")</code> then{' '}
              <code>with mlflow.start_run(): mlflow.log_metric("loss", 0.1)</code>.
            </>
          )}
        </Empty>
      ) : null}
      {groupBy && loaded.length > 0 ? (
        <GroupTable runs={loaded} param={groupBy} metrics={keys.metrics} more={hasNextPage} onLoadAll={loadMore} />
      ) : null}
      {loaded.length > 0 && !groupBy ? (
        <RunsTable
          rows={rows}
          columns={columns}
          sort={sort}
          onSort={(c, asc) => setQuery(route, { sort: columnString(c), dir: asc ? 'asc' : undefined })}
          selected={selected}
          onToggleSelect={(id) => setSelected((s) => toggle(s, id))}
          onToggleAll={() => setSelected((s) => (s.size > 0 && rows.every((r) => s.has(r.run.info.run_id)) ? new Set() : new Set(rows.map((r) => r.run.info.run_id))))}
          collapsed={collapsed}
          onToggleCollapse={(id) => setCollapsed((s) => toggle(s, id))}
          hasMore={!!hasNextPage}
          loadingMore={isFetchingNextPage}
          onLoadMore={loadMore}
          experimentId={experimentId}
        />
      ) : null}
    </div>
  );
}

function ColumnChooser({ keys, columns, onChange }: { keys: KeySets; columns: ColumnId[]; onChange: (c: ColumnId[]) => void }): ReactNode {
  const [text, setText] = useState('');
  const on = new Set(columns.map(columnString));
  const flip = (c: ColumnId): void => {
    const s = columnString(c);
    onChange(on.has(s) ? columns.filter((x) => columnString(x) !== s) : [...columns, c]);
  };
  const groups: [string, ColumnId[]][] = [
    ['Attributes', DEFAULT_ATTRS],
    ['Metrics', keys.metrics.map((key) => ({ kind: 'metric', key }))],
    ['Params', keys.params.map((key) => ({ kind: 'param', key }))],
    ['Tags', keys.tags.map((key) => ({ kind: 'tag', key }))],
  ];
  const t = text.toLowerCase();
  return (
    <details className="popover">
      <summary>Columns ({columns.length})</summary>
      <div className="popover-body" role="group" aria-label="Choose columns">
        <input type="search" placeholder="Find a key" aria-label="Find a column" value={text} onChange={(e) => setText(e.target.value)} />
        <div className="actions">
          <button type="button" className="small" onClick={() => onChange(defaultColumns(keys))}>
            Default
          </button>
          <button type="button" className="small" onClick={() => onChange(DEFAULT_ATTRS)}>
            Attributes only
          </button>
        </div>
        {groups.map(([name, cols]) => {
          const shown = cols.filter((c) => !t || c.key.toLowerCase().includes(t));
          if (shown.length === 0) return null;
          return (
            <fieldset key={name}>
              <legend>{name}</legend>
              {shown.map((c) => (
                <label key={columnString(c)} className="check">
                  <input type="checkbox" checked={on.has(columnString(c))} onChange={() => flip(c)} /> {columnLabel(c)}
                </label>
              ))}
            </fieldset>
          );
        })}
      </div>
    </details>
  );
}

function GroupTable({ runs, param, metrics, more, onLoadAll }: { runs: Run[]; param: string; metrics: string[]; more: boolean; onLoadAll: () => void }): ReactNode {
  const groups = useMemo(() => groupRuns(runs, param, metrics), [runs, param, metrics]);
  return (
    <div className="group-view">
      <p className="muted small">
        {groups.length} groups of params.{param} over {runs.length.toLocaleString()} loaded runs.{' '}
        {more ? (
          <button type="button" className="small" onClick={onLoadAll}>
            Load more runs
          </button>
        ) : null}
      </p>
      <div className="table-scroll">
        <table className="grid-table" aria-label={`Runs grouped by ${param}`}>
          <thead>
            <tr>
              <th scope="col">params.{param}</th>
              <th scope="col">Runs</th>
              {metrics.map((m) => (
                <th scope="col" key={m}>
                  {m} mean <span className="muted">(min … max)</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {groups.map((g) => (
              <tr key={g.value}>
                <th scope="row">{g.value}</th>
                <td>{g.count}</td>
                {metrics.map((m) => {
                  const s = g.stats.get(m);
                  return (
                    <td key={m} className="num">
                      {s ? (
                        <>
                          {formatNumber(s.mean)} <span className="muted small">({formatNumber(s.min)} … {formatNumber(s.max)})</span>
                        </>
                      ) : (
                        ''
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
