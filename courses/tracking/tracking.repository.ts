import { and, asc, count, countDistinct, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Executor } from '../../server/db/database.js';
import { users } from '../../server/users/users.table.js';
import { courseItems, courseVersions, type CourseItemRow } from '../scorm/scorm.table.js';
import { attempts, scoStates, type AttemptRow, type ScoStateRow } from './tracking.table.js';
import type { ScormStandard } from './cmi.js';

export type AttemptWithContext = AttemptRow & { standard: 'scorm12' | 'scorm2004'; versionNumber: number; learnerName: string };

/**
 * An attempt of one user, with its version's standard and the learner's name; null when it does not exist or
 * belongs to someone else (the caller cannot tell which).
 */
export async function findAttemptOfUser(db: Executor, attemptId: string, userId: string): Promise<AttemptWithContext | null> {
  const rows = await db
    .select({ attempt: attempts, standard: courseVersions.standard, versionNumber: courseVersions.versionNumber, learnerName: users.name })
    .from(attempts)
    .innerJoin(courseVersions, eq(courseVersions.id, attempts.versionId))
    .innerJoin(users, eq(users.id, attempts.userId))
    .where(and(eq(attempts.id, attemptId), eq(attempts.userId, userId)))
    .limit(1);
  const row = rows[0];
  return row ? { ...row.attempt, standard: row.standard, versionNumber: row.versionNumber, learnerName: row.learnerName } : null;
}

/** The user's attempt of the course with the highest number, or null before the first. */
export async function findLatestAttempt(db: Executor, userId: string, courseId: string): Promise<AttemptRow | null> {
  const rows = await db
    .select()
    .from(attempts)
    .where(and(eq(attempts.userId, userId), eq(attempts.courseId, courseId)))
    .orderBy(desc(attempts.attemptNumber))
    .limit(1);
  return rows[0] ?? null;
}

/**
 * A new attempt. attemptNumber is the previous attempt's number + 1 as the caller read it: two concurrent
 * starts read the same previous attempt, insert the same number, and the second fails on
 * attempts_user_course_number_key (a max()+1 subquery would not: under READ COMMITTED the second statement
 * sees the first one's row and quietly makes attempt n + 2).
 */
export async function insertAttempt(
  db: Executor,
  values: { courseId: string; versionId: string; userId: string; organisationId: string; attemptNumber: number; now: Date },
): Promise<AttemptRow> {
  const rows = await db
    .insert(attempts)
    .values({
      courseId: values.courseId,
      versionId: values.versionId,
      userId: values.userId,
      organisationId: values.organisationId,
      attemptNumber: values.attemptNumber,
      startedAt: values.now,
      lastAccessedAt: values.now,
    })
    .returning();
  return rows[0]!;
}

/** Every attempt of a user at a course, newest first, with the version number each one is pinned to. */
export async function listAttemptHistory(db: Executor, userId: string, courseId: string): Promise<Array<AttemptRow & { versionNumber: number }>> {
  const rows = await db
    .select({ attempt: attempts, versionNumber: courseVersions.versionNumber })
    .from(attempts)
    .innerJoin(courseVersions, eq(courseVersions.id, attempts.versionId))
    .where(and(eq(attempts.userId, userId), eq(attempts.courseId, courseId)))
    .orderBy(desc(attempts.attemptNumber));
  return rows.map((row) => ({ ...row.attempt, versionNumber: row.versionNumber }));
}

/** For each version of a course that has attempts in progress: how many, and how many learners they belong to. */
export async function countInProgressAttemptsByVersion(
  db: Executor,
  courseId: string,
): Promise<Array<{ versionId: string; versionNumber: number; attempts: number; learners: number }>> {
  return db
    .select({
      versionId: attempts.versionId,
      versionNumber: courseVersions.versionNumber,
      attempts: count(),
      learners: countDistinct(attempts.userId),
    })
    .from(attempts)
    .innerJoin(courseVersions, eq(courseVersions.id, attempts.versionId))
    .where(and(eq(attempts.courseId, courseId), isNull(attempts.completedAt)))
    .groupBy(attempts.versionId, courseVersions.versionNumber)
    .orderBy(asc(courseVersions.versionNumber));
}

