import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { eq } from 'drizzle-orm';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../helpers/test-app.js';
import { TestClient } from '../helpers/http-client.js';
import { textPdf, uploadAsset } from '../helpers/assets.js';
import { checkAccessibility, describeWithBrowser, formatViolations, launchBrowser, MOBILE, newContext, screenshot, signInThroughForm } from '../helpers/browser.js';
import { recordAssetEvent } from '../../assets/library/usage-events.repository.js';
import { organisations } from '../../server/organisations/organisations.table.js';
import { users } from '../../server/users/users.table.js';

jest.setTimeout(90_000);

/** The library usage page in Chromium: a month of activity, axe on the vendor and partner-admin views, screenshots. */

let app: TestApp | undefined;
let browser: Browser | undefined;

const TITLES = ['Firewall brochure', 'Partner pricing sheet', 'Cloud migration case study', 'Logo pack', 'Webinar deck', 'Security whitepaper', 'Unused datasheet'];

beforeAll(async () => {
  app = await startTestApp();
  const db = app.deps.database.db;
  const manager = new TestClient(app.baseUrl);
  await manager.signIn('enablement@vendor.test', DEMO_PASSWORD);
  const assetIds: string[] = [];
  for (const title of TITLES) assetIds.push(await uploadAsset(manager, { filename: 'sheet.pdf', bytes: await textPdf([title]), fields: { title } }));

  // A month of partner activity, varied but fixed (a simple generator, so every run draws the same chart).
  const people = await db
    .select({ id: users.id, organisationId: users.organisationId })
    .from(users)
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .where(eq(organisations.kind, 'partner'));
  let seed = 7;
  // Park–Miller: exact in doubles, and the same sequence every run.
  const next = (n: number) => (seed = (seed * 48271) % 2147483647) % n;
  const now = app.deps.clock().getTime();
  for (let day = 0; day < 30; day++) {
    const events = 2 + next(6) + (day % 7 < 2 ? 4 : 0);
    for (let i = 0; i < events; i++) {
      const person = people[next(people.length)]!;
      const asset = assetIds[next(assetIds.length - 1)]!;
      const kind = (['view', 'view', 'view', 'download', 'download', 'render'] as const)[next(6)]!;
      await recordAssetEvent(db, { kind, assetId: asset, assetVersionId: null, userId: person.id, organisationId: person.organisationId, occurredAt: new Date(now - day * 86_400_000 - next(3_600_000)) });
    }
  }
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

async function signedInPage(email: string, options = {}): Promise<Page> {
  const page = await (await newContext(browser!, app!.baseUrl, options)).newPage();
  await signInThroughForm(page, email, DEMO_PASSWORD);
  return page;
}

describeWithBrowser(describe)('library usage report in a browser', () => {
  it('enablement: chart with a title per bar, tables, no axe violations', async () => {
    const page = await signedInPage('enablement@vendor.test');
    const res = await page.goto('/library/reports');
    expect(res?.status()).toBe(200);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Library usage');
    await expect(page.getByRole('img', { name: /^Library use per day/ }).count()).resolves.toBe(1);
    await expect(page.locator('svg.usage-chart g > title').count()).resolves.toBe(30);
    await expect(page.locator('svg.usage-chart g > title').last().textContent()).resolves.toMatch(/^\w{3} \d{1,2} \w{3} \d{4}: \d+ views?, \d+ downloads?, \d+ co-branded renders?$/);
    await expect(page.getByRole('table', { name: /Most used assets/ }).locator('tbody tr').count()).resolves.toBe(6);
    await expect(page.getByRole('table', { name: /Assets not used/ }).textContent()).resolves.toContain('Unused datasheet');
    await page.screenshot({ path: '/tmp/usage-report.png', fullPage: true, animations: 'disabled' });
    expect(formatViolations(await checkAccessibility(page))).toBe('');

    // The numbers behind the chart, opened.
    await page.getByText('Numbers per day').click();
    await expect(page.getByRole('table', { name: 'Library use per day' }).locator('tbody tr').count()).resolves.toBe(30);
    expect(formatViolations(await checkAccessibility(page))).toBe('');
  });

  it('filters through the form: 90 days by week, downloads only', async () => {
    const page = await signedInPage('admin@vendor.test');
    await page.goto('/library/reports');
    await page.getByLabel('Period').selectOption({ label: 'Last 90 days' });
    await page.getByLabel('Activity').selectOption({ label: 'Downloads' });
    await Promise.all([page.waitForURL(/period=90/), page.getByRole('button', { name: 'Show' }).click()]);
    await expect(page.getByRole('img', { name: /^Library use per week/ }).count()).resolves.toBe(1);
    // The date fields show the days the chosen period covers, not the ones the previous page sent.
    const firstDay = new Date(app!.deps.clock().getTime() - 89 * 86_400_000).toISOString().slice(0, 10);
    await expect(page.getByLabel('From').inputValue()).resolves.toBe(firstDay);
    await expect(page.locator('svg.usage-chart g > title').first().textContent()).resolves.toMatch(/^Week of .*: \d+ downloads?$/);
    await screenshot(page, 'desktop-library-usage-90-days');
    expect(formatViolations(await checkAccessibility(page))).toBe('');
  });

  it("a partner admin's page, on a phone", async () => {
    const page = await signedInPage('admin@acme.test', { viewport: MOBILE });
    await page.goto('/library/reports');
    await expect(page.getByRole('heading', { level: 2, name: 'Assets nobody at Acme Systems used' }).count()).resolves.toBe(1);
    await expect(page.getByLabel('Organisation').count()).resolves.toBe(0);
    await expect(page.locator('main').textContent()).resolves.not.toMatch(/Globex|Initech/);
    await screenshot(page, 'mobile-library-usage-partner-admin');
    expect(formatViolations(await checkAccessibility(page))).toBe('');
  });
});
