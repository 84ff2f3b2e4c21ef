import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { and, eq } from 'drizzle-orm';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { findUserByEmail } from '../../server/users/users.repository.js';
import { courses } from '../../courses/catalogue/courses.table.js';
import { courseItems, courseVersions } from '../../courses/scorm/scorm.table.js';
import { attempts, scoStates } from '../../courses/tracking/tracking.table.js';
import { createTrackingService, SESSION_SEQUENCE_STRIDE, type TrackingService } from '../../courses/tracking/tracking.service.js';
import type { CmiObject } from '../../courses/tracking/cmi.js';
import { commitStatements } from '../../courses/tracking/tracking.repository.js';
import type { Database, Executor } from '../../server/db/database.js';
import * as schema from '../../server/db/schema.js';

let app: TestApp;
let db: Database;
let tracking: TrackingService;
let rep: { id: string; organisationId: string };
let otherRep: { id: string; organisationId: string };

beforeAll(async () => {
  app = await startTestApp();
  db = app.deps.database.db;
  tracking = createTrackingService(app.deps);
  const a = await findUserByEmail(db, 'rep@acme.test');
  const b = await findUserByEmail(db, 'rep@globex.test');
  rep = { id: a!.id, organisationId: a!.organisationId };
  otherRep = { id: b!.id, organisationId: b!.organisationId };
});
afterAll(async () => app?.stop());

type ItemSpec = {
  identifier: string;
  parent?: string;
  sco?: boolean;
  asset?: boolean;
  masteryScore?: number;
  satisfiedByMeasure?: boolean;
  minNormalizedMeasure?: number;
  completionThreshold?: number;
  dataFromLms?: string;
  sequencingXml?: string;
};

let courseCounter = 0;

/** A course with one version, inserted directly (the import service is tested elsewhere). */
async function createCourse(standard: 'scorm12' | 'scorm2004', items: ItemSpec[], options: { allowNewAttemptAfterCompletion?: boolean } = {}) {
  courseCounter += 1;
  const [course] = await db
    .insert(courses)
    .values({ title: `Tracking course ${courseCounter}`, status: 'published', allowNewAttemptAfterCompletion: options.allowNewAttemptAfterCompletion ?? true })
    .returning();
  const version = await addVersion(course!.id, 1, standard, items);
  await db.update(courses).set({ currentVersionId: version.versionId }).where(eq(courses.id, course!.id));
  return { courseId: course!.id, ...version };
}

async function addVersion(courseId: string, versionNumber: number, standard: 'scorm12' | 'scorm2004', items: ItemSpec[]) {
  const manifestItems = items
    .filter((item) => !item.parent)
    .map((item) => ({ identifier: item.identifier, sequencingXml: item.sequencingXml ?? null, children: items.filter((c) => c.parent === item.identifier).map((c) => ({ identifier: c.identifier, sequencingXml: c.sequencingXml ?? null, children: [] })) }));
  const [version] = await db
    .insert(courseVersions)
    .values({
      courseId,
      versionNumber,
      standard,
      storagePrefix: `courses/${courseId}/v${versionNumber}/`,
      originalFilename: 'package.zip',
      fileCount: 1,
      totalBytes: 100,
      manifest: { organization: { items: manifestItems } },
    })
    .returning();
  const rows = await db
    .insert(courseItems)
    .values(
      items.map((item, position) => ({
        versionId: version!.id,
        identifier: item.identifier,
        parentIdentifier: item.parent ?? null,
        position,
        depth: item.parent ? 1 : 0,
        title: `Item ${item.identifier}`,
        scormType: item.sco === false ? null : item.asset ? 'asset' : 'sco',
        launchHref: item.sco === false ? null : `${item.identifier}/index.html`,
        masteryScore: item.masteryScore ?? null,
        satisfiedByMeasure: item.satisfiedByMeasure ?? false,
        minNormalizedMeasure: item.minNormalizedMeasure ?? null,
        completionThreshold: item.completionThreshold ?? null,
        dataFromLms: item.dataFromLms ?? null,
      })),
    )
    .returning();
  return { versionId: version!.id, itemIds: Object.fromEntries(rows.map((row) => [row.identifier, row.id])) as Record<string, string> };
}

async function start(course: { courseId: string; versionId: string }, user = rep, extra: { forceNew?: boolean; allowNewAttemptAfterCompletion?: boolean; versionId?: string } = {}) {
  return tracking.startOrResumeAttempt({
    userId: user.id,
    organisationId: user.organisationId,
    courseId: course.courseId,
    versionIdForNewAttempts: extra.versionId ?? course.versionId,
    allowNewAttemptAfterCompletion: extra.allowNewAttemptAfterCompletion ?? true,
    forceNew: extra.forceNew,
  });
}

async function storedState(attemptId: string, itemId: string) {
  const rows = await db.select().from(scoStates).where(and(eq(scoStates.attemptId, attemptId), eq(scoStates.itemId, itemId)));
  return rows[0] ?? null;
}

