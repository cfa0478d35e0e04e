import { useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useState, type ReactNode } from 'react';
import type { Run } from '@runlog/core';
import { call, tracking } from '../api';
import { ArtifactBrowser } from '../components/artifacts';
import { TracesPanel } from '../components/traces';
import { Empty, ErrorBox, Loading, PromptDialog, Tabs, TagEditor } from '../components/common';
import { Markdown } from '../components/markdown';
import { formatDuration, formatNumber, formatTime } from '../lib/format';
import { CHART_POINTS, historyIntervalQuery } from '../lib/history';
import { indexRun, NOTE_TAG, PARENT_TAG, runDuration } from '../lib/runs';
import { splitSystemMetrics } from '../lib/system-metrics';
import { href, navigate, setQuery, type Route } from '../router';

const MetricChart = lazy(() => import('../components/metric-chart'));

type Tab = 'overview' | 'metrics' | 'artifacts' | 'traces';

export function RunPage({ route, runId, experimentId, artifactPath }: { route: Route; runId: string; experimentId?: string; artifactPath?: string | undefined }): ReactNode {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['run', runId], queryFn: ({ signal }) => call(tracking.getRun, { run_id: runId }, signal) });
  const run = q.data?.run;
  const expId = run?.info.experiment_id ?? experimentId ?? '';
  const exp = useQuery({
    queryKey: ['experiment', expId],
    enabled: expId !== '',
    queryFn: ({ signal }) => call(tracking.getExperiment, { experiment_id: expId }, signal),
  });
  const tab: Tab = artifactPath !== undefined ? 'artifacts' : ((route.query.get('tab') as Tab | null) ?? 'overview');
  const refresh = (): Promise<void> => qc.invalidateQueries({ queryKey: ['run', runId] });
  const [renaming, setRenaming] = useState(false);

  if (q.isPending) return <Loading what="run" />;
  if (q.error || !run) {
    return (
      <section className="page">
        <ErrorBox error={q.error} title={`Could not load run ${runId}`} />
        <a href={href(['experiments', ...(experimentId ? [experimentId] : [])])}>Back to experiments</a>
      </section>
    );
  }
  const name = run.info.run_name || run.info.run_id;
  const selectTab = (t: Tab): void => {
    if (t === 'artifacts') navigate(href(['experiments', expId, 'runs', runId, 'artifactPath']));
    else navigate(href(['experiments', expId, 'runs', runId], { tab: t === 'overview' ? undefined : t }));
  };
  return (
    <section className="page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <a href={href(['experiments'])}>Experiments</a> / <a href={href(['experiments', expId])}>{exp.data?.experiment.name ?? expId}</a> / <span>{name}</span>
      </nav>
      <div className="page-head">
        <h1>
          {name} <span className={`status status-${run.info.status.toLowerCase()}`}>{run.info.status}</span>
          {run.info.lifecycle_stage === 'deleted' ? <span className="badge">deleted</span> : null}
        </h1>
        <button type="button" className="small" onClick={() => setRenaming(true)}>
          Rename
        </button>
      </div>
      <Tabs<Tab>
        tabs={[
          { id: 'overview', label: 'Overview' },
          { id: 'metrics', label: `Metrics (${run.data.metrics?.length ?? 0})` },
          { id: 'artifacts', label: 'Artifacts' },
          { id: 'traces', label: 'Traces' },
        ]}
        current={tab}
        onSelect={selectTab}
      />
      <div role="tabpanel">
        {tab === 'overview' ? <Overview run={run} refresh={refresh} route={route} /> : null}
        {tab === 'metrics' ? <MetricsPanel run={run} /> : null}
        {tab === 'artifacts' ? <ArtifactBrowser run={run} path={artifactPath ?? ''} experimentId={expId} /> : null}
        {tab === 'traces' ? <TracesPanel experimentId={expId} runId={runId} /> : null}
      </div>
      <PromptDialog
        open={renaming}
        title="Rename run"
        label="Run name"
        initial={run.info.run_name}
        onClose={() => setRenaming(false)}
        onSubmit={async (v) => {
          await call(tracking.updateRun, { run_id: runId, run_name: v.trim() });
          await refresh();
        }}
      />
    </section>
  );
}

