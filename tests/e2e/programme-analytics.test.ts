import { describe, expect, it, jest } from '@jest/globals';
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD, signedInClients } from '../helpers/test-app.js';
import { appAndBrowserForFile, checkAccessibility, describeWithBrowser, formatViolations, newContext, screenshot, signInThroughForm } from '../helpers/browser.js';
import { importPublishedPackage } from '../helpers/courses.js';
import { packageWithPage } from '../integration/search-package.js';
import { commitThroughPlayer } from '../integration/certifications-player.js';

jest.setTimeout(120_000);

const suite = appAndBrowserForFile();

async function signedInPage(email: string): Promise<Page> {
  const page = await (await newContext(suite.browser, suite.app.baseUrl)).newPage();
  await signInThroughForm(page, email, DEMO_PASSWORD);
  return page;
}

async function audit(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  expect(formatViolations(await checkAccessibility(page))).toBe('');
}

describeWithBrowser(describe)('programme analytics in the browser', () => {
  it('shows the dashboard with its chart and tables, and the readiness view with nudges; pages pass axe', async () => {
    const as = signedInClients(() => suite.app);
    const { courseId } = await importPublishedPackage(suite.app, await packageWithPage('<p>Lesson</p>'), 'Selling the platform');
    await commitThroughPlayer(await as('rep@acme.test'), courseId, { lesson_status: 'completed', score: { raw: '85', max: '100' } });
    await commitThroughPlayer(await as('rep@globex.test'), courseId, { lesson_status: 'incomplete' });

    const manager = await signedInPage('enablement@vendor.test');
    await manager.getByRole('link', { name: 'Analytics' }).click();
    await manager.waitForURL(/\/analytics$/);
    await expect(manager.getByRole('img', { name: /Enrolments and completions per week/ }).count()).resolves.toBe(1);
    await expect(manager.getByRole('row', { name: /Selling the platform 2 1 50% 85%/ }).count()).resolves.toBe(1);
    await audit(manager, 'desktop-analytics-dashboard');

    await manager.getByRole('link', { name: 'Readiness' }).click();
    await manager.waitForURL(/\/analytics\/readiness$/);
    await Promise.all([manager.waitForURL(/\/analytics\/readiness$/), manager.getByRole('button', { name: 'Nudge the partner admins of Acme Systems' }).click()]);
    await expect(manager.getByText('Nudge sent to the partner admin of Acme Systems.').count()).resolves.toBe(1);
    await audit(manager, 'desktop-analytics-readiness');

    const admin = await signedInPage('admin@acme.test');
    await admin.goto('/analytics');
    await expect(admin.getByText('Globex').count()).resolves.toBe(0);
    await audit(admin, 'desktop-analytics-partner-admin');
  });
});