async function attemptRow(attemptId: string) {
  const rows = await db.select().from(attempts).where(eq(attempts.id, attemptId));
  return rows[0]!;
}

const S = SESSION_SEQUENCE_STRIDE;

/**
 * The repository's commit write called directly, as the service would for a SCORM 1.2 SCO: `location` is the
 * lesson location and the digest, the sequence is also the SCO's and the attempt's total time. True when written.
 */
async function writeDirectly(executor: Executor, write: { attemptId: string; itemId: string; rowVersion?: string; sequence: number; location: string }) {
  const statements = commitStatements(executor);
  const rowVersion = write.rowVersion ?? (await statements.findContext(write.attemptId, rep.id))!.rowVersion;
  const written = await statements.writeIfAttemptUnchanged({
    attemptId: write.attemptId,
    userId: rep.id,
    rowVersion,
    state: {
      itemId: write.itemId,
      cmiJson: JSON.stringify({ core: { lesson_location: write.location } }),
      commitSequence: write.sequence,
      commitDigest: write.location,
      completionStatus: 'incomplete',
      successStatus: 'unknown',
      scoreRaw: null,
      scoreMin: null,
      scoreMax: null,
      scoreScaled: null,
      totalTimeSeconds: write.sequence,
      sessionTimeSeconds: 0,
      location: write.location,
      interactionCount: 0,
    },
    rollup: { completionStatus: 'incomplete', successStatus: 'unknown', scoreScaled: null, totalTimeSeconds: write.sequence },
    now: new Date(),
  });
  return written !== null;
}

describe('commit, then resume', () => {
  it('SCORM 2004: location and 8 KB of non-ASCII suspend_data come back byte-exact', async () => {
    const course = await createCourse('scorm2004', [{ identifier: 'sco-1', completionThreshold: 0.8, satisfiedByMeasure: true, minNormalizedMeasure: 0.6, dataFromLms: 'mode=exam' }]);
    const { attempt, created, mode } = await start(course);
    expect([created, mode, attempt.attemptNumber, attempt.versionId]).toEqual([true, 'normal', 1, course.versionId]);

    const first = await tracking.launchData({ attemptId: attempt.id, userId: rep.id, itemId: course.itemIds['sco-1']! });
    expect(first).toMatchObject({ standard: 'scorm2004', mode: 'normal', sequenceBase: S });
    expect(first.cmi).toMatchObject({ entry: 'ab-initio', learner_id: rep.id, credit: 'credit', mode: 'normal', completion_threshold: '0.8', scaled_passing_score: '0.6', launch_data: 'mode=exam' });

    const unit = 'Grüße, 東京 😀 «ñ» \u2028 "q" \\ \n';
    const suspend = unit.repeat(Math.ceil(8192 / unit.length)).slice(0, 8192);
    const location = 'chapitre-2/é/🚀';
    const ack = await tracking.commit({
      attemptId: attempt.id,
      userId: rep.id,
      itemIdentifier: 'sco-1',
      sequence: first.sequenceBase + 1,
      cmi: { cmi: { location, suspend_data: suspend, exit: 'suspend', completion_status: 'incomplete', progress_measure: '0.5', session_time: 'PT3M', score: { scaled: '0.4' } } },
      isFinal: true,
    });
    expect(ack).toEqual({ result: true, errorCode: 0, sequence: S + 1 });

    const resumed = await tracking.launchData({ attemptId: attempt.id, userId: rep.id, itemId: course.itemIds['sco-1']! });
    expect(resumed.cmi.suspend_data).toBe(suspend);
    expect(Buffer.from(resumed.cmi.suspend_data as string, 'utf8').equals(Buffer.from(suspend, 'utf8'))).toBe(true);
    expect(resumed.cmi).toMatchObject({ location, entry: 'resume', total_time: 'PT3M', completion_status: 'incomplete', progress_measure: '0.5' });
    expect(resumed.sequenceBase).toBe(2 * S);

    const row = await storedState(attempt.id, course.itemIds['sco-1']!);
    expect(row).toMatchObject({ commitSequence: S + 1, completionStatus: 'incomplete', successStatus: 'failed', scoreScaled: 0.4, location, totalTimeSeconds: 180, sessionTimeSeconds: 180 });
  });

  it('SCORM 1.2: resume data, mastery score and the accumulated total time across sessions', async () => {
    const course = await createCourse('scorm12', [{ identifier: 'lesson', masteryScore: 70 }]);
    const { attempt } = await start(course);
    const itemId = course.itemIds.lesson!;
    const s1 = await tracking.launchData({ attemptId: attempt.id, userId: rep.id, itemId });
    expect(s1.cmi).toMatchObject({ core: { entry: 'ab-initio', lesson_status: 'not attempted', total_time: '00:00:00' }, student_data: { mastery_score: '70' } });
    const commit = (sequence: number, core: CmiObject, suspend = 'a=1') =>
      tracking.commit({ attemptId: attempt.id, userId: rep.id, itemIdentifier: 'lesson', sequence, cmi: { core, suspend_data: suspend } });

    // Session 1: two commits; session_time is the session's running time, so the second replaces the first.
    await commit(s1.sequenceBase + 1, { lesson_status: 'incomplete', lesson_location: 'p1', session_time: '00:01:00' });
    await commit(s1.sequenceBase + 2, { lesson_status: 'incomplete', lesson_location: 'p2', session_time: '00:02:00', exit: 'suspend' });
    expect((await storedState(attempt.id, itemId))!.totalTimeSeconds).toBe(120);

    const s2 = await tracking.launchData({ attemptId: attempt.id, userId: rep.id, itemId });
    expect(s2.sequenceBase).toBe(s1.sequenceBase + S);
    expect(s2.cmi).toMatchObject({ core: { entry: 'resume', lesson_location: 'p2', total_time: '00:02:00' }, suspend_data: 'a=1' });

    // Session 2 adds its own time to the stored total, and the mastery score decides success.
    await commit(s2.sequenceBase + 1, { lesson_status: 'completed', session_time: '00:00:30', score: { raw: '75' } }, 'a=2;ü');
    const row = (await storedState(attempt.id, itemId))!;
    expect(row).toMatchObject({ totalTimeSeconds: 150, sessionTimeSeconds: 30, completionStatus: 'completed', successStatus: 'passed', scoreRaw: 75, scoreScaled: 0.75 });
    expect(await attemptRow(attempt.id)).toMatchObject({ completionStatus: 'completed', successStatus: 'passed', scoreScaled: 0.75, totalTimeSeconds: 150 });

    // The attempt is completed now: a new launch reviews it, and its commits change nothing.
    const s3 = await tracking.launchData({ attemptId: attempt.id, userId: rep.id, itemId });
    expect(s3.mode).toBe('review');
    expect(s3.cmi).toMatchObject({ core: { credit: 'no-credit', lesson_mode: 'review', entry: '', total_time: '00:02:30', lesson_status: 'completed' }, suspend_data: 'a=2;ü' });
    const reviewAck = await commit(s3.sequenceBase + 1, { lesson_status: 'incomplete', lesson_mode: 'review', session_time: '01:00:00' }, 'scribbled');
    expect(reviewAck.result).toBe(true);
    expect((await storedState(attempt.id, itemId))!).toMatchObject({ commitSequence: s2.sequenceBase + 1, totalTimeSeconds: 150, cmi: { suspend_data: 'a=2;ü' } });
  });
});

