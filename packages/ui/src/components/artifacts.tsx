import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import { parseDelimited, type FileInfo, type Run } from '@runlog/core';
import { ApiError, artifactEndpoints, artifactUrl, call, fetchArtifactText, registry } from '../api';
import { formatBytes } from '../lib/format';
import { prettyJson, previewKind } from '../lib/preview';
import { href, navigate } from '../router';
import { Dialog, Empty, ErrorBox, Loading } from './common';

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

function useListing(runId: string, path: string, enabled = true) {
  return useQuery({
    queryKey: ['artifacts', runId, path],
    enabled,
    queryFn: async ({ signal }) => {
      const files: FileInfo[] = [];
      let token: string | undefined;
      do {
        const res = await call(artifactEndpoints.listArtifacts, { run_id: runId, path: path || undefined, page_token: token }, signal);
        files.push(...(res.files ?? []));
        token = res.next_page_token;
      } while (token && files.length < 5000);
      return files.sort((a, b) => Number(b.is_dir) - Number(a.is_dir) || a.path.localeCompare(b.path));
    },
  });
}

export function ArtifactBrowser({ run, path, experimentId }: { run: Run; path: string; experimentId: string }): ReactNode {
  const runId = run.info.run_id;
  const parent = parentOf(path);
  // Is `path` a directory or a file? The parent's listing says.
  const parentListing = useListing(runId, parent, path !== '');
  const entry = parentListing.data?.find((f) => f.path === path);
  const isFile = path !== '' && entry !== undefined && !entry.is_dir;
  const dir = isFile ? parent : path;
  const listing = useListing(runId, dir, path === '' || parentListing.isSuccess);
  const files = listing.data ?? [];
  const isModelDir = files.some((f) => !f.is_dir && f.path.split('/').pop() === 'MLmodel');
  const [registering, setRegistering] = useState(false);
  const go = (p: string): void => navigate(href(['experiments', experimentId, 'runs', runId, 'artifactPath', ...p.split('/').filter(Boolean)]));
  const crumbs = dir ? dir.split('/') : [];
  return (
    <div className="artifacts">
      <div className="artifact-tree">
        <nav className="crumbs" aria-label="Artifact path">
          <button type="button" className="link" onClick={() => go('')}>
            artifacts
          </button>
          {crumbs.map((c, i) => (
            <span key={i}>
              {' / '}
              <button type="button" className="link" onClick={() => go(crumbs.slice(0, i + 1).join('/'))}>
                {c}
              </button>
            </span>
          ))}
        </nav>
        {isModelDir ? (
          <div className="model-dir">
            <span>This folder is an MLflow model.</span>
            <button type="button" className="primary small" onClick={() => setRegistering(true)}>
              Register model
            </button>
          </div>
        ) : null}
        <ErrorBox error={listing.error ?? parentListing.error} title="Could not list artifacts" />
        {listing.isPending && !listing.error ? <Loading what="artifacts" /> : null}
        {listing.data && files.length === 0 ? (
          <Empty>
            {dir ? 'This folder is empty.' : 'No artifacts. Log some with mlflow.log_artifact("file.txt") or mlflow.log_dict({...}, "config.json").'}
          </Empty>
        ) : null}
        <ul className="file-list" aria-label="Files">
          {dir ? (
            <li>
              <button type="button" className="link" onClick={() => go(parentOf(dir))}>
                ↑ ..
              </button>
            </li>
          ) : null}
          {files.map((f) => (
            <li key={f.path} className={f.path === path ? 'current' : undefined}>
              <button type="button" className="link" onClick={() => go(f.path)} aria-current={f.path === path ? 'true' : undefined}>
                {f.path.split('/').pop()}
                {f.is_dir ? '/' : ''}
              </button>
              {!f.is_dir ? <span className="muted small"> {formatBytes(f.file_size)}</span> : null}
            </li>
          ))}
        </ul>
      </div>
      <div className="artifact-preview">
        {isFile ? (
          <Preview runId={runId} path={path} size={entry?.file_size} />
        ) : (
          <p className="muted">{files.length ? 'Select a file to preview it.' : ''}</p>
        )}
      </div>
      <RegisterModelDialog open={registering} onClose={() => setRegistering(false)} run={run} modelPath={dir} />
    </div>
  );
}

const MAX_TEXT = 2 * 1024 * 1024;

