import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { and, eq } from 'drizzle-orm';
import type { Frame, Page } from 'playwright-core';
import { signedInClients, startTestApp, type TestApp } from '../helpers/test-app.js';
import type { TestClient } from '../helpers/http-client.js';
import { waitFor } from '../helpers/wait-for.js';
import { checkAccessibility, describeWithBrowser, formatViolations, launchBrowser, screenshotAndAudit, signedInPage } from '../helpers/browser.js';
import { seedDemoLibrary } from '../../assets/library/demo-library.js';
import { seedDemoProgramme, type DemoProgrammeSummary } from '../../courses/demo-programme.js';
import { DEMO_COURSES, EXAM } from '../../courses/demo-programme-packages.js';
import { attempts } from '../../courses/tracking/tracking.table.js';
import { findUserByEmail } from '../../server/users/users.repository.js';

/**
 * The demo programme `npm start` adds on a first start, after the demo data and library: real packages, paths,
 * a certification and activity whose outcomes (certificates, points, path completions) come from the app's hooks.
 */

jest.setTimeout(180_000);

let app: TestApp;
let as: (email: string) => Promise<TestClient>;
let summary: DemoProgrammeSummary;

const statOf = (html: string, label: string) => new RegExp(`stat__value">([^<]+)</span><span class="stat__label">${label}<`).exec(html)?.[1];
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

beforeAll(async () => {
  app = await startTestApp();
  as = signedInClients(() => app);
  await seedDemoLibrary(app.deps);
  const started = Date.now();
  summary = (await seedDemoProgramme(app.deps))!;
  process.stderr.write(`demo programme: ${Date.now() - started} ms, ${summary.commits} commits\n`);
  await app.drainSearchOutbox();
});
afterAll(async () => app?.stop());

