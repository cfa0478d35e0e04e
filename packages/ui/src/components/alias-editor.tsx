import { useState, type ReactNode } from 'react';
import { call, registry } from '../api';
import { href } from '../router';
import { ErrorBox } from './common';

/** Where a new alias points: a fixed version (a version's page) or one picked from the model's versions. */
export type AliasTarget = { version: string } | { versions: string[] };

/**
 * A registered model's aliases with remove buttons, and a form that sets one: the same editor on the model's
 * page (aliases of every version, a version picker) and on a version's page (that version's aliases).
 */
export function AliasEditor({
  name,
  aliases,
  target,
  onChange,
}: {
  name: string;
  aliases: { alias: string; version: string }[];
  target: AliasTarget;
  onChange: () => Promise<void>;
}): ReactNode {
  const [alias, setAlias] = useState('');
  const [picked, setPicked] = useState('');
  const [error, setError] = useState<unknown>(null);
  const fixed = 'version' in target ? target.version : undefined;
  const version = fixed ?? picked;
  const act = (request: () => Promise<unknown>, then?: () => void): void => {
    setError(null);
    request().then(
      async () => {
        then?.();
        await onChange();
      },
      (err: unknown) => setError(err),
    );
  };
  return (
    <>
      <div className="chips">
        {aliases.length === 0 ? <span className="muted">{fixed === undefined ? 'No aliases.' : 'No aliases point here.'}</span> : null}
        {aliases.map((a) => (
          <span key={a.alias} className="chip">
            @{a.alias}
            {fixed === undefined ? (
              <>
                {' → '}
                <a href={href(['models', name, 'versions', a.version])}>v{a.version}</a>
              </>
            ) : null}{' '}
            <button
              type="button"
              className="small link"
              aria-label={`Remove alias ${a.alias}`}
              onClick={() => act(() => call(registry.deleteRegisteredModelAlias, { name, alias: a.alias }))}
            >
              ✕
            </button>
          </span>
        ))}
      </div>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          act(
            () => call(registry.setRegisteredModelAlias, { name, alias: alias.trim(), version }),
            () => setAlias(''),
          );
        }}
      >
        <input
          aria-label={fixed === undefined ? 'Alias' : 'New alias'}
          placeholder="alias, e.g. champion"
          value={alias}
          onChange={(e) => setAlias(e.target.value)}
        />
        {'versions' in target ? (
          <select aria-label="Version for alias" value={picked} onChange={(e) => setPicked(e.target.value)}>
            <option value="">version…</option>
            {target.versions.map((v) => (
              <option key={v} value={v}>
                Version {v}
              </option>
            ))}
          </select>
        ) : null}
        <button type="submit" disabled={!alias.trim() || !version}>
          {fixed === undefined ? 'Set alias' : 'Add alias'}
        </button>
      </form>
      <ErrorBox error={error} />
    </>
  );
}
