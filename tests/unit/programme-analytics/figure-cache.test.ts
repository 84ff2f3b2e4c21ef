import { describe, expect, it } from '@jest/globals';
import { createFigureCache } from '../../../courses/programme-analytics/figure-cache.js';

describe('figure cache', () => {
  const counting = () => {
    let calls = 0;
    return { compute: async () => ++calls, calls: () => calls };
  };

  it('reuses a key within the TTL and computes again after it', async () => {
    let t = 1000;
    const cache = createFigureCache({ ttlMs: 30_000, now: () => t });
    const c = counting();
    expect(await cache.get('a', c.compute)).toBe(1);
    t += 29_999;
    expect(await cache.get('a', c.compute)).toBe(1);
    t += 1;
    expect(await cache.get('a', c.compute)).toBe(2);
    expect(c.calls()).toBe(2);
  });

  it('keeps keys apart, and shares one computation between concurrent requests', async () => {
    const cache = createFigureCache({ ttlMs: 30_000, now: () => 0 });
    const c = counting();
    const [x, y, z] = await Promise.all([cache.get('a', c.compute), cache.get('a', c.compute), cache.get('b', c.compute)]);
    expect([x, y, z]).toEqual([1, 1, 2]);
  });

  it('computes every time with TTL 0, and does not keep a failure', async () => {
    const off = createFigureCache({ ttlMs: 0, now: () => 0 });
    const c = counting();
    await off.get('a', c.compute);
    await off.get('a', c.compute);
    expect(c.calls()).toBe(2);

    const cache = createFigureCache({ ttlMs: 30_000, now: () => 0 });
    await expect(cache.get('a', () => Promise.reject(new Error('database down')))).rejects.toThrow('database down');
    expect(await cache.get('a', async () => 'recovered')).toBe('recovered');
  });

  it('drops the oldest key beyond maxEntries', async () => {
    const cache = createFigureCache({ ttlMs: 30_000, maxEntries: 2, now: () => 0 });
    const c = counting();
    await cache.get('a', c.compute);
    await cache.get('b', c.compute);
    await cache.get('c', c.compute);
    expect(await cache.get('b', c.compute)).toBe(2);
    expect(await cache.get('a', c.compute)).toBe(4);
  });
});
