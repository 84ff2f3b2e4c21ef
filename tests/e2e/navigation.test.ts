import { describe, expect, it, jest } from '@jest/globals';
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../helpers/test-app.js';
import { appAndBrowserForFile, describeWithBrowser, DESKTOP, MOBILE, screenshot, screenshotAndAudit, signedInPage } from '../helpers/browser.js';

jest.setTimeout(120_000);

const suite = appAndBrowserForFile();

const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Main' });
const bannerHeight = async (page: Page) => (await page.getByRole('banner').boundingBox())!.height;
/** Waits for a group's button to report the state (the toggle event that updates it comes just after the click). */
const expanded = (page: Page, group: string, value: 'true' | 'false') =>
  page.waitForFunction(([id, v]) => document.querySelector(`summary[aria-controls="${id}"]`)?.getAttribute('aria-expanded') === v, [`navmenu-${group}`, value] as const, { timeout: 5_000 });
const focusedText = (page: Page) => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');

describeWithBrowser(describe)('main navigation', () => {
  it('keeps the vendor admin header (the most links) to one row at 1280 px, and compact at 1024 px', async () => {
    const page = await signedInPage(suite, 'admin@vendor.test', DESKTOP);
    // One row: the brand, the navigation, the search box and the user menu share a line (the brand is 2rem high).
    expect(await bannerHeight(page)).toBeLessThan(70);
    const top = async (selector: string) => (await page.locator(selector).first().boundingBox())!.y;
    const navTop = await top('.mainnav');
    expect(Math.abs((await top('.usermenu')) - navTop)).toBeLessThan(20);
    expect(Math.abs((await top('.topsearch')) - navTop)).toBeLessThan(20);
    await screenshotAndAudit(page, 'nav-desktop-1280-vendor-admin');

    // At 1024 px the navigation takes its own row under the brand, search and user menu: two rows, never three.
    await page.setViewportSize({ width: 1024, height: 800 });
    expect(await bannerHeight(page)).toBeLessThan(125);
    expect(await top('.mainnav')).toBeGreaterThan(await top('.brand'));
    expect(Math.abs((await top('.usermenu')) - (await top('.brand')))).toBeLessThan(20);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);
    await screenshot(page, 'nav-desktop-1024-vendor-admin');
    await page.context().close();
  });

  it('opens and closes the group menus with the keyboard, exposing aria-expanded, and marks the current page', async () => {
    const page = await signedInPage(suite, 'admin@vendor.test', DESKTOP);
    await page.goto('/analytics/readiness');
    const analytics = mainNav(page).getByRole('button', { name: /^Analytics/ });
    const learning = mainNav(page).getByRole('button', { name: /^Learning/ });
    await expect(analytics.getAttribute('aria-expanded')).resolves.toBe('false');
    await expect(analytics.getAttribute('aria-controls')).resolves.toBe('navmenu-analytics');
    // The group holding the current page says so; the link itself carries aria-current.
    await expect(analytics.textContent()).resolves.toContain('current section');
    await expect(page.locator('#navmenu-analytics a[aria-current="page"]').textContent()).resolves.toBe('Readiness');
    await expect(page.locator('.mainnav [aria-current="page"]').count()).resolves.toBe(1);
    const readiness = mainNav(page).getByRole('link', { name: 'Readiness' });
    expect(await readiness.isVisible()).toBe(false);

    // Enter opens the menu; Tab moves into it.
    await analytics.focus();
    await page.keyboard.press('Enter');
    await expanded(page, 'analytics', 'true');
    expect(await readiness.isVisible()).toBe(true);
    await page.keyboard.press('Tab');
    await expect(focusedText(page)).resolves.toBe('Dashboard');
    await screenshotAndAudit(page, 'nav-desktop-1280-menu-open');

    // Escape closes it and returns focus to its button.
    await page.keyboard.press('Escape');
    await expanded(page, 'analytics', 'false');
    expect(await readiness.isVisible()).toBe(false);
    await expect(focusedText(page)).resolves.toMatch(/^Analytics/);

    // Space opens another; one menu is open at a time; a click elsewhere closes it.
    await learning.focus();
    await page.keyboard.press('Space');
    await expanded(page, 'learning', 'true');
    await analytics.click();
    await expanded(page, 'analytics', 'true');
    await expanded(page, 'learning', 'false');
    await page.getByRole('heading', { level: 1 }).click();
    await expanded(page, 'analytics', 'false');

    // A link in a menu navigates.
    await learning.click();
    await Promise.all([page.waitForURL(/\/leaderboards\/manage$/), mainNav(page).getByRole('link', { name: 'Points and badges' }).click()]);
    await expect(page.locator('#navmenu-learning a[aria-current="page"]').textContent()).resolves.toBe('Points and badges');
    await page.context().close();
  });

  it('reaches every group without JavaScript (native disclosure)', async () => {
    const context = await suite.browser.newContext({ baseURL: suite.app.baseUrl, viewport: DESKTOP, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto('/login');
    await page.getByLabel('Email').fill('admin@vendor.test');
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.getByRole('button', { name: 'Sign in' }).click()]);
    const usage = mainNav(page).getByRole('link', { name: 'Usage reports' });
    expect(await usage.isVisible()).toBe(false);
    await page.locator('summary', { hasText: 'Library' }).click();
    expect(await usage.isVisible()).toBe(true);
    await Promise.all([page.waitForURL(/\/library\/reports$/), usage.click()]);
    await context.close();
  });

  it.each([
    ['admin@acme.test', 'partner-admin'],
    ['rep@acme.test', 'partner-rep'],
  ])('keeps the header for %s to one row at 1280 px', async (email, name) => {
    const page = await signedInPage(suite, email, DESKTOP);
    expect(await bannerHeight(page)).toBeLessThan(70);
    await screenshotAndAudit(page, `nav-desktop-1280-${name}`);
    await page.context().close();
  });

  it.each([
    ['admin@vendor.test', 'vendor-admin'],
    ['admin@acme.test', 'partner-admin'],
    ['rep@acme.test', 'partner-rep'],
  ])('on a phone, %s gets a compact header whose menus open as a sheet', async (email, name) => {
    const context = await suite.browser.newContext({ baseURL: suite.app.baseUrl, viewport: MOBILE, isMobile: true, hasTouch: true, locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto('/login');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.getByRole('button', { name: 'Sign in' }).click()]);
    expect(await bannerHeight(page)).toBeLessThan(130);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(MOBILE.width);
    expect(await mainNav(page).locator('.mainnav__search a').isVisible()).toBe(true);
    // Every entry fits the row: nothing hides past the edge (the row would scroll sideways on a narrower screen).
    expect(await page.locator('.mainnav > ul').evaluate((ul) => ul.scrollWidth - ul.clientWidth)).toBeLessThanOrEqual(0);
    await screenshotAndAudit(page, `nav-mobile-${name}`);
    const learning = mainNav(page).getByRole('button', { name: /^Learning/ });
    await learning.click();
    await expanded(page, 'learning', 'true');
    const menu = page.locator('#navmenu-learning');
    const box = (await menu.boundingBox())!;
    // The sheet is inside the screen and not clipped by the sideways-scrolling row.
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(MOBILE.width);
    expect(box.height).toBeGreaterThan(100);
    await expect(menu.getByRole('link', { name: 'Leaderboards' }).isVisible()).resolves.toBe(true);
    await screenshotAndAudit(page, `nav-mobile-${name}-menu-open`);
    await context.close();
  });
});
