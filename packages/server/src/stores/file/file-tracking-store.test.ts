import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeTrackingStore } from '../../testing/tracking-store.suite.js';
import { createFileTrackingStore } from './file-tracking-store.js';

describeTrackingStore({
  name: 'file',
  create: () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-filestore-'));
    const root = path.join(dir, 'mlruns');
    const store = createFileTrackingStore({ root, defaultArtifactRoot: pathToFileURL(root).href });
    return Promise.resolve({
      store,
      cleanup: async () => {
        await store.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    });
  },
});
