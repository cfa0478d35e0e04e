import { createTempFileStore } from '../../testing/temp-file-store.js';
import { describeTrackingStore } from '../../testing/tracking-store.suite.js';

describeTrackingStore({ name: 'file', create: () => Promise.resolve(createTempFileStore()) });
