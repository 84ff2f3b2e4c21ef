import { describe, expect, it, jest } from '@jest/globals';
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../helpers/test-app.js';
import { appAndBrowserForFile, checkAccessibility, describeWithBrowser, formatViolations, newContext, screenshot, signInThroughForm } from '../helpers/browser.js';
import { solidPng, textPdf } from '../helpers/assets.js';

jest.setTimeout(120_000);

const suite = appAndBrowserForFile();

/** A full-page screenshot in /tmp as well, for looking at by hand. */
async function keepScreenshot(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  await page.screenshot({ path: `/tmp/${name}.png`, fullPage: true, animations: 'disabled' });
}

describeWithBrowser(describe)('the content library in the browser', () => {
  it('bulk-uploads three files (two succeed, one shows its own error), shows them in the grid with previews, all pages axe-clean', async () => {
    const context = await newContext(suite.browser, suite.app.baseUrl);
    const page = await context.newPage();
    await signInThroughForm(page, 'enablement@vendor.test', DEMO_PASSWORD);
    // The main navigation groups the library's pages in a menu.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: /^Library/ }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Library', exact: true }).click();
    await page.waitForURL(/\/library$/);
    await page.getByRole('link', { name: 'Bulk upload' }).click();
    await page.waitForURL(/\/library\/upload$/);
    expect(formatViolations(await checkAccessibility(page))).toBe('');

    await page.getByLabel('Category').selectOption({ label: 'Brochure' });
    await page.getByLabel('Tags').fill('launch, 2027');
    await page.getByLabel('Files').setInputFiles([
      { name: 'Firewall brochure.pdf', mimeType: 'application/pdf', buffer: await textPdf(['Firewall brochure for partners']) },
      { name: 'Launch banner.png', mimeType: 'image/png', buffer: await solidPng(1200, 400, '#9b1c4a') },
      { name: 'Broken chart.png', mimeType: 'image/png', buffer: (await solidPng(800, 600)).subarray(0, 300) },
    ]);
    await page.getByRole('button', { name: 'Upload files' }).click();
    await page.getByText('2 of 3 uploaded').waitFor({ timeout: 60_000 });
    const items = page.locator('.bulk-item');
    await expect(items.filter({ hasText: 'Firewall brochure.pdf' }).getByRole('link').textContent()).resolves.toContain('Uploaded');
    await expect(items.filter({ hasText: 'Launch banner.png' }).getByRole('link').textContent()).resolves.toContain('Uploaded');
    await expect(items.filter({ hasText: 'Broken chart.png' }).textContent()).resolves.toMatch(/Not uploaded: This PNG file cannot be read/);
    await keepScreenshot(page, 'library-bulk-upload');
    expect(formatViolations(await checkAccessibility(page))).toBe('');

    await suite.app.drainSearchOutbox();
    await page.goto('/library');
    const cards = page.locator('.asset-grid .course-card');
    await expect(cards.count()).resolves.toBe(2);
    await expect(page.locator('.asset-grid .course-card img').count()).resolves.toBe(2);
    // Every preview actually loaded as an image.
    await page.waitForFunction(() => Array.from(document.querySelectorAll<HTMLImageElement>('.asset-grid .course-card img')).every((img) => img.complete && img.naturalWidth > 0));
    await keepScreenshot(page, 'library-grid');
    expect(formatViolations(await checkAccessibility(page))).toBe('');

    // A facet narrows the grid, without JavaScript being needed (a GET form).
    await page.getByRole('checkbox', { name: /^PDF/ }).check();
    await Promise.all([page.waitForURL(/format=pdf/), page.getByRole('button', { name: 'Apply filters' }).click()]);
    await expect(cards.count()).resolves.toBe(1);

    await cards.first().getByRole('link').click();
    await page.waitForURL(/\/library\/assets\/[0-9a-f-]{36}$/);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Firewall brochure');
    await keepScreenshot(page, 'library-detail');
    expect(formatViolations(await checkAccessibility(page))).toBe('');

    await page.goto('/library/new');
    expect(formatViolations(await checkAccessibility(page))).toBe('');
    await page.goto('/library/tags');
    expect(formatViolations(await checkAccessibility(page))).toBe('');
  });
});
