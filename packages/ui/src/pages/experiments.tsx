import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import type { Experiment } from '@runlog/core';
import { call, tracking } from '../api';
import { Empty, ErrorBox, Loading, PromptDialog } from '../components/common';
import { formatTime } from '../lib/format';
import { href, setQuery, type Route } from '../router';

export function experimentsFilter(search: string): string | undefined {
  const s = search.trim();
  if (!s) return undefined;
  return `name ILIKE '%${s.replace(/'/g, '')}%'`;
}

export function ExperimentsPage({ route }: { route: Route }): ReactNode {
  const qc = useQueryClient();
  const search = route.query.get('q') ?? '';
  const view = (route.query.get('view') ?? 'ACTIVE_ONLY') as 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';
  const [text, setText] = useState(search);
  const [dialog, setDialog] = useState<{ kind: 'create' } | { kind: 'rename'; exp: Experiment } | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const q = useQuery({
    queryKey: ['experiments', search, view],
    queryFn: async ({ signal }) => {
      const out: Experiment[] = [];
      let token: string | undefined;
      do {
        const res = await call(
          tracking.searchExperiments,
          { max_results: 1000, filter: experimentsFilter(search), view_type: view, order_by: ['last_update_time DESC'], page_token: token },
          signal,
        );
        out.push(...(res.experiments ?? []));
        token = res.next_page_token;
      } while (token && out.length < 10_000);
      return out;
    },
  });
  const refresh = (): Promise<void> => qc.invalidateQueries({ queryKey: ['experiments'] });
  const act = async (f: () => Promise<unknown>): Promise<void> => {
    setActionError(null);
    try {
      await f();
      await refresh();
    } catch (err) {
      setActionError(err);
    }
  };
  return (
    <section className="page">
      <div className="page-head">
        <h1>Experiments</h1>
        <button type="button" className="primary" onClick={() => setDialog({ kind: 'create' })}>
          New experiment
        </button>
      </div>
      <form
        className="toolbar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(route, { q: text });
        }}
      >
        <input
          type="search"
          aria-label="Search experiments by name"
          placeholder="Search experiments by name"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <button type="submit">Search</button>
        <label>
          Show{' '}
          <select value={view} onChange={(e) => setQuery(route, { view: e.target.value === 'ACTIVE_ONLY' ? undefined : e.target.value })}>
            <option value="ACTIVE_ONLY">Active</option>
            <option value="DELETED_ONLY">Deleted</option>
            <option value="ALL">All</option>
          </select>
        </label>
      </form>
      <ErrorBox error={actionError} />
      {q.isPending ? <Loading what="experiments" /> : null}
      <ErrorBox error={q.error} title="Could not load experiments" />
      {q.data && q.data.length === 0 ? (
        <Empty>
          {search ? (
            <>No experiment name contains “{search}”.</>
          ) : view === 'DELETED_ONLY' ? (
            <>No deleted experiments.</>
          ) : (
            <>
              No experiments yet. Create one here, or log from code: <code>mlflow.set_experiment("my-exp")</code> with{' '}
              <code>MLFLOW_TRACKING_URI</code> pointing at this server.
            </>
          )}
        </Empty>
      ) : null}
      {q.data && q.data.length > 0 ? (
        <table className="grid-table" aria-label="Experiments">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">ID</th>
              <th scope="col">Created</th>
              <th scope="col">Last updated</th>
              <th scope="col">Artifact location</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {q.data.map((e) => (
              <tr key={e.experiment_id} className={e.lifecycle_stage === 'deleted' ? 'deleted' : undefined}>
                <td>
                  <a href={href(['experiments', e.experiment_id])}>{e.name}</a>
                  {e.lifecycle_stage === 'deleted' ? <span className="badge">deleted</span> : null}
                </td>
                <td>{e.experiment_id}</td>
                <td>{formatTime(e.creation_time)}</td>
                <td>{formatTime(e.last_update_time)}</td>
                <td className="mono ellipsis" title={e.artifact_location}>
                  {e.artifact_location}
                </td>
                <td className="row-actions">
                  {e.lifecycle_stage === 'deleted' ? (
                    <button type="button" className="small" onClick={() => void act(() => call(tracking.restoreExperiment, { experiment_id: e.experiment_id }))}>
                      Restore
                    </button>
                  ) : (
                    <>
                      <button type="button" className="small" aria-label={`Rename ${e.name}`} onClick={() => setDialog({ kind: 'rename', exp: e })}>
                        Rename
                      </button>
                      <button
                        type="button"
                        className="small danger"
                        aria-label={`Delete ${e.name}`}
                        onClick={() => {
                          if (window.confirm(`Delete experiment “${e.name}”? It can be restored from the Deleted view.`)) {
                            void act(() => call(tracking.deleteExperiment, { experiment_id: e.experiment_id }));
                          }
                        }}
                      >
                        Delete
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <PromptDialog
        open={dialog?.kind === 'create'}
        title="New experiment"
        label="Name"
        submitLabel="Create"
        onClose={() => setDialog(null)}
        onSubmit={async (name) => {
          const res = await call(tracking.createExperiment, { name: name.trim() });
          await refresh();
          window.location.hash = href(['experiments', res.experiment_id]);
        }}
      />
      <PromptDialog
        open={dialog?.kind === 'rename'}
        title="Rename experiment"
        label="New name"
        initial={dialog?.kind === 'rename' ? dialog.exp.name : ''}
        onClose={() => setDialog(null)}
        onSubmit={async (name) => {
          if (dialog?.kind !== 'rename') return;
          await call(tracking.updateExperiment, { experiment_id: dialog.exp.experiment_id, new_name: name.trim() });
          await refresh();
        }}
      />
    </section>
  );
}
