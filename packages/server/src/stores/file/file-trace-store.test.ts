import { createTempFileStore } from '../../testing/temp-file-store.js';
import { describeTraceStore } from '../../testing/trace-store.suite.js';

describeTraceStore({
  name: 'file',
  create: () => {
    const temp = createTempFileStore();
    return Promise.resolve({ traces: temp.traces, tracking: temp.store, cleanup: () => temp.cleanup() });
  },
});
