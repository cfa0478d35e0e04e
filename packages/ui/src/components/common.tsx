import { useEffect, useId, useRef, useState, type SyntheticEvent, type ReactNode } from 'react';
import { errorMessage } from '../api';

export function ErrorBox({ error, title }: { error: unknown; title?: string }): ReactNode {
  if (!error) return null;
  return (
    <div className="error" role="alert">
      {title ? <strong>{title}: </strong> : null}
      {errorMessage(error)}
    </div>
  );
}

export function Loading({ what }: { what?: string }): ReactNode {
  return (
    <div className="loading" role="status" aria-live="polite">
      Loading{what ? ` ${what}` : ''}…
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }): ReactNode {
  return <div className="empty">{children}</div>;
}

/** A modal dialog on the native <dialog> element (focus trap, Esc to close). */
export function Dialog({
  open,
  title,
  onClose,
  children,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
}): ReactNode {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      if (typeof d.showModal === 'function') d.showModal();
      else d.setAttribute('open', '');
    } else if (!open && d.open) {
      if (typeof d.close === 'function') d.close();
      else d.removeAttribute('open');
    }
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby={id} onClose={onClose} onCancel={onClose} className="dialog">
      {open ? (
        <>
          <h2 id={id}>{title}</h2>
          {children}
        </>
      ) : null}
    </dialog>
  );
}

/** A dialog asking for one text value. */
export function PromptDialog({
  open,
  title,
  label,
  initial = '',
  submitLabel = 'Save',
  multiline = false,
  onSubmit,
  onClose,
}: {
  open: boolean;
  title: string;
  label: string;
  initial?: string;
  submitLabel?: string;
  multiline?: boolean;
  onSubmit: (value: string) => Promise<unknown>;
  onClose: () => void;
}): ReactNode {
  const [value, setValue] = useState(initial);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (open) {
      setValue(initial);
      setError(null);
    }
  }, [open, initial]);
  const submit = async (e: SyntheticEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit(value);
      onClose();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open} title={title} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} className="form">
        <label>
          {label}
          {multiline ? (
            <textarea value={value} onChange={(e) => setValue(e.target.value)} rows={8} autoFocus />
          ) : (
            <input value={value} onChange={(e) => setValue(e.target.value)} autoFocus />
          )}
        </label>
        <ErrorBox error={error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {submitLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Key/value tags with add, edit and delete. */
export function TagEditor({
  tags,
  onSet,
  onDelete,
  hideSystem = true,
}: {
  tags: { key: string; value: string }[];
  onSet: (key: string, value: string) => Promise<unknown>;
  onDelete: (key: string) => Promise<unknown>;
  hideSystem?: boolean;
}): ReactNode {
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [error, setError] = useState<unknown>(null);
  const shown = tags.filter((t) => !hideSystem || !t.key.startsWith('mlflow.'));
  const run = async (f: () => Promise<unknown>): Promise<void> => {
    setError(null);
    try {
      await f();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div className="tags">
      {shown.length === 0 ? <p className="muted">No tags.</p> : null}
      <table className="kv">
        <tbody>
          {shown.map((t) => (
            <tr key={t.key}>
              <th scope="row">{t.key}</th>
              <td className="wrap">{t.value}</td>
              <td className="row-actions">
                <button type="button" className="small" aria-label={`Edit tag ${t.key}`} onClick={() => { setKey(t.key); setValue(t.value); }}>
                  Edit
                </button>
                <button type="button" className="small danger" aria-label={`Delete tag ${t.key}`} onClick={() => void run(() => onDelete(t.key))}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!key.trim()) return;
          void run(async () => {
            await onSet(key.trim(), value);
            setKey('');
            setValue('');
          });
        }}
      >
        <input aria-label="Tag key" placeholder="key" value={key} onChange={(e) => setKey(e.target.value)} />
        <input aria-label="Tag value" placeholder="value" value={value} onChange={(e) => setValue(e.target.value)} />
        <button type="submit">Set tag</button>
      </form>
      <ErrorBox error={error} />
    </div>
  );
}

export function Tabs<T extends string>({
  tabs,
  current,
  onSelect,
}: {
  tabs: { id: T; label: string }[];
  current: T;
  onSelect: (id: T) => void;
}): ReactNode {
  return (
    <div role="tablist" className="tabs">
      {tabs.map((t) => (
        <button
          key={t.id}
          type="button"
          role="tab"
          aria-selected={t.id === current}
          className={t.id === current ? 'tab active' : 'tab'}
          onClick={() => onSelect(t.id)}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}
