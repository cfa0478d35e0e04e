import { createTempSqliteStore } from '../../testing/temp-stores.js';
import { describeTrackingStore } from '../../testing/tracking-store.suite.js';

describeTrackingStore({ name: 'sqlite', create: () => createTempSqliteStore() });
