/**
 * `runlog models list|show|register|set-alias|delete-alias|transition|resolve`, spawned from the built CLI against
 * a real listening server.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRestTrackingStore, fetchTransport } from '@runlog/client';
import { createTempApp, type TempApp } from '../packages/server/src/testing/temp-stores.js';
import { buildCli, runlog } from './spawn-cli.js';

describe('runlog models (spawned CLI)', () => {
  let temp: TempApp;
  let uri = '';
  let runId = '';
  let runRoot = '';
  const models = (...args: string[]) => runlog(['models', ...args, '--tracking-uri', uri]);

  beforeAll(async () => {
    buildCli();
    temp = await createTempApp();
    await temp.app.listen({ host: '127.0.0.1', port: 0 });
    uri = `http://127.0.0.1:${(temp.app.server.address() as AddressInfo).port}`;
    const store = createRestTrackingStore(fetchTransport(uri));
    const run = await store.createRun({ experimentId: '0', startTime: 1 });
    runId = run.info.run_id;
    runRoot = run.info.artifact_uri;
  }, 120_000);

  afterAll(async () => {
    await temp.cleanup();
  });

  it('register creates the model, then a second version of it', async () => {
    const first = await models('register', '--run-id', runId, '--artifact-path', 'model', '--name', 'fraud', '--tag', 'stage=dev');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe("Registered model 'fraud' version 1\n");
    const second = await models('register', '-r', runId, '-a', 'model/', '-n', 'fraud', '--json');
    expect(second.code).toBe(0);
    const version = JSON.parse(second.stdout) as { version: string; source: string; run_id: string };
    expect(version).toMatchObject({ version: '2', source: `${runRoot}/model`, run_id: runId });
  });

  it('set-alias, transition and resolve', async () => {
    expect((await models('set-alias', 'fraud', 'champion', '1')).code).toBe(0);
    const moved = await models('transition', 'fraud', '2', 'production');
    expect(moved.stdout).toBe("Model 'fraud' version 2 is now in stage Production\n");
    expect((await models('resolve', 'models:/fraud@champion')).stdout).toBe(`${runRoot}/model\n`);
    const latest = JSON.parse((await models('resolve', 'models:/fraud/Production', '--json')).stdout) as { model_version: { version: string } };
    expect(latest.model_version.version).toBe('2');
  });

  it('list and show', async () => {
    const list = await models('list');
    expect(list.stdout).toBe('fraud\tlatest v2\tchampion=v1\n');
    const filtered = await models('list', '--filter', "name LIKE 'nothing%'", '--json');
    expect(JSON.parse(filtered.stdout)).toEqual([]);
    const show = await models('show', 'fraud');
    expect(show.stdout.split('\n')).toEqual([
      'fraud\tlatest v2\tchampion=v1',
      `  fraud\tv2\tProduction\t${runRoot}/model`,
      `  fraud\tv1\tNone @champion\t${runRoot}/model`,
      '',
    ]);
  });

  it('delete-alias, and errors exit 1 with the server message', async () => {
    expect((await models('delete-alias', 'fraud', 'champion')).code).toBe(0);
    const gone = await models('resolve', 'models:/fraud@champion');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('alias champion not found');
    const missing = await models('show', 'ghost');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Registered Model with name=ghost not found');
    const reserved = await models('set-alias', 'fraud', 'latest', '1');
    expect(reserved.code).toBe(1);
    expect(reserved.stderr).toContain('reserved');
  });
});
