/**
 * The readiness page with many partners: pages of READINESS_PAGE_SIZE organisations, an "at risk only" choice, and a
 * CSV that still has every organisation.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { signedInClients, startTestApp, type TestApp } from '../helpers/test-app.js';
import { insertOrganisation } from '../../server/organisations/organisations.repository.js';
import { READINESS_PAGE_SIZE } from '../../courses/programme-analytics/programme-analytics.schema.js';

let app: TestApp;
const as = signedInClients(() => app);
const EXTRA = 60;

const rowNames = (html: string) => [...html.matchAll(/<tr data-organisation="[^"]+">\s*<th scope="row">([^<]+)/g)].map((m) => m[1]!.trim());

beforeAll(async () => {
  // As shipped: figures reused for 30 s (nothing changes between the requests below).
  app = await startTestApp({ ANALYTICS_CACHE_TTL_MS: '30000' });
  // Sixty more partners with nobody in them: each is at risk (nobody downloaded from the library).
  for (let i = 0; i < EXTRA; i++) {
    await insertOrganisation(app.deps.database.db, { slug: `extra-${i}`, name: `Extra Partner ${String(i).padStart(2, '0')}`, kind: 'partner', partnerType: 'agency', region: 'EMEA', country: 'FR' });
  }
});
afterAll(async () => app?.stop());

describe('readiness with many partner organisations', () => {
  it('lists them in pages, keeps the filters in the page links, and the CSV holds every organisation', async () => {
    const manager = await as('enablement@vendor.test');
    const total = EXTRA + 3;
    const first = await manager.get('/analytics/readiness');
    expect(first.status).toBe(200);
    expect(rowNames(first.text)).toHaveLength(READINESS_PAGE_SIZE);
    expect(first.text).toContain(`Showing 1–${READINESS_PAGE_SIZE} of ${total}`);
    expect(first.text).toContain(`All organisations (${total})`);
    expect(first.text).toContain('Figures are recomputed at most every 30 seconds');

    const next = /href="([^"]+)" rel="next"/.exec(first.text)![1]!.replaceAll('&#x3D;', '=').replaceAll('&amp;', '&');
    expect(next).toBe('/analytics/readiness?page=2');
    const second = await manager.get(next);
    const secondNames = rowNames(second.text);
    expect(secondNames).toHaveLength(total - READINESS_PAGE_SIZE);
    expect(new Set([...rowNames(first.text), ...secondNames]).size).toBe(total);
    expect(second.text).not.toContain('rel="next"');

    // A page past the end shows the last one.
    expect(rowNames((await manager.get('/analytics/readiness?page=99')).text)).toEqual(secondNames);

    const agencies = await manager.get('/analytics/readiness?partnerType=agency&show=at_risk');
    expect(agencies.text).toContain('aria-current="page">At risk only (60)');
    expect(/href="([^"]+)" rel="next"/.exec(agencies.text)![1]!.replaceAll('&#x3D;', '=').replaceAll('&amp;', '&')).toBe('/analytics/readiness?partnerType=agency&show=at_risk&page=2');

    const csv = await manager.get('/analytics/readiness.csv');
    expect(csv.text.trim().split('\n')).toHaveLength(total + 1);
  });
});
