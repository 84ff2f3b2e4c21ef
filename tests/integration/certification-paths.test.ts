/**
 * Certifications that require learning paths, and recertification through a path: the path requirement is checked
 * with the paths module's own progress, a course completion that finishes a path earns the certification at once,
 * and holders in their window are assigned the recertification path, which counts only what they do from then on.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { and, eq } from 'drizzle-orm';
import { signedInClients, startTestApp, type TestApp } from '../helpers/test-app.js';
import { importPublishedPackage } from '../helpers/courses.js';
import { packageWithPage } from './search-package.js';
import { commitThroughPlayer } from './certifications-player.js';
import { findUserByEmail } from '../../server/users/users.repository.js';
import { certificates } from '../../courses/certifications/certifications.table.js';
import { createCertificationsService } from '../../courses/certifications/certifications.service.js';
import { learningPathEnrolments } from '../../courses/paths/paths.table.js';
import { pointsLedger } from '../../courses/gamification/gamification.table.js';

const DAY = 86_400_000;

let app: TestApp;
const db = () => app.deps.database.db;
let intro: string;
let pitch: string;
let exam: string;
let refresher: string;
let sellerPath: string;
let recertPath: string;
let certification: string;

const as = signedInClients(() => app);
/** Moves the app's clock; signed-in clients are dropped (sessions expire by the app's clock). */
function advanceClock(ms: number) {
  app.advanceClock(ms);
  as.forgetAll();
}
const userId = async (email: string) => (await findUserByEmail(db(), email))!.id;
const pass = async (email: string, courseId: string, options: { newAttempt?: boolean } = {}) =>
  commitThroughPlayer(await as(email), courseId, { lesson_status: 'passed' }, options);
const takeExam = async (email: string, score: number) =>
  commitThroughPlayer(await as(email), exam, { lesson_status: 'completed', score: { raw: String(score), max: '100' } });

async function certificatesOf(email: string) {
  return db()
    .select()
    .from(certificates)
    .where(and(eq(certificates.userId, await userId(email)), eq(certificates.certificationId, certification)))
    .orderBy(certificates.cycle);
}

async function enrolmentOf(pathId: string, email: string) {
  const rows = await db()
    .select()
    .from(learningPathEnrolments)
    .where(and(eq(learningPathEnrolments.pathId, pathId), eq(learningPathEnrolments.userId, await userId(email))));
  return rows[0] ?? null;
}

async function pointsOf(email: string, kind: string) {
  const rows = await db()
    .select()
    .from(pointsLedger)
    .where(and(eq(pointsLedger.userId, await userId(email)), eq(pointsLedger.kind, kind as 'exam_passed')));
  return rows;
}

async function createPath(title: string, courseIds: string[], rule: Record<string, string> | null): Promise<string> {
  const manager = await as('enablement@vendor.test');
  await manager.get('/paths/new');
  const created = await manager.post('/paths', { title, description: `About ${title}`, status: 'draft', dueDays: '' });
  expect(created.status).toBe(303);
  const id = /^\/paths\/([0-9a-f-]{36})\/edit$/.exec(created.location!)![1]!;
  for (const courseId of courseIds) expect((await manager.post(`/paths/${id}/steps`, { target: `course:${courseId}` })).status).toBe(303);
  expect((await manager.post(`/paths/${id}`, { title, status: 'published', dueDays: '' })).status).toBe(303);
  if (rule) expect((await manager.post(`/paths/${id}/rules`, rule)).status).toBe(303);
  return id;
}

