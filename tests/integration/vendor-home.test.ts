import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { signedInClients, startTestApp, type TestApp } from '../helpers/test-app.js';
import type { TestClient } from '../helpers/http-client.js';
import { seedDemoLibrary } from '../../assets/library/demo-library.js';
import { seedDemoProgramme } from '../../courses/demo-programme.js';
import { VENDOR_FIGURES_TTL_MS } from '../../server/dashboard/dashboard.service.js';

/**
 * The vendor side's home page over real HTTP, on the demo programme `npm start` seeds: the programme at a glance
 * (the same figures as /analytics and /analytics/readiness), the organisations that need attention, set-up steps only
 * while something is still to set up, and none of it for partner people.
 */

jest.setTimeout(180_000);

let app: TestApp;
let as: (email: string) => Promise<TestClient>;
/** Home pages before the demo programme existed (no courses, no certifications). */
let before: Record<'enablement' | 'admin', string>;

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
/** Handlebars escapes "=" in attributes; links read better as written. */
const unescapeEquals = (html: string) => html.replace(/&#x3D;/g, '=');
/** The HTML of one section of the home page, from its heading's id to the end of its section. */
const sectionOf = (html: string, headingId: string) => {
  const start = html.indexOf(`aria-labelledby="${headingId}"`);
  expect(start).toBeGreaterThan(-1);
  return unescapeEquals(html.slice(start, html.indexOf('</section>', start)));
};
/** A stat card's value by its label; the home's cards are links, /analytics's are not. */
const statOf = (html: string, label: string) => {
  const value = new RegExp(`stat__value">([^<]+)</span><span class="stat__label">${label}`).exec(html)?.[1];
  expect(value).toBeDefined();
  return value!;
};
const statHrefOf = (html: string, label: string) => new RegExp(`<a class="stat" href="([^"]+)"><span class="stat__value">[^<]+</span><span class="stat__label">${label}`).exec(html)?.[1];

beforeAll(async () => {
  // /analytics computes its figures on every request (the home keeps its own for VENDOR_FIGURES_TTL_MS, by the app's clock).
  app = await startTestApp({ ANALYTICS_CACHE_TTL_MS: '0' });
  as = signedInClients(() => app);
  before = {
    enablement: (await (await as('enablement@vendor.test')).get('/')).text,
    admin: (await (await as('admin@vendor.test')).get('/')).text,
  };
  await seedDemoLibrary(app.deps);
  await seedDemoProgramme(app.deps);
  await app.drainSearchOutbox();
  // The homes before seeding are no longer served once the home's figures are older than their TTL.
  app.advanceClock(VENDOR_FIGURES_TTL_MS + 1_000);
});
afterAll(async () => app?.stop());

describe('vendor home page', () => {
  it('shows the programme figures /analytics shows for its default period, each linking to it', async () => {
    const client = await as('enablement@vendor.test');
    const home = await client.get('/');
    expect(home.status).toBe(200);
    const glance = sectionOf(home.text, 'glance-heading');
    expect(text(glance)).toContain('Programme, last 90 days');
    const analytics = (await client.get('/analytics?period=90')).text;
    // The default period is the one the home uses: /analytics without a period shows the same.
    expect(statOf((await client.get('/analytics')).text, 'Enrolments')).toBe(statOf(analytics, 'Enrolments'));
    for (const label of ['Enrolments', 'Completions', 'Certifications earned']) {
      expect(statOf(glance, label)).toBe(statOf(analytics, label));
      expect(statHrefOf(glance, label)).toMatch(/^\/analytics\?period=90/);
    }
    // The demo programme has activity: the figures are not all zero.
    expect(Number(statOf(glance, 'Enrolments').replace(/,/g, ''))).toBeGreaterThan(0);
    expect(Number(statOf(glance, 'Certifications earned'))).toBeGreaterThan(0);
  });

  it('counts and lists the organisations at risk as /analytics/readiness does, with their first reason', async () => {
    const client = await as('enablement@vendor.test');
    const home = (await client.get('/')).text;
    const glance = sectionOf(home, 'glance-heading');
    const readiness = unescapeEquals((await client.get('/analytics/readiness?show=at_risk')).text);
    const [, atRisk, total] = /<strong>(\d+) organisations? at risk<\/strong> of (\d+)\./.exec(readiness) ?? [];
    expect(atRisk).toBeDefined();
    expect(Number(atRisk)).toBeGreaterThan(0);
    expect(statOf(glance, `Organisations at risk, of ${total}`)).toBe(atRisk);
    expect(statHrefOf(glance, 'Organisations at risk')).toBe('/analytics/readiness?show=at_risk');

    // The readiness page's at-risk rows, in its order, with their first reason.
    const rows = [...readiness.matchAll(/<tr data-organisation="([0-9a-f-]+)">[\s\S]*?<th scope="row">([^<]+)[\s\S]*?<li>([^<]+)<\/li>/g)].map((m) => ({ id: m[1]!, name: m[2]!, reason: m[3]! }));
    expect(rows).toHaveLength(Math.min(Number(atRisk), 50));
    const attention = sectionOf(home, 'attention-heading');
    const listed = [...attention.matchAll(/<li><a href="\/analytics\/readiness\?organisationId=([0-9a-f-]+)">([^<]+)<\/a><span class="small">([^<]+)/g)].map((m) => ({ id: m[1]!, name: m[2]!, reason: m[3]!.trim() }));
    expect(listed).toEqual(rows.slice(0, 5));
    expect(attention).toContain('href="/analytics/readiness?show=at_risk"');
  });

  it('drops the set-up steps once partners, courses and certifications exist', async () => {
    for (const email of ['enablement@vendor.test', 'admin@vendor.test']) {
      const home = (await (await as(email)).get('/')).text;
      expect(home).not.toContain('next-heading');
      expect(home).not.toContain('What comes next');
      // The partner figures stay.
      expect(home).toMatch(/<span class="stat__label">Partner organisations/);
      expect(text(sectionOf(home, 'tiers-heading'))).toContain('Partners by tier');
    }
  });

  it('suggested uploading a course and creating a certification before there were any, to those who may', () => {
    const steps = text(sectionOf(before.enablement, 'next-heading'));
    expect(steps).toContain('No published courses yet.');
    expect(before.enablement).toContain('<a href="/courses/new">Upload a course</a>');
    expect(steps).toContain('No certifications yet.');
    expect(before.enablement).toContain('<a href="/certifications/new">Create a certification</a>');
    // The demo data has partners and tiers: nothing to say about them.
    expect(steps).not.toContain('partner organisations');
    expect(steps).not.toContain('partner tiers');
    expect(text(sectionOf(before.admin, 'next-heading'))).toContain('No certifications yet.');
    // No activity yet: the programme figures are there, at zero.
    expect(statOf(sectionOf(before.enablement, 'glance-heading'), 'Enrolments')).toBe('0');
  });

  it('never shows the programme figures to partner people, a partner admin included', async () => {
    for (const email of ['admin@acme.test', 'rep@acme.test', 'rep@globex.test']) {
      const home = await (await as(email)).get('/');
      expect(home.status).toBe(200);
      expect(home.text).not.toContain('glance-heading');
      expect(home.text).not.toContain('attention-heading');
      expect(home.text).not.toContain('Organisations at risk');
      expect(home.text).not.toContain('Programme, last');
      expect(home.text).not.toContain('Partners by tier');
      expect(home.text).not.toContain('/analytics/readiness?show=at_risk');
    }
  });
});