describe('sequence guard', () => {
  it('refuses a stale commit and leaves the stored data as it was', async () => {
    const course = await createCourse('scorm2004', [{ identifier: 'only' }]);
    const { attempt } = await start(course);
    const base = (await tracking.launchData({ attemptId: attempt.id, userId: rep.id, itemId: course.itemIds.only! })).sequenceBase;
    await tracking.commit({ attemptId: attempt.id, userId: rep.id, itemIdentifier: 'only', sequence: base + 5, cmi: { location: 'page-5', suspend_data: 'five', session_time: 'PT5M' } });
    await expect(
      tracking.commit({ attemptId: attempt.id, userId: rep.id, itemIdentifier: 'only', sequence: base + 3, cmi: { location: 'page-3', suspend_data: 'three', completion_status: 'completed' } }),
    ).rejects.toMatchObject({ code: 'tracking.stale_commit', status: 409, details: { sequence: base + 3, storedSequence: base + 5 } });
    const row = (await storedState(attempt.id, course.itemIds.only!))!;
    expect(row).toMatchObject({ commitSequence: base + 5, location: 'page-5', completionStatus: 'unknown', totalTimeSeconds: 300, cmi: { suspend_data: 'five' } });
    expect((await attemptRow(attempt.id)).completionStatus).toBe('incomplete');
  });

  it('stores a repeated commit once, and refuses a different commit with the same sequence', async () => {
    const course = await createCourse('scorm2004', [{ identifier: 'only' }]);
    const { attempt } = await start(course);
    const cmi = { location: 'p', suspend_data: 'same', session_time: 'PT1M', completion_status: 'incomplete' };
    await tracking.commit({ attemptId: attempt.id, userId: rep.id, itemIdentifier: 'only', sequence: S + 1, cmi });
    const before = (await storedState(attempt.id, course.itemIds.only!))!;
    app.advanceClock(60_000);
    // The same data with its keys in another order is the same commit (a retried request).
    const again = await tracking.commit({ attemptId: attempt.id, userId: rep.id, itemIdentifier: 'only', sequence: S + 1, cmi: { completion_status: 'incomplete', session_time: 'PT1M', suspend_data: 'same', location: 'p' } });
    expect(again).toEqual({ result: true, errorCode: 0, sequence: S + 1 });
    const after = (await storedState(attempt.id, course.itemIds.only!))!;
    expect(after.lastAccessedAt.getTime()).toBe(before.lastAccessedAt.getTime());
    expect(after.totalTimeSeconds).toBe(60);
    const rows = await db.select().from(scoStates).where(eq(scoStates.attemptId, attempt.id));
    expect(rows).toHaveLength(1);

    await expect(tracking.commit({ attemptId: attempt.id, userId: rep.id, itemIdentifier: 'only', sequence: S + 1, cmi: { ...cmi, suspend_data: 'different' } })).rejects.toMatchObject({
      code: 'tracking.commit_conflict',
      status: 409,
    });
    expect((await storedState(attempt.id, course.itemIds.only!))!.cmi).toMatchObject({ suspend_data: 'same' });
  });

  it('the commit write itself stores only a higher sequence, and only on the attempt row as it was read', async () => {
    const course = await createCourse('scorm12', [{ identifier: 'only' }]);
    const { attempt } = await start(course);
    const itemId = course.itemIds.only!;
    const write = (sequence: number, location: string, rowVersion?: string) => writeDirectly(db, { attemptId: attempt.id, itemId, sequence, location, ...(rowVersion ? { rowVersion } : {}) });
    const before = (await commitStatements(db).findContext(attempt.id, rep.id))!;
    expect(before).toMatchObject({ attempt: { id: attempt.id, versionId: course.versionId }, superseded: false, states: [] });
    expect(await write(10, 'ten', before.rowVersion)).toBe(true);
    // The attempt row has changed since `before` was read: nothing is written.
    expect(await write(11, 'eleven', before.rowVersion)).toBe(false);
    expect(await write(9, 'nine')).toBe(false);
    expect(await write(10, 'ten again')).toBe(false);
    expect((await storedState(attempt.id, itemId))!).toMatchObject({ commitSequence: 10, location: 'ten', commitDigest: 'ten' });
    expect((await attemptRow(attempt.id)).totalTimeSeconds).toBe(10);
    expect(await write(11, 'eleven')).toBe(true);
    expect((await storedState(attempt.id, itemId))!).toMatchObject({ commitSequence: 11, location: 'eleven', totalTimeSeconds: 11, cmi: { core: { lesson_location: 'eleven' } } });
    expect((await attemptRow(attempt.id)).totalTimeSeconds).toBe(11);
    expect(await db.select().from(scoStates).where(eq(scoStates.attemptId, attempt.id))).toHaveLength(1);
    expect((await commitStatements(db).findContext(attempt.id, rep.id))!.states).toEqual([expect.objectContaining({ itemId, commitSequence: 11, commitDigest: 'eleven', totalTimeSeconds: 11 })]);
    expect(await commitStatements(db).findContext(attempt.id, otherRep.id)).toBeNull();
  });

  it('refuses a sequence that is not a positive whole number', async () => {
    const course = await createCourse('scorm12', [{ identifier: 'only' }]);
    const { attempt } = await start(course);
    for (const sequence of [0, -1, 1.5, Number.NaN, 2 ** 60]) {
      await expect(tracking.commit({ attemptId: attempt.id, userId: rep.id, itemIdentifier: 'only', sequence, cmi: {} })).rejects.toMatchObject({ code: 'tracking.invalid_sequence' });
    }
    expect(await storedState(attempt.id, course.itemIds.only!)).toBeNull();
  });

  it('refuses data over a limit with the element named, storing nothing', async () => {
    const course = await createCourse('scorm12', [{ identifier: 'only' }]);
    const { attempt } = await start(course);
    await expect(
      tracking.commit({ attemptId: attempt.id, userId: rep.id, itemIdentifier: 'only', sequence: S + 1, cmi: { core: { lesson_status: 'completed' }, suspend_data: 'x'.repeat(4097) } }),
    ).rejects.toMatchObject({ code: 'tracking.value_too_long', status: 422, details: { element: 'cmi.suspend_data', length: 4097, limit: 4096 } });
    expect(await storedState(attempt.id, course.itemIds.only!)).toBeNull();
    expect((await attemptRow(attempt.id)).completionStatus).toBe('not_attempted');
  });
});

