import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../helpers/test-app.js';
import { checkAccessibility, describeWithBrowser, launchBrowser, newContext, signInThroughForm } from '../helpers/browser.js';
import { importPublishedPackage } from '../helpers/courses.js';
import { packageWithPage } from './search-package.js';

/** The search box's suggestions (an ARIA combobox) and the results page, in a real Chromium. */

jest.setTimeout(120_000);

let app: TestApp | undefined;
let browser: Browser | undefined;

describeWithBrowser(describe)('search in the browser', () => {
  beforeAll(async () => {
    app = await startTestApp();
    for (const title of ['Partner Onboarding Essentials', 'Partner Pricing Playbook']) await importPublishedPackage(app, await packageWithPage('<p>Lesson</p>'), title);
    await app.drainSearchOutbox();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  async function signedIn(email: string): Promise<Page> {
    const page = await (await newContext(browser!, app!.baseUrl)).newPage();
    await signInThroughForm(page, email, DEMO_PASSWORD);
    return page;
  }

  it('suggests titles as you type, moves with the arrow keys, closes on Escape and searches on Enter', async () => {
    const page = await signedIn('rep@acme.test');
    const box = page.getByRole('combobox', { name: 'Search assets and courses' });
    await expect(box.getAttribute('aria-expanded')).resolves.toBe('false');
    await box.pressSequentially('partnr onbo');
    const listbox = page.getByRole('listbox', { name: 'Suggestions' });
    await listbox.waitFor();
    expect(await listbox.getByRole('option').allTextContents()).toEqual(['Partner Onboarding Essentials']);
    await expect(box.getAttribute('aria-expanded')).resolves.toBe('true');

    await box.press('Escape');
    await listbox.waitFor({ state: 'hidden' });
    await expect(box.getAttribute('aria-expanded')).resolves.toBe('false');

    await box.press('ArrowDown');
    await box.press('ArrowDown');
    const active = await box.getAttribute('aria-activedescendant');
    expect(active).toBeTruthy();
    await expect(page.locator(`#${active}`).getAttribute('aria-selected')).resolves.toBe('true');
    await Promise.all([page.waitForURL((url) => url.pathname === '/search'), box.press('Enter')]);
    expect(new URL(page.url()).searchParams.get('q')).toBe('Partner Onboarding Essentials');
    expect(await page.locator('.search-hit__title').first().textContent()).toBe('Partner Onboarding Essentials');
    expect(await page.locator('.search-hit__title mark').allTextContents()).toEqual(['Partner', 'Onboarding', 'Essentials']);
    expect(await checkAccessibility(page)).toEqual([]);
  });

  it('filters with the facet checkboxes', async () => {
    const page = await signedIn('admin@vendor.test');
    await page.goto('/search?q=partner');
    expect(await page.locator('.search-hit').count()).toBe(2);
    const type = page.getByRole('group', { name: 'Type' });
    await type.getByLabel(/^Course/).check();
    await Promise.all([page.waitForURL((url) => url.searchParams.get('kind') === 'course'), page.getByRole('button', { name: 'Apply filters' }).click()]);
    expect(await page.locator('.search-hit').count()).toBe(2);
    expect(await page.getByRole('group', { name: 'Type' }).getByLabel(/^Course/).isChecked()).toBe(true);
    expect(await checkAccessibility(page)).toEqual([]);
  });
});