/** Posts the certification form with repeated fields (courseIds, pathIds); returns the response. */
async function postCertification(action: string, fields: Record<string, string | string[]>) {
  const manager = await as('enablement@vendor.test');
  const token = /name="_csrf" value="([^"]+)"/.exec((await manager.get('/certifications/new')).text)![1]!;
  const body = new URLSearchParams({ _csrf: token });
  for (const [key, value] of Object.entries(fields)) for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
  return manager.request('POST', action, { body: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
}

beforeAll(async () => {
  app = await startTestApp({ TRUST_PROXY: 'true', SESSION_MAX_AGE_HOURS: String(24 * 800) });
  ({ courseId: intro } = await importPublishedPackage(app, await packageWithPage('<p>Intro</p>'), 'Platform introduction'));
  ({ courseId: pitch } = await importPublishedPackage(app, await packageWithPage('<p>Pitch</p>'), 'The platform pitch'));
  ({ courseId: exam } = await importPublishedPackage(app, await packageWithPage('<p>Exam</p>'), 'Platform sales exam'));
  ({ courseId: refresher } = await importPublishedPackage(app, await packageWithPage('<p>What is new</p>'), 'What is new this year'));
  sellerPath = await createPath('Platform seller path', [intro, pitch], { partnerTypes: 'reseller', roles: 'partner_rep' });
  // The recertification path has no rule: only holders in their window get it.
  recertPath = await createPath('Platform seller recertification', [refresher], null);
});
afterAll(async () => app?.stop());

describe('certifications requiring a learning path', () => {
  it('the form offers learning paths and a recertification path, and refuses unknown ones by name', async () => {
    const form = (await (await as('enablement@vendor.test')).get('/certifications/new')).text;
    expect(form).toContain('Learning paths to finish');
    expect(form).toContain('Platform seller path');
    expect(form).toContain('<label for="recertPathId">Recertification path</label>');

    const unknown = await postCertification('/certifications', {
      name: 'Ghost path',
      pathIds: '00000000-0000-4000-8000-000000000000',
      validityMonths: '12',
      recertWindowDays: '30',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('One of the chosen learning paths no longer exists');

    const badRecert = await postCertification('/certifications', { name: 'Bad recert', pathIds: sellerPath, recertPathId: 'not-a-path', validityMonths: '12', recertWindowDays: '30' });
    expect(badRecert.status).toBe(400);
    expect(badRecert.text).toContain('choose a recertification path from the list');

    const created = await postCertification('/certifications', {
      name: 'Platform Seller',
      pathIds: sellerPath,
      examCourseId: exam,
      passingScore: '80',
      validityMonths: '12',
      recertWindowDays: '60',
      recertPathId: recertPath,
    });
    expect(created.status).toBe(303);
    certification = /\/certifications\/([0-9a-f-]{36})\/holders/.exec(created.location!)![1]!;
    const edit = (await (await as('enablement@vendor.test')).get(`/certifications/${certification}/edit`)).text;
    expect(edit).toMatch(new RegExp(`name="pathIds" value="${sellerPath}" checked`));
    expect(edit).toMatch(new RegExp(`<option value="${recertPath}" selected>`));
  });

  it('passing the exam alone does not certify; it scores "exam passed" once, and a failing score scores nothing', async () => {
    await takeExam('rep@acme.test', 60);
    expect(await pointsOf('rep@acme.test', 'exam_passed')).toHaveLength(0);
    await takeExam('rep@acme.test', 90);
    expect(await certificatesOf('rep@acme.test')).toHaveLength(0);
    expect(await pointsOf('rep@acme.test', 'exam_passed')).toHaveLength(1);
    await takeExam('rep@acme.test', 95);
    expect(await pointsOf('rep@acme.test', 'exam_passed')).toHaveLength(1);
  });

  it('finishing the last course of the path earns the certification at once, and the path completion is recorded and scored', async () => {
    await pass('rep@acme.test', intro);
    expect(await certificatesOf('rep@acme.test')).toHaveLength(0);
    expect((await enrolmentOf(sellerPath, 'rep@acme.test'))!.completedAt).toBeNull();

    await pass('rep@acme.test', pitch);
    const [issued] = await certificatesOf('rep@acme.test');
    expect(issued).toBeDefined();
    expect(issued!.requirements).toEqual([
      { kind: 'exam', courseId: exam, title: 'Platform sales exam', pathId: null, passingScore: 80 },
      { kind: 'path', courseId: null, title: 'Platform seller path', pathId: sellerPath, passingScore: null },
    ]);
    // Recorded by the commit, before anyone opened a page.
    expect((await enrolmentOf(sellerPath, 'rep@acme.test'))!.completedAt).not.toBeNull();
    expect(await pointsOf('rep@acme.test', 'path_completed')).toHaveLength(1);

    // My certifications offers the link to share and LinkedIn's add-to-profile form, filled in.
    const mine = (await (await as('rep@acme.test')).get('/certifications')).text;
    const linkedIn = new URL(/href="(https:\/\/www\.linkedin\.com\/profile\/add\?[^"]+)"/.exec(mine)![1]!.replaceAll('&#x3D;', '=').replaceAll('&amp;', '&'));
    expect(Object.fromEntries(linkedIn.searchParams)).toMatchObject({
      startTask: 'CERTIFICATION_NAME',
      name: 'Platform Seller',
      organizationName: 'Northwind Software',
      certId: issued!.id,
      certUrl: `${app.deps.config.appUrl}/verify/${issued!.id}`,
      issueYear: String(issued!.issuedAt.getUTCFullYear()),
    });
    expect(mine).toContain(`data-copy-text="${app.deps.config.appUrl}/verify/${issued!.id}"`);
  });

  it('someone the path is not assigned to is certified once every step of it is done, not before', async () => {
    // Jonas (Globex, a distributor) is not assigned the path, but progress is his either way: one course of two is not enough.
    await takeExam('rep@globex.test', 85);
    await pass('rep@globex.test', intro);
    expect(await certificatesOf('rep@globex.test')).toHaveLength(0);
    await pass('rep@globex.test', pitch);
    expect(await certificatesOf('rep@globex.test')).toHaveLength(1);
  });
});

describe('recertification through a path', () => {
  it('before the window opens nobody is assigned the recertification path', async () => {
    const service = createCertificationsService(app.deps);
    expect(await service.assignRecertificationPaths()).toBe(0);
    expect(await enrolmentOf(recertPath, 'rep@acme.test')).toBeNull();
  });

  it('when the window opens the holder is assigned it, due on the expiry, and the reminder links it; running again changes nothing', async () => {
    const [certificate] = await certificatesOf('rep@acme.test');
    // 50 days before expiry: inside the 60-day window.
    advanceClock(certificate!.expiresAt.getTime() - app.deps.clock().getTime() - 50 * DAY);
    const service = createCertificationsService(app.deps);
    expect(await service.sendRecertificationReminders()).toBe(2);
    const enrolment = await enrolmentOf(recertPath, 'rep@acme.test');
    expect(enrolment).toMatchObject({ status: 'assigned', source: 'recertification', completedAt: null });
    expect(enrolment!.dueAt!.toISOString()).toBe(certificate!.expiresAt.toISOString());
    expect(enrolment!.progressFrom!.getTime()).toBe(certificate!.expiresAt.getTime() - 60 * DAY);
    const mail = (await app.mailTo('rep@acme.test')).at(-1)!;
    expect(mail.text).toContain('complete the learning path "Platform seller recertification"');
    expect(mail.text).toContain(`/paths/${recertPath}`);
    expect(await service.assignRecertificationPaths()).toBe(0);

    // It is on My learning and /paths, marked as a recertification, not yet started.
    const myLearning = (await (await as('rep@acme.test')).get('/my/courses')).text;
    expect(myLearning).toContain('Platform seller recertification');
    expect(myLearning).toContain('Recertification');
    const mine = (await (await as('rep@acme.test')).get('/certifications')).text;
    expect(mine).toContain(`href="/paths/${recertPath}"`);
  });

  it('a rule change never unassigns a recertification assignment', async () => {
    const manager = await as('enablement@vendor.test');
    // Adding and removing a rule on the recertification path reconciles its assignments.
    expect((await manager.post(`/paths/${recertPath}/rules`, { partnerTypes: 'consultant' })).status).toBe(303);
    const page = (await manager.get(`/paths/${recertPath}/edit`)).text;
    const ruleId = new RegExp(`/paths/${recertPath}/rules/([0-9a-f-]{36})/delete`).exec(page)![1]!;
    expect((await manager.post(`/paths/${recertPath}/rules/${ruleId}/delete`, {})).status).toBe(303);
    expect(await enrolmentOf(recertPath, 'rep@acme.test')).toMatchObject({ status: 'assigned', source: 'recertification' });
  });

  it('courses done before the window do not count; finishing the path since renews the certification from the previous expiry', async () => {
    // Riley did the refresher long before the window (counted from progress_from, not from all time).
    const path = (await (await as('rep@acme.test')).get(`/paths/${recertPath}`)).text;
    expect(path).toContain('0 / 1');
    expect(path).toContain('only what you do from');

    await pass('rep@acme.test', refresher);
    const cycles = await certificatesOf('rep@acme.test');
    expect(cycles.map((c) => c.cycle)).toEqual([1, 2]);
    const expected = new Date(cycles[0]!.expiresAt);
    expected.setUTCMonth(expected.getUTCMonth() + 12);
    expect(cycles[1]!.expiresAt.toISOString().slice(0, 10)).toBe(expected.toISOString().slice(0, 10));
    expect(cycles[1]!.requirements).toEqual([{ kind: 'path', courseId: null, title: 'Platform seller recertification', pathId: recertPath, passingScore: null }]);
    // The renewal scores nothing new (certification_earned is once per person).
    expect(await pointsOf('rep@acme.test', 'certification_earned')).toHaveLength(1);
  });

  it('a holder who let it lapse still sees the recertification path, and the certificate is expired', async () => {
    const [jonas] = await certificatesOf('rep@globex.test');
    advanceClock(jonas!.expiresAt.getTime() - app.deps.clock().getTime() + DAY);
    const mine = (await (await as('rep@globex.test')).get('/certifications')).text;
    expect(mine).toContain('Expired on');
    expect(mine).toContain('your recertification path');
    // A lapsed certificate is not offered for profiles.
    expect(mine).not.toContain('linkedin.com/profile/add');
    expect(await enrolmentOf(recertPath, 'rep@globex.test')).toMatchObject({ status: 'assigned', source: 'recertification' });
  });
});
