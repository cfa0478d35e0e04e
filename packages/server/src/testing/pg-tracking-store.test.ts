import { describe, it } from 'vitest';
import { describeTrackingStore } from './tracking-store.suite.js';
import { createTempPgStore, postgresAvailable } from './temp-stores.js';

const available = await postgresAvailable();

if (available) {
  describeTrackingStore({ name: 'postgresql', create: () => createTempPgStore() });
} else {
  describe('postgresql', () => {
    it.skip('PostgreSQL is not reachable outside CI; see the printed reason', () => undefined);
  });
}
