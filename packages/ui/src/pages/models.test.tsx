import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { parseHash } from '../router';
import { fakeServer, renderWithClient } from '../test-utils';
import { ModelsPage, ModelVersionPage } from './models';

const version = (aliases: string[]) => ({
  model_version: {
    name: 'clf',
    version: '2',
    creation_timestamp: 1,
    last_updated_timestamp: 2,
    current_stage: 'Staging',
    description: '',
    source: 'mlflow-artifacts:/1/abc/artifacts/model',
    run_id: 'abc',
    status: 'READY',
    run_link: '',
    aliases,
  },
});

describe('registry pages', () => {
  it('lists models with their aliases and latest version', async () => {
    fakeServer({
      'registered-models/search': () => ({
        registered_models: [
          { name: 'clf', creation_timestamp: 1, last_updated_timestamp: 2, aliases: [{ alias: 'champion', version: '2' }], latest_versions: [version([]).model_version] },
        ],
      }),
    });
    renderWithClient(<ModelsPage route={parseHash('#/models')} />);
    expect((await screen.findByRole('link', { name: 'clf' })).getAttribute('href')).toBe('#/models/clf');
    expect(screen.getByRole('link', { name: 'Version 2' }).getAttribute('href')).toBe('#/models/clf/versions/2');
    expect(screen.getByText('@champion → v2')).toBeTruthy();
  });

  it('shows the source run and sets an alias on a version', async () => {
    let aliases: string[] = [];
    const server = fakeServer({
      'model-versions/get': () => version(aliases),
      'registered-models/alias': (_p, _q, body) => {
        aliases = [String(body?.['alias'])];
        return {};
      },
      'get-artifact': () => "artifact_path: model\nsignature:\n  inputs: '[]'\n",
    });
    renderWithClient(<ModelVersionPage route={parseHash('#/models/clf/versions/2')} name="clf" version="2" />);
    expect((await screen.findByRole('link', { name: 'abc' })).getAttribute('href')).toBe('#/runs/abc');
    fireEvent.change(screen.getByLabelText('New alias'), { target: { value: 'champion' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add alias' }));
    await screen.findByText('@champion');
    expect(server.calls.find((c) => c.path === 'registered-models/alias')?.body).toEqual({ name: 'clf', alias: 'champion', version: '2' });
    await waitFor(() => expect(document.querySelector('pre.code')?.textContent).toContain('signature:'));
  });
});