describe('demo programme', () => {
  it('publishes the four generated courses in the catalogue, searchable by their content', async () => {
    const rep = await as('rep@acme.test');
    const catalogue = await rep.get('/courses');
    for (const course of DEMO_COURSES) expect(catalogue.text).toContain(course.title.replace(/'/g, '&#x27;'));
    // Words found only inside a package's HTML (search reads the packages' text).
    const found = text((await rep.get('/search?q=immutable+administrator')).text);
    expect(found).toContain("What&#x27;s new this year");
    expect(found).not.toContain('Selling Northwind to mid-market');
  });

  it("shows the Acme rep's onboarding path in progress on My learning", async () => {
    const page = await (await as('rep@acme.test')).get('/my/courses');
    expect(page.status).toBe(200);
    const body = text(page.text);
    expect(body).toContain('Reseller onboarding');
    expect(body).toMatch(/1 of 3/);
    const path = text((await (await as('rep@acme.test')).get(`/paths/${summary.onboardingPathId}`)).text);
    expect(path).toContain('Selling Northwind to mid-market');
    expect(path).toContain('Northwind Firewall brochure');
  });

  it('certified the Globex rep and the Acme admin through the hooks, with a valid public verification page', async () => {
    const mine = await (await as('rep@globex.test')).get('/certifications');
    expect(text(mine.text)).toContain('Northwind Certified Seller');
    const verifyPath = /\/verify\/([A-Za-z0-9_-]+)/.exec(mine.text)![0];
    const verify = await fetch(`${app.baseUrl}${verifyPath}`);
    expect(verify.status).toBe(200);
    const verified = text(await verify.text());
    expect(verified).toContain('Jonas Weber');
    expect(verified).toMatch(/valid/i);
    expect(text((await (await as('admin@acme.test')).get('/certifications')).text)).toContain('Northwind Certified Seller');
    // Failed the exam: no certificate.
    expect(text((await (await as('admin@globex.test')).get('/certifications')).text)).not.toMatch(/\/verify\//);
  });

  it('fills the leaderboards with points from completions, the exam, paths and certificates', async () => {
    const board = text((await (await as('rep@acme.test')).get('/leaderboards?board=people&period=all')).text);
    for (const name of ['Jonas Weber', 'Alex Carter', 'Greta Hoffmann', 'Riley Nguyen']) expect(board).toContain(name);
    const organisations = text((await (await as('rep@acme.test')).get('/leaderboards?board=organisations&period=quarter')).text);
    expect(organisations).toContain('Globex Distribution');
    expect(organisations).toContain('Acme Systems');
    // Badges awarded by the outcome hooks, and this quarter's season offered as a period.
    const globex = text((await (await as('rep@globex.test')).get('/leaderboards')).text);
    for (const badge of ['First steps', 'Pathfinder', 'Certified seller']) expect(globex).toContain(badge);
    expect(globex).toMatch(/Q[1-4] \d{4} seller challenge/);
  });

  it('shows completions and certifications on /analytics', async () => {
    const res = await (await as('enablement@vendor.test')).get('/analytics?period=30');
    expect(res.status).toBe(200);
    expect(Number(statOf(res.text, 'Completions'))).toBeGreaterThanOrEqual(10);
    expect(statOf(res.text, 'Certifications earned')).toBe('2');
  });

  it('adds nothing when run again', async () => {
    expect(await seedDemoProgramme(app.deps)).toBeNull();
  });
});

/** The generated SCO's frame inside the player (player page → host page on the content origin → index.html). */
async function courseFrame(page: Page): Promise<Frame> {
  const frame = await waitFor(async () => page.frames().find((f) => /\/index\.html$/.test(new URL(f.url() || 'about:blank').pathname)) ?? null, Boolean, 'the course to load');
  await frame!.waitForSelector('#next');
  return frame!;
}

describeWithBrowser(describe)('demo programme in the browser', () => {
  const suite = {} as { app: TestApp; browser: Awaited<ReturnType<typeof launchBrowser>> };
  beforeAll(async () => {
    suite.app = app;
    suite.browser = await launchBrowser();
  });
  afterAll(async () => suite.browser?.close());

  const latestAttempt = async (email: string, courseId: string) => {
    const user = await findUserByEmail(app.deps.database.db, email);
    const rows = await app.deps.database.db.select().from(attempts).where(and(eq(attempts.userId, user!.id), eq(attempts.courseId, courseId)));
    return rows.sort((a, b) => b.attemptNumber - a.attemptNumber)[0];
  };

  it('the pages a newcomer opens look alive: catalogue, My learning, leaderboards, analytics', async () => {
    const rep = await signedInPage(suite, 'rep@acme.test');
    await rep.goto('/courses', { waitUntil: 'networkidle' });
    await screenshotAndAudit(rep, 'demo-programme-catalogue');
    await rep.goto('/my/courses');
    await screenshotAndAudit(rep, 'demo-programme-my-learning');
    await rep.goto('/leaderboards?period=quarter');
    await screenshotAndAudit(rep, 'demo-programme-leaderboards');
    const manager = await signedInPage(suite, 'enablement@vendor.test');
    await manager.goto('/analytics');
    await screenshotAndAudit(manager, 'demo-programme-analytics');
    await rep.context().close();
    await manager.context().close();
  });

  it('resumes the rep in the selling lesson where they stopped and completes it at the end', async () => {
    const page = await signedInPage(suite, 'rep@acme.test');
    await page.goto(`/courses/${summary.courseIds.selling}/play`);
    const sco = await courseFrame(page);
    // The seeded session stopped on page 2 (lesson_location "1").
    await waitFor(() => sco.locator('#position').innerText(), (t) => t === 'Page 2 of 4', 'the bookmarked page');
    await screenshotAndAudit(page, 'demo-programme-player-lesson');
    // The generated page itself (axe on the SCO's own frame: evaluate works the same on a frame as on a page).
    expect(formatViolations(await checkAccessibility(sco as unknown as Page))).toBe('');
    await sco.click('#next');
    await sco.click('#next');
    expect(await sco.locator('#position').innerText()).toBe('Page 4 of 4');
    await sco.click('#finish');
    const done = await waitFor(() => latestAttempt('rep@acme.test', summary.courseIds.selling), (a) => a?.completionStatus === 'completed', 'the completed lesson');
    expect(done!.completedAt).not.toBeNull();
    await page.context().close();
  });

  it('plays the exam: a wrong answer set fails, a retry with the right answers passes at 100%', async () => {
    const page = await signedInPage(suite, 'marketer@initech.test');
    await page.goto(`/courses/${summary.courseIds.exam}/play`);
    const sco = await courseFrame(page);
    await sco.click('#next');
    const questions = EXAM.quiz!.questions;
    for (const [i, q] of questions.entries()) await sco.getByLabel(q.options[(q.answer + (i < 2 ? 1 : 0)) % q.options.length]!, { exact: true }).check();
    await sco.click('#submit');
    expect(await sco.locator('#result').innerText()).toContain('You scored 60%');
    await waitFor(() => latestAttempt('marketer@initech.test', summary.courseIds.exam), (a) => a?.successStatus === 'failed', 'the failed exam');
    await sco.click('#retry');
    for (const q of questions) await sco.getByLabel(q.options[q.answer]!, { exact: true }).check();
    await sco.click('#submit');
    expect(await sco.locator('#result').innerText()).toContain('You passed with 100%');
    expect(formatViolations(await checkAccessibility(sco as unknown as Page))).toBe('');
    await screenshotAndAudit(page, 'demo-programme-player-exam');
    await sco.click('#finish');
    const passed = await waitFor(() => latestAttempt('marketer@initech.test', summary.courseIds.exam), (a) => a?.successStatus === 'passed', 'the passed exam');
    expect(passed!.scoreScaled).toBe(1);
    await page.context().close();
  });
});
