import { describe, expect, it, jest } from '@jest/globals';
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD, linkIn } from '../helpers/test-app.js';
import { appAndBrowserForFile, describeWithBrowser, newContext, screenshot, signInThroughForm } from '../helpers/browser.js';

jest.setTimeout(60_000);

const suite = appAndBrowserForFile();

/** Polls the mailbox the dev transport writes to until a message arrives. */
async function waitForMail(address: string): Promise<{ subject: string; text: string }[]> {
  for (let i = 0; i < 50; i++) {
    const mail = await suite.app.mailTo(address);
    if (mail.length > 0) return mail;
    await new Promise((r) => setTimeout(r, 100));
  }
  return suite.app.mailTo(address);
}

async function signOut(page: Page): Promise<void> {
  await Promise.all([page.waitForURL((url) => url.pathname === '/login'), page.getByRole('button', { name: 'Sign out' }).click()]);
}

/** Opens the invitation link in a fresh context (no cookies), accepts it, and returns the page, signed in. */
async function acceptInvitation(link: string, name: string, password: string, expectedHeading: string): Promise<Page> {
  const context = await newContext(suite.browser, suite.app.baseUrl);
  const page = await context.newPage();
  const res = await page.goto(link);
  expect(res?.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(expectedHeading);

  // A mismatched repeat is refused and keeps us on the page with the error next to the field.
  await page.getByLabel('Full name').fill(name);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Repeat the password').fill(`${password}-typo`);
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Create my account' }).click()]);
  await page.waitForSelector('.field__error');
  expect(new URL(page.url()).pathname).toBe(link);
  expect(await page.getByLabel('Repeat the password').getAttribute('aria-invalid')).toBe('true');

  await page.getByLabel('Full name').fill(name);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Repeat the password').fill(password);
  await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.getByRole('button', { name: 'Create my account' }).click()]);
  return page;
}

describeWithBrowser(describe)('invitation flow in a browser', () => {
  it('a vendor admin invites a partner rep into Acme Systems, who accepts, signs out and signs in again', async () => {
    const adminContext = await newContext(suite.browser, suite.app.baseUrl);
    const admin = await adminContext.newPage();
    await signInThroughForm(admin, 'admin@vendor.test', DEMO_PASSWORD);
    await expect(admin.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Welcome back, Avery');

    await admin.getByRole('link', { name: 'Invite someone' }).first().click();
    await admin.waitForURL((url) => url.pathname === '/users/invite');
    await admin.getByLabel('Organisation').selectOption({ label: 'Acme Systems' });
    await admin.getByLabel('Email').fill('Casey.Brooks@Acme.test');
    await admin.getByLabel('Name').fill('Casey Brooks');
    await admin.getByLabel('Role').selectOption({ label: 'Partner rep' });
    await Promise.all([admin.waitForURL(/\/organisations\/[0-9a-f-]{36}$/), admin.getByRole('button', { name: 'Send invitation' }).click()]);
    await expect(admin.getByRole('status').first().textContent()).resolves.toContain('Invitation sent to casey.brooks@acme.test');
    await expect(admin.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Acme Systems');
    // The open invitation is listed on the organisation's page.
    await expect(admin.getByRole('table', { name: 'Invitations to Acme Systems' }).textContent()).resolves.toContain('casey.brooks@acme.test');
    await screenshot(admin, 'flow-vendor-invited');

    const mail = await waitForMail('casey.brooks@acme.test');
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toContain('invited you');
    const link = linkIn(mail[0]!.text, '/invitations/');

    const newcomer = await acceptInvitation(link, 'Casey Brooks', 'casey-password-2024', 'Join Acme Systems');
    await expect(newcomer.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Welcome back, Casey');
    await expect(newcomer.getByRole('status').first().textContent()).resolves.toContain('Your account is ready');
    const header = await newcomer.getByRole('banner').textContent();
    expect(header).toContain('Casey Brooks');
    expect(header).toContain('Partner rep');
    expect(header).toContain('Acme Systems');
    await screenshot(newcomer, 'flow-newcomer-home');

    await signOut(newcomer);
    // Signed out: the home page sends us back to sign in.
    await newcomer.goto('/');
    await newcomer.waitForURL((url) => url.pathname === '/login');

    // A wrong password is refused; the one chosen at acceptance works.
    await newcomer.getByLabel('Email').fill('casey.brooks@acme.test');
    await newcomer.getByLabel('Password').fill('not-the-password');
    await newcomer.getByRole('button', { name: 'Sign in' }).click();
    await expect(newcomer.getByRole('alert').textContent()).resolves.toContain('do not match an active account');
    expect(new URL(newcomer.url()).pathname).toBe('/login');

    await signInThroughForm(newcomer, 'casey.brooks@acme.test', 'casey-password-2024');
    await expect(newcomer.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Welcome back, Casey');

    // The link was used once and is now dead.
    const reuse = await (await newContext(suite.browser, suite.app.baseUrl)).newPage();
    expect((await reuse.goto(link))?.status()).toBe(410);
  });

  it('a partner admin invites a marketer into their own organisation, who accepts and lands signed in', async () => {
    const context = await newContext(suite.browser, suite.app.baseUrl);
    const admin = await context.newPage();
    await signInThroughForm(admin, 'admin@globex.test', DEMO_PASSWORD);
    await admin.getByRole('link', { name: 'Invite a colleague' }).click();
    await admin.waitForURL((url) => url.pathname === '/users/invite');
    // A partner admin's only choice is their own organisation, already selected.
    const organisationOptions = await admin.getByLabel('Organisation').locator('option').allTextContents();
    expect(organisationOptions.filter((o) => o !== 'Choose an organisation')).toEqual(['Globex Distribution']);
    const roleOptions = await admin.getByLabel('Role').locator('option').allTextContents();
    expect(roleOptions).not.toContain('Vendor admin');
    await admin.getByLabel('Email').fill('sam.marketer@globex.test');
    await admin.getByLabel('Role').selectOption({ label: 'Partner marketer' });
    await Promise.all([admin.waitForURL(/\/organisations\/[0-9a-f-]{36}$/), admin.getByRole('button', { name: 'Send invitation' }).click()]);

    const mail = await waitForMail('sam.marketer@globex.test');
    expect(mail).toHaveLength(1);
    const page = await acceptInvitation(linkIn(mail[0]!.text, '/invitations/'), 'Sam Schmidt', 'sam-password-2024', 'Join Globex Distribution');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Welcome back, Sam');
    expect(await page.getByRole('banner').textContent()).toContain('Partner marketer');
  });
});
