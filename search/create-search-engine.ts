import type { AppConfig } from '../server/config/config.js';
import type { Database } from '../server/db/database.js';
import type { SearchEngine } from './search.types.js';
import { createPostgresSearchEngine } from './engines/postgres.engine.js';
import { createMeilisearchEngine } from './engines/meilisearch.engine.js';
import { withResultCache } from './result-cache.js';

/**
 * Meilisearch when MEILI_URL is set; otherwise full-text search in the app's own database. Either way behind a
 * short-lived result cache (SEARCH_CACHE_TTL_MS, 0 = off). Call setup() before use.
 */
export function createSearchEngine(config: AppConfig['search'], db: Database): SearchEngine {
  const engine = config.kind === 'meilisearch' ? createMeilisearchEngine({ url: config.url, apiKey: config.apiKey, indexName: config.indexName }) : createPostgresSearchEngine(db);
  return withResultCache(engine, { ttlMs: config.cacheTtlMs, maxEntries: 2000 });
}