function Overview({ run, refresh }: { run: Run; refresh: () => Promise<void>; route: Route }): ReactNode {
  const idx = indexRun(run);
  const tags = idx.tags;
  const runId = run.info.run_id;
  const parent = tags.get(PARENT_TAG);
  const [editingNote, setEditingNote] = useState(false);
  const note = tags.get(NOTE_TAG) ?? '';
  const children = useQuery({
    queryKey: ['children', runId],
    queryFn: ({ signal }) =>
      call(tracking.searchRuns, { experiment_ids: [run.info.experiment_id], filter: `tags.\`${PARENT_TAG}\` = '${runId}'`, max_results: 200 }, signal),
  });
  const commit = tags.get('mlflow.source.git.commit');
  const datasets = run.inputs?.dataset_inputs ?? [];
  return (
    <div className="overview">
      <table className="kv" aria-label="Run details">
        <tbody>
          <tr><th scope="row">Run ID</th><td className="mono">{runId}</td></tr>
          <tr><th scope="row">Status</th><td>{run.info.status}</td></tr>
          <tr><th scope="row">Started</th><td>{formatTime(run.info.start_time)}</td></tr>
          <tr><th scope="row">Ended</th><td>{formatTime(run.info.end_time)}</td></tr>
          <tr><th scope="row">Duration</th><td>{formatDuration(runDuration(run))}</td></tr>
          <tr><th scope="row">User</th><td>{run.info.user_id || tags.get('mlflow.user') || '—'}</td></tr>
          <tr><th scope="row">Source</th><td className="mono wrap">{tags.get('mlflow.source.name') ?? '—'} {tags.get('mlflow.source.type') ? <span className="muted">({tags.get('mlflow.source.type')})</span> : null}</td></tr>
          <tr><th scope="row">Git commit</th><td className="mono">{commit ?? '—'}</td></tr>
          <tr><th scope="row">Artifact URI</th><td className="mono wrap">{run.info.artifact_uri}</td></tr>
          <tr>
            <th scope="row">Parent run</th>
            <td>{parent ? <a href={href(['experiments', run.info.experiment_id, 'runs', parent])}>{parent}</a> : '—'}</td>
          </tr>
          <tr>
            <th scope="row">Child runs</th>
            <td>
              {children.data?.runs?.length
                ? children.data.runs.map((c) => (
                    <a key={c.info.run_id} className="chip" href={href(['experiments', c.info.experiment_id, 'runs', c.info.run_id])}>
                      {c.info.run_name || c.info.run_id}
                    </a>
                  ))
                : '—'}
            </td>
          </tr>
        </tbody>
      </table>

      <h2>
        Description{' '}
        <button type="button" className="small" onClick={() => setEditingNote(true)}>
          Edit
        </button>
      </h2>
      {note ? <Markdown text={note} /> : <p className="muted">No description. Markdown is supported.</p>}
      <PromptDialog
        open={editingNote}
        title="Run description (Markdown)"
        label="Description"
        multiline
        initial={note}
        onClose={() => setEditingNote(false)}
        onSubmit={async (v) => {
          await call(tracking.setTag, { run_id: runId, key: NOTE_TAG, value: v });
          await refresh();
        }}
      />

      <div className="two-col">
        <div>
          <h2>Parameters ({run.data.params?.length ?? 0})</h2>
          {run.data.params?.length ? (
            <table className="kv" aria-label="Parameters">
              <tbody>
                {[...(run.data.params ?? [])].sort((a, b) => a.key.localeCompare(b.key)).map((p) => (
                  <tr key={p.key}><th scope="row">{p.key}</th><td className="wrap mono">{p.value}</td></tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted">No parameters logged.</p>
          )}
        </div>
        <div>
          <h2>Metrics ({run.data.metrics?.length ?? 0})</h2>
          {run.data.metrics?.length ? (
            <table className="kv" aria-label="Latest metrics">
              <tbody>
                {[...(run.data.metrics ?? [])].sort((a, b) => a.key.localeCompare(b.key)).map((m) => (
                  <tr key={m.key}>
                    <th scope="row">
                      <a href={href(['experiments', run.info.experiment_id, 'runs', runId], { tab: 'metrics', metric: m.key })}>{m.key}</a>
                    </th>
                    <td className="num">{formatNumber(m.value)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted">No metrics logged.</p>
          )}
        </div>
      </div>

      <h2>Tags</h2>
      <TagEditor
        tags={run.data.tags ?? []}
        onSet={async (key, value) => {
          await call(tracking.setTag, { run_id: runId, key, value });
          await refresh();
        }}
        onDelete={async (key) => {
          await call(tracking.deleteTag, { run_id: runId, key });
          await refresh();
        }}
      />
      <details>
        <summary>System tags ({(run.data.tags ?? []).filter((t) => t.key.startsWith('mlflow.')).length})</summary>
        <table className="kv">
          <tbody>
            {(run.data.tags ?? []).filter((t) => t.key.startsWith('mlflow.')).map((t) => (
              <tr key={t.key}><th scope="row">{t.key}</th><td className="wrap mono">{t.value}</td></tr>
            ))}
          </tbody>
        </table>
      </details>

      <h2>Datasets ({datasets.length})</h2>
      {datasets.length ? (
        <table className="grid-table" aria-label="Datasets">
          <thead>
            <tr><th scope="col">Name</th><th scope="col">Digest</th><th scope="col">Source type</th><th scope="col">Context</th><th scope="col">Source</th></tr>
          </thead>
          <tbody>
            {datasets.map((d, i) => (
              <tr key={i}>
                <td>{d.dataset.name}</td>
                <td className="mono">{d.dataset.digest}</td>
                <td>{d.dataset.source_type}</td>
                <td>{d.tags?.find((t) => t.key === 'mlflow.data.context')?.value ?? ''}</td>
                <td className="mono wrap">{d.dataset.source}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No datasets logged (mlflow.log_input).</p>
      )}
    </div>
  );
}

function MetricsPanel({ run }: { run: Run }): ReactNode {
  const metrics = [...(run.data.metrics ?? [])].sort((a, b) => a.key.localeCompare(b.key));
  const runId = run.info.run_id;
  // The same requests the charts make (one per metric, deduplicated): min and max come from the sampled history.
  const histories = useQueries({ queries: metrics.map((m) => historyIntervalQuery(m.key, [runId])) });
  // System metrics (CPU, memory, GPU…) get their own section, as in MLflow's run page.
  const { model, system } = splitSystemMetrics(metrics);
  const sections = ([['Model metrics', model], ['System metrics', system]] as const).filter(([, list]) => list.length > 0);
  if (metrics.length === 0) return <Empty>This run has no metrics. Log some with <code>mlflow.log_metric("loss", 0.5, step=1)</code>.</Empty>;
  return (
    <div>
      <table className="grid-table" aria-label="Metric summary">
        <thead>
          <tr><th scope="col">Metric</th><th scope="col">Latest</th><th scope="col">Min</th><th scope="col">Max</th><th scope="col">Steps shown</th></tr>
        </thead>
        <tbody>
          {metrics.map((m, i) => {
            const h = histories[i];
            const points = h?.data?.metrics ?? [];
            const vs = points.map((p) => p.value).filter((v) => Number.isFinite(v));
            const sampled = points.length >= CHART_POINTS;
            const approx = sampled ? '≈ ' : '';
            const title = sampled ? `from ${CHART_POINTS.toLocaleString()} evenly sampled steps` : undefined;
            return (
              <tr key={m.key}>
                <th scope="row">{m.key}</th>
                <td className="num">{formatNumber(m.value)}</td>
                <td className="num" title={title}>{vs.length ? approx + formatNumber(Math.min(...vs)) : ''}</td>
                <td className="num" title={title}>{vs.length ? approx + formatNumber(Math.max(...vs)) : ''}</td>
                <td className="num">{h?.error ? <span className="error small">{String(h.error.message)}</span> : points.length ? `${points.length.toLocaleString()}${sampled ? ' (sampled)' : ''}` : ''}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {sections.map(([title, list]) => (
        <section key={title} aria-label={title}>
          {sections.length > 1 ? <h2>{title} ({list.length})</h2> : null}
          <div className="charts">
            <Suspense fallback={<Loading what="charts" />}>
              {list.map((m) => (
                <MetricChart key={m.key} metricKey={m.key} runIds={[runId]} runNames={{ [runId]: run.info.run_name || runId }} />
              ))}
            </Suspense>
          </div>
        </section>
      ))}
    </div>
  );
}

export { setQuery };