describe('whose attempt, which item', () => {
  it("answers another user's attempt exactly like a missing one", async () => {
    const course = await createCourse('scorm12', [{ identifier: 'only' }]);
    const { attempt } = await start(course);
    const missing = '00000000-0000-4000-8000-000000000000';
    const attempts = [
      tracking.commit({ attemptId: attempt.id, userId: otherRep.id, itemIdentifier: 'only', sequence: S + 1, cmi: { core: { lesson_status: 'passed' } } }),
      tracking.commit({ attemptId: missing, userId: otherRep.id, itemIdentifier: 'only', sequence: S + 1, cmi: { core: { lesson_status: 'passed' } } }),
      tracking.commit({ attemptId: 'not-a-uuid', userId: otherRep.id, itemIdentifier: 'only', sequence: S + 1, cmi: {} }),
      tracking.launchData({ attemptId: attempt.id, userId: otherRep.id, itemId: course.itemIds.only! }),
      tracking.attemptSummary(attempt.id, otherRep.id),
    ];
    const errors = await Promise.all(attempts.map((p) => p.then(() => null, (err: unknown) => err as { code: string; status: number; message: string })));
    for (const error of errors) expect(error).toMatchObject({ code: 'tracking.attempt_not_found', status: 404, message: errors[1]!.message });
    expect(await storedState(attempt.id, course.itemIds.only!)).toBeNull();
  });

  it('refuses an item of another version of the course, and chapters', async () => {
    const course = await createCourse('scorm12', [{ identifier: 'chapter', sco: false }, { identifier: 'v1-sco', parent: 'chapter' }]);
    const v2 = await addVersion(course.courseId, 2, 'scorm12', [{ identifier: 'v2-sco' }]);
    const { attempt } = await start(course);
    await expect(tracking.commit({ attemptId: attempt.id, userId: rep.id, itemIdentifier: 'v2-sco', sequence: S + 1, cmi: {} })).rejects.toMatchObject({
      code: 'tracking.item_not_in_version',
      status: 404,
    });
    await expect(tracking.launchData({ attemptId: attempt.id, userId: rep.id, itemId: v2.itemIds['v2-sco']! })).rejects.toMatchObject({ code: 'tracking.item_not_in_version' });
    await expect(tracking.commit({ attemptId: attempt.id, userId: rep.id, itemIdentifier: 'chapter', sequence: S + 1, cmi: {} })).rejects.toMatchObject({ code: 'tracking.item_not_launchable' });
    const rows = await db.select().from(scoStates).where(eq(scoStates.attemptId, attempt.id));
    expect(rows).toHaveLength(0);
  });
});

