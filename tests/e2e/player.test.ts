import { describe, expect, it, jest } from '@jest/globals';
import type { Frame, Page } from 'playwright-core';
import { and, eq } from 'drizzle-orm';
import { DEMO_PASSWORD } from '../helpers/test-app.js';
import { answerGolfQuizCorrectly } from '../helpers/golf-sco.js';
import { waitFor } from '../helpers/wait-for.js';
import { appAndBrowserForFile, checkAccessibility, describeWithBrowser, formatViolations, newContext, screenshot, signInThroughForm } from '../helpers/browser.js';
import { importPublishedCourse } from '../helpers/courses.js';
import { attempts, scoStates } from '../../courses/tracking/tracking.table.js';
import { findUserByEmail } from '../../server/users/users.repository.js';

jest.setTimeout(120_000);

const suite = appAndBrowserForFile();

/** The golf SCO's launch page: player page → host page (content origin) → SCO frame. */
async function scoFrame(page: Page): Promise<Frame> {
  for (let i = 0; i < 100; i++) {
    const frame = page.frames().find((f) => /\/shared\/launchpage\.html/.test(f.url()));
    if (frame) {
      await frame.waitForSelector('#butNext');
      return frame;
    }
    await page.waitForTimeout(100);
  }
  throw new Error(`the SCO did not load; frames: ${page.frames().map((f) => f.url()).join(', ')}`);
}

async function stateOf(userEmail: string, courseId: string) {
  const db = suite.app.deps.database.db;
  const user = await findUserByEmail(db, userEmail);
  const [attempt] = await db.select().from(attempts).where(and(eq(attempts.userId, user!.id), eq(attempts.courseId, courseId)));
  const states = attempt ? await db.select().from(scoStates).where(eq(scoStates.attemptId, attempt.id)) : [];
  return { attempt, state: states[0] };
}

