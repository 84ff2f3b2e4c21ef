import { count, desc, eq, max, sql } from 'drizzle-orm';
import type { Executor } from '../../server/db/database.js';
import { courseItems, courseVersions, type CourseVersionRow } from './scorm.table.js';
import { attempts } from '../tracking/tracking.table.js';

export async function nextVersionNumber(db: Executor, courseId: string): Promise<number> {
  const rows = await db.select({ n: max(courseVersions.versionNumber) }).from(courseVersions).where(eq(courseVersions.courseId, courseId));
  return (rows[0]?.n ?? 0) + 1;
}

export async function insertVersion(db: Executor, values: typeof courseVersions.$inferInsert): Promise<CourseVersionRow> {
  const rows = await db.insert(courseVersions).values(values).returning();
  return rows[0]!;
}

export async function insertItems(db: Executor, values: (typeof courseItems.$inferInsert)[]): Promise<void> {
  // Chunked: a package may have thousands of items and a statement has a parameter limit.
  for (let i = 0; i < values.length; i += 500) await db.insert(courseItems).values(values.slice(i, i + 500));
}

/** Versions of a course, newest first, with how many attempts are still in progress on each. */
export async function listVersionsWithLearners(db: Executor, courseId: string) {
  return db
    .select({
      id: courseVersions.id,
      versionNumber: courseVersions.versionNumber,
      standard: courseVersions.standard,
      edition: courseVersions.edition,
      originalFilename: courseVersions.originalFilename,
      fileCount: courseVersions.fileCount,
      totalBytes: courseVersions.totalBytes,
      warnings: courseVersions.warnings,
      createdAt: courseVersions.createdAt,
      learnersInProgress: sql<number>`count(${attempts.id}) filter (where ${attempts.completedAt} is null)::int`,
      attemptCount: count(attempts.id),
    })
    .from(courseVersions)
    .leftJoin(attempts, eq(attempts.versionId, courseVersions.id))
    .where(eq(courseVersions.courseId, courseId))
    .groupBy(courseVersions.id)
    .orderBy(desc(courseVersions.versionNumber));
}

