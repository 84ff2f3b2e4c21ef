import type { SearchEngine, SearchQuery, SearchResult, SearchViewer } from './search.types.js';

export interface ResultCacheOptions {
  /** How long an answer may be reused; 0 turns the cache off. Bounds how stale another process's answers can be. */
  ttlMs: number;
  /** Answers kept at most; the oldest go first. */
  maxEntries: number;
}

interface Entry<T> {
  expiresAt: number;
  value: Promise<T>;
}

/**
 * Reuses answers to the same search from the same kind of viewer for a few seconds. Library searches repeat a
 * lot (type-ahead, the same popular terms from many marketers) and the index changes rarely, while a broad query
 * costs hundreds of milliseconds on the embedded engine.
 *
 * Tenancy: visibility depends only on the typed viewer (partner type, tier, region, or vendor side), which is part
 * of every key, so two viewers share an answer only when the engine would give them the same one.
 * Freshness: any change applied through this engine (upsert, remove, clear) empties the cache at once in this
 * process; changes applied by another process show within ttlMs. "Now" is part of the key in ttlMs steps, so an
 * expiry is never hidden for longer than that either. Concurrent identical searches share one engine query.
 */
export function withResultCache(engine: SearchEngine, options: ResultCacheOptions): SearchEngine {
  if (options.ttlMs <= 0) return engine;
  const entries = new Map<string, Entry<unknown>>();

  function remember<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const found = entries.get(key);
    if (found && found.expiresAt > now) return found.value as Promise<T>;
    entries.delete(key);
    const value = compute();
    entries.set(key, { expiresAt: now + options.ttlMs, value });
    // A failed search is not remembered: the next caller asks the engine again.
    value.catch(() => {
      if (entries.get(key)?.value === value) entries.delete(key);
    });
    while (entries.size > options.maxEntries) entries.delete(entries.keys().next().value!);
    return value;
  }

  const viewerKey = (viewer: SearchViewer) => (viewer.kind === 'vendor' ? ['vendor', viewer.liveOnly === true] : ['partner', viewer.partnerType, viewer.tierId, viewer.region]);
  const timeStep = (now: Date) => Math.floor(now.getTime() / options.ttlMs);
  const sortedFilters = (filters: SearchQuery['filters']) =>
    Object.entries(filters)
      .filter(([, values]) => values && values.length > 0)
      .map(([facet, values]) => [facet, [...values!].sort()])
      .sort(([a], [b]) => String(a).localeCompare(String(b)));

  /** Changes through this engine make every remembered answer stale. */
  const invalidating =
    <A extends unknown[]>(change: (...args: A) => Promise<void>) =>
    async (...args: A) => {
      try {
        await change(...args);
      } finally {
        entries.clear();
      }
    };

  return {
    name: engine.name,
    setup: () => engine.setup(),
    upsert: invalidating((documents) => engine.upsert(documents)),
    remove: invalidating((ids) => engine.remove(ids)),
    clear: invalidating(() => engine.clear()),
    count: () => engine.count(),
    close: () => engine.close(),
    search(query) {
      const key = JSON.stringify(['search', viewerKey(query.viewer), timeStep(query.now), query.text.trim().toLowerCase(), sortedFilters(query.filters), query.sort, query.page, query.pageSize]);
      return remember<SearchResult>(key, () => engine.search(query));
    },
    suggest(text, viewer, now, limit) {
      const key = JSON.stringify(['suggest', viewerKey(viewer), timeStep(now), text.trim().toLowerCase(), limit]);
      return remember<string[]>(key, () => engine.suggest(text, viewer, now, limit));
    },
  };
}
