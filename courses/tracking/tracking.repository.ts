import { and, asc, count, countDistinct, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../../server/db/database.js';
import { users } from '../../server/users/users.table.js';
import { courseItems, courseVersions, type CourseItemRow } from '../scorm/scorm.table.js';
import { attempts, scoStates, type AttemptRow, type ScoStateRow } from './tracking.table.js';

export type AttemptWithContext = AttemptRow & { standard: 'scorm12' | 'scorm2004'; versionNumber: number; learnerName: string };

/**
 * An attempt of one user, with its version's standard and the learner's name; null when it does not exist or
 * belongs to someone else (the caller cannot tell which). forUpdate locks the attempt row until the transaction
 * ends, so that commits of one attempt (on any of its SCOs) are applied one after the other.
 */
export async function findAttemptOfUser(db: Executor, attemptId: string, userId: string, options: { forUpdate?: boolean } = {}): Promise<AttemptWithContext | null> {
  const query = db
    .select({ attempt: attempts, standard: courseVersions.standard, versionNumber: courseVersions.versionNumber, learnerName: users.name })
    .from(attempts)
    .innerJoin(courseVersions, eq(courseVersions.id, attempts.versionId))
    .innerJoin(users, eq(users.id, attempts.userId))
    .where(and(eq(attempts.id, attemptId), eq(attempts.userId, userId)))
    .limit(1);
  const rows = options.forUpdate ? await query.for('update', { of: attempts }) : await query;
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

export async function findVersionItemByIdentifier(db: Executor, versionId: string, identifier: string): Promise<CourseItemRow | null> {
  const rows = await db
    .select()
    .from(courseItems)
    .where(and(eq(courseItems.versionId, versionId), eq(courseItems.identifier, identifier)))
    .limit(1);
  return rows[0] ?? null;
}

export async function findVersionItemById(db: Executor, versionId: string, itemId: string): Promise<CourseItemRow | null> {
  const rows = await db
    .select()
    .from(courseItems)
    .where(and(eq(courseItems.versionId, versionId), eq(courseItems.id, itemId)))
    .limit(1);
  return rows[0] ?? null;
}

/** The item tree of a version, flattened in document order. */
export async function listVersionItems(db: Executor, versionId: string): Promise<CourseItemRow[]> {
  return db.select().from(courseItems).where(eq(courseItems.versionId, versionId)).orderBy(asc(courseItems.position));
}

/** The parsed manifest stored with a version (its items carry their sequencing XML). */
export async function findVersionManifest(db: Executor, versionId: string): Promise<unknown> {
  const rows = await db.select({ manifest: courseVersions.manifest }).from(courseVersions).where(eq(courseVersions.id, versionId)).limit(1);
  return rows[0]?.manifest ?? null;
}

export async function findScoState(db: Executor, attemptId: string, itemId: string): Promise<ScoStateRow | null> {
  const rows = await db
    .select()
    .from(scoStates)
    .where(and(eq(scoStates.attemptId, attemptId), eq(scoStates.itemId, itemId)))
    .limit(1);
  return rows[0] ?? null;
}

export async function listScoStates(db: Executor, attemptId: string): Promise<ScoStateRow[]> {
  return db.select().from(scoStates).where(eq(scoStates.attemptId, attemptId));
}

export type ScoStateWrite = Omit<ScoStateRow, 'firstAccessedAt' | 'lastAccessedAt'> & { now: Date };

/**
 * Stores a SCO's state unless a commit with the same or a higher sequence is already stored: one
 * INSERT … ON CONFLICT DO UPDATE … WHERE sco_states.commit_sequence < excluded.commit_sequence (PostgreSQL 9.5+, PGlite).
 * Returns the row written, or null when the guard kept the stored row (nothing was changed).
 */
export async function upsertScoStateIfNewer(db: Executor, state: ScoStateWrite): Promise<ScoStateRow | null> {
  const { now, ...values } = state;
  const columns = {
    cmi: values.cmi,
    commitSequence: values.commitSequence,
    commitDigest: values.commitDigest,
    completionStatus: values.completionStatus,
    successStatus: values.successStatus,
    scoreRaw: values.scoreRaw,
    scoreMin: values.scoreMin,
    scoreMax: values.scoreMax,
    scoreScaled: values.scoreScaled,
    totalTimeSeconds: values.totalTimeSeconds,
    sessionTimeSeconds: values.sessionTimeSeconds,
    location: values.location,
    interactionCount: values.interactionCount,
    lastAccessedAt: now,
  };
  const rows = await db
    .insert(scoStates)
    .values({ attemptId: values.attemptId, itemId: values.itemId, ...columns, firstAccessedAt: now })
    .onConflictDoUpdate({
      target: [scoStates.attemptId, scoStates.itemId],
      set: columns,
      setWhere: sql`${scoStates.commitSequence} < excluded.commit_sequence`,
    })
    .returning();
  return rows[0] ?? null;
}

export async function updateAttemptRollup(
  db: Executor,
  attemptId: string,
  values: Pick<AttemptRow, 'completionStatus' | 'successStatus' | 'scoreScaled' | 'totalTimeSeconds' | 'lastAccessedAt' | 'completedAt'>,
): Promise<AttemptRow> {
  const rows = await db.update(attempts).set(values).where(eq(attempts.id, attemptId)).returning();
  return rows[0]!;
}
