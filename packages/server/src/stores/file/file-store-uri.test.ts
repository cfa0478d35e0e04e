import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildServerConfig } from '../../config.js';
import { openStores } from '../../open-stores.js';
import { fileStoreFolder, hasMlflowLayout } from './file-store-uri.js';

describe('which backend URIs are file stores', () => {
  it('reads file: URIs and bare paths as folders, leaves SQL URIs alone', () => {
    expect(fileStoreFolder('file:///srv/mlruns')).toBe('/srv/mlruns');
    expect(fileStoreFolder('./mlruns', '/home/ada')).toBe('/home/ada/mlruns');
    expect(fileStoreFolder('/abs/mlruns')).toBe('/abs/mlruns');
    expect(fileStoreFolder('sqlite:///runlog.db')).toBeUndefined();
    expect(fileStoreFolder('postgresql://u@h/db')).toBeUndefined();
    expect(() => fileStoreFolder('file://remote-host/mlruns')).toThrow(/only local file: URIs/);
  });

  it('gives a file store its own folder as the default artifact root, unless one is given', () => {
    expect(buildServerConfig({ backendStoreUri: 'file:///srv/mlruns' }, {}, '/x').defaultArtifactRoot).toBe('file:///srv/mlruns');
    expect(buildServerConfig({ backendStoreUri: 'mlruns' }, {}, '/x').defaultArtifactRoot).toBe('file:///x/mlruns');
    expect(buildServerConfig({ backendStoreUri: 'file:///srv/mlruns', defaultArtifactRoot: 's3://b/p' }, {}, '/x').defaultArtifactRoot).toBe('s3://b/p');
    expect(buildServerConfig({ backendStoreUri: 'sqlite:///r.db' }, {}, '/x').defaultArtifactRoot).toBe('mlflow-artifacts:/');
  });

  it('opens a file: backend as MLflow layout: experiment 0, .trash and models/ appear; traces are served', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-open-file-'));
    const root = path.join(dir, 'mlruns');
    try {
      const stores = await openStores({ backendStoreUri: `file://${root}`, defaultArtifactRoot: `file://${root}` });
      expect(hasMlflowLayout(root)).toBe(true);
      expect(fs.existsSync(path.join(root, 'models'))).toBe(true);
      const exp = await stores.tracking.getExperiment('0');
      expect(exp).toMatchObject({ name: 'Default', artifact_location: `file://${root}/0` });
      // Traces are served too, kept in MLflow's layout under the experiment.
      const trace = await stores.traces?.startTrace({ experimentId: '0', timestampMs: 1 });
      expect(fs.existsSync(path.join(root, '0', 'traces', trace?.request_id ?? '-', 'trace_info.yaml'))).toBe(true);
      await stores.tracking.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
