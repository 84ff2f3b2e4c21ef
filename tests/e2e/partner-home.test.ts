import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import { eq } from 'drizzle-orm';
import { appAndBrowserForFile, describeWithBrowser, DESKTOP, MOBILE, screenshotAndAudit, signedInPage } from '../helpers/browser.js';
import { seedDemoLibrary } from '../../assets/library/demo-library.js';
import { seedDemoProgramme, CERTIFICATION_NAME, ONBOARDING_PATH_TITLE } from '../../courses/demo-programme.js';
import { learningPathEnrolments } from '../../courses/paths/paths.table.js';
import { findUserByEmail } from '../../server/users/users.repository.js';

/**
 * The home pages in Chromium on the demo programme (as `npm start` seeds it): a rep with a path in progress, a certified
 * partner admin with their organisation's readiness, the vendor admin; at desktop and phone widths, with axe. Also the
 * programme analytics page, whose learning chart draws enrolments and completions side by side.
 */

jest.setTimeout(240_000);

const suite = appAndBrowserForFile();

beforeAll(async () => {
  await seedDemoLibrary(suite.app.deps);
  await seedDemoProgramme(suite.app.deps);
});

describeWithBrowser(describe)('home pages in the browser', () => {
  it.each([
    ['rep@acme.test', 'rep'],
    ['admin@acme.test', 'partner-admin'],
    ['admin@vendor.test', 'vendor-admin'],
  ])('home page for %s passes axe and fits a phone', async (email, name) => {
    for (const [viewport, size] of [
      [DESKTOP, 'desktop'],
      [MOBILE, 'mobile'],
    ] as const) {
      const page = await signedInPage(suite, email, viewport);
      await page.goto('/');
      await screenshotAndAudit(page, `${size}-home-${name}`);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
      if (email === 'rep@acme.test') {
        await expect(page.getByRole('heading', { name: 'Continue learning' }).count()).resolves.toBe(1);
        await expect(page.getByRole('link', { name: ONBOARDING_PATH_TITLE }).count()).resolves.toBe(1);
        await expect(page.getByRole('link', { name: /^Continue the course/ }).isVisible()).resolves.toBe(true);
      }
      if (email === 'admin@acme.test') {
        await expect(page.getByRole('region', { name: 'My certifications' }).getByText(CERTIFICATION_NAME).count()).resolves.toBe(1);
        await expect(page.getByRole('link', { name: "See your organisation's readiness" }).count()).resolves.toBe(1);
      }
      await page.context().close();
    }
  });

  it('flags an overdue path on the home page', async () => {
    const db = suite.app.deps.database.db;
    const rep = await findUserByEmail(db, 'rep@acme.test');
    const [enrolment] = await db.select().from(learningPathEnrolments).where(eq(learningPathEnrolments.userId, rep!.id));
    await db.update(learningPathEnrolments).set({ dueAt: new Date(Date.now() - 3 * 86_400_000) }).where(eq(learningPathEnrolments.id, enrolment!.id));
    try {
      const page = await signedInPage(suite, 'rep@acme.test', MOBILE);
      await page.goto('/');
      await screenshotAndAudit(page, 'mobile-home-rep-overdue');
      await expect(page.getByText('1 learning path is overdue.').isVisible()).resolves.toBe(true);
      await expect(page.locator('.learning-item .badge--danger').textContent()).resolves.toBe('Overdue');
      await page.context().close();
    } finally {
      await db.update(learningPathEnrolments).set({ dueAt: enrolment!.dueAt }).where(eq(learningPathEnrolments.id, enrolment!.id));
    }
  });

  it('programme analytics: six figures in full rows, grouped bars, axe', async () => {
    for (const [viewport, size] of [
      [DESKTOP, 'desktop'],
      [MOBILE, 'mobile'],
    ] as const) {
      const page = await signedInPage(suite, 'enablement@vendor.test', viewport);
      await page.goto('/analytics');
      await screenshotAndAudit(page, `${size}-analytics-grouped`);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
      // Every row of figure cards is full: the six cards make rows of equal length.
      const tops = await page.locator('.stats--six .stat').evaluateAll((cards) => cards.map((c) => Math.round(c.getBoundingClientRect().top)));
      const perRow = [...tops.reduce((m, t) => m.set(t, (m.get(t) ?? 0) + 1), new Map<number, number>()).values()];
      expect(tops).toHaveLength(6);
      expect(new Set(perRow).size).toBe(1);
      // The demo's enrolments and completions are two bars side by side in their week, not one stacked bar.
      const lastWeek = page.locator('svg.usage-chart g').last();
      await expect(lastWeek.locator('title').textContent()).resolves.toMatch(/^Week of .*: \d+ enrolments?, \d+ completions?$/);
      const rects = await lastWeek.locator('rect:not([fill="transparent"])').evaluateAll((rs) => rs.map((r) => ({ x: Number(r.getAttribute('x')), width: Number(r.getAttribute('width')) })));
      expect(rects).toHaveLength(2);
      expect(rects[1]!.x).toBeGreaterThanOrEqual(rects[0]!.x + rects[0]!.width);
      await page.context().close();
    }
  });
});
