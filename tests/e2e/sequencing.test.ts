import { describe, expect, it, jest } from '@jest/globals';
import type { Frame, Page } from 'playwright-core';
import { and, eq } from 'drizzle-orm';
import { DEMO_PASSWORD } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';
import { appAndBrowserForFile, checkAccessibility, describeWithBrowser, formatViolations, newContext, screenshot, signInThroughForm } from '../helpers/browser.js';
import { importPublishedPackage } from '../helpers/courses.js';
import { sequencedPackage } from '../helpers/sequenced-package.js';
import { attempts, scoStates } from '../../courses/tracking/tracking.table.js';
import { courseItems } from '../../courses/scorm/scorm.table.js';
import { attemptSequencingStates } from '../../courses/player/sequencing.table.js';
import { findUserByEmail } from '../../server/users/users.repository.js';

jest.setTimeout(120_000);

const suite = appAndBrowserForFile();

/** The lesson frame inside the host page, once lesson n has initialised with the API. */
async function lesson(page: Page, n: number): Promise<Frame> {
  for (let i = 0; i < 100; i++) {
    const frame = page.frames().find((f) => f.url().endsWith(`/lesson${n}.html`));
    if (frame && /entry=/.test((await frame.locator('#status').textContent().catch(() => '')) ?? '')) return frame;
    await page.waitForTimeout(100);
  }
  throw new Error(`lesson ${n} did not load; frames: ${page.frames().map((f) => f.url()).join(', ')}`);
}

/** Waits until probe() equals expected (or matches it, for a RegExp), then asserts it: the failure shows the last value. */
async function eventually<T>(probe: () => Promise<T> | T, expected: T | RegExp): Promise<void> {
  const ok = (value: T) => (expected instanceof RegExp ? expected.test(String(value)) : value === expected);
  const value = await waitFor(async () => probe(), ok, `a value of ${String(expected)}`).catch(async () => probe());
  if (expected instanceof RegExp) expect(String(value)).toMatch(expected);
  else expect(value).toBe(expected);
}

async function attemptOf(email: string, courseId: string) {
  const db = suite.app.deps.database.db;
  const user = await findUserByEmail(db, email);
  const [attempt] = await db.select().from(attempts).where(and(eq(attempts.userId, user!.id), eq(attempts.courseId, courseId)));
  return attempt ?? null;
}

async function scoStatesOf(email: string, courseId: string) {
  const db = suite.app.deps.database.db;
  const attempt = await attemptOf(email, courseId);
  if (!attempt) return [];
  return db
    .select({ identifier: courseItems.identifier, completionStatus: scoStates.completionStatus, successStatus: scoStates.successStatus })
    .from(scoStates)
    .innerJoin(courseItems, eq(courseItems.id, scoStates.itemId))
    .where(eq(scoStates.attemptId, attempt.id));
}

describeWithBrowser(describe)('SCORM 2004 sequencing in the player (scorm-again engine)', () => {
  it('forward-only flow without choice: controls follow the rules, the engine delivers each lesson, a gated lesson opens once passed, and a reload resumes', async () => {
    const { courseId } = await importPublishedPackage(suite.app, await sequencedPackage({ choice: false, flow: true, forwardOnly: true, gateThird: true }), 'Sequenced course');
    const context = await newContext(suite.browser, suite.app.baseUrl);
    const page = await context.newPage();
    await signInThroughForm(page, 'rep@acme.test', DEMO_PASSWORD);
    await page.goto(`/courses/${courseId}/play`);

    const previous = page.getByRole('button', { name: 'Previous lesson' });
    const next = page.getByRole('button', { name: 'Next lesson' });
    const tocLink = (n: number) => page.locator('.toc a', { hasText: `Lesson ${n}` });
    await lesson(page, 1);
    await eventually(() => next.isEnabled(), true);
    expect(await previous.isDisabled()).toBe(true);
    // choice="false": the table of contents shows the lessons but does not offer them.
    await eventually(() => tocLink(2).getAttribute('aria-disabled'), 'true');
    await screenshot(page, 'desktop-player-sequenced');
    expect(formatViolations(await checkAccessibility(page))).toBe('');

    // A disabled lesson in the table of contents is not a way around the rules.
    await tocLink(3).click({ force: true });
    await page.waitForTimeout(300);
    expect(page.frames().some((f) => f.url().endsWith('/lesson3.html'))).toBe(false);

    // The player's Next: the engine ends lesson 1's session and delivers lesson 2 in the same frame.
    await next.click();
    await lesson(page, 2);
    await eventually(() => new URL(page.url()).searchParams.get('item'), await tocLink(2).getAttribute('data-item'));
    expect(await tocLink(2).getAttribute('aria-current')).toBe('page');
    expect(await previous.isDisabled()).toBe(true); // forwardOnly

    // Lesson 2 passed writes the global objective that lesson 3's precondition reads; its own continue moves on.
    const two = await lesson(page, 2);
    await two.click('#pass');
    await two.click('#continue');
    const three = await lesson(page, 3);
    expect(await three.locator('#status').textContent()).toBe('entry=ab-initio');
    await waitFor(() => scoStatesOf('rep@acme.test', courseId), (rows) => rows.some((r) => r.identifier === 'item_2' && r.successStatus === 'passed'), 'lesson 2 passed');

    // The engine's state is kept per attempt: opening the course again resumes in lesson 3, not at the start.
    const attempt = await attemptOf('rep@acme.test', courseId);
    await waitFor(
      async () => (await suite.app.deps.database.db.select().from(attemptSequencingStates).where(eq(attemptSequencingStates.attemptId, attempt!.id)))[0]?.state ?? '',
      (state) => state.includes('"currentActivityId":"item_3"'),
      'the saved sequencing state',
    );
    await page.goto(`/courses/${courseId}/play?item=${await tocLink(3).getAttribute('data-item')}`);
    await lesson(page, 3);
    await context.close();
  });

  it('a commit the server does not acknowledge is sent again until it is stored', async () => {
    const { courseId } = await importPublishedPackage(suite.app, await sequencedPackage({ choice: true, flow: true }), 'Retried commits');
    const context = await newContext(suite.browser, suite.app.baseUrl);
    const page = await context.newPage();
    await signInThroughForm(page, 'rep@globex.test', DEMO_PASSWORD);
    // The first two commits meet a failing network path (503 from a proxy, then a dropped connection).
    let refused = 0;
    await context.route('**/_lms/commit', async (route) => {
      if (refused === 0) {
        refused++;
        return route.fulfill({ status: 503, contentType: 'text/html', body: '<h1>Service Unavailable</h1>' });
      }
      if (refused === 1) {
        refused++;
        return route.abort('connectionreset');
      }
      return route.continue();
    });
    await page.goto(`/courses/${courseId}/play`);
    const one = await lesson(page, 1);
    await one.click('#pass');
    // The SCO was told the truth (Commit answered "false"), and the learner sees that saving is being retried.
    await eventually(() => one.locator('#status').textContent(), 'commit=false');
    await eventually(() => page.locator('[data-save-status]').textContent(), /trying again/);
    const rows = await waitFor(() => scoStatesOf('rep@globex.test', courseId), (r) => r.some((row) => row.identifier === 'item_1' && row.successStatus === 'passed'), 'the retried commit');
    expect(rows.find((r) => r.identifier === 'item_1')!.completionStatus).toBe('completed');
    expect(refused).toBe(2);
    await eventually(() => page.locator('[data-save-status]').textContent(), '');
    await context.close();
  });
});