describe('roll-up', () => {
  it('rolls an attempt up from several SCOs, with the table of contents', async () => {
    const course = await createCourse('scorm12', [
      { identifier: 'intro', sco: false },
      { identifier: 'a', parent: 'intro' },
      { identifier: 'b', parent: 'intro' },
      { identifier: 'test', masteryScore: 80 },
      { identifier: 'handout', asset: true },
    ]);
    const { attempt } = await start(course);
    const commit = (item: string, core: CmiObject) => tracking.commit({ attemptId: attempt.id, userId: rep.id, itemIdentifier: item, sequence: S + 1, cmi: { core } });

    await commit('a', { lesson_status: 'completed', session_time: '00:10:00' });
    let summary = await tracking.attemptSummary(attempt.id, rep.id);
    expect(summary.attempt).toMatchObject({ completionStatus: 'incomplete', successStatus: 'unknown', totalTimeSeconds: 600, completedAt: null });
    expect(summary.rollup).toMatchObject({ scoCount: 3, completedCount: 1 });
    expect(summary.items.map((item) => [item.identifier, item.launchable, item.completionStatus])).toEqual([
      ['intro', false, 'not_attempted'],
      ['a', true, 'completed'],
      ['b', true, 'not_attempted'],
      ['test', true, 'not_attempted'],
      ['handout', false, 'not_attempted'],
    ]);

    // Three SCOs committed at once: the attempt row lock applies them one after the other, none is lost.
    await Promise.all([
      commit('b', { lesson_status: 'completed', session_time: '00:05:00' }),
      commit('test', { lesson_status: 'completed', score: { raw: '90', max: '100' }, session_time: '00:15:00' }),
      tracking.commit({ attemptId: attempt.id, userId: rep.id, itemIdentifier: 'a', sequence: S + 2, cmi: { core: { lesson_status: 'completed', session_time: '00:12:00' } } }),
    ]);
    summary = await tracking.attemptSummary(attempt.id, rep.id);
    expect(summary.attempt).toMatchObject({ completionStatus: 'completed', successStatus: 'passed', scoreScaled: 0.9, totalTimeSeconds: 12 * 60 + 5 * 60 + 15 * 60 });
    expect(summary.attempt.completedAt).toBeInstanceOf(Date);
    expect(summary.mode).toBe('review');
    expect(summary.items.find((item) => item.identifier === 'test')).toMatchObject({ successStatus: 'passed', scoreScaled: 0.9 });
  });

  it('SCORM 2004: an untracked item does not hold completion back; a relaunch does not undo a completion', async () => {
    const course = await createCourse('scorm2004', [
      { identifier: 'core' },
      { identifier: 'survey', sequencingXml: '<imsss:sequencing xmlns:imsss="http://www.imsglobal.org/xsd/imsss"><imsss:deliveryControls tracked="false"/></imsss:sequencing>' },
      { identifier: 'extra' },
    ]);
    const { attempt } = await start(course);
    await tracking.commit({ attemptId: attempt.id, userId: rep.id, itemIdentifier: 'core', sequence: S + 1, cmi: { completion_status: 'completed', exit: 'normal' } });
    // A later session of the same SCO (new learner attempt, fresh data) reports incomplete: the completion stays.
    const relaunch = await tracking.launchData({ attemptId: attempt.id, userId: rep.id, itemId: course.itemIds.core! });
    expect(relaunch.cmi).toMatchObject({ entry: 'ab-initio' });
    expect(relaunch.cmi).not.toHaveProperty('completion_status');
    await tracking.commit({ attemptId: attempt.id, userId: rep.id, itemIdentifier: 'core', sequence: relaunch.sequenceBase + 1, cmi: { completion_status: 'incomplete' } });
    expect((await storedState(attempt.id, course.itemIds.core!))!).toMatchObject({ completionStatus: 'completed', cmi: { completion_status: 'incomplete' } });
    expect((await attemptRow(attempt.id)).completionStatus).toBe('incomplete');

    await tracking.commit({ attemptId: attempt.id, userId: rep.id, itemIdentifier: 'extra', sequence: S + 1, cmi: { completion_status: 'completed' } });
    expect(await attemptRow(attempt.id)).toMatchObject({ completionStatus: 'completed' });
  });
});

