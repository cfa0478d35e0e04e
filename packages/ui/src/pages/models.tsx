import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { call, fetchArtifactText, registry } from '../api';
import { AliasEditor } from '../components/alias-editor';
import { Empty, ErrorBox, Loading, PromptDialog, TagEditor } from '../components/common';
import { Markdown } from '../components/markdown';
import { formatTime } from '../lib/format';
import type { ModelVersion } from '../registry-endpoints';
import { href, navigate, setQuery, type Route } from '../router';

const STAGES = ['None', 'Staging', 'Production', 'Archived'];

function registryUnavailable(err: unknown): ReactNode {
  if (!err) return null;
  return <ErrorBox error={err} title="The model registry answered with an error" />;
}

export function ModelsPage({ route }: { route: Route }): ReactNode {
  const qc = useQueryClient();
  const search = route.query.get('q') ?? '';
  const [text, setText] = useState(search);
  const [creating, setCreating] = useState(false);
  const q = useQuery({
    queryKey: ['models', search],
    queryFn: async ({ signal }) => {
      const res = await call(
        registry.searchRegisteredModels,
        { max_results: 1000, filter: search ? `name ILIKE '%${search.replace(/'/g, '')}%'` : undefined, order_by: ['name ASC'] },
        signal,
      );
      return res.registered_models ?? [];
    },
  });
  return (
    <section className="page">
      <div className="page-head">
        <h1>Registered models</h1>
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          New model
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
        <input type="search" aria-label="Search models by name" placeholder="Search models by name" value={text} onChange={(e) => setText(e.target.value)} />
        <button type="submit">Search</button>
      </form>
      {q.isPending ? <Loading what="models" /> : null}
      {registryUnavailable(q.error)}
      {q.data && q.data.length === 0 ? (
        <Empty>
          {search ? (
            <>No model name contains “{search}”.</>
          ) : (
            <>
              No registered models yet. Open a run’s Artifacts tab and press <em>Register model</em> on a model folder, or call{' '}
              <code>mlflow.register_model("runs:/&lt;run_id&gt;/model", "my-model")</code>.
            </>
          )}
        </Empty>
      ) : null}
      {q.data && q.data.length > 0 ? (
        <table className="grid-table" aria-label="Registered models">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Latest version</th>
              <th scope="col">Aliases</th>
              <th scope="col">Last modified</th>
              <th scope="col">Description</th>
            </tr>
          </thead>
          <tbody>
            {q.data.map((m) => {
              const latest = (m.latest_versions ?? []).reduce<ModelVersion | undefined>((a, v) => (!a || Number(v.version) > Number(a.version) ? v : a), undefined);
              return (
                <tr key={m.name}>
                  <td>
                    <a href={href(['models', m.name])}>{m.name}</a>
                  </td>
                  <td>{latest ? <a href={href(['models', m.name, 'versions', latest.version])}>Version {latest.version}</a> : '—'}</td>
                  <td>
                    {(m.aliases ?? []).map((a) => (
                      <span key={a.alias} className="chip">
                        @{a.alias} → v{a.version}
                      </span>
                    ))}
                  </td>
                  <td>{formatTime(m.last_updated_timestamp)}</td>
                  <td className="ellipsis">{m.description ?? ''}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      <PromptDialog
        open={creating}
        title="New registered model"
        label="Name"
        submitLabel="Create"
        onClose={() => setCreating(false)}
        onSubmit={async (name) => {
          await call(registry.createRegisteredModel, { name: name.trim() });
          await qc.invalidateQueries({ queryKey: ['models'] });
          navigate(href(['models', name.trim()]));
        }}
      />
    </section>
  );
}

export function ModelPage({ name }: { route: Route; name: string }): ReactNode {
  const qc = useQueryClient();
  const [editing, setEditing] = useState<'description' | 'rename' | null>(null);
  const [deleteError, setDeleteError] = useState<unknown>(null);
  const model = useQuery({ queryKey: ['model', name], queryFn: ({ signal }) => call(registry.getRegisteredModel, { name }, signal) });
  const versions = useQuery({
    queryKey: ['model-versions', name],
    queryFn: async ({ signal }) => {
      const res = await call(registry.searchModelVersions, { filter: `name = '${name.replace(/'/g, "\\'")}'`, max_results: 1000 }, signal);
      return (res.model_versions ?? []).sort((a, b) => Number(b.version) - Number(a.version));
    },
  });
  const refresh = async (): Promise<void> => {
    await qc.invalidateQueries({ queryKey: ['model', name] });
    await qc.invalidateQueries({ queryKey: ['model-versions', name] });
  };
  const m = model.data?.registered_model;
  return (
    <section className="page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <a href={href(['models'])}>Models</a> / <span>{name}</span>
      </nav>
      {model.isPending ? <Loading what="model" /> : null}
      <ErrorBox error={model.error} title={`Could not load model ${name}`} />
      {m ? (
        <>
          <div className="page-head">
            <h1>{m.name}</h1>
            <button type="button" className="small" onClick={() => setEditing('rename')}>
              Rename
            </button>
            <button
              type="button"
              className="small danger"
              onClick={() => {
                if (window.confirm(`Delete model “${m.name}” and all its versions? This cannot be undone.`)) {
                  void call(registry.deleteRegisteredModel, { name }).then(() => navigate(href(['models'])), (err: unknown) => setDeleteError(err));
                }
              }}
            >
              Delete
            </button>
          </div>
          <p className="muted small">
            Created {formatTime(m.creation_timestamp)} · last modified {formatTime(m.last_updated_timestamp)}
          </p>
          <h2>
            Description{' '}
            <button type="button" className="small" onClick={() => setEditing('description')}>
              Edit
            </button>
          </h2>
          {m.description ? <Markdown text={m.description} /> : <p className="muted">No description.</p>}
          <h2>Aliases</h2>
          <AliasEditor name={name} aliases={m.aliases ?? []} target={{ versions: (versions.data ?? []).map((v) => v.version) }} onChange={refresh} />
          <ErrorBox error={deleteError} />
          <h2>Versions</h2>
          <ErrorBox error={versions.error} />
          {versions.data && versions.data.length === 0 ? <p className="muted">No versions. Register one from a run’s model folder.</p> : null}
          {versions.data && versions.data.length > 0 ? (
            <table className="grid-table" aria-label="Model versions">
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Registered</th>
                  <th scope="col">Stage</th>
                  <th scope="col">Aliases</th>
                  <th scope="col">Source run</th>
                  <th scope="col">Description</th>
                </tr>
              </thead>
              <tbody>
                {versions.data.map((v) => (
                  <tr key={v.version}>
                    <td>
                      <a href={href(['models', name, 'versions', v.version])}>Version {v.version}</a>
                    </td>
                    <td>{formatTime(v.creation_timestamp)}</td>
                    <td>{v.current_stage ?? 'None'}</td>
                    <td>
                      {(v.aliases ?? []).map((a) => (
                        <span key={a} className="chip">
                          @{a}
                        </span>
                      ))}
                    </td>
                    <td className="mono">{v.run_id ? <a href={href(['runs', v.run_id])}>{v.run_id.slice(0, 12)}</a> : '—'}</td>
                    <td className="ellipsis">{v.description ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          <h2>Tags</h2>
          <TagEditor
            tags={m.tags ?? []}
            hideSystem={false}
            onSet={async (key, value) => {
              await call(registry.setRegisteredModelTag, { name, key, value });
              await refresh();
            }}
            onDelete={async (key) => {
              await call(registry.deleteRegisteredModelTag, { name, key });
              await refresh();
            }}
          />
          <PromptDialog
            open={editing === 'description'}
            title="Model description (Markdown)"
            label="Description"
            multiline
            initial={m.description ?? ''}
            onClose={() => setEditing(null)}
            onSubmit={async (v) => {
              await call(registry.updateRegisteredModel, { name, description: v });
              await refresh();
            }}
          />
          <PromptDialog
            open={editing === 'rename'}
            title="Rename model"
            label="New name"
            initial={m.name}
            onClose={() => setEditing(null)}
            onSubmit={async (v) => {
              await call(registry.renameRegisteredModel, { name, new_name: v.trim() });
              await qc.invalidateQueries({ queryKey: ['models'] });
              navigate(href(['models', v.trim()]));
            }}
          />
        </>
      ) : null}
    </section>
  );
}

export function ModelVersionPage({ name, version }: { route: Route; name: string; version: string }): ReactNode {
  const qc = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState(false);
  const [archive, setArchive] = useState(false);
  const q = useQuery({ queryKey: ['model-version', name, version], queryFn: ({ signal }) => call(registry.getModelVersion, { name, version }, signal) });
  const v = q.data?.model_version;
  const refresh = async (): Promise<void> => {
    await qc.invalidateQueries({ queryKey: ['model-version', name, version] });
    await qc.invalidateQueries({ queryKey: ['model', name] });
    await qc.invalidateQueries({ queryKey: ['model-versions', name] });
  };
  const act = (f: () => Promise<unknown>): void => {
    setError(null);
    f().then(refresh, (err: unknown) => setError(err));
  };
  return (
    <section className="page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <a href={href(['models'])}>Models</a> / <a href={href(['models', name])}>{name}</a> / <span>Version {version}</span>
      </nav>
      {q.isPending ? <Loading what="model version" /> : null}
      <ErrorBox error={q.error} title={`Could not load ${name} version ${version}`} />
      {v ? (
        <>
          <div className="page-head">
            <h1>
              {name} · version {v.version}
            </h1>
            <span className="chip">{v.current_stage ?? 'None'}</span>
            <span className="muted small">{v.status}</span>
          </div>
          <table className="kv" aria-label="Version details">
            <tbody>
              <tr><th scope="row">Registered</th><td>{formatTime(v.creation_timestamp)}</td></tr>
              <tr><th scope="row">Last modified</th><td>{formatTime(v.last_updated_timestamp)}</td></tr>
              <tr>
                <th scope="row">Source run</th>
                <td>{v.run_id ? <a href={href(['runs', v.run_id])}>{v.run_id}</a> : '—'}</td>
              </tr>
              <tr><th scope="row">Source</th><td className="mono wrap">{v.source}</td></tr>
            </tbody>
          </table>
          <ErrorBox error={error} />
          <h2>Aliases</h2>
          <AliasEditor name={name} aliases={(v.aliases ?? []).map((alias) => ({ alias, version: v.version }))} target={{ version: v.version }} onChange={refresh} />
          <h2>Stage</h2>
          <div className="inline-form">
            <label>
              Transition to{' '}
              <select
                aria-label="Transition stage"
                value=""
                onChange={(e) => {
                  const stage = e.target.value;
                  if (stage) act(() => call(registry.transitionModelVersionStage, { name, version: v.version, stage, archive_existing_versions: archive }));
                }}
              >
                <option value="">choose…</option>
                {STAGES.filter((s) => s !== v.current_stage).map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </label>
            <label className="check">
              <input type="checkbox" checked={archive} onChange={(e) => setArchive(e.target.checked)} /> Archive other versions in that stage
            </label>
          </div>
          <h2>
            Description{' '}
            <button type="button" className="small" onClick={() => setEditing(true)}>
              Edit
            </button>
          </h2>
          {v.description ? <Markdown text={v.description} /> : <p className="muted">No description.</p>}
          <h2>Signature</h2>
          <Signature version={v} />
          <h2>Tags</h2>
          <TagEditor
            tags={v.tags ?? []}
            hideSystem={false}
            onSet={async (key, value) => {
              await call(registry.setModelVersionTag, { name, version: v.version, key, value });
              await refresh();
            }}
            onDelete={async (key) => {
              await call(registry.deleteModelVersionTag, { name, version: v.version, key });
              await refresh();
            }}
          />
          <PromptDialog
            open={editing}
            title="Version description (Markdown)"
            label="Description"
            multiline
            initial={v.description ?? ''}
            onClose={() => setEditing(false)}
            onSubmit={async (d) => {
              await call(registry.updateModelVersion, { name, version: v.version, description: d });
              await refresh();
            }}
          />
        </>
      ) : null}
    </section>
  );
}

/** The signature from the version's MLmodel (read through its source run's artifacts when the source is in a run). */
function Signature({ version }: { version: ModelVersion }): ReactNode {
  const runId = version.run_id;
  const source = version.source ?? '';
  const m = /\/artifacts\/(.+)$/.exec(source) ?? /^runs:\/[^/]+\/(.+)$/.exec(source);
  const path = m?.[1] ? `${m[1].replace(/\/$/, '')}/MLmodel` : 'MLmodel';
  const q = useQuery({
    queryKey: ['mlmodel', runId, path],
    enabled: !!runId,
    queryFn: async () => {
      return (await fetchArtifactText(runId ?? '', path)).text;
    },
    retry: false,
  });
  if (!runId) return <p className="muted">No source run: the signature cannot be read.</p>;
  if (q.isPending) return <Loading what="signature" />;
  if (q.error) return <p className="muted">No MLmodel found at {path} in the source run.</p>;
  const text = q.data ?? '';
  const sig = /^signature:\n((?:[ \t]+.*\n?)*)/m.exec(text);
  return sig ? <pre className="code">{`signature:\n${sig[1] ?? ''}`}</pre> : <p className="muted">The MLmodel has no signature.</p>;
}
