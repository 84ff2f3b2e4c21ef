/**
 * A course completion's follow-up (points, a path finished, a certificate earned) runs right after the commit's
 * write. Here it is made to fail for real (the ledger table is renamed away while the learner completes the course),
 * the commit still succeeds, and the catch-up job later does the whole follow-up exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { and, eq, sql } from 'drizzle-orm';
import { signedInClients, startTestApp, type TestApp } from '../helpers/test-app.js';
import { importPublishedPackage } from '../helpers/courses.js';
import { packageWithPage } from './search-package.js';
import { commitThroughPlayer } from './certifications-player.js';
import { findUserByEmail } from '../../server/users/users.repository.js';
import { certificates } from '../../courses/certifications/certifications.table.js';
import { learningPathEnrolments } from '../../courses/paths/paths.table.js';
import { pointsLedger, userPoints } from '../../courses/gamification/gamification.table.js';
import { attempts } from '../../courses/tracking/tracking.table.js';
import { createCompletionFollowUp, FOLLOW_UP_LOOKBACK_MS } from '../../courses/tracking/completion-follow-up.js';

let app: TestApp;
const db = () => app.deps.database.db;
const as = signedInClients(() => app);
let course: string;
let pathId: string;
let certificationId: string;

beforeAll(async () => {
  app = await startTestApp();
  ({ courseId: course } = await importPublishedPackage(app, await packageWithPage('<p>Only lesson</p>'), 'Follow-up course'));
  const manager = await as('enablement@vendor.test');
  await manager.get('/paths/new');
  const created = await manager.post('/paths', { title: 'Follow-up path', description: '', status: 'draft', dueDays: '' });
  pathId = /^\/paths\/([0-9a-f-]{36})\/edit$/.exec(created.location!)![1]!;
  expect((await manager.post(`/paths/${pathId}/steps`, { target: `course:${course}` })).status).toBe(303);
  expect((await manager.post(`/paths/${pathId}`, { title: 'Follow-up path', status: 'published', dueDays: '' })).status).toBe(303);
  expect((await manager.post(`/paths/${pathId}/rules`, { partnerTypes: 'reseller' })).status).toBe(303);
  const form = await manager.get('/certifications/new');
  const token = /name="_csrf" value="([^"]+)"/.exec(form.text)![1]!;
  const body = new URLSearchParams({ _csrf: token, name: 'Follow-up certified', pathIds: pathId, validityMonths: '12', recertWindowDays: '30' });
  const res = await manager.request('POST', '/certifications', { body: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  expect(res.status).toBe(303);
  certificationId = /\/certifications\/([0-9a-f-]{36})\/holders/.exec(res.location!)![1]!;
});
afterAll(async () => app?.stop());

describe('completion follow-up', () => {
  it('a completion whose follow-up failed is scored, finishes the path and earns the certificate on the catch-up, once', async () => {
    const riley = (await findUserByEmail(db(), 'rep@acme.test'))!.id;
    const followUp = createCompletionFollowUp(app.deps);
    expect(await followUp.catchUp()).toBe(0);

    // The fault: every write of the follow-up touches the ledger, which is gone while the commit lands.
    await db().execute(sql`alter table gamification_points_ledger rename to gamification_points_ledger_away`);
    try {
      await commitThroughPlayer(await as('rep@acme.test'), course, { lesson_status: 'passed' });
    } finally {
      await db().execute(sql`alter table gamification_points_ledger_away rename to gamification_points_ledger`);
    }
    const [attempt] = await db().select().from(attempts).where(and(eq(attempts.userId, riley), eq(attempts.courseId, course)));
    expect(attempt!.successStatus).toBe('passed');
    expect(await db().select().from(pointsLedger).where(eq(pointsLedger.userId, riley))).toHaveLength(0);
    expect(await db().select().from(certificates).where(eq(certificates.userId, riley))).toHaveLength(0);

    expect(await followUp.catchUp()).toBe(1);
    const ledger = await db().select().from(pointsLedger).where(eq(pointsLedger.userId, riley));
    expect(ledger.map((l) => l.kind).sort()).toEqual(['certification_earned', 'course_completed', 'path_completed']);
    const [allTime] = await db()
      .select()
      .from(userPoints)
      .where(and(eq(userPoints.userId, riley), eq(userPoints.periodKey, 'all')));
    expect(allTime!.points).toBe(ledger.reduce((sum, l) => sum + l.points, 0));
    const [enrolment] = await db()
      .select()
      .from(learningPathEnrolments)
      .where(and(eq(learningPathEnrolments.userId, riley), eq(learningPathEnrolments.pathId, pathId)));
    expect(enrolment!.completedAt).not.toBeNull();
    expect(await db().select().from(certificates).where(and(eq(certificates.userId, riley), eq(certificates.certificationId, certificationId)))).toHaveLength(1);

    // Nothing left: a second run (or two at once) changes nothing.
    expect(await Promise.all([followUp.catchUp(), followUp.catchUp()])).toEqual([0, 0]);
    expect(await db().select().from(pointsLedger).where(eq(pointsLedger.userId, riley))).toHaveLength(3);
  });

  it('vendor staff completions (they do not compete) and completions older than the look-back are left alone', async () => {
    await commitThroughPlayer(await as('enablement@vendor.test'), course, { lesson_status: 'passed' });
    expect(await createCompletionFollowUp(app.deps).catchUp()).toBe(0);

    await db().execute(sql`alter table gamification_points_ledger rename to gamification_points_ledger_away`);
    try {
      await commitThroughPlayer(await as('rep@globex.test'), course, { lesson_status: 'passed' });
    } finally {
      await db().execute(sql`alter table gamification_points_ledger_away rename to gamification_points_ledger`);
    }
    app.advanceClock(FOLLOW_UP_LOOKBACK_MS + 60_000);
    expect(await createCompletionFollowUp(app.deps).catchUp()).toBe(0);
    app.advanceClock(-(FOLLOW_UP_LOOKBACK_MS + 60_000));
    expect(await createCompletionFollowUp(app.deps).catchUp()).toBe(1);
  });
});
