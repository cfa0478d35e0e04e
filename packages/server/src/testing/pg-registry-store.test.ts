import { describe, it } from 'vitest';
import { describeRegistryStore } from './registry-store.suite.js';
import { createTempPgStore, postgresAvailable } from './temp-stores.js';

const available = await postgresAvailable();

if (available) {
  describeRegistryStore({ name: 'postgresql', create: () => createTempPgStore() });
} else {
  describe('postgresql registry', () => {
    it.skip('PostgreSQL is not reachable outside CI; see the printed reason', () => undefined);
  });
}
