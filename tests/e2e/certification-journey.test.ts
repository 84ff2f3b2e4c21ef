import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, jest } from '@jest/globals';
import { and, eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { appAndBrowserForFile, describeWithBrowser, newContext, SCREENSHOT_DIR, screenshotAndAudit, signedInPage as signedInPageOf } from '../helpers/browser.js';
import { scormFixture } from '../helpers/scorm-fixtures.js';
import { playGolfAndPassTheQuiz } from '../helpers/golf-sco.js';
import { rasterise, textOfPage } from '../helpers/pdf-raster.js';
import { waitFor } from '../helpers/wait-for.js';
import { linkIn } from '../helpers/test-app.js';
import { formatDate } from '../../server/views/helpers/format-date.js';
import { createCertificationsService } from '../../courses/certifications/certifications.service.js';
import { findUserByEmail } from '../../server/users/users.repository.js';
import { attempts } from '../../courses/tracking/tracking.table.js';
import { certificates } from '../../courses/certifications/certifications.table.js';
import { CERTIFICATE_QR_BOX } from '../../courses/certifications/certificate-pdf.js';
import { layoutQr, layoutText, loadLayoutFont, metricsOf } from '../../assets/cobranding/cobrand-layout.js';

/**
 * Issue 5, end to end in Chromium with the real SCORM fixtures: the enablement team sets up a course, an exam, a learning
 * path and a certification; a partner rep completes the path and passes the exam in the player; the certificate PDF names
 * them; the public verification page says valid; with the app clock moved into the recertification window the
 * recertification path is assigned to them (on opening My learning, and by the reminder job, which mails them its link);
 * past expiry the page says expired.
 *
 * The tests run in order and share the state below: each is one stage of the same journey.
 */

jest.setTimeout(180_000);

// Sessions that outlive the clock moves below: their expiry is the cookie's (real time), compared with the app's clock.
const suite = appAndBrowserForFile({ SESSION_MAX_AGE_HOURS: String(24 * 500) });
const signedInPage = (email: string) => signedInPageOf(suite, email);
const audit = screenshotAndAudit;

const DAY_MS = 86_400_000;
const REP = { email: 'rep@acme.test', name: 'Riley Nguyen', organisation: 'Acme Systems' } as const;
const COURSE = 'Golf Explained';
const EXAM = 'Golf exam';
const PATH = 'Golf seller track';
const RECERT_PATH = 'Golf seller recertification';
const CERTIFICATION = 'Certified Golf Seller';
/** Where certificate-pdf.ts draws the holder's name: top-left page coordinates in points, at most 34 pt. */
const NAME_BOX = { x: 60, y: 195, width: 560, height: 46 } as const;
const NAME_SIZE = 34;

const journey = {} as {
  courseId: string;
  examId: string;
  pathId: string;
  recertPathId: string;
  certificationId: string;
  certificateId: string;
  verificationUrl: string;
  expiresAt: Date;
};

const idFrom = (url: string, pattern: RegExp) => pattern.exec(url)![1]!;

/** Uploads a shared fixture through Courses → New course and publishes it on its settings page; returns the course id. */
async function uploadAndPublish(manager: Page, fixture: string, title: string): Promise<string> {
  await manager.goto('/courses/new');
  await manager.getByLabel('Title').fill(title);
  await manager.getByLabel('SCORM package (.zip)').setInputFiles(scormFixture(fixture));
  await Promise.all([manager.waitForURL(/\/courses\/[0-9a-f-]{36}\/manage$/), manager.getByRole('button', { name: 'Upload and create course' }).click()]);
  const courseId = idFrom(manager.url(), /\/courses\/([0-9a-f-]{36})\/manage$/);
  await manager.goto(`/courses/${courseId}/settings`);
  await manager.getByLabel('Status').selectOption({ label: 'Published' });
  await Promise.all([manager.waitForURL(/\/settings$/), manager.getByRole('button', { name: 'Save settings' }).click()]);
  await manager.getByText('The course is published in the catalogue.').waitFor();
  return courseId;
}

/** Creates a path with its course steps in the editor, optionally with a rule for one organisation, and publishes it. */
async function createPublishedPath(manager: Page, input: { title: string; dueDays: string; steps: { title: string; requiresPrevious?: boolean }[]; organisation?: string }): Promise<string> {
  await manager.goto('/paths/manage');
  await manager.getByRole('link', { name: 'New learning path' }).first().click();
  await manager.getByLabel('Title').fill(input.title);
  await manager.getByLabel('Due period (days)').fill(input.dueDays);
  await Promise.all([manager.waitForURL(/\/paths\/[0-9a-f-]{36}\/edit$/), manager.getByRole('button', { name: 'Create path' }).click()]);
  const pathId = idFrom(manager.url(), /\/paths\/([0-9a-f-]{36})\/edit$/);
  for (const step of input.steps) {
    await manager.getByLabel('Course or asset').selectOption({ label: step.title });
    if (step.requiresPrevious) await manager.getByLabel('Opens only once every earlier step is complete').check();
    await Promise.all([manager.waitForURL(/#steps-heading$/), manager.getByRole('button', { name: 'Add step' }).click()]);
  }
  if (input.organisation) {
    await manager.getByRole('group', { name: 'Organisations' }).getByLabel(input.organisation).check();
    await Promise.all([manager.waitForURL(/#rules-heading$/), manager.getByRole('button', { name: 'Add rule' }).click()]);
    await manager.getByRole('row', { name: new RegExp(`Organisations: ${input.organisation}`) }).waitFor();
  }
  await manager.getByLabel('Status').selectOption({ label: 'Published' });
  await Promise.all([manager.waitForURL(/#details-heading$/), manager.getByRole('button', { name: 'Save details' }).click()]);
  return pathId;
}

/** Opens a step of the path from the path page, enrols on the course page, starts it and plays it to a passed quiz. */
async function takeStepOfPath(rep: Page, pathId: string, courseTitle: string, courseId: string): Promise<void> {
  await rep.goto(`/paths/${pathId}`);
  await Promise.all([rep.waitForURL(new RegExp(`/courses/${courseId}$`)), rep.getByRole('link', { name: `Open ${courseTitle}` }).click()]);
  await Promise.all([rep.waitForURL(new RegExp(`/courses/${courseId}$`)), rep.getByRole('button', { name: 'Enrol' }).click()]);
  await Promise.all([rep.waitForURL(new RegExp(`/courses/${courseId}/play`)), rep.getByRole('link', { name: 'Start', exact: true }).click()]);
  await playGolfAndPassTheQuiz(rep);
  // The SCO's exit commits; the attempt is stored passed once the commit is acknowledged.
  const user = await findUserByEmail(suite.app.deps.database.db, REP.email);
  await waitFor(
    async () => (await suite.app.deps.database.db.select().from(attempts).where(and(eq(attempts.userId, user!.id), eq(attempts.courseId, courseId))))[0] ?? null,
    (a) => a?.successStatus === 'passed',
    `a passed attempt of ${courseTitle}`,
  );
}

/** Moves the app clock so that it reads `target`. */
function setClockTo(target: Date): void {
  suite.app.advanceClock(target.getTime() - suite.app.deps.clock().getTime());
}

/** Writes a rasterised page next to the screenshots, for people to look at. */
async function keepForPeople(raster: { pixels: Uint8ClampedArray | Uint8Array; width: number; height: number }, name: string): Promise<void> {
  const { createCanvas, ImageData } = await import('@napi-rs/canvas');
  const canvas = createCanvas(raster.width, raster.height);
  canvas.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(raster.pixels), raster.width, raster.height), 0, 0);
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await writeFile(path.join(SCREENSHOT_DIR, `${name}.png`), canvas.toBuffer('image/png'));
}

/** Ink (dark pixels) inside a box given in points, in a page rasterised at `scale`: its bounds in points and its pixel count. */
function inkIn(raster: { pixels: Uint8ClampedArray | Uint8Array; width: number }, box: { x: number; y: number; width: number; height: number }, scale: number) {
  let left = Infinity;
  let right = -Infinity;
  let top = Infinity;
  let bottom = -Infinity;
  let count = 0;
  for (let y = Math.floor(box.y * scale); y < Math.ceil((box.y + box.height) * scale); y++) {
    for (let x = Math.floor(box.x * scale); x < Math.ceil((box.x + box.width) * scale); x++) {
      const i = (y * raster.width + x) * 4;
      if ((raster.pixels[i]! + raster.pixels[i + 1]! + raster.pixels[i + 2]!) / 3 >= 90) continue;
      count++;
      left = Math.min(left, x);
      right = Math.max(right, x);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
    }
  }
  return { left: left / scale, right: (right + 1) / scale, top: top / scale, bottom: (bottom + 1) / scale, count };
}

describeWithBrowser(describe)('issue 5 end to end: a rep earns a certification in the browser, verifies it, is sent to recertify, and it expires', () => {
  it('the enablement team uploads the course and the exam, builds the path with a rule for the rep organisation, and defines the certification', async () => {
    const manager = await signedInPage('enablement@vendor.test');
    journey.courseId = await uploadAndPublish(manager, 'singlescobasic.zip', COURSE);
    journey.examId = await uploadAndPublish(manager, 'RuntimeBasicCalls_SCORM20043rdEdition.zip', EXAM);

    journey.pathId = await createPublishedPath(manager, {
      title: PATH,
      dueDays: '30',
      steps: [{ title: COURSE }, { title: EXAM, requiresPrevious: true }],
      organisation: REP.organisation,
    });
    await expect(manager.getByRole('row', { name: `Organisations: ${REP.organisation}` }).count()).resolves.toBe(1);
    await audit(manager, 'journey-path-editor');
    // Recertifying is passing the exam again. The path has no rule: the certification assigns it to holders whose window has opened.
    journey.recertPathId = await createPublishedPath(manager, { title: RECERT_PATH, dueDays: '30', steps: [{ title: EXAM }] });

    await manager.goto('/certifications/manage');
    await manager.getByRole('link', { name: 'New certification' }).first().click();
    await manager.getByLabel('Name').fill(CERTIFICATION);
    await manager.getByRole('group', { name: 'Learning paths to finish' }).getByLabel(PATH, { exact: true }).check();
    await manager.getByLabel('Exam course').selectOption({ label: EXAM });
    // Every question of the fixture's quiz answered correctly scores 100%; the content itself passes at 70%.
    await manager.getByLabel('Passing score (0–100)').fill('80');
    await manager.getByLabel('Valid for (months)').fill('12');
    await manager.getByLabel('Recertification window (days)').fill('60');
    await manager.getByLabel('Recertification path').selectOption({ label: RECERT_PATH });
    await audit(manager, 'journey-certification-form');
    await Promise.all([manager.waitForURL(/\/certifications\/[0-9a-f-]{36}\/holders$/), manager.getByRole('button', { name: 'Create certification' }).click()]);
    journey.certificationId = idFrom(manager.url(), /\/certifications\/([0-9a-f-]{36})\/holders$/);
    // The path requirement and the recertification path are stored as chosen.
    await manager.goto(`/certifications/${journey.certificationId}/edit`);
    await expect(manager.getByRole('group', { name: 'Learning paths to finish' }).getByLabel(PATH, { exact: true }).isChecked()).resolves.toBe(true);
    await expect(manager.getByLabel('Recertification path').locator('option:checked').textContent()).resolves.toBe(RECERT_PATH);
    await expect(manager.getByLabel('Exam course').locator('option:checked').textContent()).resolves.toBe(EXAM);
    await manager.context().close();
  });

  it('the rep finds the path on My learning, plays the course and then the exam to a passed quiz, and holds the certificate', async () => {
    const rep = await signedInPage(REP.email);
    rep.on('dialog', (dialog) => void dialog.accept());
    await rep.goto('/my/courses');
    const myPaths = rep.getByRole('list', { name: 'Your learning paths' });
    await expect(myPaths.getByRole('link', { name: PATH }).count()).resolves.toBe(1);
    await expect(myPaths.getByText('0 of 2 steps complete (0%)').count()).resolves.toBe(1);
    // Nothing started yet: the courses section points to the path rather than saying there is nothing.
    await expect(rep.getByText('No courses started yet', { exact: true }).count()).resolves.toBe(1);
    await audit(rep, 'journey-my-learning-assigned');

    await rep.goto('/paths');
    await Promise.all([rep.waitForURL(`**/paths/${journey.pathId}`), rep.getByRole('link', { name: PATH }).click()]);
    // The exam opens once the course before it is complete.
    await expect(rep.getByRole('listitem').filter({ hasText: EXAM }).getByText('Locked', { exact: true }).count()).resolves.toBe(1);

    const db = suite.app.deps.database.db;
    const user = await findUserByEmail(db, REP.email);
    const certificatesOfRep = () => db.select().from(certificates).where(and(eq(certificates.userId, user!.id), eq(certificates.certificationId, journey.certificationId)));
    await takeStepOfPath(rep, journey.pathId, COURSE, journey.courseId);
    // Half the path and no exam yet: not certified.
    expect(await certificatesOfRep()).toHaveLength(0);
    await takeStepOfPath(rep, journey.pathId, EXAM, journey.examId);

    await rep.goto(`/paths/${journey.pathId}`);
    await expect(rep.getByText('2 / 2').count()).resolves.toBe(1);
    await expect(rep.getByRole('listitem').filter({ hasText: EXAM }).getByText('Completed', { exact: true }).count()).resolves.toBe(1);
    await audit(rep, 'journey-path-complete');

    await rep.goto('/certifications');
    const row = rep.getByRole('row', { name: new RegExp(CERTIFICATION) });
    await expect(row.getByText('Valid', { exact: true }).count()).resolves.toBe(1);
    await audit(rep, 'journey-my-certifications-valid');

    const issued = await certificatesOfRep();
    expect(issued).toHaveLength(1);
    const certificate = issued[0];
    journey.certificateId = certificate!.id;
    journey.expiresAt = certificate!.expiresAt;
    // Twelve months of validity from the day it was earned.
    const months = (certificate!.expiresAt.getUTCFullYear() - certificate!.issuedAt.getUTCFullYear()) * 12 + certificate!.expiresAt.getUTCMonth() - certificate!.issuedAt.getUTCMonth();
    expect(months).toBe(12);
    journey.verificationUrl = (await row.locator('code').textContent())!.trim();
    expect(journey.verificationUrl).toBe(`${suite.app.baseUrl}/verify/${certificate!.id}`);

    // The PDF, downloaded through the page's link as the rep would.
    const [download] = await Promise.all([rep.waitForEvent('download'), row.getByRole('link', { name: /Download PDF/ }).click()]);
    expect(download.suggestedFilename()).toBe(`certified-golf-seller-${certificate!.id}.pdf`);
    const pdf = new Uint8Array(await readFile((await download.path())!));
    expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe('%PDF-');
    const text = await textOfPage(pdf, 1);
    for (const expected of [REP.name, REP.organisation, CERTIFICATION]) expect(text).toContain(expected);

    // Rasterised: the name's box holds ink as wide as the name set in the certificate's font, starting at the box's left edge.
    const scale = 2;
    const raster = await rasterise(pdf, 1, scale);
    const ink = inkIn(raster, NAME_BOX, scale);
    const laidOut = layoutText(REP.name, NAME_BOX, NAME_SIZE, 'left', metricsOf(await loadLayoutFont()));
    expect(laidOut.lines).toHaveLength(1);
    expect(ink.count).toBeGreaterThan(1000);
    expect(ink.left).toBeGreaterThanOrEqual(NAME_BOX.x);
    expect(ink.left).toBeLessThan(NAME_BOX.x + 6);
    expect(Math.abs(ink.right - ink.left - laidOut.lines[0]!.width)).toBeLessThan(8);
    // Capitals of a 34 pt line are about 25 pt tall.
    expect(ink.bottom - ink.top).toBeGreaterThan(20);

    await keepForPeople(raster, 'journey-certificate-pdf');

    // The QR code's dark modules are those of the verification link the page shows.
    const qr = layoutQr(journey.verificationUrl, CERTIFICATE_QR_BOX, 'center')!;
    const luminance = (x: number, y: number) => {
      const i = (Math.floor(y * scale) * raster.width + Math.floor(x * scale)) * 4;
      return (raster.pixels[i]! + raster.pixels[i + 1]! + raster.pixels[i + 2]!) / 3;
    };
    const moduleSize = qr.darkRects[0]!.height;
    for (const rect of qr.darkRects) expect(luminance(rect.x + moduleSize / 2, rect.y + moduleSize / 2)).toBeLessThan(80);
    await rep.context().close();
  });

  it('the verification page, opened signed out from the certificate link, says valid and shows no e-mail address', async () => {
    const visitor = await (await newContext(suite.browser, suite.app.baseUrl)).newPage();
    await visitor.goto(journey.verificationUrl);
    await expect(visitor.getByRole('heading', { name: 'Certificate check' }).count()).resolves.toBe(1);
    await expect(visitor.getByRole('status').textContent()).resolves.toBe('This certificate is valid.');
    await expect(visitor.getByText(REP.name).count()).resolves.toBe(1);
    await expect(visitor.getByText(CERTIFICATION).count()).resolves.toBe(1);
    const body = await visitor.locator('body').innerText();
    expect(body).not.toContain(REP.email);
    expect(body).not.toMatch(/[\w.+-]+@[\w-]+\.[\w.-]+/);
    await audit(visitor, 'journey-verify-valid');
    await visitor.context().close();
  });

  it('in the recertification window the recertification path is assigned to the rep, due on the expiry date, and My certifications links to it', async () => {
    // 30 days before expiry: inside the 60-day window. The hourly reminder job (main.ts runs it on a timer) assigns the
    // recertification path and mails the holder its link, once.
    setClockTo(new Date(journey.expiresAt.getTime() - 30 * DAY_MS));
    const certificationsJob = createCertificationsService(suite.app.deps);
    expect(await certificationsJob.sendRecertificationReminders()).toBe(1);
    expect(await certificationsJob.sendRecertificationReminders()).toBe(0);
    const rep = await signedInPage(REP.email);
    await rep.goto('/my/courses');
    const recert = rep.getByRole('list', { name: 'Your learning paths' }).getByRole('listitem').filter({ hasText: RECERT_PATH });
    await expect(recert.count()).resolves.toBe(1);
    await expect(recert.getByText('Recertification', { exact: true }).count()).resolves.toBe(1);
    // The exam passed for the first certificate does not count: only what is done once the window opened does.
    await expect(recert.getByText('0 of 1 step complete (0%)').count()).resolves.toBe(1);
    await expect(recert.getByRole('definition').textContent()).resolves.toBe(formatDate(journey.expiresAt));
    await audit(rep, 'journey-my-learning-recertification');

    await rep.goto('/certifications');
    const row = rep.getByRole('row', { name: new RegExp(CERTIFICATION) });
    await expect(row.getByText('Valid', { exact: true }).count()).resolves.toBe(1);
    await expect(row.getByText(`Recertify by ${formatDate(journey.expiresAt)}`).count()).resolves.toBe(1);
    await audit(rep, 'journey-my-certifications-recertify');
    await Promise.all([rep.waitForURL(`**/paths/${journey.recertPathId}`), row.getByRole('link', { name: 'open your recertification path' }).click()]);
    await expect(rep.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(RECERT_PATH);
    await expect(rep.getByText('Due date', { exact: true }).count()).resolves.toBe(1);
    await expect(rep.getByText(formatDate(journey.expiresAt), { exact: true }).count()).resolves.toBe(1);
    await expect(rep.getByRole('listitem').filter({ hasText: EXAM }).getByText('Not started', { exact: true }).count()).resolves.toBe(1);
    await audit(rep, 'journey-recertification-path');

    // The reminder's link opens the path.
    const reminder = (await suite.app.mailTo(REP.email)).at(-1)!;
    expect(reminder.subject).toContain(`Recertify by`);
    expect(reminder.subject).toContain(CERTIFICATION);
    expect(reminder.text).toContain(RECERT_PATH);
    await rep.goto(linkIn(reminder.text, '/paths/'));
    await expect(rep.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(RECERT_PATH);
    await rep.context().close();
  });

  it('past expiry the verification page says expired, My certifications shows the certificate lapsed, and the recertification path is overdue', async () => {
    setClockTo(new Date(journey.expiresAt.getTime() + DAY_MS));
    const visitor = await (await newContext(suite.browser, suite.app.baseUrl)).newPage();
    await visitor.goto(journey.verificationUrl);
    await expect(visitor.getByRole('status').textContent()).resolves.toBe('This certificate is expired: it no longer certifies its holder.');
    await expect(visitor.getByText('Expired', { exact: true }).count()).resolves.toBe(1);
    await audit(visitor, 'journey-verify-expired');
    await visitor.context().close();

    const rep = await signedInPage(REP.email);
    await rep.goto('/certifications');
    const row = rep.getByRole('row', { name: new RegExp(CERTIFICATION) });
    await expect(row.getByText('Expired', { exact: true }).count()).resolves.toBe(1);
    await expect(row.getByText(/^Expired on /).count()).resolves.toBe(1);
    await expect(row.getByText(/^Recertify by /).count()).resolves.toBe(0);
    await expect(row.getByRole('link', { name: 'your recertification path' }).getAttribute('href')).resolves.toBe(`/paths/${journey.recertPathId}`);
    await audit(rep, 'journey-my-certifications-expired');
    // The recertification path stays assigned, now overdue.
    await rep.goto('/my/courses');
    const recert = rep.getByRole('list', { name: 'Your learning paths' }).getByRole('listitem').filter({ hasText: RECERT_PATH });
    await expect(recert.getByText('Overdue', { exact: true }).count()).resolves.toBe(1);
    await rep.context().close();
  });
});
