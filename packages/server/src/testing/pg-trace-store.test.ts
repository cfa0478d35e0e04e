import { describe, it } from 'vitest';
import { describeTraceStore } from './trace-store.suite.js';
import { createTempPgStore, postgresAvailable } from './temp-stores.js';

const available = await postgresAvailable();

if (available) {
  describeTraceStore({
    name: 'postgresql',
    create: async () => {
      const temp = await createTempPgStore();
      return { traces: temp.traces, tracking: temp.store, cleanup: () => temp.cleanup() };
    },
  });
} else {
  describe('postgresql traces', () => {
    it.skip('PostgreSQL is not reachable outside CI; see the printed reason', () => undefined);
  });
}
