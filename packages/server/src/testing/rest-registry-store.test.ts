import { createRestRegistryStore } from '@runlog/client';
import { describeRegistryStore } from './registry-store.suite.js';
import { createTempApp } from './temp-stores.js';
import { injectTransport } from './inject-transport.js';

// The same conformance cases through the REST client, routes, validation and error mapping.
describeRegistryStore({
  name: 'rest (in-process app over SQLite)',
  create: async () => {
    const temp = await createTempApp();
    return { registry: createRestRegistryStore(injectTransport(temp.app)), cleanup: () => temp.cleanup() };
  },
});