describe('commits of one attempt at the same time', () => {
  it('commits to many SCOs at once all reach the roll-up, with the other SCOs\' stored states', async () => {
    const identifiers = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6'];
    const course = await createCourse('scorm12', [{ identifier: 'chapter', sco: false }, ...identifiers.map((identifier) => ({ identifier, parent: 'chapter', masteryScore: 50 }))]);
    const { attempt } = await start(course);
    const commit = (identifier: string, sequence: number, core: CmiObject) =>
      tracking.commit({ attemptId: attempt.id, userId: rep.id, itemIdentifier: identifier, sequence, cmi: { core, suspend_data: `${identifier}-${sequence}` } });

    // Round 1: every module started at once. Round 2: every module finished at once, each with its own score.
    await Promise.all(identifiers.map((identifier) => commit(identifier, S + 1, { lesson_status: 'incomplete', session_time: '00:01:00' })));
    expect(await attemptRow(attempt.id)).toMatchObject({ completionStatus: 'incomplete', totalTimeSeconds: 6 * 60, completedAt: null });
    await Promise.all(identifiers.map((identifier, i) => commit(identifier, S + 2, { lesson_status: 'completed', score: { raw: String(60 + i * 5) }, session_time: `00:0${i + 2}:00` })));
    const row = await attemptRow(attempt.id);
    expect(row).toMatchObject({ completionStatus: 'completed', successStatus: 'passed', totalTimeSeconds: (2 + 3 + 4 + 5 + 6 + 7) * 60 });
    expect(row.scoreScaled).toBeCloseTo((0.6 + 0.65 + 0.7 + 0.75 + 0.8 + 0.85) / 6, 10);
    expect(row.completedAt).toBeInstanceOf(Date);
    const summary = await tracking.attemptSummary(attempt.id, rep.id);
    expect(summary.rollup).toMatchObject({ scoCount: 6, completedCount: 6 });
    for (const identifier of identifiers) expect((await storedState(attempt.id, course.itemIds[identifier]!))!).toMatchObject({ commitSequence: S + 2, cmi: { suspend_data: `${identifier}-${S + 2}` } });

    // A later commit to one module rolls up with the others' stored states, not only its own.
    await commit('m1', S + 3, { lesson_status: 'completed', score: { raw: '100' }, session_time: '00:10:00' });
    const after = await attemptRow(attempt.id);
    expect(after).toMatchObject({ completionStatus: 'completed', successStatus: 'passed', totalTimeSeconds: (10 + 3 + 4 + 5 + 6 + 7) * 60, completedAt: row.completedAt });
    expect(after.scoreScaled).toBeCloseTo((1 + 0.65 + 0.7 + 0.75 + 0.8 + 0.85) / 6, 10);
  });

  it('a write that waited for another commit of the attempt stores nothing when the attempt row changed meanwhile', async () => {
    const course = await createCourse('scorm12', [{ identifier: 'a' }, { identifier: 'b' }]);
    const { attempt } = await start(course);
    const { rowVersion } = (await commitStatements(db).findContext(attempt.id, rep.id))!;
    const write = (executor: Executor, identifier: string) => writeDirectly(executor, { attemptId: attempt.id, itemId: course.itemIds[identifier]!, rowVersion, sequence: S + 1, location: identifier });
    let waiting: Promise<boolean> | undefined;
    await db.transaction(async (tx) => {
      expect(await write(tx, 'a')).toBe(true);
      // On PostgreSQL this write queues on the attempt row lock held here (PGlite runs it after the transaction).
      waiting = write(db, 'b');
      await new Promise((resolve) => setTimeout(resolve, 200));
    });
    expect(await waiting).toBe(false);
    expect(await storedState(attempt.id, course.itemIds.b!)).toBeNull();
    expect((await commitStatements(db).findContext(attempt.id, rep.id))!.states.map((state) => state.itemId)).toEqual([course.itemIds.a]);
  });

  it("another learner's newer attempt of the course does not close this one", async () => {
    const course = await createCourse('scorm12', [{ identifier: 'only' }]);
    const mine = (await start(course)).attempt;
    const theirs = (await start(course, otherRep)).attempt;
    await tracking.commit({ attemptId: theirs.id, userId: otherRep.id, itemIdentifier: 'only', sequence: S + 1, cmi: { core: { lesson_status: 'completed' } } });
    await start(course, otherRep, { forceNew: true });
    await tracking.commit({ attemptId: mine.id, userId: rep.id, itemIdentifier: 'only', sequence: S + 1, cmi: { core: { lesson_status: 'incomplete' } } });
    expect((await commitStatements(db).findContext(mine.id, rep.id))!.superseded).toBe(false);
    expect((await commitStatements(db).findContext(theirs.id, otherRep.id))!.superseded).toBe(true);
    await expect(tracking.commit({ attemptId: theirs.id, userId: otherRep.id, itemIdentifier: 'only', sequence: S + 2, cmi: { core: { lesson_status: 'failed' } } })).rejects.toMatchObject({
      code: 'tracking.attempt_closed',
    });
  });
});

