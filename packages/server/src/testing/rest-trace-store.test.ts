import { describe, it } from 'vitest';
import { createRestTraceStore, createRestTrackingStore } from '@runlog/client';
import { describeTraceStore } from './trace-store.suite.js';
import { createTempApp, postgresAvailable } from './temp-stores.js';
import { injectTransport } from './inject-transport.js';

// The same cases through the REST client, routes (path parameters, PATCH and DELETE), validation and error mapping.
for (const backend of ['sqlite', 'postgres'] as const) {
  const name = `rest (in-process app over ${backend === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`;
  if (backend === 'postgres' && !(await postgresAvailable())) {
    describe(name, () => {
      it.skip('PostgreSQL is not reachable outside CI; see the printed reason', () => undefined);
    });
    continue;
  }
  describeTraceStore({
    name,
    create: async () => {
      const temp = await createTempApp({ backend });
      const transport = injectTransport(temp.app);
      return { traces: createRestTraceStore(transport), tracking: createRestTrackingStore(transport), cleanup: () => temp.cleanup() };
    },
  });
}
