import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eq } from 'drizzle-orm';
import { signedInClients, startTestApp, type TestApp } from '../helpers/test-app.js';
import { TestClient } from '../helpers/http-client.js';
import { importPublishedPackage } from '../helpers/courses.js';
import { packageWithPage } from './search-package.js';
import { searchOutbox } from '../../search/sync/outbox.table.js';
import { createSearchSync } from '../../search/sync/search-sync.js';
import { rebuildSearchIndex } from '../../search/reindex.js';
import type { SearchEngine } from '../../search/search.types.js';

/**
 * Search over real HTTP on a real database: the page, suggestions, what two partner organisations see, and the
 * outbox that keeps the index in step with course changes (including an engine that fails and catches up).
 */

let app: TestApp;
let onboardingId: string;
const as = signedInClients(() => app);

async function saveSettings(courseId: string, fields: [string, string][]) {
  const manager = await as('enablement@vendor.test');
  const token = /name="_csrf" value="([^"]+)"/.exec((await manager.get(`/courses/${courseId}/settings`)).text)![1]!;
  const body = new URLSearchParams([...fields, ['_csrf', token]]).toString();
  return manager.request('POST', `/courses/${courseId}/settings`, { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
}

const settings = (title: string, extra: [string, string][] = []): [string, string][] => [
  ['title', title],
  ['description', 'Everything a new partner needs in the first week.'],
  ['tags', 'onboarding, programme'],
  ['language', 'en'],
  ['status', 'published'],
  ...extra,
];

const outboxRowsFor = (courseId: string) => app.deps.database.db.select().from(searchOutbox).where(eq(searchOutbox.entityId, courseId));

async function suggestionsFor(email: string, q: string): Promise<string[]> {
  const res = await (await as(email)).request('GET', `/search/suggest?q=${encodeURIComponent(q)}`, { headers: { accept: 'application/json' } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  return (JSON.parse(res.text) as { suggestions: string[] }).suggestions;
}

async function resultTitles(email: string, query: string): Promise<string[]> {
  const res = await (await as(email)).get(`/search?${query}`);
  expect(res.status).toBe(200);
  return [...res.text.matchAll(/<h3 class="search-hit__title"><a href="[^"]+">(.*?)<\/a><\/h3>/g)].map((m) => m[1]!.replace(/<\/?mark>/g, ''));
}

beforeAll(async () => {
  app = await startTestApp();
  const html = `<!doctype html><html><head><title>Welcome</title><style>.kumquatclass { color: red }</style>
    <script>var hiddenscriptword = "never indexed";</script></head>
    <body><h1>Welcome</h1><p>Meet the axolotl &amp; learn deal registration &#8212; step by step.</p></body></html>`;
  ({ courseId: onboardingId } = await importPublishedPackage(app, await packageWithPage(html), 'Partner Onboarding Essentials'));
  await importPublishedPackage(app, await packageWithPage('<p>Tips</p>'), 'Tips & <tricks> for renewals');
}, 60_000);

afterAll(async () => {
  await app?.stop();
});

describe('indexing through the outbox', () => {
  it('queues a row with the import and applies it on drain', async () => {
    expect((await outboxRowsFor(onboardingId)).length).toBeGreaterThan(0);
    expect(await resultTitles('rep@globex.test', 'q=axolotl')).toEqual([]);
    await app.drainSearchOutbox();
    expect(await outboxRowsFor(onboardingId)).toEqual([]);
    expect(await resultTitles('rep@globex.test', 'q=axolotl')).toEqual(['Partner Onboarding Essentials']);
  });

  it('indexes the text of the package pages, not their scripts or styles', async () => {
    expect(await resultTitles('rep@acme.test', 'q=deal+registration')).toEqual(['Partner Onboarding Essentials']);
    expect(await resultTitles('rep@acme.test', 'q=hiddenscriptword')).toEqual([]);
    expect(await resultTitles('rep@acme.test', 'q=kumquatclass')).toEqual([]);
  });

  it('commits the outbox row with a settings change, and none when the change is refused', async () => {
    const refused = await saveSettings(onboardingId, settings('Partner Onboarding Essentials', [['visibleTierIds', '00000000-0000-4000-8000-000000000000']]));
    expect(refused.status).toBe(400);
    expect(await outboxRowsFor(onboardingId)).toEqual([]);

    const saved = await saveSettings(onboardingId, settings('Partner Onboarding Essentials', [['visiblePartnerTypes', 'reseller']]));
    expect(saved.status).toBe(303);
    expect((await outboxRowsFor(onboardingId)).length).toBe(1);
    // Until the worker runs, the index still holds the old visibility; afterwards it follows the database.
    await app.drainSearchOutbox();
    expect(await outboxRowsFor(onboardingId)).toEqual([]);
  });
});

describe('tenancy across partner organisations', () => {
  it('shows a reseller-only course to the reseller (Acme) and not to the distributor (Globex), in results and suggestions', async () => {
    expect(await resultTitles('rep@acme.test', 'q=partnr+onbording')).toEqual(['Partner Onboarding Essentials']);
    expect(await resultTitles('rep@globex.test', 'q=partnr+onbording')).toEqual([]);
    expect(await suggestionsFor('marketer@acme.test', 'onbord')).toEqual(['Partner Onboarding Essentials']);
    expect(await suggestionsFor('marketer@globex.test', 'onbord')).toEqual([]);
    const globexPage = (await (await as('admin@globex.test')).get('/search?q=onboarding')).text;
    expect(globexPage).not.toContain('Partner Onboarding Essentials');
    expect(globexPage).toContain('0 results');
  });

  it('cannot be widened from the query string', async () => {
    for (const query of ['q=onboarding&visiblePartnerTypes=distributor', 'q=onboarding" OR 1=1 --', "kind=course') OR true --", 'q=onboarding&kind=course" OR kind EXISTS']) {
      expect(await resultTitles('rep@globex.test', query.replace(/ /g, '+'))).not.toContain('Partner Onboarding Essentials');
    }
  });
});

describe('the search page', () => {
  it('renders hits with escaped, highlighted titles, facet checkboxes with counts, sort and links', async () => {
    const res = await (await as('enablement@vendor.test')).get('/search?q=tips+renewals');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<mark>Tips</mark> &amp; &lt;tricks&gt; for <mark>renewals</mark>');
    expect(res.text).not.toContain('<tricks>');
    expect(res.text).toMatch(/<a href="\/courses\/[0-9a-f-]{36}">/);
    expect(res.text).toMatch(/<input type="checkbox" id="facet-kind-0" name="kind" value="course"> <label for="facet-kind-0">Course <span class="muted">\(1\)<\/span><\/label>/);
    expect(res.text).toContain('<label for="search-sort">Sort by</label>');
    expect(res.text).toContain('data-suggest="/search/suggest"');
  });

  it('filters by facets from the form (GET, no script needed) and paginates', async () => {
    const vendor = await as('admin@vendor.test');
    const filtered = await vendor.get('/search?kind=course&kind=asset&format=scorm&sort=newest');
    expect(filtered.text).toMatch(/name="kind" value="course" checked/);
    expect(filtered.text).toContain('2 results');
    const none = await vendor.get('/search?format=pdf');
    expect(none.text).toContain('0 results');
    expect(none.text).toMatch(/name="format" value="pdf" checked/);
    const beyond = await vendor.get('/search?page=7');
    expect(beyond.status).toBe(200);
    expect(beyond.text).toContain('Nothing found');
  });

  it('answers the signed-out with the sign-in page', async () => {
    const res = await new TestClient(app.baseUrl).get('/search/suggest?q=tips');
    expect(res.status).toBe(303);
    expect(res.location).toMatch(/^\/login/);
  });
});

describe('when the engine fails', () => {
  it('keeps the rows with attempts, error and a later due time, and catches up afterwards', async () => {
    let failuresLeft = 1;
    // Fault injection around the real engine: the first upsert throws, as an unreachable Meilisearch would.
    const flaky: SearchEngine = {
      ...app.deps.search,
      name: app.deps.search.name,
      async upsert(documents) {
        if (failuresLeft-- > 0) throw new Error('connect ECONNREFUSED 127.0.0.1:7700');
        return app.deps.search.upsert(documents);
      },
    };
    const sync = createSearchSync({ ...app.deps, search: flaky });
    expect((await saveSettings(onboardingId, settings('Partner Onboarding Handbook', [['visiblePartnerTypes', 'reseller']]))).status).toBe(303);

    expect(await sync.drainNow()).toBe(0);
    const [kept] = await outboxRowsFor(onboardingId);
    expect(kept).toMatchObject({ attempts: 1, lastError: expect.stringContaining('ECONNREFUSED') });
    expect(kept!.availableAt.getTime()).toBeGreaterThan(app.deps.clock().getTime());
    // Not due yet: nothing is retried before the back-off.
    expect(await sync.drainNow()).toBe(0);
    expect(await resultTitles('rep@acme.test', 'q=handbook')).toEqual([]);

    app.advanceClock(60_000);
    expect(await sync.drainNow()).toBe(1);
    expect(await outboxRowsFor(onboardingId)).toEqual([]);
    expect(await resultTitles('rep@acme.test', 'q=handbook')).toEqual(['Partner Onboarding Handbook']);
    await sync.stop();
  });
});

describe('rebuilding the index', () => {
  it('rebuilds everything from the database after the index was emptied', async () => {
    await app.deps.search.clear();
    expect(await resultTitles('admin@vendor.test', 'q=tips')).toEqual([]);
    const counts = await rebuildSearchIndex(app.deps);
    expect(counts.courses).toBe(2);
    expect(await app.deps.search.count()).toBe(counts.assets + counts.courses);
    expect(await resultTitles('admin@vendor.test', 'q=tips')).toEqual(['Tips & <tricks> for renewals'.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')]);
  });
});