describe('round trips', () => {
  /** A tracking service on the test database whose every statement is recorded, as another app process would have. */
  async function recordingService() {
    const statements: string[] = [];
    const logger = { logQuery: (query: string) => statements.push(query) };
    const client = (db as unknown as { $client: unknown }).$client;
    const recorded =
      app.deps.database.kind === 'postgres'
        ? (await import('drizzle-orm/node-postgres')).drizzle(client as never, { schema, logger })
        : (await import('drizzle-orm/pglite')).drizzle(client as never, { schema, logger });
    const service = createTrackingService({ ...app.deps, database: { ...app.deps.database, db: recorded as unknown as Database } });
    return { service, statements };
  }

  it("a learner's next commit is one statement; a commit from another process in between costs a read, and is rolled up", async () => {
    const course = await createCourse('scorm12', [{ identifier: 'x' }, { identifier: 'y' }]);
    const { attempt } = await start(course);
    const here = await recordingService();
    const elsewhere = createTrackingService(app.deps);
    const commit = (service: TrackingService, item: string, sequence: number, minutes: number) =>
      service.commit({ attemptId: attempt.id, userId: rep.id, itemIdentifier: item, sequence, cmi: { core: { lesson_status: 'incomplete', session_time: `00:0${minutes}:00` } } });
    const statementsOf = async (run: () => Promise<unknown>) => {
      here.statements.length = 0;
      await run();
      return here.statements.map((statement) => statement.trim().split(/\s+/)[0]);
    };

    // The first commit reads the version once (standard, items), then the attempt, then writes.
    expect(await statementsOf(() => commit(here.service, 'x', S + 1, 1))).toEqual(['select', 'select', 'select', 'with']);
    expect(await statementsOf(() => commit(here.service, 'x', S + 2, 2))).toEqual(['with']);

    // Another process commits the other SCO: this one's memory of the attempt is stale, so its write misses and it reads.
    await commit(elsewhere, 'y', S + 1, 5);
    expect(await statementsOf(() => commit(here.service, 'x', S + 3, 3))).toEqual(['with', 'select', 'with']);
    expect(await attemptRow(attempt.id)).toMatchObject({ totalTimeSeconds: 8 * 60, completionStatus: 'incomplete' });

    // Refusals are never decided from memory: a newer commit of this SCO made elsewhere makes this one stale.
    await commit(elsewhere, 'x', S + 9, 4);
    await expect(commit(here.service, 'x', S + 4, 9)).rejects.toMatchObject({ code: 'tracking.stale_commit', details: { sequence: S + 4, storedSequence: S + 9 } });
    await expect(here.service.commit({ attemptId: attempt.id, userId: otherRep.id, itemIdentifier: 'x', sequence: S + 10, cmi: {} })).rejects.toMatchObject({ code: 'tracking.attempt_not_found' });
    expect((await storedState(attempt.id, course.itemIds.x!))!).toMatchObject({ commitSequence: S + 9, totalTimeSeconds: 4 * 60 });
    expect(await attemptRow(attempt.id)).toMatchObject({ totalTimeSeconds: 9 * 60 });
  });
});

