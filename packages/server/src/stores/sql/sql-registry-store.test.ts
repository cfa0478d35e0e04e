import { createTempSqliteStore } from '../../testing/temp-stores.js';
import { describeRegistryStore } from '../../testing/registry-store.suite.js';

describeRegistryStore({ name: 'sqlite', create: () => createTempSqliteStore() });