/** What never changes in a version once imported: its standard, and the stored manifest's organisation (its items carry their sequencing XML). */
export async function findVersionDefinition(db: Executor, versionId: string): Promise<{ standard: ScormStandard; organization: unknown } | null> {
  const rows = await db
    .select({ standard: courseVersions.standard, organization: sql<unknown>`${courseVersions.manifest} -> 'organization'` })
    .from(courseVersions)
    .where(eq(courseVersions.id, versionId))
    .limit(1);
  return rows[0] ?? null;
}

/** The item tree of a version, flattened in document order. */
export async function listVersionItems(db: Executor, versionId: string): Promise<CourseItemRow[]> {
  return db.select().from(courseItems).where(eq(courseItems.versionId, versionId)).orderBy(asc(courseItems.position));
}

export async function findScoState(db: Executor, attemptId: string, itemId: string): Promise<ScoStateRow | null> {
  const rows = await db
    .select()
    .from(scoStates)
    .where(and(eq(scoStates.attemptId, attemptId), eq(scoStates.itemId, itemId)))
    .limit(1);
  return rows[0] ?? null;
}

/** What a commit needs of a stored SCO state (the sequence check, total time, keepAchievedStatus, the roll-up); not its cmi, which can be tens of kilobytes. */
export type CommitStateSummary = Pick<
  ScoStateRow,
  'itemId' | 'commitSequence' | 'commitDigest' | 'completionStatus' | 'successStatus' | 'scoreRaw' | 'scoreMin' | 'scoreMax' | 'scoreScaled' | 'totalTimeSeconds' | 'sessionTimeSeconds'
>;

const commitStateColumns = {
  itemId: scoStates.itemId,
  commitSequence: scoStates.commitSequence,
  commitDigest: scoStates.commitDigest,
  completionStatus: scoStates.completionStatus,
  successStatus: scoStates.successStatus,
  scoreRaw: scoStates.scoreRaw,
  scoreMin: scoStates.scoreMin,
  scoreMax: scoStates.scoreMax,
  scoreScaled: scoStates.scoreScaled,
  totalTimeSeconds: scoStates.totalTimeSeconds,
  sessionTimeSeconds: scoStates.sessionTimeSeconds,
};

/** The stored states of an attempt's SCOs without their cmi: for its table of contents and roll-up. */
export async function listScoStateSummaries(db: Executor, attemptId: string): Promise<Array<CommitStateSummary & Pick<ScoStateRow, 'lastAccessedAt'>>> {
  return db
    .select({ ...commitStateColumns, lastAccessedAt: scoStates.lastAccessedAt })
    .from(scoStates)
    .where(eq(scoStates.attemptId, attemptId));
}

/**
 * The attempt as a commit reads it (commitStatements): only the user's own, whether a newer attempt of the same
 * course has superseded it, its SCOs' stored states, and the attempt row's version (its xmin, new on every update),
 * which the write checks.
 */
export interface CommitContext {
  attempt: Pick<AttemptRow, 'id' | 'userId' | 'courseId' | 'versionId'>;
  rowVersion: string;
  superseded: boolean;
  states: CommitStateSummary[];
}

const newerAttempts = alias(attempts, 'newer_attempts');
const placeholder = sql.placeholder;

/** The CommitContext in one statement, taking no lock: one row per stored SCO state (one with a null state before the first commit). */
function commitContextQuery(db: Executor) {
  return db
    .select({
      id: attempts.id,
      userId: attempts.userId,
      courseId: attempts.courseId,
      versionId: attempts.versionId,
      rowVersion: sql<string>`${attempts}.xmin::text`,
      // The join makes Drizzle qualify the attempts columns here; unqualified, they would name newer_attempts'.
      superseded: sql<boolean>`exists ${db
        .select({ one: sql`1` })
        .from(newerAttempts)
        .where(and(eq(newerAttempts.userId, attempts.userId), eq(newerAttempts.courseId, attempts.courseId), gt(newerAttempts.attemptNumber, attempts.attemptNumber)))}`,
      state: commitStateColumns,
    })
    .from(attempts)
    .leftJoin(scoStates, eq(scoStates.attemptId, attempts.id))
    .where(and(eq(attempts.id, placeholder('attemptId')), eq(attempts.userId, placeholder('userId'))));
}