describe('attempts and versions', () => {
  it('a new attempt after completion keeps the history; the old attempt stops taking commits', async () => {
    const course = await createCourse('scorm12', [{ identifier: 'only' }]);
    const first = (await start(course)).attempt;
    await tracking.commit({ attemptId: first.id, userId: rep.id, itemIdentifier: 'only', sequence: S + 1, cmi: { core: { lesson_status: 'passed', score: { raw: '88' } }, suspend_data: 'first' } });

    const reopened = await start(course);
    expect(reopened).toMatchObject({ created: false, mode: 'review', attempt: { id: first.id } });

    const second = await start(course, rep, { forceNew: true });
    expect(second).toMatchObject({ created: true, mode: 'normal', attempt: { attemptNumber: 2, versionId: course.versionId } });
    const fresh = await tracking.launchData({ attemptId: second.attempt.id, userId: rep.id, itemId: course.itemIds.only! });
    expect(fresh.cmi).toMatchObject({ core: { entry: 'ab-initio', lesson_status: 'not attempted' } });
    expect(fresh.cmi).not.toHaveProperty('suspend_data');

    await expect(
      tracking.commit({ attemptId: first.id, userId: rep.id, itemIdentifier: 'only', sequence: 5 * S + 1, cmi: { core: { lesson_status: 'failed' }, suspend_data: 'late' } }),
    ).rejects.toMatchObject({ code: 'tracking.attempt_closed', status: 409 });

    const history = await tracking.attemptHistory({ userId: rep.id, courseId: course.courseId });
    expect(history.map((a) => [a.attemptNumber, a.completionStatus, a.successStatus, a.versionNumber])).toEqual([
      [2, 'not_attempted', 'unknown', 1],
      [1, 'completed', 'passed', 1],
    ]);
    expect((await storedState(first.id, course.itemIds.only!))!.cmi).toMatchObject({ suspend_data: 'first' });
    expect((await tracking.launchData({ attemptId: first.id, userId: rep.id, itemId: course.itemIds.only! })).mode).toBe('review');
  });

  it('refuses a new attempt after completion when the course does not allow one', async () => {
    const course = await createCourse('scorm12', [{ identifier: 'only' }], { allowNewAttemptAfterCompletion: false });
    const first = (await start(course)).attempt;
    await tracking.commit({ attemptId: first.id, userId: rep.id, itemIdentifier: 'only', sequence: S + 1, cmi: { core: { lesson_status: 'completed' } } });
    await expect(start(course, rep, { forceNew: true, allowNewAttemptAfterCompletion: false })).rejects.toMatchObject({ code: 'tracking.new_attempt_not_allowed', status: 409 });
    expect(await tracking.attemptHistory({ userId: rep.id, courseId: course.courseId })).toHaveLength(1);
  });

  it('an attempt in progress stays on its version when the course moves to a new one', async () => {
    const course = await createCourse('scorm2004', [{ identifier: 'sco' }]);
    const mine = (await start(course)).attempt;
    await tracking.commit({ attemptId: mine.id, userId: rep.id, itemIdentifier: 'sco', sequence: S + 1, cmi: { location: 'v1-place', exit: 'suspend' } });

    const v2 = await addVersion(course.courseId, 2, 'scorm2004', [{ identifier: 'sco' }]);
    await db.update(courses).set({ currentVersionId: v2.versionId }).where(eq(courses.id, course.courseId));

    const resumed = await start(course, rep, { versionId: v2.versionId, forceNew: true });
    expect(resumed).toMatchObject({ created: false, mode: 'normal', attempt: { id: mine.id, versionId: course.versionId } });
    const launch = await tracking.launchData({ attemptId: mine.id, userId: rep.id, itemId: course.itemIds.sco! });
    expect(launch.cmi).toMatchObject({ location: 'v1-place', entry: 'resume' });
    await expect(tracking.launchData({ attemptId: mine.id, userId: rep.id, itemId: v2.itemIds.sco! })).rejects.toMatchObject({ code: 'tracking.item_not_in_version' });

    const theirs = await start(course, otherRep, { versionId: v2.versionId });
    expect(theirs.attempt.versionId).toBe(v2.versionId);

    expect(await tracking.inProgressByVersion(course.courseId)).toEqual([
      { versionId: course.versionId, versionNumber: 1, attempts: 1, learners: 1 },
      { versionId: v2.versionId, versionNumber: 2, attempts: 1, learners: 1 },
    ]);
  });

  it('launches at the same moment (a double click) make one attempt, the first and the next', async () => {
    const course = await createCourse('scorm12', [{ identifier: 'only' }]);
    const firsts = await Promise.all(Array.from({ length: 5 }, () => start(course)));
    expect(new Set(firsts.map((s) => s.attempt.id)).size).toBe(1);
    expect(firsts.filter((s) => s.created)).toHaveLength(1);
    await tracking.commit({ attemptId: firsts[0]!.attempt.id, userId: rep.id, itemIdentifier: 'only', sequence: S + 1, cmi: { core: { lesson_status: 'completed' } } });

    const seconds = await Promise.all(Array.from({ length: 5 }, () => start(course, rep, { forceNew: true })));
    expect(new Set(seconds.map((s) => s.attempt.id)).size).toBe(1);
    expect(seconds[0]!.attempt.attemptNumber).toBe(2);
    expect((await tracking.attemptHistory({ userId: rep.id, courseId: course.courseId })).map((a) => a.attemptNumber)).toEqual([2, 1]);
  });
});
