import type { Frame, Page } from 'playwright-core';
import { waitFor } from './wait-for.js';

/**
 * Driving the Rustici "Golf Explained" SCOs of the shared fixtures (singlescobasic.zip, RuntimeBasicCalls_SCORM20043rdEdition.zip)
 * in the real player, as a learner clicks through them: player page → host page (content origin) → the SCO's launch page.
 */

/** The SCO's launch page frame, once its own Next button is there. */
export async function golfScoFrame(page: Page): Promise<Frame> {
  const sco = await waitFor(async () => page.frames().find((f) => /\/shared\/launchpage\.html/.test(f.url())) ?? null, Boolean, 'the golf SCO to load');
  await sco!.waitForSelector('#butNext');
  return sco!;
}

function quizFrame(page: Page): Frame | undefined {
  return page.frames().find((f) => f.url().includes('assessmenttemplate.html'));
}

/**
 * Pages through the SCO with its own Next button until its end-of-course quiz shows, answers every question correctly
 * (the quiz page keeps its answer key in `window.test`), submits, and leaves with the SCO's Exit button.
 */
export async function playGolfAndPassTheQuiz(page: Page): Promise<void> {
  const sco = await golfScoFrame(page);
  for (let i = 0; i < 40 && !quizFrame(page); i++) {
    if (!(await sco.locator('#butNext').isEnabled())) break;
    await sco.click('#butNext');
  }
  const quiz = await waitFor(async () => quizFrame(page) ?? null, Boolean, 'the quiz page');
  await answerGolfQuizCorrectly(quiz!);
  await sco.click('#butExit');
}

/** Answers every question of the golf quiz page correctly (it keeps its answer key in `window.test`) and submits. */
export async function answerGolfQuizCorrectly(quiz: Frame): Promise<void> {
  await quiz.waitForSelector('input[value="Submit Answers"]');
  await quiz.evaluate(() => {
    const t = (window as unknown as { test: { Questions: { Id: string; Type: string; Answers: string[] | null; CorrectAnswer: unknown }[] } }).test;
    for (const q of t.Questions) {
      if (q.Type === 'choice') (document.getElementById(`question_${q.Id}_${q.Answers!.indexOf(String(q.CorrectAnswer))}`) as HTMLInputElement).checked = true;
      else if (q.Type === 'true-false') (document.getElementById(`question_${q.Id}_${String(q.CorrectAnswer) === 'true' ? 'True' : 'False'}`) as HTMLInputElement).checked = true;
      else (document.getElementById(`question_${q.Id}_Text`) as HTMLInputElement).value = String(q.CorrectAnswer);
    }
  });
  await quiz.click('input[value="Submit Answers"]');
}
