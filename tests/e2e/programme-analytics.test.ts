import { describe, expect, it, jest } from '@jest/globals';
import { signedInClients } from '../helpers/test-app.js';
import { appAndBrowserForFile, describeWithBrowser, signedInPage as signedInPageOf, screenshotAndAudit } from '../helpers/browser.js';
import { importPublishedPackage } from '../helpers/courses.js';
import { packageWithPage } from '../integration/search-package.js';
import { commitThroughPlayer } from '../integration/certifications-player.js';

jest.setTimeout(120_000);

const suite = appAndBrowserForFile();

const signedInPage = (email: string, viewport?: { width: number; height: number }) => signedInPageOf(suite, email, viewport);

const audit = screenshotAndAudit;

describeWithBrowser(describe)('programme analytics in the browser', () => {
  it('shows the dashboard with its chart and tables, and the readiness view with nudges; pages pass axe', async () => {
    const as = signedInClients(() => suite.app);
    const { courseId } = await importPublishedPackage(suite.app, await packageWithPage('<p>Lesson</p>'), 'Selling the platform');
    await commitThroughPlayer(await as('rep@acme.test'), courseId, { lesson_status: 'completed', score: { raw: '85', max: '100' } });
    await commitThroughPlayer(await as('rep@globex.test'), courseId, { lesson_status: 'incomplete' });

    const manager = await signedInPage('enablement@vendor.test');
    // The main navigation groups the analytics pages in a menu.
    await manager.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: /^Analytics/ }).click();
    await manager.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
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
