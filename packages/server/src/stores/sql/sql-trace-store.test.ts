import { createTempSqliteStore } from '../../testing/temp-stores.js';
import { describeTraceStore } from '../../testing/trace-store.suite.js';

describeTraceStore({
  name: 'sqlite',
  create: async () => {
    const temp = await createTempSqliteStore();
    return { traces: temp.traces, tracking: temp.store, cleanup: () => temp.cleanup() };
  },
});
