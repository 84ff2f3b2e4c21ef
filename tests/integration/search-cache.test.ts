import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDatabase, type DatabaseHandle } from '../../server/db/database.js';
import { createPostgresSearchEngine } from '../../search/engines/postgres.engine.js';
import { withResultCache } from '../../search/result-cache.js';
import type { SearchDocument, SearchEngine, SearchQuery, SearchViewer } from '../../search/search.types.js';
import { createTestDatabaseConfig } from '../helpers/test-database.js';

let database: DatabaseHandle;
let drop: () => Promise<void>;
let engine: SearchEngine;
/** Engine searches that really ran (the cache sits in front of this counter). */
let engineSearches = 0;

const NOW = new Date('2026-11-25T10:00:00Z');
const VENDOR: SearchViewer = { kind: 'vendor' };
const RESELLER: SearchViewer = { kind: 'partner', partnerType: 'reseller', tierId: null, region: 'EMEA' };
const DISTRIBUTOR: SearchViewer = { kind: 'partner', partnerType: 'distributor', tierId: null, region: 'EMEA' };

function doc(n: number, title: string, fields: Partial<SearchDocument> = {}): SearchDocument {
  const entityId = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  return {
    id: `asset:${entityId}`, kind: 'asset', entityId, title, description: '', tags: [], managedTags: [], body: '', category: 'brochure', format: 'pdf',
    language: 'en', visiblePartnerTypes: [], visibleTierIds: [], visibleRegions: [], published: true, expiresAt: null, createdAt: '2026-01-01T00:00:00Z', popularity: 0,
    ...fields,
  };
}
const query = (text: string, viewer: SearchViewer, now = NOW): SearchQuery => ({ text, viewer, now, filters: {}, sort: 'relevance', page: 1, pageSize: 10 });
const titles = async (q: SearchQuery) => (await engine.search(q)).hits.map((h) => h.title).sort();

beforeAll(async () => {
  const testDb = await createTestDatabaseConfig();
  drop = testDb.drop;
  database = await createDatabase(testDb.config, { inMemory: testDb.inMemory });
  await database.migrate();
  const real = createPostgresSearchEngine(database.db);
  await real.setup();
  const counted: SearchEngine = {
    ...real,
    search: (q) => {
      engineSearches += 1;
      return real.search(q);
    },
  };
  engine = withResultCache(counted, { ttlMs: 5000, maxEntries: 100 });
  await engine.upsert([doc(1, 'Firewall brochure'), doc(2, 'Firewall price list for resellers', { visiblePartnerTypes: ['reseller'] })]);
});
afterAll(async () => {
  await engine?.close();
  await database?.close();
  await drop?.();
});

describe('search result cache', () => {
  it('answers a repeated search from the same kind of viewer without asking the engine again', async () => {
    const before = engineSearches;
    const first = await engine.search(query('firewall', RESELLER));
    const again = await engine.search(query('  Firewall ', RESELLER));
    expect(again).toEqual(first);
    expect(engineSearches - before).toBe(1);
  });

  it('never hands one viewer class the answer of another', async () => {
    expect(await titles(query('firewall', RESELLER))).toEqual(['Firewall brochure', 'Firewall price list for resellers']);
    expect(await titles(query('firewall', DISTRIBUTOR))).toEqual(['Firewall brochure']);
    expect(await titles(query('firewall', VENDOR))).toEqual(['Firewall brochure', 'Firewall price list for resellers']);
    expect(await engine.suggest('firew', DISTRIBUTOR, NOW, 5)).toEqual(['Firewall brochure']);
  });

  it('shares one engine query between identical searches that arrive together', async () => {
    const before = engineSearches;
    const answers = await Promise.all(Array.from({ length: 5 }, () => engine.search(query('price list', RESELLER))));
    expect(new Set(answers.map((a) => a.total))).toEqual(new Set([1]));
    expect(engineSearches - before).toBe(1);
  });

  it('forgets every answer when a change goes through it', async () => {
    expect(await titles(query('firewall', DISTRIBUTOR))).toEqual(['Firewall brochure']);
    await engine.upsert([doc(3, 'Firewall guide for distributors', { visiblePartnerTypes: ['distributor'] })]);
    expect(await titles(query('firewall', DISTRIBUTOR))).toEqual(['Firewall brochure', 'Firewall guide for distributors']);
    await engine.remove([doc(1, '').id]);
    expect(await titles(query('firewall', DISTRIBUTOR))).toEqual(['Firewall guide for distributors']);
  });

  it('asks the engine again once time moves past the reuse window, so expiry shows', async () => {
    await engine.upsert([doc(4, 'Seasonal webinar kit', { expiresAt: '2026-11-25T10:00:03Z' })]);
    expect(await titles(query('webinar', RESELLER))).toEqual(['Seasonal webinar kit']);
    expect(await titles(query('webinar', RESELLER, new Date(NOW.getTime() + 6000)))).toEqual([]);
  });

  it('is left out entirely when its time to live is 0', () => {
    const real = createPostgresSearchEngine(database.db);
    expect(withResultCache(real, { ttlMs: 0, maxEntries: 10 })).toBe(real);
  });
});
