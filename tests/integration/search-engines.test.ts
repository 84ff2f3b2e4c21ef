import { describe, it } from '@jest/globals';
import { createDatabase } from '../../server/db/database.js';
import { createPostgresSearchEngine } from '../../search/engines/postgres.engine.js';
import { withResultCache } from '../../search/result-cache.js';
import { createMeilisearchEngine } from '../../search/engines/meilisearch.engine.js';
import { describeSearchContract } from '../contract/search.contract.js';
import { createTestDatabaseConfig } from '../helpers/test-database.js';

// The embedded engine always runs, on PGlite or (with DATABASE_URL) on the PostgreSQL server.
describeSearchContract(`postgres (${process.env.DATABASE_URL ? 'PostgreSQL server' : 'PGlite'})`, async () => {
  const testDb = await createTestDatabaseConfig();
  const database = await createDatabase(testDb.config, { inMemory: testDb.inMemory });
  await database.migrate();
  return {
    engine: createPostgresSearchEngine(database.db),
    cleanup: async () => {
      await database.close();
      await testDb.drop();
    },
  };
});

// The result cache in front of the engine (as the app runs it) must keep every promise of the contract too.
describeSearchContract(`postgres behind the result cache (${process.env.DATABASE_URL ? 'PostgreSQL server' : 'PGlite'})`, async () => {
  const testDb = await createTestDatabaseConfig();
  const database = await createDatabase(testDb.config, { inMemory: testDb.inMemory });
  await database.migrate();
  return {
    engine: withResultCache(createPostgresSearchEngine(database.db), { ttlMs: 60_000, maxEntries: 100 }),
    cleanup: async () => {
      await database.close();
      await testDb.drop();
    },
  };
});

// Meilisearch is a separate server: the contract runs against it whenever MEILI_URL names one.
const meiliUrl = process.env.MEILI_URL;
if (meiliUrl) {
  describeSearchContract(`meilisearch (${meiliUrl})`, async () => {
    const engine = createMeilisearchEngine({ url: meiliUrl, apiKey: process.env.MEILI_KEY, indexName: `pa_contract_${Date.now()}` });
    return { engine, cleanup: async () => {} };
  });
} else {
  console.warn(
    '\n*** SEARCH CONTRACT FOR MEILISEARCH SKIPPED: MEILI_URL is unset. ***\n' +
      '*** Set MEILI_URL (and MEILI_KEY) to a Meilisearch server to run the same contract against it. ***\n',
  );
  describe('Search contract: meilisearch', () => {
    it.skip('skipped because MEILI_URL is unset (set MEILI_URL and MEILI_KEY to run it)', () => {});
  });
}
