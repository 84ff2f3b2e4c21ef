import { describe, expect, it, jest } from '@jest/globals';
import { appAndBrowserForFile, describeWithBrowser, MOBILE, signedInPage as signedInPageOf, screenshotAndAudit } from '../helpers/browser.js';
import { importPublishedPackage } from '../helpers/courses.js';
import { packageWithPage } from '../integration/search-package.js';

jest.setTimeout(120_000);

const suite = appAndBrowserForFile();

const signedInPage = (email: string, viewport?: { width: number; height: number }) => signedInPageOf(suite, email, viewport);

const audit = screenshotAndAudit;

describeWithBrowser(describe)('learning paths in the browser', () => {
  it('the enablement manager builds a path in the editor; a matching rep sees it with progress and a due date; pages pass axe', async () => {
    const { courseId } = await importPublishedPackage(suite.app, await packageWithPage('<p>Lesson</p>'), 'Partner sales foundations');
    await importPublishedPackage(suite.app, await packageWithPage('<p>Lesson</p>'), 'Advanced pricing');

    const manager = await signedInPage('enablement@vendor.test');
    await manager.goto('/paths/manage');
    await manager.getByRole('link', { name: 'New learning path' }).first().click();
    await manager.getByLabel('Title').fill('Reseller sales track');
    await manager.getByLabel('Due period (days)').fill('30');
    await Promise.all([manager.waitForURL(/\/paths\/[0-9a-f-]{36}\/edit$/), manager.getByRole('button', { name: 'Create path' }).click()]);
    const pathId = /\/paths\/([0-9a-f-]{36})\/edit$/.exec(manager.url())![1]!;

    await manager.getByLabel('Course or asset').selectOption({ label: 'Partner sales foundations' });
    await Promise.all([manager.waitForURL(/#steps-heading$/), manager.getByRole('button', { name: 'Add step' }).click()]);
    await manager.getByLabel('Course or asset').selectOption({ label: 'Advanced pricing' });
    await manager.getByLabel('Opens only once every earlier step is complete').check();
    await Promise.all([manager.waitForURL(/#steps-heading$/), manager.getByRole('button', { name: 'Add step' }).click()]);
    await manager.getByRole('group', { name: 'Partner types' }).getByLabel('Reseller').check();
    await manager.getByRole('group', { name: 'Roles' }).getByLabel('Partner rep').check();
    await Promise.all([manager.waitForURL(/#rules-heading$/), manager.getByRole('button', { name: 'Add rule' }).click()]);
    await manager.getByLabel('Status').selectOption({ label: 'Published' });
    await Promise.all([manager.waitForURL(/#details-heading$/), manager.getByRole('button', { name: 'Save details' }).click()]);
    await expect(manager.getByRole('row', { name: /Partner types: Reseller · Roles: Partner rep/ }).count()).resolves.toBe(1);
    await audit(manager, 'desktop-path-editor');

    const rep = await signedInPage('rep@acme.test');
    await rep.goto('/paths');
    await expect(rep.getByRole('link', { name: 'Reseller sales track' }).count()).resolves.toBe(1);
    await expect(rep.getByText('0 of 2 steps complete (0%)').count()).resolves.toBe(1);
    await audit(rep, 'desktop-paths');

    await rep.goto(`/paths/${pathId}`);
    await expect(rep.getByText('Locked', { exact: true }).count()).resolves.toBe(1);
    await expect(rep.locator(`a[href="/courses/${courseId}"]`).count()).resolves.toBeGreaterThan(0);
    await audit(rep, 'desktop-path-detail');

    await rep.goto('/my/courses');
    await expect(rep.getByRole('list', { name: 'Your learning paths' }).getByRole('link', { name: 'Reseller sales track' }).count()).resolves.toBe(1);
    await audit(rep, 'desktop-my-learning-paths');

    const phone = await signedInPage('rep@acme.test', MOBILE);
    await phone.goto('/paths');
    await audit(phone, 'mobile-paths');

    await manager.goto(`/paths/${pathId}/report`);
    await expect(manager.getByRole('rowheader', { name: /Riley Nguyen/ }).count()).resolves.toBe(1);
    await audit(manager, 'desktop-path-report');
  });
});