export interface CommitWrite {
  attemptId: string;
  userId: string;
  /** CommitContext.rowVersion as read: nothing is written when the attempt row has changed since. */
  rowVersion: string;
  /** cmiJson: the cmi as JSON text, stored as jsonb (NormalisedCommit.json). */
  state: Omit<ScoStateRow, 'attemptId' | 'cmi' | 'firstAccessedAt' | 'lastAccessedAt'> & { cmiJson: string };
  rollup: Pick<AttemptRow, 'completionStatus' | 'successStatus' | 'scoreScaled' | 'totalTimeSeconds'>;
  now: Date;
}

/**
 * A commit's write in one statement (atomic and durable on its own, no transaction needed): the SCO state upsert,
 * guarded so that it only replaces a lower sequence, and the attempt's roll-up (completed_at set once, when the
 * roll-up first says completed). It writes only if the attempt row is still the version the caller read (so the
 * roll-up, computed from the states read with it, is still right: every state write updates the attempt row too)
 * and no newer attempt has superseded it. The attempt row is locked first, so commits of one attempt queue behind
 * each other; one that waited sees the row's new version and writes nothing. Returns the row's new version.
 */
function commitWriteQuery(db: Executor) {
  const target = db.$with('target', {}).as(sql`
    select a.id from attempts a
     where a.id = ${placeholder('attemptId')}::uuid and a.user_id = ${placeholder('userId')}::uuid and a.xmin = ${placeholder('rowVersion')}::text::xid
       and not exists (select 1 from attempts newer where newer.user_id = a.user_id and newer.course_id = a.course_id and newer.attempt_number > a.attempt_number)
     for update of a`);
  const written = db.$with('written', {}).as(sql`
    insert into sco_states as s (attempt_id, item_id, cmi, commit_sequence, commit_digest, completion_status, success_status, score_raw, score_min, score_max,
                                 score_scaled, total_time_seconds, session_time_seconds, location, interaction_count, first_accessed_at, last_accessed_at)
    select target.id, ${placeholder('itemId')}::uuid, ${placeholder('cmiJson')}::text::jsonb, ${placeholder('commitSequence')}::bigint, ${placeholder('commitDigest')}::text,
           ${placeholder('completionStatus')}::text::completion_status, ${placeholder('successStatus')}::text::success_status, ${placeholder('scoreRaw')}::float8,
           ${placeholder('scoreMin')}::float8, ${placeholder('scoreMax')}::float8, ${placeholder('scoreScaled')}::float8, ${placeholder('totalTimeSeconds')}::float8,
           ${placeholder('sessionTimeSeconds')}::float8, ${placeholder('location')}::text, ${placeholder('interactionCount')}::int,
           ${placeholder('now')}::timestamptz, ${placeholder('now')}::timestamptz
      from target
    on conflict (attempt_id, item_id) do update set
      cmi = excluded.cmi, commit_sequence = excluded.commit_sequence, commit_digest = excluded.commit_digest,
      completion_status = excluded.completion_status, success_status = excluded.success_status, score_raw = excluded.score_raw,
      score_min = excluded.score_min, score_max = excluded.score_max, score_scaled = excluded.score_scaled,
      total_time_seconds = excluded.total_time_seconds, session_time_seconds = excluded.session_time_seconds, location = excluded.location,
      interaction_count = excluded.interaction_count, last_accessed_at = excluded.last_accessed_at
    where s.commit_sequence < excluded.commit_sequence
    returning s.attempt_id`);
  const rolledUp = db.$with('rolled_up', { rowVersion: sql<string>`row_version`.as('row_version') }).as(sql`
    update attempts set completion_status = ${placeholder('attemptCompletionStatus')}::text::completion_status,
           success_status = ${placeholder('attemptSuccessStatus')}::text::success_status, score_scaled = ${placeholder('attemptScoreScaled')}::float8,
           total_time_seconds = ${placeholder('attemptTotalTimeSeconds')}::float8, last_accessed_at = ${placeholder('now')}::timestamptz,
           completed_at = coalesce(attempts.completed_at, ${placeholder('completedAt')}::timestamptz)
      from written
     where attempts.id = written.attempt_id
    returning attempts.xmin::text as row_version`);
  return db.with(target, written, rolledUp).select({ rowVersion: rolledUp.rowVersion }).from(rolledUp);
}