describeWithBrowser(describe)('playing real SCORM packages', () => {
  it('singlescobasic.zip: leave half way and resume on the same page, then finish the quiz with completion, score and time', async () => {
    const { courseId } = await importPublishedCourse(suite.app, 'singlescobasic.zip', 'Golf Explained');
    const context = await newContext(suite.browser, suite.app.baseUrl);
    const page = await context.newPage();
    // The golf SCO asks "resume where you left off?" with confirm(): answer yes, as a learner would.
    page.on('dialog', (dialog) => void dialog.accept());
    await signInThroughForm(page, 'rep@acme.test', DEMO_PASSWORD);

    await page.goto(`/courses/${courseId}/play`);
    let sco = await scoFrame(page);
    for (let i = 0; i < 5; i++) await sco.click('#butNext');
    // Page 6 of 16 is showing (the SCO's own frame), and its bookmark is what resuming must bring back.
    expect(await sco.locator('#contentFrame').getAttribute('src')).toBe('../Etiquette/Course.html');
    await screenshot(page, 'desktop-player-golf');
    expect(formatViolations(await checkAccessibility(page))).toBe('');

    // Leave half way: the page is closed (pagehide → terminating commit by beacon).
    await page.goto('/');
    const halfway = await waitFor(() => stateOf('rep@acme.test', courseId), (s) => s.state?.location === '5', 'the bookmark of page 5');
    expect(halfway.state!.completionStatus).toBe('incomplete');

    // Come back: the SCO resumes on the same page.
    await page.goto(`/courses/${courseId}/play`);
    sco = await scoFrame(page);
    await waitFor(async () => (await sco.frameLocator('#contentFrame').locator('body').innerText()).length > 0, Boolean, 'the resumed page');
    const src = await sco.locator('#contentFrame').getAttribute('src');
    expect(src).toBe('../Etiquette/Course.html');

    // To the end, and the quiz answered correctly.
    for (let i = 5; i < 15; i++) await sco.click('#butNext');
    const quiz = await waitFor(async () => page.frames().find((f) => f.url().includes('assessmenttemplate.html')), Boolean, 'the quiz');
    await answerGolfQuizCorrectly(quiz!);
    await sco.click('#butExit');

    const done = await waitFor(() => stateOf('rep@acme.test', courseId), (s) => s.state?.successStatus === 'passed', 'the passed quiz');
    expect(done.state!.completionStatus).toBe('completed');
    expect(done.state!.scoreRaw).toBe(100);
    expect(done.state!.totalTimeSeconds).toBeGreaterThan(0);
    expect(done.attempt!.completionStatus).toBe('completed');
    expect(done.attempt!.successStatus).toBe('passed');
    await context.close();
  });

  it('RuntimeBasicCalls (SCORM 2004 3rd edition): completion_status, success_status, score.scaled and session time', async () => {
    const { courseId } = await importPublishedCourse(suite.app, 'RuntimeBasicCalls_SCORM20043rdEdition.zip', 'Golf 2004');
    const context = await newContext(suite.browser, suite.app.baseUrl);
    const page = await context.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await signInThroughForm(page, 'rep@globex.test', DEMO_PASSWORD);
    await page.goto(`/courses/${courseId}/play`);
    const sco = await scoFrame(page);
    // The package's own Next button, until it is disabled on the last page (the quiz).
    for (let i = 0; i < 40 && (await sco.locator('#butNext').isEnabled()); i++) await sco.click('#butNext');
    const quiz = await waitFor(async () => page.frames().find((f) => f.url().includes('assessmenttemplate.html')), Boolean, 'the quiz');
    await quiz!.waitForSelector('input[value="Submit Answers"]');
    // Half the questions right: a score the content reports as failed (it passes at 70%).
    await quiz!.evaluate(() => {
      const t = (window as unknown as { test: { Questions: { Id: string; Type: string; Answers: string[] | null; CorrectAnswer: unknown }[] } }).test;
      t.Questions.forEach((q, index) => {
        if (index % 2 === 1) return;
        if (q.Type === 'choice') (document.getElementById(`question_${q.Id}_${q.Answers!.indexOf(String(q.CorrectAnswer))}`) as HTMLInputElement).checked = true;
        else if (q.Type === 'true-false') (document.getElementById(`question_${q.Id}_${String(q.CorrectAnswer) === 'true' ? 'True' : 'False'}`) as HTMLInputElement).checked = true;
        else (document.getElementById(`question_${q.Id}_Text`) as HTMLInputElement).value = String(q.CorrectAnswer);
      });
    });
    await quiz!.click('input[value="Submit Answers"]');
    await sco.click('#butExit');
    const done = await waitFor(() => stateOf('rep@globex.test', courseId), (s) => s.state?.successStatus === 'failed' || s.state?.successStatus === 'passed', 'a success status');
    expect(done.state!.completionStatus).toBe('completed');
    expect(done.state!.successStatus).toBe('failed');
    expect(done.state!.scoreScaled).toBeGreaterThan(0);
    expect(done.state!.scoreScaled).toBeLessThan(0.7);
    expect(done.state!.sessionTimeSeconds).toBeGreaterThan(0);
    expect((done.state!.cmi as { completion_status?: string }).completion_status).toBe('completed');
    await context.close();
  });

  it('RuntimeMinimumCalls (nested, nine SCOs): table of contents by chapter, launching several SCOs, course roll-up', async () => {
    const { courseId } = await importPublishedCourse(suite.app, 'RuntimeMinimumCalls_SCORM12-mini.zip', 'Golf nested');
    const context = await newContext(suite.browser, suite.app.baseUrl);
    const page = await context.newPage();
    await signInThroughForm(page, 'rep@initech.test', DEMO_PASSWORD);
    await page.goto(`/courses/${courseId}/play`);
    const toc = page.getByRole('complementary');
    expect(await toc.locator('.toc__chapter').allInnerTexts()).toHaveLength(2);
    expect(await toc.getByRole('link').count()).toBe(9);
    await expect(page.locator('.toc__item--depth-1 a').count()).resolves.toBe(9);
    await screenshot(page, 'desktop-player-nested');
    expect(formatViolations(await checkAccessibility(page))).toBe('');

    // Three lessons: the first, the next one by "Next lesson", and one chosen in the table of contents.
    const lessonLinks = toc.getByRole('link');
    const third = await lessonLinks.nth(6).getAttribute('href');
    await page.waitForTimeout(500);
    await Promise.all([page.waitForURL(/item=/), page.getByRole('link', { name: 'Next lesson' }).click()]);
    await page.waitForTimeout(500);
    await page.goto(third!);
    await page.waitForTimeout(500);
    await page.goto('/');

    const db = suite.app.deps.database.db;
    const user = await findUserByEmail(db, 'rep@initech.test');
    const rows = await waitFor(
      async () => {
        const [attempt] = await db.select().from(attempts).where(and(eq(attempts.userId, user!.id), eq(attempts.courseId, courseId)));
        return attempt ? db.select().from(scoStates).where(eq(scoStates.attemptId, attempt.id)) : [];
      },
      (r) => r.length === 3,
      'three SCO states',
    );
    expect(rows).toHaveLength(3);
    // Nine SCOs, three visited: the course is not complete.
    const [attempt] = await db.select().from(attempts).where(and(eq(attempts.userId, user!.id), eq(attempts.courseId, courseId)));
    expect(attempt!.completionStatus).not.toBe('completed');
    await page.goto(`/courses/${courseId}/play`);
    expect(await page.locator('.player__toc').innerText()).toMatch(/of 9 lessons completed/);
    await context.close();
  });
});
