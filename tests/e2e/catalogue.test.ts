import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { asc, eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../helpers/test-app.js';
import { TestClient } from '../helpers/http-client.js';
import { checkAccessibility, describeWithBrowser, formatViolations, launchBrowser, MOBILE, newContext, screenshot, signInThroughForm } from '../helpers/browser.js';
import { scormFixture } from '../helpers/scorm-fixtures.js';
import { courses, enrolments } from '../../courses/catalogue/courses.table.js';
import { courseItems } from '../../courses/scorm/scorm.table.js';
import { attempts, scoStates } from '../../courses/tracking/tracking.table.js';
import { findUserByEmail } from '../../server/users/users.repository.js';
import { listTiers } from '../../server/organisations/organisations.repository.js';

jest.setTimeout(120_000);

let app: TestApp | undefined;
let browser: Browser | undefined;
const ids: Record<string, string> = {};

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

/** A 1600 × 900 landscape cover with shapes (a flat colour would hide cropping and scaling in screenshots). */
async function golfCoverPng(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="900">
    <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#3a7bd5"/><stop offset="1" stop-color="#a8d8f0"/></linearGradient></defs>
    <rect width="1600" height="900" fill="url(#sky)"/><circle cx="1180" cy="260" r="120" fill="#fff6c8"/>
    <path d="M0 640 Q400 540 800 620 T1600 600 V900 H0 Z" fill="#2e8b57"/><rect x="700" y="380" width="8" height="250" fill="#eee"/><path d="M708 380 L820 420 L708 460 Z" fill="#c0392b"/>
  </svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** Waits until the first image matching selector is done loading; returns its decoded width (0 when it could not be loaded). */
async function loadedImageWidth(page: Page, selector: string): Promise<number> {
  await page.waitForFunction((s) => document.querySelector<HTMLImageElement>(s)?.complete === true, selector);
  return page.locator(selector).first().evaluate((img: HTMLImageElement) => img.naturalWidth);
}

/** Courses set up as enablement does it (package upload, then settings), over HTTP; progress inserted with Drizzle. */
async function seedCatalogue(a: TestApp) {
  const manager = new TestClient(a.baseUrl);
  await manager.signIn('enablement@vendor.test', DEMO_PASSWORD);
  const gold = (await listTiers(a.deps.database.db)).find((t) => t.key === 'gold')!;
  const create = async (title: string, fixture: string, settings: [string, string][]) => {
    const form = new FormData();
    form.set('title', title);
    form.set('package', new Blob([new Uint8Array(await readFile(scormFixture(fixture)))], { type: 'application/zip' }), fixture);
    const token = csrfOf((await manager.get('/courses/new')).text);
    const res = await fetch(`${a.baseUrl}/courses`, { method: 'POST', body: form, headers: { accept: 'application/json', 'x-csrf-token': token, cookie: `pa.sid=${manager.cookie('pa.sid')}` } });
    const id = /\/courses\/([0-9a-f-]{36})\//.exec(((await res.json()) as { location: string }).location)![1]!;
    const defaults: [string, string][] = [['title', title], ['language', 'en'], ['status', 'published'], ['allowNewAttemptAfterCompletion', 'yes']];
    const given = new Set(settings.map(([k]) => k));
    const body = new URLSearchParams([...defaults.filter(([k]) => !given.has(k)), ...settings, ['_csrf', csrfOf((await manager.get(`/courses/${id}/settings`)).text)]]);
    const saved = await manager.request('POST', `/courses/${id}/settings`, { body: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    if (saved.status !== 303) throw new Error(`settings of ${title}: ${saved.status}`);
    return id;
  };
  ids.golf = await create('Golf Explained: Rules and Etiquette', 'RuntimeMinimumCalls_SCORM12-mini.zip', [
    ['description', 'Everything a new partner rep needs before their first customer round: the rules of play, scoring, handicaps and the etiquette that keeps a foursome friendly.\n\nTwo chapters, nine short lessons.'],
    ['durationMinutes', '95'],
    ['tags', 'onboarding, sales, golf'],
  ]);
  ids.pricing = await create('Pricing and Deal Registration', 'singlescobasic.zip', [
    ['description', 'How to quote, discount and register deals as a reseller.'],
    ['durationMinutes', '30'],
    ['tags', 'pricing, resellers'],
    ['visiblePartnerTypes', 'reseller'],
    ['visibleTierIds', gold.id],
  ]);
  ids.security = await create('Security Fundamentals', 'RuntimeBasicCalls_SCORM20043rdEdition.zip', [
    ['description', 'The platform’s security model, in plain words.'],
    ['durationMinutes', '60'],
    ['tags', 'security'],
    ['language', 'de'],
  ]);
  ids.emea = await create('EMEA Distribution Playbook', 'singlescobasic.zip', [['visibleRegions', 'EMEA']]);
  // Golf gets an uploaded cover, as the settings page's script sends it; the other courses keep their initials.
  const cover = new FormData();
  cover.set('cover', new Blob([new Uint8Array(await golfCoverPng())], { type: 'image/png' }), 'golf.png');
  const covered = await fetch(`${a.baseUrl}/courses/${ids.golf}/cover`, {
    method: 'POST',
    body: cover,
    redirect: 'manual',
    headers: { 'x-csrf-token': csrfOf((await manager.get(`/courses/${ids.golf}/settings`)).text), cookie: `pa.sid=${manager.cookie('pa.sid')}` },
  });
  if (covered.status !== 303) throw new Error(`cover of golf: ${covered.status}`);

  const db = a.deps.database.db;
  const rep = (await findUserByEmail(db, 'rep@acme.test'))!;
  const globexRep = (await findUserByEmail(db, 'rep@globex.test'))!;
  const [golf] = await db.select().from(courses).where(eq(courses.id, ids.golf));
  const [pricing] = await db.select().from(courses).where(eq(courses.id, ids.pricing));
  const items = await db.select().from(courseItems).where(eq(courseItems.versionId, golf!.currentVersionId!)).orderBy(asc(courseItems.position));
  await db.insert(enrolments).values([
    { courseId: ids.golf, userId: rep.id, organisationId: rep.organisationId, source: 'self' },
    { courseId: ids.pricing, userId: rep.id, organisationId: rep.organisationId, source: 'assigned' },
    { courseId: ids.golf, userId: globexRep.id, organisationId: globexRep.organisationId, source: 'self' },
  ]);
  await db.insert(attempts).values([
    { courseId: ids.golf, versionId: golf!.currentVersionId!, userId: rep.id, organisationId: rep.organisationId, attemptNumber: 1, completionStatus: 'completed', successStatus: 'failed', scoreScaled: 0.55, totalTimeSeconds: 2400, lastAccessedAt: new Date('2026-02-10T10:00:00Z') },
    { courseId: ids.pricing, versionId: pricing!.currentVersionId!, userId: rep.id, organisationId: rep.organisationId, attemptNumber: 1, completionStatus: 'completed', successStatus: 'passed', scoreScaled: 0.96, totalTimeSeconds: 1700, lastAccessedAt: new Date('2026-02-20T10:00:00Z') },
    { courseId: ids.golf, versionId: golf!.currentVersionId!, userId: globexRep.id, organisationId: globexRep.organisationId, attemptNumber: 1, completionStatus: 'incomplete', totalTimeSeconds: 900, lastAccessedAt: new Date('2026-02-22T10:00:00Z') },
  ]);
  const [current] = await db
    .insert(attempts)
    .values({ courseId: ids.golf, versionId: golf!.currentVersionId!, userId: rep.id, organisationId: rep.organisationId, attemptNumber: 2, completionStatus: 'incomplete', scoreScaled: 0.8, totalTimeSeconds: 1500, lastAccessedAt: new Date('2026-02-24T10:00:00Z') })
    .returning();
  const lessons = items.filter((i) => i.launchHref !== null);
  await db.insert(scoStates).values([
    { attemptId: current!.id, itemId: lessons[0]!.id, cmi: {}, commitSequence: 1, commitDigest: 'a', completionStatus: 'completed' },
    { attemptId: current!.id, itemId: lessons[1]!.id, cmi: {}, commitSequence: 1, commitDigest: 'b', completionStatus: 'incomplete' },
  ]);
  // An assignment, so the settings page lists one.
  const token = csrfOf((await manager.get(`/courses/${ids.pricing}/settings`)).text);
  await manager.request('POST', `/courses/${ids.pricing}/assignments`, {
    body: new URLSearchParams({ organisationId: rep.organisationId, role: 'partner_rep', _csrf: token }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
}

beforeAll(async () => {
  app = await startTestApp();
  browser = await launchBrowser();
  await seedCatalogue(app);
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

async function signedIn(email: string, options: Parameters<typeof newContext>[2] = {}): Promise<Page> {
  const page = await (await newContext(browser!, app!.baseUrl, options)).newPage();
  await signInThroughForm(page, email, DEMO_PASSWORD);
  return page;
}

async function expectAccessible(page: Page, name: string) {
  await screenshot(page, name);
  expect(formatViolations(await checkAccessibility(page))).toBe('');
}

describeWithBrowser(describe)('catalogue pages in the browser', () => {
  it('lets a partner rep browse, search, open a course and see their learning, with no accessibility violations', async () => {
    const page = await signedIn('rep@acme.test');
    // The main navigation groups the learning pages in a menu.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: /^Learning/ }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Courses' }).click();
    await page.waitForURL((url) => url.pathname === '/courses');
    const titles = await page.locator('.course-card__title').allTextContents();
    expect(titles).toEqual(['Golf Explained: Rules and Etiquette', 'Pricing and Deal Registration', 'Security Fundamentals']);
    // Golf's uploaded cover (decorative, next to its title) loads in the browser, scaled to 1280 × 720; the others keep their initials.
    expect(await page.locator('.course-card img.cover').count()).toBe(1);
    expect(await page.locator('.course-card img.cover').getAttribute('alt')).toBe('');
    expect(await loadedImageWidth(page, '.course-card img.cover')).toBe(1280);
    expect(await page.locator('.course-card .cover__initials').allTextContents()).toEqual(['PA', 'SF']);
    await expectAccessible(page, 'desktop-catalogue');

    // The catalogue's own search (the header's searches assets and courses together).
    const catalogueSearch = page.getByRole('search', { name: 'Search courses' });
    await catalogueSearch.getByRole('searchbox').fill('security');
    await Promise.all([page.waitForURL(/q=security/), catalogueSearch.getByRole('button', { name: 'Search' }).click()]);
    expect(await page.locator('.course-card__title').allTextContents()).toEqual(['Security Fundamentals']);

    // The whole card opens the course.
    await Promise.all([page.waitForURL(new RegExp(`/courses/${ids.security}$`)), page.locator('.course-card').first().click({ position: { x: 20, y: 20 } })]);
    const [enrolled] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/courses/${ids.security}/enrol`)),
      page.getByRole('button', { name: 'Enrol' }).click(),
    ]);
    expect(enrolled.status()).toBe(303);
    await page.waitForLoadState('load');
    await page.getByRole('status').filter({ hasText: 'You are enrolled' }).waitFor();
    expect(await page.getByRole('link', { name: 'Start', exact: true }).getAttribute('href')).toBe(`/courses/${ids.security}/play`);

    await page.goto(`/courses/${ids.golf}`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Golf Explained: Rules and Etiquette');
    expect(await page.getByRole('link', { name: 'Resume' }).getAttribute('href')).toBe(`/courses/${ids.golf}/play`);
    expect(await page.locator('.outline__item--chapter').count()).toBe(2);
    expect(await page.locator('.outline__item--lesson').count()).toBe(9);
    expect(await page.getByRole('table', { name: /Your attempts/ }).getByRole('row').count()).toBe(3);
    expect(await loadedImageWidth(page, '.course-aside img.cover')).toBe(1280);
    await expectAccessible(page, 'desktop-course-detail');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: /^Learning/ }).click();
    await page.getByRole('link', { name: 'My learning' }).first().click();
    await page.waitForURL((url) => url.pathname === '/my/courses');
    const rows = page.getByRole('list', { name: 'Your courses' }).getByRole('listitem');
    expect(await rows.count()).toBe(3);
    expect(await rows.first().textContent()).toMatch(/Golf Explained[\s\S]*In progress[\s\S]*80%[\s\S]*24 Feb 2026[\s\S]*Resume/);
    await expectAccessible(page, 'desktop-my-learning');
    await page.context().close();
  });

  it('shows the catalogue and a course on a phone', async () => {
    const page = await signedIn('rep@acme.test', { viewport: MOBILE });
    await page.goto('/courses');
    await expectAccessible(page, 'mobile-catalogue');
    await page.goto(`/courses/${ids.golf}`);
    await expectAccessible(page, 'mobile-course-detail');
    await page.goto('/my/courses');
    await expectAccessible(page, 'mobile-my-learning');
    await page.context().close();
  });

  it('lets enablement edit settings and assignments, and read the report', async () => {
    const page = await signedIn('enablement@vendor.test');
    await page.goto(`/courses/${ids.golf}/manage`);
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.waitForURL(new RegExp(`/courses/${ids.golf}/settings$`));
    expect(await loadedImageWidth(page, '.cover-settings img.cover')).toBe(1280);
    await expectAccessible(page, 'desktop-course-settings');

    // The cover form goes through the page's upload script (CSRF token in a header): a text file named .png is
    // refused with the reason shown on the page, then a real image replaces the cover.
    const coverInput = page.getByLabel('Replace the cover with');
    expect(await coverInput.getAttribute('aria-describedby')).toBe('cover-hint');
    await coverInput.setInputFiles({ name: 'cover.png', mimeType: 'image/png', buffer: Buffer.from('not an image at all\n') });
    await page.getByRole('button', { name: 'Upload cover' }).click();
    await page.getByRole('alert').filter({ hasText: 'The cover must be a PNG, JPEG or WebP image; this file is text, not an image.' }).waitFor();
    await expectAccessible(page, 'desktop-course-settings-cover-error');
    const previousCover = await page.locator('.cover-settings img.cover').getAttribute('src');
    await coverInput.setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: await sharp(await golfCoverPng()).flop().jpeg().toBuffer() });
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Upload cover' }).click()]);
    await page.getByRole('status').filter({ hasText: 'is updated' }).waitFor();
    expect(await page.locator('.cover-settings img.cover').getAttribute('src')).not.toBe(previousCover);
    expect(await loadedImageWidth(page, '.cover-settings img.cover')).toBe(1280);

    // A validation error is shown at the field and the form keeps its state.
    await page.getByLabel('Title').fill('');
    await page.getByRole('group', { name: 'Regions' }).getByLabel('EMEA').check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Title is required').waitFor();
    expect(await page.getByRole('group', { name: 'Regions' }).getByLabel('EMEA').isChecked()).toBe(true);
    await expectAccessible(page, 'desktop-course-settings-error');

    await page.getByLabel('Title').fill('Golf Explained: Rules and Etiquette');
    await page.getByRole('group', { name: 'Regions' }).getByLabel('EMEA').uncheck();
    await Promise.all([page.waitForURL(new RegExp(`/courses/${ids.golf}/settings$`)), page.getByRole('button', { name: 'Save settings' }).click()]);
    await page.getByRole('status').filter({ hasText: 'Settings saved' }).waitFor();

    await page.getByLabel('Organisation').selectOption({ label: 'Globex Distribution' });
    await page.getByLabel('Role').selectOption({ label: 'Partner rep' });
    await page.getByRole('button', { name: 'Assign', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Assignment added' }).waitFor();
    expect(await page.getByRole('row', { name: /Partner reps at Globex Distribution/ }).count()).toBe(1);

    await page.goto(`/courses/${ids.golf}/report`);
    const rows = page.locator('table tbody tr');
    expect(await rows.count()).toBe(2);
    await expectAccessible(page, 'desktop-course-report');
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download CSV' }).click();
    expect((await download).suggestedFilename()).toMatch(/^golf-explained-rules-and-etiquette-report-\d{4}-\d{2}-\d{2}\.csv$/);
    await page.context().close();
  });

  it('shows a partner admin the report of their own organisation only', async () => {
    const page = await signedIn('admin@acme.test');
    await page.goto(`/courses/${ids.golf}`);
    await page.getByRole('link', { name: 'Learner report' }).click();
    await page.waitForURL(new RegExp(`/courses/${ids.golf}/report$`));
    expect(await page.locator('table tbody tr').count()).toBe(1);
    expect(await page.locator('table').textContent()).toContain('Acme Systems');
    expect(await page.locator('main').textContent()).not.toContain('Globex');
    await expectAccessible(page, 'desktop-course-report-partner-admin');
    await page.context().close();
  });
});
