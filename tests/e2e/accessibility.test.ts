import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_PASSWORD, linkIn, startTestApp, type TestApp } from '../helpers/test-app.js';
import { checkAccessibility, describeWithBrowser, formatViolations, launchBrowser, MOBILE, newContext, screenshot, signInThroughForm } from '../helpers/browser.js';

jest.setTimeout(60_000);

let app: TestApp | undefined;
let browser: Browser | undefined;
let anonymous: BrowserContext;
let vendorAdmin: Page;
let partnerRep: Page;
let acmeId: string;
let invitationLink: string;

beforeAll(async () => {
  app = await startTestApp();
  browser = await launchBrowser();
  anonymous = await newContext(browser, app.baseUrl);

  vendorAdmin = await (await newContext(browser, app.baseUrl)).newPage();
  await signInThroughForm(vendorAdmin, 'admin@vendor.test', DEMO_PASSWORD);
  partnerRep = await (await newContext(browser, app.baseUrl)).newPage();
  await signInThroughForm(partnerRep, 'rep@acme.test', DEMO_PASSWORD);

  // An open invitation, so the accept page and the organisation's invitation table both have something to show.
  await vendorAdmin.goto('/users/invite');
  await vendorAdmin.getByLabel('Organisation').selectOption({ label: 'Acme Systems' });
  await vendorAdmin.getByLabel('Email').fill('pending.person@acme.test');
  await vendorAdmin.getByLabel('Role').selectOption({ label: 'Partner marketer' });
  await Promise.all([vendorAdmin.waitForURL(/\/organisations\/[0-9a-f-]{36}$/), vendorAdmin.getByRole('button', { name: 'Send invitation' }).click()]);
  acmeId = new URL(vendorAdmin.url()).pathname.split('/').pop()!;
  invitationLink = linkIn((await app.mailTo('pending.person@acme.test'))[0]!.text, '/invitations/');
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

async function anonymousPage(): Promise<Page> {
  return anonymous.newPage();
}

/** Loads a page, checks it answered as expected, screenshots it and asserts axe finds nothing. */
async function auditPage(page: Page, path: string, name: string, expectedStatus = 200): Promise<void> {
  const res = await page.goto(path);
  expect(res?.status()).toBe(expectedStatus);
  await screenshot(page, name);
  expect(formatViolations(await checkAccessibility(page))).toBe('');
}

describeWithBrowser(describe)('accessibility (axe, WCAG 2 A/AA) and screenshots', () => {
  describe('public pages', () => {
    it('sign-in page', async () => {
      const page = await anonymousPage();
      await auditPage(page, '/login', 'desktop-login');
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sign in');
    });

    it('sign-in page with a failed attempt', async () => {
      const page = await anonymousPage();
      await page.goto('/login');
      await page.getByLabel('Email').fill('rep@acme.test');
      await page.getByLabel('Password').fill('wrong-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByRole('alert').textContent()).resolves.toContain('do not match');
      await screenshot(page, 'desktop-login-failed');
      expect(formatViolations(await checkAccessibility(page))).toBe('');
    });

    it('forgot-password page', async () => {
      const page = await anonymousPage();
      await auditPage(page, '/password/forgot', 'desktop-forgot-password');
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Reset your password');
    });

    it('invitation accept page, and its validation errors', async () => {
      const page = await anonymousPage();
      await auditPage(page, invitationLink, 'desktop-accept-invitation');
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Join Acme Systems');
      await page.getByLabel('Full name').fill('Pending Person');
      await page.getByLabel('Password', { exact: true }).fill('short');
      await page.getByLabel('Repeat the password').fill('short');
      await page.getByRole('button', { name: 'Create my account' }).click();
      await page.waitForSelector('.field__error');
      // The invalid field is described by both its hint and its error.
      const password = page.getByLabel('Password', { exact: true });
      expect(await password.getAttribute('aria-invalid')).toBe('true');
      const describedBy = (await password.getAttribute('aria-describedby'))!.split(' ');
      expect(describedBy).toContain('password-hint');
      expect(describedBy).toHaveLength(2);
      await expect(page.locator(`[id="${describedBy[1]}"]`).textContent()).resolves.toContain('at least 10 characters');
      await screenshot(page, 'desktop-accept-invitation-errors');
      expect(formatViolations(await checkAccessibility(page))).toBe('');
    });

    it('not-found page when signed out', async () => {
      const page = await anonymousPage();
      await auditPage(page, '/no/such/page', 'desktop-404-signed-out', 404);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Not found');
      // The message is shown once, not repeated in an alert above the page.
      expect(await page.getByText('We could not find that page', { exact: false }).count()).toBe(1);
      expect(await page.getByRole('link', { name: 'Go to sign-in' }).getAttribute('href')).toBe('/login');
    });
  });

  describe('vendor admin pages', () => {
    it.each([
      ['/', 'desktop-dashboard-vendor-admin', 'Welcome back, Avery'],
      ['/organisations', 'desktop-organisations', 'Organisations'],
      ['/users', 'desktop-users', 'Users'],
      ['/users/invite', 'desktop-invite', 'Invite a user'],
      ['/profile', 'desktop-profile', 'Your profile'],
      ['/settings/tiers', 'desktop-settings-tiers', 'Partner tiers'],
    ])('%s', async (path, name, heading) => {
      await auditPage(vendorAdmin, path, name);
      await expect(vendorAdmin.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(heading);
    });

    it('organisation detail, with its people and open invitation', async () => {
      await auditPage(vendorAdmin, `/organisations/${acmeId}`, 'desktop-organisation-detail');
      await expect(vendorAdmin.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Acme Systems');
      await expect(vendorAdmin.getByRole('table', { name: 'Invitations to Acme Systems' }).textContent()).resolves.toContain('pending.person@acme.test');
    });

    it('user detail', async () => {
      await vendorAdmin.goto('/users?q=rep%40acme.test');
      await Promise.all([vendorAdmin.waitForURL(/\/users\/[0-9a-f-]{36}$/), vendorAdmin.getByRole('link', { name: 'Riley Nguyen' }).click()]);
      await auditPage(vendorAdmin, new URL(vendorAdmin.url()).pathname, 'desktop-user-detail');
      await expect(vendorAdmin.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Riley Nguyen');
    });

    it('invite form with validation errors', async () => {
      await vendorAdmin.goto('/users/invite');
      await vendorAdmin.getByLabel('Email').fill('not-an-email');
      await vendorAdmin.getByRole('button', { name: 'Send invitation' }).click();
      await vendorAdmin.waitForSelector('.field__error');
      const role = vendorAdmin.getByLabel('Role');
      expect(await role.getAttribute('aria-invalid')).toBe('true');
      const describedBy = (await role.getAttribute('aria-describedby'))!.split(' ');
      expect(describedBy[0]).toBe('role-hint');
      await expect(vendorAdmin.locator('#role-hint').textContent()).resolves.toContain('Vendor roles can only be given');
      await expect(vendorAdmin.locator(`[id="${describedBy[1]}"]`).textContent()).resolves.toContain('choose a role');
      await screenshot(vendorAdmin, 'desktop-invite-errors');
      expect(formatViolations(await checkAccessibility(vendorAdmin))).toBe('');
    });

    it('a tier row saves both its fields from their own columns', async () => {
      await vendorAdmin.goto('/settings/tiers');
      await vendorAdmin.getByLabel('Name of tier registered').fill('Registered partner');
      await vendorAdmin.getByLabel('Rank of tier registered').fill('5');
      await Promise.all([vendorAdmin.waitForURL((url) => url.pathname === '/settings/tiers'), vendorAdmin.getByRole('button', { name: 'Save tier Registered' }).click()]);
      await expect(vendorAdmin.getByRole('status').first().textContent()).resolves.toContain('Tier "Registered partner" saved.');
      expect(await vendorAdmin.getByLabel('Name of tier registered').inputValue()).toBe('Registered partner');
      expect(await vendorAdmin.getByLabel('Rank of tier registered').inputValue()).toBe('5');
      // Each row's inputs line up under their column headers.
      const nameHeader = await vendorAdmin.getByRole('columnheader', { name: 'Name' }).boundingBox();
      const rankHeader = await vendorAdmin.getByRole('columnheader', { name: 'Rank' }).boundingBox();
      for (const key of ['silver', 'gold', 'platinum']) {
        expect(Math.abs((await vendorAdmin.getByLabel(`Name of tier ${key}`).boundingBox())!.x - nameHeader!.x)).toBeLessThan(24);
        expect(Math.abs((await vendorAdmin.getByLabel(`Rank of tier ${key}`).boundingBox())!.x - rankHeader!.x)).toBeLessThan(24);
      }
      await screenshot(vendorAdmin, 'desktop-settings-tiers-saved');
    });

    it('not-found page when signed in', async () => {
      await auditPage(vendorAdmin, `/organisations/00000000-0000-4000-8000-000000000000`, 'desktop-404-signed-in', 404);
      await expect(vendorAdmin.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Not found');
    });
  });

  describe('partner rep pages', () => {
    it('dashboard', async () => {
      await auditPage(partnerRep, '/', 'desktop-dashboard-partner-rep');
      await expect(partnerRep.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Welcome back, Riley');
    });

    it('own organisation', async () => {
      await partnerRep.goto('/');
      await Promise.all([partnerRep.waitForURL(/\/organisations\/[0-9a-f-]{36}$/), partnerRep.getByRole('link', { name: 'My organisation' }).click()]);
      await auditPage(partnerRep, new URL(partnerRep.url()).pathname, 'desktop-organisation-partner-rep');
      await expect(partnerRep.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Acme Systems');
    });
  });

  describe('mobile width (390x844)', () => {
    it('sign-in page fits the screen without horizontal scrolling', async () => {
      const context = await newContext(browser!, app!.baseUrl, { viewport: MOBILE, isMobile: true, hasTouch: true });
      const page = await context.newPage();
      await auditPage(page, '/login', 'mobile-login');
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(MOBILE.width);
      await context.close();
    });

    it.each([
      ['admin@vendor.test', 'mobile-dashboard-vendor-admin'],
      ['rep@acme.test', 'mobile-dashboard-partner-rep'],
    ])('dashboard for %s fits the screen without horizontal scrolling', async (email, name) => {
      const context = await newContext(browser!, app!.baseUrl, { viewport: MOBILE, isMobile: true, hasTouch: true });
      const page = await context.newPage();
      await signInThroughForm(page, email, DEMO_PASSWORD);
      await auditPage(page, '/', name);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(MOBILE.width);
      // The sign-out button stays reachable on a phone, and the header stays compact (brand and user, then navigation).
      expect(await page.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);
      expect((await page.getByRole('banner').boundingBox())!.height).toBeLessThan(130);
      await context.close();
    });
  });

  describe('keyboard', () => {
    /** The focused element's tag, name and outline, as a keyboard user would see it. */
    async function focused(page: Page) {
      return page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        const style = el ? getComputedStyle(el) : null;
        const box = el?.getBoundingClientRect();
        return {
          tag: el?.tagName.toLowerCase(),
          id: el?.id,
          text: el?.textContent?.trim(),
          outlineStyle: style?.outlineStyle,
          outlineWidth: parseFloat(style?.outlineWidth ?? '0'),
          inViewport: box ? box.top >= 0 && box.bottom <= window.innerHeight && box.width > 0 : false,
        };
      });
    }

    it('Tab moves through the sign-in form with a visible focus ring', async () => {
      const page = await anonymousPage();
      await page.goto('/login');
      // The field is autofocused; start Tab navigation from the heading above the form instead.
      expect((await focused(page)).id).toBe('email');
      await page.getByRole('heading', { level: 1 }).click();
      expect((await focused(page)).tag).toBe('body');
      await page.keyboard.press('Tab');
      expect(await focused(page)).toMatchObject({ tag: 'input', id: 'email', outlineStyle: 'solid', inViewport: true });
      expect((await focused(page)).outlineWidth).toBeGreaterThanOrEqual(2);
      await page.keyboard.press('Tab');
      expect(await focused(page)).toMatchObject({ tag: 'input', id: 'password', outlineStyle: 'solid' });
      await page.keyboard.press('Tab');
      const button = await focused(page);
      expect(button).toMatchObject({ tag: 'button', text: 'Sign in', outlineStyle: 'solid' });
      expect(button.outlineWidth).toBeGreaterThanOrEqual(2);
      await screenshot(page, 'desktop-login-focus-button');

      // And the form works from the keyboard alone.
      await page.getByLabel('Email').focus();
      await page.keyboard.type('rep@acme.test');
      await page.keyboard.press('Tab');
      await page.keyboard.type(DEMO_PASSWORD);
      await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.keyboard.press('Enter')]);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Welcome back, Riley');
    });

    it('the first Tab on a signed-in page shows the skip link, which moves focus to the content', async () => {
      const context = await newContext(browser!, app!.baseUrl);
      const page = await context.newPage();
      await signInThroughForm(page, 'admin@acme.test', DEMO_PASSWORD);
      await page.keyboard.press('Tab');
      const skip = await focused(page);
      expect(skip).toMatchObject({ tag: 'a', text: 'Skip to content', outlineStyle: 'solid', inViewport: true });
      await screenshot(page, 'desktop-skip-link-focused');
      await page.keyboard.press('Enter');
      expect((await focused(page)).id).toBe('main');
      await context.close();
    });
  });
});
