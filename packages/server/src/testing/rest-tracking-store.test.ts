import { createRestTrackingStore } from '@runlog/client';
import { describeTrackingStore } from './tracking-store.suite.js';
import { createTempApp } from './temp-stores.js';
import { injectTransport } from './inject-transport.js';

// The same conformance cases through the REST client, routes, validation and error mapping.
describeTrackingStore({
  name: 'rest (in-process app over SQLite)',
  create: async () => {
    const temp = await createTempApp();
    return { store: createRestTrackingStore(injectTransport(temp.app)), cleanup: () => temp.cleanup() };
  },
});
