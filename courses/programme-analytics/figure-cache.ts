/**
 * Computed dashboard figures, reused for ttlMs per key (the filters, scope and period): a dashboard over 90 days
 * of 100,000 people aggregates hundreds of thousands of rows, and nobody needs it recomputed for every viewer within
 * the same half minute. Concurrent requests for the same key share one computation (no stampede when it expires);
 * a failed computation is not kept. ttlMs 0 computes every time. At most maxEntries keys, the oldest dropped first.
 */
export interface FigureCache {
  get<T>(key: string, compute: () => Promise<T>): Promise<T>;
}

export function createFigureCache(options: { ttlMs: number; maxEntries?: number; now?: () => number }): FigureCache {
  const maxEntries = options.maxEntries ?? 500;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { at: number; value: Promise<unknown> }>();
  return {
    get<T>(key: string, compute: () => Promise<T>): Promise<T> {
      if (options.ttlMs <= 0) return compute();
      const t = now();
      const hit = entries.get(key);
      if (hit && t - hit.at < options.ttlMs) return hit.value as Promise<T>;
      if (hit) entries.delete(key);
      const value = compute();
      entries.set(key, { at: t, value });
      value.catch(() => {
        if (entries.get(key)?.value === value) entries.delete(key);
      });
      // Map keeps insertion order: the first key is the oldest.
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
      return value;
    },
  };
}