export function Preview({ runId, path, size }: { runId: string; path: string; size?: number | undefined }): ReactNode {
  const kind = previewKind(path);
  const url = artifactUrl(runId, path);
  const needsText = kind !== 'image' && kind !== 'svg' && kind !== 'none';
  const text = useQuery({
    queryKey: ['artifact-text', runId, path],
    enabled: needsText,
    queryFn: () => fetchArtifactText(runId, path, MAX_TEXT),
    staleTime: 60_000,
  });
  const name = path.split('/').pop() ?? path;
  return (
    <div className="preview" data-testid="artifact-preview" data-kind={kind}>
      <div className="preview-head">
        <strong>{name}</strong> <span className="muted small">{formatBytes(size)}</span>{' '}
        <a href={url} download={name}>
          Download
        </a>
      </div>
      {kind === 'image' || kind === 'svg' ? <img src={url} alt={`Artifact ${name}`} className="preview-image" /> : null}
      {kind === 'none' ? <p className="muted">No preview for this file type. Use Download.</p> : null}
      {needsText && text.isPending ? <Loading what={name} /> : null}
      <ErrorBox error={text.error} title="Could not read the artifact" />
      {text.data ? (
        <>
          {text.data.truncated ? <p className="muted small">Showing the first {formatBytes(MAX_TEXT)}.</p> : null}
          <TextPreview kind={kind} text={text.data.text} name={name} />
        </>
      ) : null}
    </div>
  );
}

function TextPreview({ kind, text, name }: { kind: string; text: string; name: string }): ReactNode {
  if (kind === 'html') {
    // No scripts, no same-origin access: an HTML report is shown, never run.
    return <iframe title={`Preview of ${name}`} sandbox="" srcDoc={text} className="preview-frame" />;
  }
  if (kind === 'csv' || kind === 'tsv') {
    const { rows, truncated } = parseDelimited(text, { delimiter: kind === 'csv' ? ',' : '\t', maxRows: 1000 });
    const [head, ...body] = rows;
    return (
      <div className="table-scroll">
        <table className="grid-table" aria-label={`Table ${name}`}>
          {head ? (
            <thead>
              <tr>
                {head.map((h, i) => (
                  <th scope="col" key={i}>
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
          ) : null}
          <tbody>
            {body.map((r, i) => (
              <tr key={i}>
                {r.map((c, j) => (
                  <td key={j}>{c}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        {truncated ? <p className="muted small">First 1,000 rows.</p> : null}
      </div>
    );
  }
  const shown = kind === 'json' ? prettyJson(text) : text;
  return <pre className={`code kind-${kind}`}>{shown}</pre>;
}

export function RegisterModelDialog({ open, onClose, run, modelPath }: { open: boolean; onClose: () => void; run: Run; modelPath: string }): ReactNode {
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const models = useQuery({
    queryKey: ['registered-models-names'],
    enabled: open,
    queryFn: ({ signal }) => call(registry.searchRegisteredModels, { max_results: 1000 }, signal),
  });
  useEffect(() => {
    if (open) setError(null);
  }, [open]);
  const submit = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const n = name.trim();
      try {
        await call(registry.createRegisteredModel, { name: n });
      } catch (err) {
        if (!(err instanceof ApiError && (err.code === 'RESOURCE_ALREADY_EXISTS' || err.code === 'ALREADY_EXISTS'))) throw err;
      }
      const source = `${run.info.artifact_uri.replace(/\/$/, '')}${modelPath ? `/${modelPath}` : ''}`;
      const res = await call(registry.createModelVersion, { name: n, source, run_id: run.info.run_id });
      onClose();
      navigate(href(['models', n, 'versions', res.model_version.version]));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open} title="Register model" onClose={onClose}>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <p className="muted small">
          Source: <span className="mono">{modelPath || '(artifact root)'}</span> of run {run.info.run_name || run.info.run_id}
        </p>
        <label>
          Model name (new or existing)
          <input list="registered-model-names" value={name} onChange={(e) => setName(e.target.value)} autoFocus required />
        </label>
        <datalist id="registered-model-names">
          {(models.data?.registered_models ?? []).map((m) => (
            <option key={m.name} value={m.name} />
          ))}
        </datalist>
        <ErrorBox error={error} title="Registration failed" />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy || !name.trim()}>
            Register
          </button>
        </div>
      </form>
    </Dialog>
  );
}
