import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from '@jest/globals';
import { DEMO_PASSWORD, startTestApp, type TestApp } from './test-app.js';

/** The system Chromium (Debian's package in CI); never a downloaded browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Whether browser tests can run here; when not, the reason to print. */
export function browserUnavailableReason(): string | null {
  return existsSync(CHROMIUM_PATH) ? null : `no Chromium at ${CHROMIUM_PATH} (install Debian's chromium package or set CHROMIUM_PATH)`;
}

/**
 * The describe to use for a browser test file: describe.skip with a clear warning when there is no browser.
 * Usage: `describeWithBrowser(describe)('…', () => { … })`.
 */
export function describeWithBrowser<D extends { skip: unknown }>(describe: D): D {
  const reason = browserUnavailableReason();
  if (reason === null) return describe;
  // CI installs Chromium in .ci/run; a missing browser there is a broken setup, not a reason to skip.
  if (process.env.CI === 'true') throw new Error(`Browser tests cannot run in CI: ${reason}`);
  const message = `Skipping browser tests: ${reason}.`;
  console.warn(message);
  // Jest hides console output of files whose tests are all skipped; stderr still reaches the terminal.
  process.stderr.write(`\n⚠ ${message}\n`);
  return describe.skip as D;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export const DESKTOP = { width: 1280, height: 800 } as const;
export const MOBILE = { width: 390, height: 844 } as const;

/** A fresh context (own cookies) on the test app; each default can be overridden. */
export async function newContext(browser: Browser, baseURL: string, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL, viewport: DESKTOP, locale: 'en-GB', ...options });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(20_000);
  return context;
}

/** Signs in through the real /login form, as a person would, and waits for the home page. */
export async function signInThroughForm(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.getByRole('button', { name: 'Sign in' }).click()]);
}

let axeSource: string | undefined;
async function loadAxeSource(): Promise<string> {
  if (axeSource === undefined) {
    const require = createRequire(import.meta.url);
    const axeMain = require.resolve('axe-core');
    axeSource = await readFile(path.join(path.dirname(axeMain), 'axe.min.js'), 'utf8');
  }
  return axeSource;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: string[]; html: string; failureSummary: string }[];
}

/**
 * Runs axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on the page as it is now and returns the violations.
 * The source is evaluated in the page rather than added as an inline script tag: our CSP (script-src 'self')
 * blocks inline scripts, and evaluate() runs outside the page's CSP.
 */
export async function checkAccessibility(page: Page): Promise<AxeViolation[]> {
  const source = await loadAxeSource();
  const alreadyLoaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== 'undefined');
  if (!alreadyLoaded) await page.evaluate(source);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.map(String), html: n.html, failureSummary: n.failureSummary })),
    }));
  });
}

/** One line per violation and node, for a readable failure message. */
export function formatViolations(violations: AxeViolation[]): string {
  return violations
    .flatMap((v) => v.nodes.map((n) => `[${v.impact ?? '?'}] ${v.id}: ${v.help}\n    at ${n.target.join(' ')}\n    ${n.html.slice(0, 200)}\n    ${n.failureSummary.replace(/\n/g, '\n    ')}`))
    .join('\n');
}

export const SCREENSHOT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../.artifacts/screenshots');

/** A full-page PNG in tests/.artifacts/screenshots/ (git-ignored); returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^a-z0-9_-]+/gi, '-')}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  return file;
}

/**
 * The usual setup of a browser test file: a fresh app and one Chromium for the whole file, both closed afterwards.
 * Read `suite.app` and `suite.browser` inside tests (they are set once beforeAll has run).
 */
export function appAndBrowserForFile(env: Record<string, string> = {}): { app: TestApp; browser: Browser } {
  const suite = {} as { app: TestApp; browser: Browser };
  beforeAll(async () => {
    suite.app = await startTestApp(env);
    suite.browser = await launchBrowser();
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.app?.stop();
  });
  return suite;
}

/** A fresh browser context on the file's app, signed in as a demo user through the real sign-in form. */
export async function signedInPage(suite: { app: TestApp; browser: Browser }, email: string, viewport?: { width: number; height: number }): Promise<Page> {
  const page = await (await newContext(suite.browser, suite.app.baseUrl, viewport ? { viewport } : {})).newPage();
  await signInThroughForm(page, email, DEMO_PASSWORD);
  return page;
}

/** Screenshots the page (for people to look at) and asserts axe finds nothing. */
export async function screenshotAndAudit(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  expect(formatViolations(await checkAccessibility(page))).toBe('');
}
