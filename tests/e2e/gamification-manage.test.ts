import { describe, expect, it, jest } from '@jest/globals';
import { appAndBrowserForFile, describeWithBrowser, screenshotAndAudit, signedInPage } from '../helpers/browser.js';

jest.setTimeout(120_000);

const suite = appAndBrowserForFile();

describeWithBrowser(describe)('editing and deleting seasons and badges in the browser', () => {
  it('edits a season, refuses an unconfirmed delete, then deletes it; edits a badge; pages pass axe', async () => {
    const page = await signedInPage(suite, 'enablement@vendor.test');
    await page.goto('/leaderboards/manage');
    await page.getByLabel('Name').first().fill('Autumn push');
    await page.getByLabel('First day').fill('2031-09-01');
    await page.getByLabel('Last day').fill('2031-11-30');
    await Promise.all([page.waitForURL(/#seasons-heading$/), page.getByRole('button', { name: 'Create season' }).click()]);

    await Promise.all([page.waitForURL(/\/leaderboards\/seasons\/[0-9a-f-]{36}\/edit$/), page.getByRole('link', { name: 'Edit or delete season Autumn push' }).click()]);
    await screenshotAndAudit(page, 'desktop-gamification-edit-season');
    await page.getByLabel('Name').fill('Autumn sprint');
    await Promise.all([page.waitForURL(/#seasons-heading$/), page.getByRole('button', { name: 'Save season' }).click()]);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Season “Autumn sprint” saved.');

    await page.getByRole('link', { name: 'Edit or delete season Autumn sprint' }).click();
    // Without the box ticked the server refuses (the form does not rely on the browser's own validation).
    await page.locator('form[action$="/delete"]').evaluate((form) => form.setAttribute('novalidate', ''));
    await page.getByRole('button', { name: 'Delete season' }).click();
    await expect(page.getByRole('alert').first().textContent()).resolves.toContain('was not deleted');
    await expect(page.getByText('tick the box to confirm the deletion').count()).resolves.toBe(1);
    await screenshotAndAudit(page, 'desktop-gamification-delete-season-unconfirmed');
    await page.getByLabel('Yes, delete the season “Autumn sprint”').check();
    await Promise.all([page.waitForURL(/#seasons-heading$/), page.getByRole('button', { name: 'Delete season' }).click()]);
    await expect(page.getByRole('status').textContent()).resolves.toContain('deleted');
    await expect(page.getByRole('link', { name: /Autumn sprint/ }).count()).resolves.toBe(0);

    await page.locator('form[action="/leaderboards/badges"]').getByLabel('Name').fill('Team player');
    await page.getByLabel('Counts').selectOption({ label: 'Points (all time)' });
    await page.getByLabel('At least').fill('5000');
    await Promise.all([page.waitForURL(/#badges-heading$/), page.getByRole('button', { name: 'Create badge' }).click()]);
    await page.getByRole('link', { name: 'Edit or delete badge Team player' }).click();
    await screenshotAndAudit(page, 'desktop-gamification-edit-badge');
    await page.getByLabel('At least').fill('6000');
    await Promise.all([page.waitForURL(/#badges-heading$/), page.getByRole('button', { name: 'Save badge' }).click()]);
    await expect(page.getByRole('row', { name: /Team player/ }).textContent()).resolves.toContain('6,000');
    await screenshotAndAudit(page, 'desktop-gamification-manage');
    await page.context().close();
  });
});
