import { describe, expect, it, jest } from '@jest/globals';
import { DEMO_PASSWORD } from '../helpers/test-app.js';
import { appAndBrowserForFile, checkAccessibility, describeWithBrowser, formatViolations, newContext, screenshot, signInThroughForm } from '../helpers/browser.js';
import { scormFixture } from '../helpers/scorm-fixtures.js';

jest.setTimeout(90_000);

const suite = appAndBrowserForFile();

describeWithBrowser(describe)('uploading a course in the browser', () => {
  it('uploads through the form (sent by the progress script), lands on the course with its version, and shows a refusal in the form', async () => {
    const context = await newContext(suite.browser, suite.app.baseUrl);
    const page = await context.newPage();
    await signInThroughForm(page, 'enablement@vendor.test', DEMO_PASSWORD);
    // The main navigation groups the learning pages in a menu.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: /^Learning/ }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Courses' }).click();
    await page.getByRole('link', { name: 'New course from a package' }).first().click();
    expect(formatViolations(await checkAccessibility(page))).toBe('');

    await page.getByLabel('Title').fill('Golf Explained');
    await page.getByLabel('SCORM package (.zip)').setInputFiles(scormFixture('RuntimeMinimumCalls_SCORM12-mini.zip'));
    await Promise.all([
      page.waitForURL(/\/courses\/[0-9a-f-]{36}\/manage$/),
      page.getByRole('button', { name: 'Upload and create course' }).click(),
    ]);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Golf Explained');
    expect(await page.getByRole('cell', { name: 'RuntimeMinimumCalls_SCORM12-mini.zip' }).count()).toBe(1);
    await screenshot(page, 'desktop-course-manage');
    expect(formatViolations(await checkAccessibility(page))).toBe('');

    // A refused package: the message appears in the form, and the page stays.
    await page.getByLabel('SCORM package (.zip)').setInputFiles(scormFixture('badscorm.zip'));
    await page.getByRole('button', { name: 'Upload version' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/imsmanifest\.xml must be at the root of the zip/);
    await screenshot(page, 'desktop-course-upload-refused');
    await context.close();
  });
});