export interface CommitStatements {
  /** The CommitContext; null when the attempt does not exist or is another user's. */
  findContext(attemptId: string, userId: string): Promise<CommitContext | null>;
  /** Returns the attempt row's new version, or null when nothing was written (see commitWriteQuery). */
  writeIfAttemptUnchanged(write: CommitWrite): Promise<string | null>;
}

/**
 * A commit's two statements on db (or a transaction), built once with placeholders and prepared under a name:
 * Drizzle does not build their SQL again on each call, and PostgreSQL parses and plans each once per connection.
 */
export function commitStatements(db: Executor): CommitStatements {
  const context = commitContextQuery(db).prepare('tracking_commit_context');
  const write = commitWriteQuery(db).prepare('tracking_commit_write');
  return {
    async findContext(attemptId, userId) {
      const rows = await context.execute({ attemptId, userId });
      const first = rows[0];
      if (first === undefined) return null;
      return {
        attempt: { id: first.id, userId: first.userId, courseId: first.courseId, versionId: first.versionId },
        rowVersion: first.rowVersion,
        superseded: first.superseded,
        states: rows.flatMap((row) => (row.state === null ? [] : [row.state])),
      };
    },
    async writeIfAttemptUnchanged({ state, rollup, ...attempt }) {
      const now = attempt.now.toISOString();
      const rows = await write.execute({
        attemptId: attempt.attemptId,
        userId: attempt.userId,
        rowVersion: attempt.rowVersion,
        ...state,
        now,
        attemptCompletionStatus: rollup.completionStatus,
        attemptSuccessStatus: rollup.successStatus,
        attemptScoreScaled: rollup.scoreScaled,
        attemptTotalTimeSeconds: rollup.totalTimeSeconds,
        completedAt: rollup.completionStatus === 'completed' ? now : null,
      });
      return rows[0]?.rowVersion ?? null;
    },
  };
}

/** Locks the user's attempt row until the transaction ends; false when there is no such attempt of theirs. */
export async function lockAttemptOfUser(db: Executor, attemptId: string, userId: string): Promise<boolean> {
  const rows = await db
    .select({ id: attempts.id })
    .from(attempts)
    .where(and(eq(attempts.id, attemptId), eq(attempts.userId, userId)))
    .for('update');
  return rows.length > 0;
}

/**
 * Courses done (an attempt completed or passed) since `since` by partners' people whose completion never scored:
 * what the commit's follow-up (points, paths, certificates) missed, e.g. because the process stopped right after the
 * commit's write. The ledger's outcome key is 'course_completed:<course>:<user>' (see gamification awardOutcome).
 */
export async function listCompletionsWithoutOutcome(db: Executor, input: { since: Date; limit: number }) {
  const result = (await db.execute(sql`
    select a.user_id, a.course_id, min(coalesce(a.completed_at, a.last_accessed_at)) as done_at
      from attempts a
      join users u on u.id = a.user_id
      join organisations o on o.id = u.organisation_id and o.kind = 'partner'
     where (a.completion_status = 'completed' or a.success_status = 'passed')
       and coalesce(a.completed_at, a.last_accessed_at) >= ${input.since.toISOString()}::timestamptz
       and not exists (select 1 from gamification_points_ledger l where l.outcome_key = 'course_completed:' || a.course_id::text || ':' || a.user_id::text)
     group by a.user_id, a.course_id
     order by done_at
     limit ${input.limit}`)) as unknown as { rows: { user_id: string; course_id: string; done_at: Date | string }[] };
  return result.rows.map((r) => ({ userId: r.user_id, courseId: r.course_id, doneAt: new Date(r.done_at) }));
}
