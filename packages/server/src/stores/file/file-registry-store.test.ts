import { createTempFileStore } from '../../testing/temp-file-store.js';
import { describeRegistryStore } from '../../testing/registry-store.suite.js';

describeRegistryStore({ name: 'file', create: () => Promise.resolve(createTempFileStore()) });
